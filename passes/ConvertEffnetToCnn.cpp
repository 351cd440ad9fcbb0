//===- ConvertEffnetToCnn.cpp - convert-effnet-to-cnn ---------------------===//
//
// Unrolls each stage and lowers every block to primitive cnn ops, naming
// weights as the model's torchvision counterpart does, with their names under
// the other checkpoint schemes as aliases (WeightNames.h). Convolutions are
// padded as the model's `padding` says; its input normalization becomes the
// function's cnn.input_mean / cnn.input_std.
//
//===----------------------------------------------------------------------===//
#include "passes/InputNormalization.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "passes/ScalingRules.h"
#include "passes/WeightNames.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/Twine.h"

namespace cnnc {
#define GEN_PASS_DEF_CONVERTEFFNETTOCNN
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::effnet;
using cnn::Activation;

namespace {

/// Emits cnn ops for one model into a function body.
class CnnEmitter {
public:
  CnnEmitter(OpBuilder &builder, double batchNormEps, Padding padding)
      : b(builder), f32(builder.getF32Type()), eps(batchNormEps), paddingMode(padding) {}

  /// Location of the ops emitted for `path`, pointing at the spec line of `at`.
  Location locate(const Twine &path, Location at) {
    return NameLoc::get(b.getStringAttr(path), at);
  }

  Value weight(Location loc, const SchemeNames &names, ArrayRef<int64_t> shape,
               bool buffer = false) {
    SmallVector<NamedAttribute> aliases;
    for (const WeightSchemeInfo &scheme : weightSchemes())
      if (!scheme.aliasKey.empty() && !names.in(scheme.scheme).empty())
        aliases.push_back(
            b.getNamedAttr(scheme.aliasKey, b.getStringAttr(names.in(scheme.scheme))));
    auto op =
        b.create<cnn::WeightOp>(loc, RankedTensorType::get(shape, f32),
                                b.getStringAttr(names.in(WeightScheme::torchvision)), buffer,
                                aliases.empty() ? DictionaryAttr() : b.getDictionaryAttr(aliases));
    return op.getResult();
  }

  /// Zeros [before, after] along an axis of extent `in` (Padding's contract).
  std::pair<int64_t, int64_t> padAround(int64_t in, int64_t kernel, int64_t stride) const {
    if (paddingMode == Padding::symmetric)
      return {(kernel - 1) / 2, (kernel - 1) / 2};
    int64_t out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
    return {total / 2, total - total / 2};
  }

  /// conv (no bias) + batch norm + activation, torchvision's Conv2dNormActivation.
  Value convNormAct(Location loc, const ConvNormNames &names, Value x, int64_t outChannels,
                    int64_t kernel, int64_t stride, bool depthwise, Activation act) {
    auto shape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t inChannels = shape[1];
    auto [top, bottom] = padAround(shape[2], kernel, stride);
    auto [left, right] = padAround(shape[3], kernel, stride);
    Value filter =
        weight(loc, names.filter, {outChannels, depthwise ? 1 : inChannels, kernel, kernel});
    auto strides = b.getDenseI64ArrayAttr({stride, stride});
    auto padding = b.getDenseI64ArrayAttr({top, left, bottom, right});
    Value y = depthwise
                  ? b.create<cnn::DepthwiseConv2DOp>(loc, x, filter, Value(), strides, padding)
                        .getResult()
                  : b.create<cnn::Conv2DOp>(loc, x, filter, Value(), strides, padding).getResult();
    return activation(loc, batchNorm(loc, names.norm, y), act);
  }

  Value batchNorm(Location loc, const SchemeNames &prefix, Value x) {
    int64_t c = channelsOf(x);
    Value scale = weight(loc, prefix + ".weight", {c});
    Value shift = weight(loc, prefix + ".bias", {c});
    Value mean = weight(loc, prefix + ".running_mean", {c}, /*buffer=*/true);
    Value var = weight(loc, prefix + ".running_var", {c}, /*buffer=*/true);
    return b.create<cnn::BatchNormOp>(loc, x, scale, shift, mean, var, b.getF64FloatAttr(eps));
  }

