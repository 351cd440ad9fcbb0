//===- KernelPlan.cpp - the buffers a kernel group reads and writes -------===//
#include "codegen/KernelPlan.h"
#include "codegen/TargetBackend.h"
#include "codegen/Winograd.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace cnnc {
namespace {

TensorRole roleOf(Operation *user, unsigned operandIndex, const TargetSelection &target) {
  const TargetBackend &backend = *target.backend;
  if (isa<cnn::Conv2DOp>(user) && operandIndex == 1)
    return backend.convolvesByWinograd() && winogradApplies(user) ? TensorRole::winogradFilter
                                                                  : TensorRole::convFilter;
  if (isa<cnn::IntegerConv2DOp>(user) && (operandIndex == 1 || operandIndex == 2)) {
    ArrayRef<int64_t> out = shapeOf(user->getResult(0));
    TensorRole filter = backend.integerConvFilter(target.halideTarget, out[2] * out[3]);
    if (operandIndex == 1)
      return filter;
    // Over quads, its bias starts the accumulator less the zero point's
    // share, computed when the weights are packed (Layout.h).
    return inputChannelGroup(filter) == 4 ? TensorRole::quadConvStart : TensorRole::vector;
  }
  if (isa<cnn::IntegerDepthwiseConv2DOp>(user) && operandIndex == 1)
    return backend.pairsDepthwiseTaps() ? TensorRole::pairedDepthwiseFilter
                                        : TensorRole::depthwiseFilter;
  if (isa<cnn::DepthwiseConv2DOp>(user) && operandIndex == 1)
    return TensorRole::depthwiseFilter;
  if (isa<cnn::FullyConnectedOp, cnn::IntegerFullyConnectedOp>(user) && operandIndex == 1)
    return TensorRole::fcWeight;
  return TensorRole::vector;
}

/// A 1×1 convolution at stride 1 without padding.
template <typename ConvOp> bool pointwiseConvolution(ConvOp conv) {
  llvm::ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
  return filter[2] == 1 && filter[3] == 1 &&
         llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
         llvm::all_of(conv.getPadding(), [](int64_t p) { return p == 0; });
}

/// An op that computes each pixel from the same pixel alone (a channel
/// scale reads one value per channel of the image).
bool pointwiseInSpace(Operation *op) {
  if (auto conv = dyn_cast<cnn::Conv2DOp>(op))
    return pointwiseConvolution(conv);
  if (auto conv = dyn_cast<cnn::IntegerConv2DOp>(op))
    return pointwiseConvolution(conv);
  return isa<cnn::ActivationOp, cnn::AddOp, cnn::MulOp, cnn::RequantizeOp, cnn::IntegerAddOp,
             cnn::IntegerMulOp>(op);
}

/// Whether `plan` may see its maps as one row (KernelPlan::flatPixels): its
/// ops pointwise in space; its activations in the arena (a model input or
/// output may have other strides); some map more than one row high. An
/// output table applies to the result's bytes, whatever their view.
bool mayFlattenPixels(const KernelPlan &plan) {
  llvm::ArrayRef<int64_t> result = shapeOf(plan.kernelResult());
  if (result.size() != 4 || result[2] < 2 ||
      !plan.group->result().getDefiningOp()->hasAttr(kArenaOffsetAttr))
    return false;
  return llvm::all_of(plan.ops, pointwiseInSpace) &&
         llvm::none_of(plan.inputs, [](const KernelArg &arg) {
           return arg.kind == KernelArg::Kind::modelInput;
         });
}

/// Whether the channel scale that the 1×1 convolution `conv` reads through
/// is folded into a per-image copy of its filter (W · diag(s), Cout × Cin
/// an image) rather than applied to its input (H·W × Cin an image) as the
/// kernel reads it, where the target can (gatesConvolutionInput): whichever
/// scales fewer elements. Folding costs more where the output channels
/// outnumber the pixels: the 7×7 projections of mobilenet-v3-large (960 →
/// 160) ran 1.2× faster gated, of efficientnet-b0 likewise; gating every
/// projection instead left b0 1.7% slower than this rule (2-core Zen 5,
/// side by side).
bool foldsIntoFilter(Operation *conv, const TargetSelection &target) {
  llvm::ArrayRef<int64_t> out = shapeOf(conv->getResult(0));
  return !target.backend->gatesConvolutionInput() || out[1] <= out[2] * out[3];
}

/// The 1×1 convolution that `plan` computes over pairs of pixels
/// (KernelPlan::pixelPairConvolution), for float vectors of `lanes`, or null.
/// Output channels that end in half a vector waste the other half in every
/// block (24 channels in two 16-lane vectors: 32 products per 24 outputs);
/// two pixels' 48 take three whole vectors, the middle one reading its
/// first 8 lanes' input from the first pixel and the rest from the second
/// (two broadcasts and a blend per input channel). On a 2-core Zen 5, a
/// prototype of 96 → 24 and 144 → 24 over 3136 pixels ran 1.31× faster
/// (three vectors × 4 pairs against one vector × 8 pixels), 120 → 40 1.48×
/// (five vectors × 4 pairs). Only where the pair's vectors split into blocks
/// whose lanes' pixels are known when compiled (pixelPairBlockVectors).
Operation *pixelPairConvolution(const KernelPlan &plan, int lanes) {
  if (lanes < 2 || !plan.flatPixels || plan.gatedConvolution)
    return nullptr;
  Operation *conv = nullptr;
  for (Operation *op : plan.ops) {
    if (op == plan.foldedScale)
      continue; // folded into the filter: the convolution reads its input
    if (!conv && !isa<cnn::Conv2DOp>(op))
      return nullptr;
    if (!conv)
      conv = op;
    else if (!isa<cnn::ActivationOp, cnn::AddOp>(op))
      return nullptr;
  }
  if (!conv)
    return nullptr;
  ArrayRef<int64_t> out = shapeOf(conv->getResult(0));
  int64_t channels = out[1], pixels = out[2] * out[3];
  bool halfVectorTail = channels % lanes != 0 && 2 * channels % lanes == 0;
  return halfVectorTail && pixelPairBlockVectors(2 * channels / lanes) && pixels % 2 == 0 ? conv
                                                                                          : nullptr;
}

KernelPlan planKernel(const KernelGroup &group, const TargetSelection &target) {
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
    if (conv && position.count(conv) && !foldsIntoFilter(conv, target)) {
      plan.gatedConvolution = conv;
    } else if (conv && position.count(conv)) {
      plan.foldedScale = op;
      plan.foldingConvolution = conv;
      auto filter = cast<RankedTensorType>(cast<cnn::Conv2DOp>(conv).getFilter().getType());
      auto input = cast<RankedTensorType>(op->getResult(0).getType());
      plan.imageFilterExtents = {filter.getDimSize(0), filter.getDimSize(1), input.getDimSize(0)};
    }
  }
  plan.flatPixels = target.backend->flattensPointwiseKernels() && mayFlattenPixels(plan);
  plan.pixelPairConvolution =
      pixelPairConvolution(plan, target.backend->pixelPairLanes(target.halideTarget));
  if (plan.pixelPairConvolution) {
    auto conv = cast<cnn::Conv2DOp>(plan.pixelPairConvolution);
    for (KernelArg &arg : plan.inputs)
      if (arg.value == conv.getFilter())
        arg.role = TensorRole::pixelPairConvFilter;
      else if (conv.getBias() && arg.value == conv.getBias())
        arg.role = TensorRole::pixelPairVector;
    if (plan.foldingConvolution) // the per-image filter, twice over as the filter
      plan.imageFilterExtents[0] *= 2;
  }
  return plan;
}

} // namespace

