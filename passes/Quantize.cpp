//===- Quantize.cpp - cnn-quantize ----------------------------------------===//
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "passes/Quantization.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/GlobPattern.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNQUANTIZE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// The location name an op was lowered under ("stages.2.blocks.0", "stem", "head").
StringRef locationName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().strref();
  return "";
}

/// Whether `v` is a layer's result whose only use is an activation the
/// integer path folds into the layer's requantization clamp.
bool feedsFoldedClamp(Value v) {
  if (!v.hasOneUse() ||
      !isa_and_present<cnn::Conv2DOp, cnn::DepthwiseConv2DOp, cnn::FullyConnectedOp>(
          v.getDefiningOp()))
    return false;
  auto act = dyn_cast<cnn::ActivationOp>(*v.getUsers().begin());
  return act && (act.getKind() == cnn::Activation::relu || act.getKind() == cnn::Activation::relu6);
}

class Quantizer {
public:
  Quantizer(func::FuncOp model, ArrayRef<llvm::GlobPattern> keepFloat)
      : model(model), keepFloat(keepFloat), b(model.getContext()) {}

  /// A kept op's result is still quantized where an op that is not kept
  /// reads it: the quantize at the kept region's edge, so that integer layers
  /// resume right after it.
  void run() {
    if (auto range = model->getAttrOfType<DenseF64ArrayAttr>(kInputRangeAttr))
      activation(model.getArgument(0), range.asArrayRef(), model.getLoc());
    model.walk([&](Operation *op) {
      bool keep = kept(op);
      if (keep)
        op->setAttr(kKeptFloatAttr, b.getUnitAttr());
      if (auto range = op->getAttrOfType<DenseF64ArrayAttr>(kCalibratedRangeAttr))
        if (quantizable(op) && (!keep || readByQuantizedOp(op)))
          activation(op->getResult(0), range.asArrayRef(), op->getLoc());
      if (auto absMax = op->getAttrOfType<DenseF64ArrayAttr>(kFilterAbsMaxAttr))
        if (!keep)
          filter(op, absMax.asArrayRef());
    });
  }

private:
  /// Kept by a glob that names the op's layer or the block its attention
  /// sub-layer belongs to (passes/LayerNames.h).
  bool kept(Operation *op) const {
    StringRef name = locationName(op);
    return llvm::any_of(keepFloat, [&](const llvm::GlobPattern &g) {
      return g.match(name) || g.match(enclosingLayer(name));
    });
  }

  bool readByQuantizedOp(Operation *op) const {
    return llvm::any_of(op->getResult(0).getUsers(), [&](Operation *user) { return !kept(user); });
  }

  static bool quantizable(Operation *op) {
    if (op->getNumResults() != 1 || isa<cnn::FlattenOp>(op))
      return false;
    Value result = op->getResult(0);
    bool returned =
        llvm::any_of(result.getUsers(), [](Operation *user) { return isa<func::ReturnOp>(user); });
    return !returned && !feedsFoldedClamp(result);
  }

  /// Replaces every use of `v` by dequantize(quantize(v)), right after `v` is made.
  void activation(Value v, ArrayRef<double> range, Location loc) {
    ActivationQuant q = activationQuant(range[0], range[1]);
    if (Operation *def = v.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(v.getParentBlock());
    auto [quantized, dequantized] = roundTrip(v, {q.scale}, {q.zeroPoint}, std::nullopt,
                                              b.getIntegerType(8, /*isSigned=*/false), loc);
    v.replaceAllUsesExcept(dequantized, quantized.getDefiningOp());
  }

  /// Quantizes the filter operand (1) of a convolution or fully connected
  /// layer, and adds calibration's bias correction, if any, to its bias (2).
  /// Only this layer's use changes: a filter shared by two layers (CBAM's
  /// MLP) is quantized for each.
  void filter(Operation *op, ArrayRef<double> absMax) {
    SmallVector<double> scales;
    double least = leastFilterScale(op);
    for (double m : absMax)
      scales.push_back(std::max(filterScale(m), least));
    SmallVector<int64_t> zeros(absMax.size(), 0);
    b.setInsertionPoint(op);
    op->setOperand(1, roundTrip(op->getOperand(1), scales, zeros, /*axis=*/0, b.getIntegerType(8),
                                op->getLoc())
                          .second);
    auto correction = op->getAttrOfType<StringAttr>(kBiasCorrectionAttr);
    if (!correction || op->getNumOperands() < 3)
      return;
    Value bias = op->getOperand(2);
    Value delta = b.create<cnn::WeightOp>(op->getLoc(), bias.getType(), correction,
                                          /*buffer=*/true, DictionaryAttr());
    op->setOperand(2, b.create<cnn::AddOp>(op->getLoc(), bias, delta));
  }

  /// s_pre / s_x · kMinLayerMultiplier, where s_x is the layer's input scale
  /// and s_pre the scale its own calibrated result range (before any folded
  /// ReLU) would have; 0 where either is unknown.
  static double leastFilterScale(Operation *op) {
    Value input = op->getOperand(0);
    if (auto flatten = input.getDefiningOp<cnn::FlattenOp>())
      input = flatten.getInput();
    auto dequantize = input.getDefiningOp<cnn::DequantizeOp>();
    auto range = op->getAttrOfType<DenseF64ArrayAttr>(kCalibratedRangeAttr);
    if (!dequantize || dequantize.getAxis() || !range)
      return 0;
    return activationQuant(range[0], range[1]).scale / dequantize.getScale()[0] *
           kMinLayerMultiplier;
  }

  /// quantize(v) and its dequantize, at the builder's insertion point.
  std::pair<Value, Value> roundTrip(Value v, ArrayRef<double> scale, ArrayRef<int64_t> zeroPoint,
                                    std::optional<int64_t> axis, Type storage, Location loc) {
    auto type = cast<RankedTensorType>(v.getType());
    IntegerAttr axisAttr = axis ? b.getI64IntegerAttr(*axis) : IntegerAttr();
    auto q = b.create<cnn::QuantizeOp>(loc, RankedTensorType::get(type.getShape(), storage), v,
                                       b.getDenseF64ArrayAttr(scale),
                                       b.getDenseI64ArrayAttr(zeroPoint), axisAttr);
    auto dq =
        b.create<cnn::DequantizeOp>(loc, type, q, q.getScaleAttr(), q.getZeroPointAttr(), axisAttr);
    return {q, dq};
  }

  func::FuncOp model;
  ArrayRef<llvm::GlobPattern> keepFloat;
  OpBuilder b;
};

struct CnnQuantizePass : public cnnc::impl::CnnQuantizeBase<CnnQuantizePass> {
  using CnnQuantizeBase::CnnQuantizeBase;

  void runOnOperation() override {
    SmallVector<llvm::GlobPattern> globs;
    for (const std::string &pattern : keepFloat) {
      llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(pattern);
      if (!glob) {
        getOperation().emitError("keep-float pattern '")
            << pattern << "' is not a glob: " << llvm::toString(glob.takeError());
        return signalPassFailure();
      }
      globs.push_back(std::move(*glob));
    }
    Quantizer(getOperation(), globs).run();
  }
};

} // namespace