  Value activation(Location loc, Value x, Activation act) {
    if (act == Activation::identity)
      return x;
    return b.create<cnn::ActivationOp>(loc, act, x);
  }

  /// A 1×1 convolution with bias (SE/CBAM MLP layers): `<prefix>.{weight,bias}`.
  Value pointwiseWithBias(Location loc, const SchemeNames &prefix, Value x, int64_t outChannels) {
    Value w = weight(loc, prefix + ".weight", {outChannels, channelsOf(x), 1, 1});
    Value bias = weight(loc, prefix + ".bias", {outChannels});
    return b.create<cnn::Conv2DOp>(loc, x, w, bias, b.getDenseI64ArrayAttr({1, 1}),
                                   b.getDenseI64ArrayAttr({0, 0, 0, 0}));
  }

  /// torchvision's SqueezeExcitation: avgpool, fc1, act, fc2, gate, scale.
  Value squeezeExcite(Location loc, const SqueezeNames &names, Value x, int64_t squeeze,
                      Activation act, Activation gate) {
    Value pooled = b.create<cnn::GlobalPoolOp>(loc, cnn::PoolKind::avg, x);
    Value hidden = activation(loc, pointwiseWithBias(loc, names.reduce, pooled, squeeze), act);
    Value scale =
        activation(loc, pointwiseWithBias(loc, names.expand, hidden, channelsOf(x)), gate);
    return b.create<cnn::MulOp>(loc, x, scale);
  }

  /// CBAM: channel attention through one shared MLP on the average- and
  /// max-pooled features, then spatial attention over [mean_c; max_c].
  Value cbam(Location loc, const SchemeNames &prefix, Value x, int64_t hidden, int64_t kernel) {
    int64_t c = channelsOf(x);
    Value fc1w = weight(loc, prefix + ".channel.fc1.weight", {hidden, c, 1, 1});
    Value fc1b = weight(loc, prefix + ".channel.fc1.bias", {hidden});
    Value fc2w = weight(loc, prefix + ".channel.fc2.weight", {c, hidden, 1, 1});
    Value fc2b = weight(loc, prefix + ".channel.fc2.bias", {c});
    auto ones = b.getDenseI64ArrayAttr({1, 1});
    auto zeros = b.getDenseI64ArrayAttr({0, 0, 0, 0});
    auto sharedMlp = [&](cnn::PoolKind kind) -> Value {
      Value pooled = b.create<cnn::GlobalPoolOp>(loc, kind, x);
      Value h = b.create<cnn::Conv2DOp>(loc, pooled, fc1w, fc1b, ones, zeros);
      h = activation(loc, h, Activation::relu);
      return b.create<cnn::Conv2DOp>(loc, h, fc2w, fc2b, ones, zeros);
    };
    // Sequenced: the order of a call's arguments is unspecified in C++.
    Value avgLogits = sharedMlp(cnn::PoolKind::avg);
    Value maxLogits = sharedMlp(cnn::PoolKind::max);
    Value channelLogits = b.create<cnn::AddOp>(loc, avgLogits, maxLogits);
    Value y = b.create<cnn::MulOp>(loc, x, activation(loc, channelLogits, Activation::sigmoid));

    Value avg = b.create<cnn::ChannelPoolOp>(loc, cnn::PoolKind::avg, y);
    Value max = b.create<cnn::ChannelPoolOp>(loc, cnn::PoolKind::max, y);
    Value pooled = b.create<cnn::ConcatOp>(loc, ValueRange{avg, max});
    SchemeNames spatial = prefix + ".spatial";
    Value spatialLogits =
        convNormAct(loc, {spatial + ".0.weight", spatial + ".1"}, pooled, /*outChannels=*/1, kernel,
                    /*stride=*/1, /*depthwise=*/false, Activation::identity);
    return b.create<cnn::MulOp>(loc, y, activation(loc, spatialLogits, Activation::sigmoid));
  }

