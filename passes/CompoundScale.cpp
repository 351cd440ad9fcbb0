//===- CompoundScale.cpp - effnet-compound-scale --------------------------===//
#include "passes/Passes.h"
#include "passes/ScalingRules.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_EFFNETCOMPOUNDSCALE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::effnet;

namespace {

struct Multipliers {
  double width = 1, depth = 1, resolution = 1;
};

/// The multipliers a model asks for: α^φ, β^φ, γ^φ, or the explicit ones.
Multipliers multipliersOf(ModelOp model) {
  auto valueOr1 = [](std::optional<APFloat> v) { return v ? v->convertToDouble() : 1.0; };
  Multipliers m;
  if (std::optional<APFloat> phi = model.getPhi()) {
    double p = phi->convertToDouble();
    m.depth = std::pow(model.getAlpha()->convertToDouble(), p);
    m.width = std::pow(model.getBeta()->convertToDouble(), p);
    m.resolution = std::pow(model.getGamma()->convertToDouble(), p);
    return m;
  }
  m.width = valueOr1(model.getWidthMult());
  m.depth = valueOr1(model.getDepthMult());
  m.resolution = valueOr1(model.getResolutionMult());
  return m;
}

void scaleModel(ModelOp model) {
  Multipliers m = multipliersOf(model);
  Builder b(model.getContext());
  int64_t divisor = model.getChannelDivisor();
  auto widen = [&](int64_t channels) {
    return roundChannels(static_cast<double>(channels) * m.width, divisor);
  };

  model.setResolution(roundResolution(model.getResolution(), m.resolution));
  for (Operation &op : model.getBody().front()) {
    if (auto stem = dyn_cast<StemOp>(op)) {
      if (!stem.getFixedWidth())
        stem.setChannels(widen(stem.getChannels()));
    } else if (auto head = dyn_cast<HeadOp>(op)) {
      if (head.getFixedWidth())
        continue;
      head.setChannels(widen(head.getChannels()));
      if (std::optional<uint64_t> hidden = head.getHiddenChannels())
        head.setHiddenChannels(widen(static_cast<int64_t>(*hidden)));
    } else if (auto stage = dyn_cast<StageOp>(op)) {
      if (!stage.getFixedDepth())
        stage.setRepeats(roundRepeats(stage.getRepeats(), m.depth));
      Operation *block = stage.getBlock().getOperation();
      auto channelsAttr = [&](int64_t c) { return b.getI64IntegerAttr(widen(c)); };
      block->setAttr("out_channels", channelsAttr(stage.getBlock().getOutChannels()));
      if (std::optional<uint64_t> expand = stage.getBlock().getExpandChannels())
        block->setAttr("expand_channels", channelsAttr(static_cast<int64_t>(*expand)));
    }
  }
  for (StringRef name :
       {"phi", "alpha", "beta", "gamma", "width_mult", "depth_mult", "resolution_mult"})
    model->removeAttr(name);
}

struct EffnetCompoundScalePass
    : public cnnc::impl::EffnetCompoundScaleBase<EffnetCompoundScalePass> {
  void runOnOperation() override {
    getOperation().walk([](ModelOp model) {
      if (!model.isScaled())
        scaleModel(model);
    });
  }
};

} // namespace
