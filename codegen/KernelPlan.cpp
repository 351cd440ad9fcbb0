//===- KernelPlan.cpp - the buffers a kernel group reads and writes -------===//
#include "codegen/KernelPlan.h"
#include "codegen/TargetBackend.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace cnnc {
namespace {

TensorRole roleOf(Operation *user, unsigned operandIndex, const TargetBackend &target) {
  if (isa<cnn::Conv2DOp>(user) && operandIndex == 1)
    return TensorRole::convFilter;
  if (isa<cnn::IntegerConv2DOp>(user) && operandIndex == 1)
    return target.dotProductChannels() == 4 ? TensorRole::quadConvFilter
                                            : TensorRole::pairedConvFilter;
  if (isa<cnn::DepthwiseConv2DOp, cnn::IntegerDepthwiseConv2DOp>(user) && operandIndex == 1)
    return TensorRole::depthwiseFilter;
  if (isa<cnn::FullyConnectedOp, cnn::IntegerFullyConnectedOp>(user) && operandIndex == 1)
    return TensorRole::fcWeight;
  return TensorRole::vector;
}

/// A float op that computes each pixel from the same pixel alone.
bool pointwiseInSpace(Operation *op) {
  if (auto conv = dyn_cast<cnn::Conv2DOp>(op)) {
    llvm::ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
    return filter[2] == 1 && filter[3] == 1 &&
           llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
           llvm::all_of(conv.getPadding(), [](int64_t p) { return p == 0; });
  }
  return isa<cnn::ActivationOp, cnn::AddOp, cnn::MulOp>(op);
}

/// Whether `plan` may see its maps as one row (KernelPlan::flatPixels): its
/// ops pointwise in space and float; its activations in the arena (a model
/// input or output may have other strides); some map more than one row high.
bool mayFlattenPixels(const KernelPlan &plan) {
  llvm::ArrayRef<int64_t> result = shapeOf(plan.kernelResult());
  if (result.size() != 4 || result[2] < 2 || plan.outputTable ||
      !plan.group->result().getDefiningOp()->hasAttr(kArenaOffsetAttr))
    return false;
  for (Operation *op : plan.ops)
    if (!pointwiseInSpace(op) ||
        !cast<RankedTensorType>(op->getResult(0).getType()).getElementType().isF32())
      return false;
  return llvm::none_of(
      plan.inputs, [](const KernelArg &arg) { return arg.kind == KernelArg::Kind::modelInput; });
}

KernelPlan planKernel(const KernelGroup &group, const TargetBackend &target) {
  KernelPlan plan{&group, group.ops};
  if (plan.ops.size() > 1 && isa<cnn::LookupOp>(plan.ops.back())) {
    plan.outputTable = plan.ops.back();
    plan.ops.pop_back();
  }
  llvm::DenseMap<Operation *, int> position;
  for (size_t i = 0; i < plan.ops.size(); ++i)
    position[plan.ops[i]] = static_cast<int>(i);
  llvm::DenseSet<Value> arguments;

  for (Operation *op : plan.ops) {
    for (OpOperand &operand : op->getOpOperands()) {
      Value v = operand.get();
      Operation *def = v.getDefiningOp();
      if ((def && position.count(def)) || !arguments.insert(v).second)
        continue; // computed in the group, or already an argument
      KernelArg arg{KernelArg::Kind::activation, v, TensorRole::activation};
      if (!def)
        arg.kind = KernelArg::Kind::modelInput;
      else if (isWeightOnly(def)) {
        arg.kind = KernelArg::Kind::weight;
        arg.role = roleOf(op, operand.getOperandNumber(), target);
      }
      plan.inputs.push_back(arg);
    }
    Operation *conv = convolutionFoldingScale(op);
    if (conv && position.count(conv)) {
      plan.foldedScale = op;
      plan.foldingConvolution = conv;
      auto filter = cast<RankedTensorType>(cast<cnn::Conv2DOp>(conv).getFilter().getType());
      auto input = cast<RankedTensorType>(op->getResult(0).getType());
      plan.imageFilterExtents = {filter.getDimSize(0), filter.getDimSize(1), input.getDimSize(0)};
    }
  }
  plan.flatPixels = target.flattensPointwiseKernels() && mayFlattenPixels(plan);
  return plan;
}

} // namespace

llvm::SmallVector<int64_t, 4> KernelPlan::shapeOf(Value v) const {
  llvm::ArrayRef<int64_t> shape = cnnc::shapeOf(v), result = cnnc::shapeOf(kernelResult());
  if (!flatPixels || shape.size() != 4 || shape[2] != result[2] || shape[3] != result[3])
    return {shape.begin(), shape.end()};
  return {shape[0], shape[1], 1, shape[2] * shape[3]};
}

std::vector<KernelPlan> planKernels(const std::vector<KernelGroup> &groups,
                                    const TargetBackend &target) {
  std::vector<KernelPlan> plans;
  for (const KernelGroup &group : groups)
    plans.push_back(planKernel(group, target));
  return plans;
}

} // namespace cnnc
