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
  return plan;
}

} // namespace

std::vector<KernelPlan> planKernels(const std::vector<KernelGroup> &groups,
                                    const TargetBackend &target) {
  std::vector<KernelPlan> plans;
  for (const KernelGroup &group : groups)
    plans.push_back(planKernel(group, target));
  return plans;
}

} // namespace cnnc
