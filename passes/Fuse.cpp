//===- Fuse.cpp - cnn-fuse ------------------------------------------------===//
#include "passes/KernelGroups.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

bool isSmall(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return type.getRank() == 2 ||
         (type.getRank() == 4 && type.getDimSize(2) == 1 && type.getDimSize(3) == 1);
}

bool isEpilogue(Operation *op) {
  return isa<cnn::ActivationOp, cnn::BatchNormOp, cnn::AddOp, cnn::RequantizeOp, cnn::LookupOp,
             cnn::IntegerAddOp, cnn::DequantizeOp>(op);
}

/// A convolution or fully connected layer, float or integer.
bool isContraction(Operation *op) {
  return isa<cnn::Conv2DOp, cnn::DepthwiseConv2DOp, cnn::FullyConnectedOp, cnn::IntegerConv2DOp,
             cnn::IntegerDepthwiseConv2DOp, cnn::IntegerFullyConnectedOp>(op);
}

/// Whether `next`, the single user of the group's result `tail`, joins the group.
bool joins(Operation *next, Value tail, bool afterContraction) {
  if (isa<func::ReturnOp>(next) || isWeightOnly(next))
    return false;
  // Every other operand must come from outside the group's chain: the
  // residual of an add, the gated tensor of a mul, weights.
  if (afterContraction && isEpilogue(next))
    return true;
  // An integer convolution takes in the int_mul (an SE or CBAM gate) it
  // reads: its kernel applies the gate as it gathers its input tile.
  auto conv = dyn_cast<cnn::IntegerConv2DOp>(next);
  if (conv && conv.getInput() == tail && isa<cnn::IntegerMulOp>(tail.getDefiningOp()))
    return true;
  if (!isSmall(tail))
    return false;
  return isSmall(next->getResult(0)) &&
         isa<cnn::Conv2DOp, cnn::ActivationOp, cnn::AddOp, cnn::FlattenOp, cnn::FullyConnectedOp,
             cnn::IntegerConv2DOp, cnn::RequantizeOp, cnn::LookupOp, cnn::IntegerAddOp,
             cnn::IntegerFullyConnectedOp, cnn::DequantizeOp>(next);
}

/// Bytes of an expanded tensor, an image, from which its 1×1 expansion is
/// fused into the 3×3 depthwise convolution that reads it (fuse-expansions):
/// twice the L2 of a core of the machine it was measured on. On a 2-core
/// Zen 5 (L2 1 MB a core), side by side: fusing the 112×112 expansions
/// alone (3.2–4.8 MB) made b0 1.011–1.036×, mobilenet-v3-large 1.023–1.067×
/// and mobilenet-v2 1.022–1.076× faster; fusing the 56×56 and 28×28 ones too
/// (0.6–1.8 MB) ranged from 0.98× in a quiet spell of the machine to 1.18×
/// in a busy one.
constexpr int64_t kFusedExpansionBytes = 2 << 20;

/// Rows of a map from which the ops on either side of it are fused (an
/// expansion into its depthwise convolution, a depthwise convolution into its
/// projection): a kernel computes it in a few bands of rows over the
/// threads (CpuSchedule.cpp's kExpansionBands), each recomputing the rows
/// above its first, which on fewer rows outweighs the traffic saved
/// (efficientnetv2-s's 48×48 and 24×24 expansions, 2.2–2.4 MB: 0.986× side
/// by side).
constexpr int64_t kFusedMapRows = 64;

/// Bytes of a depthwise convolution's activated result, an image, from
/// which the 1×1 projection that alone reads it is fused into its group
/// (fuse-projections): the first blocks of mobilenet-v2 (32 channels on
/// 112×112 maps, 1.6 MB) and -v3-large (16 channels, 0.8 MB). On a 2-core
/// Zen 5 (2026-11-29) those blocks ran 1.18× and 1.33× faster fused (66.8 →
/// 56.5 µs, 41.0 → 30.8), the models 1.006–1.015× and 0.998–1.009× side by
/// side; a prototype that had fused every block's projection made the
/// smaller ones no faster or slower (mobilenet-v2 0.928× in all).
constexpr int64_t kFusedProjectionBytes = 1 << 19;

