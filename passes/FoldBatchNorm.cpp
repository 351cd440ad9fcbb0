//===- FoldBatchNorm.cpp - cnn-fold-batchnorm -----------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// Replaces `bn(conv(x, w, b))` by `conv(x, fold(w, bn params, b))`.
template <typename ConvOp> bool fold(cnn::BatchNormOp bn, ConvOp conv) {
  if (!conv->hasOneUse())
    return false;
  OpBuilder b(bn);
  auto folded = b.create<cnn::FoldBatchNormOp>(
      bn.getLoc(), conv.getFilter().getType(), bn.getScale().getType(), conv.getFilter(),
      bn.getScale(), bn.getShift(), bn.getMean(), bn.getVariance(), conv.getBias(),
      bn.getEpsilonAttr());
  auto replacement =
      b.create<ConvOp>(conv.getLoc(), conv.getInput(), folded.getFoldedFilter(),
                       folded.getFoldedBias(), conv.getStridesAttr(), conv.getPaddingAttr());
  bn.replaceAllUsesWith(replacement.getResult());
  bn.erase();
  conv.erase();
  return true;
}

struct CnnFoldBatchNormPass : public cnnc::impl::CnnFoldBatchNormBase<CnnFoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<cnn::BatchNormOp> norms(getOperation().getOps<cnn::BatchNormOp>());
    for (cnn::BatchNormOp bn : norms) {
      Operation *producer = bn.getInput().getDefiningOp();
      if (auto conv = dyn_cast_or_null<cnn::Conv2DOp>(producer))
        fold(bn, conv);
      else if (auto conv = dyn_cast_or_null<cnn::DepthwiseConv2DOp>(producer))
        fold(bn, conv);
    }
  }
};

} // namespace