  static int64_t channelsOf(Value x) { return cast<RankedTensorType>(x.getType()).getDimSize(1); }

  OpBuilder &b;

private:
  Type f32;
  double eps;
  Padding paddingMode;
};

/// Channels after the expansion of a block whose input has `inChannels`.
int64_t expandedChannels(BlockOpInterface block, int64_t inChannels, int64_t divisor) {
  if (std::optional<uint64_t> channels = block.getExpandChannels())
    return static_cast<int64_t>(*channels);
  double ratio = block.getExpandRatio()->convertToDouble();
  if (ratio == 1.0)
    return inChannels;
  return roundChannels(static_cast<double>(inChannels) * ratio, divisor);
}

int64_t reductionBase(SqueezeBase base, int64_t inChannels, int64_t expanded) {
  return base == SqueezeBase::input ? inChannels : expanded;
}

/// Lowers one block instance (`stride` is the stage's for the first block, 1 after).
Value emitBlock(CnnEmitter &e, BlockOpInterface block, Value x, int64_t stride, int64_t divisor,
                const Twine &path, WeightNamer &names) {
  Location loc = e.locate(path, block.getLoc());
  int64_t in = CnnEmitter::channelsOf(x);
  int64_t out = block.getOutChannels();
  int64_t expanded = expandedChannels(block, in, divisor);
  int64_t kernel = block.getKernel();
  Activation act = block.getActivation();
  bool fused = isa<FusedMBConvOp>(block.getOperation());

  Value y = x;
  if (fused && expanded == in) {
    // A single k×k convolution does the whole block (EfficientNetV2 stage 1).
    y = e.convNormAct(loc, names.blockConv(BlockConv::single), y, out, kernel, stride,
                      /*depthwise=*/false, act);
  } else {
    if (fused)
      y = e.convNormAct(loc, names.blockConv(BlockConv::fusedExpand), y, expanded, kernel, stride,
                        false, act);
    else {
      if (expanded != in)
        y = e.convNormAct(loc, names.blockConv(BlockConv::expand), y, expanded, 1, 1, false, act);
      y = e.convNormAct(loc, names.blockConv(BlockConv::depthwise), y, expanded, kernel, stride,
                        /*depthwise=*/true, act);
    }
    if (SqueezeExciteAttr se = block.getSeAttr()) {
      int64_t squeeze = attentionChannels(reductionBase(se.getBase(), in, expanded),
                                          se.getRatio().convertToDouble(), se.getDivisor());
      y = e.squeezeExcite(e.locate(path + "." + kSqueezeExciteLayer, block.getLoc()),
                          names.squeezeExcite(), y, squeeze, se.getActivation(), se.getGate());
    }
    if (CbamAttr cbam = block.getCbamAttr()) {
      int64_t hidden = attentionChannels(reductionBase(cbam.getBase(), in, expanded),
                                         cbam.getRatio().convertToDouble(), cbam.getDivisor());
      y = e.cbam(e.locate(path + "." + kCbamLayer, block.getLoc()), names.cbam(), y, hidden,
                 cbam.getKernel());
    }
    y = e.convNormAct(loc, names.blockConv(BlockConv::project), y, out, 1, 1, false,
                      Activation::identity);
  }
  if (stride == 1 && in == out)
    y = e.b.create<cnn::AddOp>(loc, y, x);
  return y;
}

LogicalResult lowerModel(ModelOp model, int64_t batchSize) {
  if (!model.isScaled())
    return model.emitOpError("is not scaled yet: run effnet-compound-scale first");

  OpBuilder b(model);
  Type f32 = b.getF32Type();
  // I64Attr accessors return uint64_t; the verifier keeps these positive.
  auto res = static_cast<int64_t>(model.getResolution());
  auto inChannels = static_cast<int64_t>(model.getInChannels());
  auto numClasses = static_cast<int64_t>(model.getNumClasses());
  auto inputType = RankedTensorType::get({batchSize, inChannels, res, res}, f32);
  auto outputType = RankedTensorType::get({batchSize, numClasses}, f32);
  auto func = b.create<func::FuncOp>(model.getLoc(), model.getSymName(),
                                     b.getFunctionType({inputType}, {outputType}));
  if (std::optional<ArrayRef<double>> mean = model.getInputMean()) {
    func->setAttr(kInputMeanAttr, b.getDenseF64ArrayAttr(*mean));
    func->setAttr(kInputStdAttr, b.getDenseF64ArrayAttr(*model.getInputStd()));
  }
  b.setInsertionPointToStart(func.addEntryBlock());
  CnnEmitter e(b, model.getBatchNormEps().convertToDouble(), model.getPadding());
  int64_t divisor = model.getChannelDivisor();

  Value x = func.getArgument(0);
  Location outputLoc = model.getLoc();
  int stageIndex = 0;
  WeightNamer names(model.getWeightNames());
  for (Operation &op : model.getBody().front()) {
    if (auto stem = dyn_cast<StemOp>(op)) {
      x = e.convNormAct(e.locate("stem", stem.getLoc()), names.stem(), x, stem.getChannels(),
                        stem.getKernel(), stem.getStride(), false, stem.getActivation());
    } else if (auto stage = dyn_cast<StageOp>(op)) {
      ++stageIndex;
      BlockOpInterface block = stage.getBlock();
      for (int64_t i = 0; i < stage.getRepeats(); ++i) {
        names.startBlock(stageIndex, static_cast<int>(i));
        x = emitBlock(e, block, x, i == 0 ? block.getStride() : 1, divisor,
                      "stages." + Twine(stageIndex) + ".blocks." + Twine(i), names);
      }
    } else if (auto head = dyn_cast<HeadOp>(op)) {
      Location loc = e.locate("head", head.getLoc());
      outputLoc = loc;
      x = e.convNormAct(loc, names.head(), x, head.getChannels(), 1, 1, false,
                        head.getActivation());
      x = b.create<cnn::GlobalPoolOp>(loc, cnn::PoolKind::avg, x);
      x = b.create<cnn::FlattenOp>(loc, x);
      auto fullyConnected = [&](const SchemeNames &name, int64_t outFeatures) -> Value {
        int64_t inFeatures = cast<RankedTensorType>(x.getType()).getDimSize(1);
        Value w = e.weight(loc, name + ".weight", {outFeatures, inFeatures});
        Value bias = e.weight(loc, name + ".bias", {outFeatures});
        return b.create<cnn::FullyConnectedOp>(loc, x, w, bias);
      };
      if (std::optional<uint64_t> hidden = head.getHiddenChannels()) {
        x = fullyConnected(names.hidden(), static_cast<int64_t>(*hidden));
        x = e.activation(loc, x, head.getHiddenActivation().value_or(Activation::identity));
        x = fullyConnected(names.classifier(/*afterHidden=*/true), numClasses);
      } else {
        x = fullyConnected(names.classifier(/*afterHidden=*/false), numClasses);
      }
    }
  }
  b.create<func::ReturnOp>(outputLoc, x);
  model.erase();
  return success();
}

struct ConvertEffnetToCnnPass : public cnnc::impl::ConvertEffnetToCnnBase<ConvertEffnetToCnnPass> {
  using ConvertEffnetToCnnBase::ConvertEffnetToCnnBase;

  void runOnOperation() override {
    if (batchSize < 1) {
      getOperation().emitError("batch-size must be positive, got ") << batchSize;
      return signalPassFailure();
    }
    for (ModelOp model : llvm::make_early_inc_range(getOperation().getOps<ModelOp>()))
      if (failed(lowerModel(model, batchSize)))
        return signalPassFailure();
  }
};

} // namespace