/// A float map of at least `bytes` an image and kFusedMapRows rows.
bool largeFloatMap(Value map, int64_t bytes) {
  auto type = cast<RankedTensorType>(map.getType());
  int64_t imageBytes =
      type.getNumElements() / type.getDimSize(0) * static_cast<int64_t>(sizeof(float));
  return type.getElementType().isF32() && imageBytes >= bytes &&
         type.getDimSize(2) >= kFusedMapRows;
}

/// A 1×1 convolution at stride 1.
bool pointwise(cnn::Conv2DOp conv) {
  auto filter = cast<RankedTensorType>(conv.getFilter().getType());
  return filter.getDimSize(2) == 1 && filter.getDimSize(3) == 1 &&
         llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; });
}

/// A depthwise convolution of a 3×3 window.
bool threeByThree(cnn::DepthwiseConv2DOp conv) {
  auto window = cast<RankedTensorType>(conv.getFilter().getType());
  return window.getDimSize(2) == 3 && window.getDimSize(3) == 3;
}

/// Whether `next`, a depthwise convolution reading `tail`, the activated
/// result of a group that began with the 1×1 convolution `head`, joins that
/// group (fuse-expansions).
bool fusesExpansion(Operation *head, Operation *next, Value tail) {
  auto expansion = dyn_cast<cnn::Conv2DOp>(head);
  auto depthwise = dyn_cast<cnn::DepthwiseConv2DOp>(next);
  return expansion && depthwise && depthwise.getInput() == tail && pointwise(expansion) &&
         threeByThree(depthwise) && largeFloatMap(tail, kFusedExpansionBytes);
}

/// Whether `next`, a 1×1 convolution reading `tail`, the activated result of
/// a group that began with the 3×3 depthwise convolution `head` at stride 1,
/// joins that group (fuse-projections).
bool fusesProjection(Operation *head, Operation *next, Value tail) {
  auto depthwise = dyn_cast<cnn::DepthwiseConv2DOp>(head);
  auto projection = dyn_cast<cnn::Conv2DOp>(next);
  return depthwise && projection && projection.getInput() == tail && threeByThree(depthwise) &&
         llvm::all_of(depthwise.getStrides(), [](int64_t s) { return s == 1; }) &&
         pointwise(projection) && largeFloatMap(tail, kFusedProjectionBytes);
}

struct CnnFusePass : public cnnc::impl::CnnFuseBase<CnnFusePass> {
  using CnnFuseBase::CnnFuseBase;

  void runOnOperation() override {
    Builder b(&getContext());
    int64_t nextGroup = 0;
    for (Operation &op : getOperation().getBody().front()) {
      if (isa<func::ReturnOp>(op) || isWeightOnly(&op) || op.hasAttr(kGroupAttr))
        continue;
      IntegerAttr group = b.getI64IntegerAttr(nextGroup++);
      Operation *tailOp = &op;
      tailOp->setAttr(kGroupAttr, group);
      if (Operation *conv = convolutionFoldingScale(tailOp)) {
        // The channel scale goes into the convolution's weights (W · diag(s)).
        conv->setAttr(kGroupAttr, group);
        tailOp = conv;
      }
      bool afterContraction = isContraction(tailOp);
      Operation *head = tailOp;
      while (tailOp->getResult(0).hasOneUse()) {
        Operation *next = *tailOp->getResult(0).getUsers().begin();
        bool expansionInto =
            fuseExpansions && head && fusesExpansion(head, next, tailOp->getResult(0));
        bool projectionInto =
            fuseProjections && head && fusesProjection(head, next, tailOp->getResult(0));
        if (!expansionInto && !projectionInto &&
            !joins(next, tailOp->getResult(0), afterContraction))
          break;
        next->setAttr(kGroupAttr, group);
        tailOp = next;
        afterContraction = afterContraction && isEpilogue(next);
        if (isa<cnn::Conv2DOp, cnn::FullyConnectedOp, cnn::IntegerConv2DOp,
                cnn::IntegerFullyConnectedOp>(next) ||
            expansionInto) {
          afterContraction = true;
          head = nullptr; // one expansion a group
        }
      }
    }
  }
};

} // namespace
