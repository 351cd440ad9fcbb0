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

struct CnnFusePass : public cnnc::impl::CnnFuseBase<CnnFusePass> {
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
      while (tailOp->getResult(0).hasOneUse()) {
        Operation *next = *tailOp->getResult(0).getUsers().begin();
        if (!joins(next, tailOp->getResult(0), afterContraction))
          break;
        next->setAttr(kGroupAttr, group);
        tailOp = next;
        afterContraction = afterContraction && isEpilogue(next);
        if (isa<cnn::Conv2DOp, cnn::FullyConnectedOp, cnn::IntegerConv2DOp,
                cnn::IntegerFullyConnectedOp>(next))
          afterContraction = true;
      }
    }
  }
};

} // namespace