int pixelPairBlockVectors(int64_t pairVectors) {
  if (pairVectors <= 5)
    return static_cast<int>(pairVectors);
  return pairVectors % 3 == 0 ? 3 : 0;
}

llvm::SmallVector<int64_t, 4> KernelPlan::shapeOf(Value v) const {
  llvm::ArrayRef<int64_t> shape = cnnc::shapeOf(v), result = cnnc::shapeOf(kernelResult());
  if (!flatPixels || shape.size() != 4 || shape[2] != result[2] || shape[3] != result[3])
    return {shape.begin(), shape.end()};
  bool convolutionInput =
      pixelPairConvolution && (v == pixelPairConvolution->getOperand(0) ||
                               (foldedScale && v == foldedScale->getOperand(0)));
  if (pixelPairConvolution && shape == result && !convolutionInput)
    return {shape[0], 2 * shape[1], 1, shape[2] * shape[3] / 2};
  return {shape[0], shape[1], 1, shape[2] * shape[3]};
}

std::vector<KernelPlan> planKernels(const std::vector<KernelGroup> &groups,
                                    const TargetSelection &target) {
  std::vector<KernelPlan> plans;
  for (const KernelGroup &group : groups)
    plans.push_back(planKernel(group, target));
  return plans;
}

} // namespace cnnc
