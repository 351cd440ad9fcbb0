//===- CompoundScale.cpp - effnet-compound-scale --------------------------===//
#include "passes/ModelLimits.h"
#include "passes/Passes.h"
#include "passes/ScalingRules.h"

#include "llvm/Support/Format.h"

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

/// Scales sizes and checks each against the limits in floating point, before
/// any conversion to an integer, so nothing wraps. Without scaling the sizes
/// are checked as written.
class Scaler {
public:
  Scaler(ModelOp model, const ModelLimits &limits)
      : model(model), limits(limits), m(model.isScaled() ? Multipliers() : multipliersOf(model)),
        scaling(!model.isScaled()) {}

  /// `declared · multiplier`, rounded by `round`, unless it exceeds `limit`:
  /// then an error at the model (whose scaling caused it) or at `op` (whose
  /// value it is), and nullopt.
  template <typename Round>
  std::optional<int64_t> scaled(Operation *op, StringRef what, int64_t declared, double multiplier,
                                StringRef limitName, int64_t limit, Round round) {
    double value = static_cast<double>(declared) * multiplier;
    std::optional<int64_t> result;
    if (value <= static_cast<double>(limit)) // false for NaN and infinity too
      result = round(value);
    if (result && *result <= limit)
      return result;
    Operation *blame = multiplier != 1 ? model.getOperation() : op;
    std::string shown;
    llvm::raw_string_ostream(shown) << llvm::format("%.6g", value);
    InFlightDiagnostic diag = blame->emitError()
                              << what << " would be " << shown
                              << (multiplier != 1 ? " after scaling" : "") << ", over "
                              << ModelLimits::describe(limitName, limit);
    if (blame != op)
      diag.attachNote(op->getLoc()) << "declared here as " << declared;
    failed = true;
    return std::nullopt;
  }

  std::optional<int64_t> channels(Operation *op, StringRef what, int64_t declared, bool fixed) {
    int64_t divisor = model.getChannelDivisor();
    bool keep = fixed || !scaling;
    return scaled(
        op, what, declared, keep ? 1.0 : m.width, "channels", limits.channels, [&](double v) {
          return keep ? static_cast<int64_t>(v)
                      : roundChannels(v, divisor, model.getChannelRoundLimit().convertToDouble());
        });
  }

  /// A block that expands by a ratio (lowering computes in · ratio) must
  /// stay within the channel limit too.
  LogicalResult checkExpansion(BlockOpInterface block, int64_t inChannels) {
    std::optional<APFloat> ratio = block.getExpandRatio();
    if (block.getExpandChannels() || !ratio)
      return success();
    double expanded = static_cast<double>(inChannels) * ratio->convertToDouble();
    if (expanded <= static_cast<double>(limits.channels))
      return success();
    std::string shown;
    llvm::raw_string_ostream(shown) << llvm::format("%.6g", expanded);
    return block->emitError() << "a block's expanded channels would be " << shown << " ("
                              << inChannels << " input channels times expand_ratio "
                              << ratio->convertToDouble() << "), over "
                              << ModelLimits::describe("channels", limits.channels);
  }

  LogicalResult run() {
    Builder b(model.getContext());
    if (model.getChannelDivisor() > static_cast<uint64_t>(limits.channels))
      return model.emitError() << "channel_divisor " << model.getChannelDivisor() << " is over "
                               << ModelLimits::describe("channels", limits.channels);
    std::optional<int64_t> resolution =
        scaled(model, "the resolution", model.getResolution(), m.resolution, "resolution",
               limits.resolution, [](double v) { return std::max<int64_t>(1, std::lround(v)); });
    if (!resolution)
      return failure();
    model.setResolution(*resolution);
    if (model.getInChannels() > static_cast<uint64_t>(limits.channels))
      return model.emitError() << "in_channels " << model.getInChannels() << " is over "
                               << ModelLimits::describe("channels", limits.channels);
    // Channels entering the next block, for the expansions given as ratios.
    int64_t inChannels = static_cast<int64_t>(model.getInChannels());
    int64_t blocks = 0; // in the whole model: each stage's are within `repeats`
    // One error is enough: the first size over a limit stops the scaling.
    for (Operation &op : model.getBody().front()) {
      if (failed)
        return failure();
      if (auto stem = dyn_cast<StemOp>(op)) {
        if (auto c =
                channels(stem, "the stem's channels", stem.getChannels(), stem.getFixedWidth())) {
          stem.setChannels(*c);
          inChannels = *c;
        }
      } else if (auto head = dyn_cast<HeadOp>(op)) {
        if (auto c =
                channels(head, "the head's channels", head.getChannels(), head.getFixedWidth()))
          head.setChannels(*c);
        if (std::optional<uint64_t> hidden = head.getHiddenChannels())
          if (auto c = channels(head, "the head's hidden channels", static_cast<int64_t>(*hidden),
                                head.getFixedWidth()))
            head.setHiddenChannels(*c);
      } else if (auto stage = dyn_cast<StageOp>(op)) {
        if (auto repeats = scaled(stage, "a stage's repeats", stage.getRepeats(),
                                  stage.getFixedDepth() ? 1.0 : m.depth, "repeats", limits.repeats,
                                  [](double v) { return static_cast<int64_t>(std::ceil(v)); })) {
          stage.setRepeats(*repeats);
          blocks += *repeats;
        }
        Operation *block = stage.getBlock().getOperation();
        if (mlir::failed(checkExpansion(stage.getBlock(), inChannels)))
          return failure();
        if (auto c =
                channels(block, "a block's channels", stage.getBlock().getOutChannels(), false)) {
          block->setAttr("out_channels", b.getI64IntegerAttr(*c));
          inChannels = *c;
        }
        if (std::optional<uint64_t> expand = stage.getBlock().getExpandChannels())
          if (auto c = channels(block, "a block's expanded channels", static_cast<int64_t>(*expand),
                                false))
            block->setAttr("expand_channels", b.getI64IntegerAttr(*c));
      }
    }
    if (failed)
      return failure();
    if (blocks > limits.blocks)
      return model.emitError() << "the model would have " << blocks << " blocks, over "
                               << ModelLimits::describe("blocks", limits.blocks);
    if (model.getNumClasses() > static_cast<uint64_t>(limits.classes))
      return model.emitError() << "num_classes " << model.getNumClasses() << " is over "
                               << ModelLimits::describe("classes", limits.classes);
    for (StringRef name :
         {"phi", "alpha", "beta", "gamma", "width_mult", "depth_mult", "resolution_mult"})
      model->removeAttr(name);
    return success();
  }

private:
  ModelOp model;
  const ModelLimits &limits;
  Multipliers m;
  bool scaling; // false once scaled: sizes are then kept as they are
  bool failed = false;
};

struct EffnetCompoundScalePass
    : public cnnc::impl::EffnetCompoundScaleBase<EffnetCompoundScalePass> {
  using EffnetCompoundScaleBase::EffnetCompoundScaleBase;

  void runOnOperation() override {
    llvm::Expected<ModelLimits> parsed = ModelLimits::parse(limits);
    if (!parsed) {
      getOperation().emitError() << llvm::toString(parsed.takeError());
      return signalPassFailure();
    }
    getOperation().walk([&](ModelOp model) {
      // A scaled model keeps its sizes; they are still checked.
      if (failed(Scaler(model, *parsed).run()))
        signalPassFailure();
    });
  }
};

} // namespace
