//===- LowerQuantized.cpp - cnn-lower-quantized ---------------------------===//
//
// The simulated quantization (quantize → dequantize pairs around float ops)
// into integer ops. Each rewrite reads the quantization parameters off the
// pairs around one op and writes them onto the integer op as it computes
// them; the parameters of an 8-bit tensor never change, so a chain of
// lowered ops agrees on every tensor between them.
//
//===----------------------------------------------------------------------===//
#include "dialect/IntegerArithmetic.h"
#include "passes/ActivationFunctions.h"
#include "passes/Passes.h"
#include "passes/Quantization.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNLOWERQUANTIZED
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// A ui8 tensor's quantization: real = scale · (q − zeroPoint).
struct Quantized {
  Value q;
  double scale;
  int64_t zeroPoint;
};

bool isU8(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType().isUnsignedInteger(8);
}

/// `v` as dequantize(q) of a ui8 tensor with one scale, if it is one.
std::optional<Quantized> dequantized(Value v) {
  auto dq = v.getDefiningOp<cnn::DequantizeOp>();
  if (!dq || dq.getAxis() || !isU8(dq.getInput()))
    return std::nullopt;
  return Quantized{dq.getInput(), dq.getScale()[0], dq.getZeroPoint()[0]};
}

/// The quantize to ui8 that is `v`'s one use, if any.
cnn::QuantizeOp quantizedBy(Value v) {
  if (!v.hasOneUse())
    return {};
  auto q = dyn_cast<cnn::QuantizeOp>(*v.getUsers().begin());
  return q && !q.getAxis() && isU8(q.getResult()) ? q : cnn::QuantizeOp();
}

/// A filter quantized per output channel to i8 (dequantize(quantize(w)), the
/// same scales on both): the i8 tensor and its scales.
std::optional<std::pair<Value, ArrayRef<double>>> quantizedFilter(Value v) {
  auto dq = v.getDefiningOp<cnn::DequantizeOp>();
  auto q = dq ? dq.getInput().getDefiningOp<cnn::QuantizeOp>() : cnn::QuantizeOp();
  if (!q || q.getAxis() != 0u || dq.getAxis() != 0u || q.getScale() != dq.getScale() ||
      !cast<RankedTensorType>(q.getType()).getElementType().isSignlessInteger(8))
    return std::nullopt;
  return std::make_pair(q.getResult(), dq.getScale());
}

class Lowering {
public:
  Lowering(MLIRContext *ctx, cnn::Requantization rule) : b(ctx), requantization(rule) {}

  void lower(Operation *op) {
    if (op->hasAttr(kKeptFloatAttr))
      return; // --keep-float: simulated, in float
    b.setInsertionPoint(op);
    llvm::TypeSwitch<Operation *>(op)
        .Case<cnn::Conv2DOp, cnn::DepthwiseConv2DOp, cnn::FullyConnectedOp>(
            [&](auto layer) { lowerLayer(layer); })
        .Case([&](cnn::ActivationOp act) { lowerActivation(act); })
        .Case([&](cnn::AddOp add) { lowerAdd(add); })
        .Case([&](cnn::MulOp mul) { lowerMul(mul); })
        .Case<cnn::GlobalPoolOp, cnn::ChannelPoolOp>([&](auto pool) { lowerPool(pool); })
        .Case([&](cnn::ConcatOp concat) { lowerConcat(concat); });
  }

private:
  /// The layer's output: requantized to ui8 (through a folded ReLU/ReLU6), or
  /// returned in float.
  struct LayerOutput {
    cnn::QuantizeOp quantize; // null: the float result is used as is
    int64_t min = 0, max = 255;
  };

  std::optional<LayerOutput> layerOutput(Value result) {
    if (cnn::QuantizeOp q = quantizedBy(result))
      return LayerOutput{q};
    if (result.hasOneUse())
      if (auto act = dyn_cast<cnn::ActivationOp>(*result.getUsers().begin()))
        if (cnn::QuantizeOp q = quantizedBy(act.getResult())) {
          int64_t zp = q.getZeroPoint()[0];
          if (act.getKind() == cnn::Activation::relu)
            return LayerOutput{q, zp, 255};
          if (act.getKind() == cnn::Activation::relu6)
            return LayerOutput{q, zp,
                               std::min<int64_t>(255, zp + std::llround(6.0 / q.getScale()[0]))};
        }
    bool returned =
        llvm::all_of(result.getUsers(), [](Operation *user) { return isa<func::ReturnOp>(user); });
    if (returned && !result.use_empty())
      return LayerOutput{};
    return std::nullopt;
  }

  /// A layer's input: dequantize(q), or a flatten of one (the classifier's),
  /// which the integer layer reads as the flatten of q.
  std::optional<Quantized> layerInput(Value v) {
    if (auto flatten = v.getDefiningOp<cnn::FlattenOp>())
      return dequantized(flatten.getInput());
    return dequantized(v);
  }

  template <typename Layer> void lowerLayer(Layer layer) {
    Operation *op = layer.getOperation();
    auto filter = quantizedFilter(op->getOperand(1));
    std::optional<LayerOutput> output = layerOutput(op->getResult(0));
    std::optional<Quantized> input = layerInput(op->getOperand(0));
    if (!filter || !output || !input ||
        productsPerOutput(cast<RankedTensorType>(filter->first.getType()).getShape()) >
            kMaxProducts)
      return;
    auto [weights, filterScales] = *filter;
    SmallVector<double> accumulatorScales, multipliers;
    for (double s : filterScales)
      accumulatorScales.push_back(input->scale * s);
    if (output->quantize) {
      double outScale = output->quantize.getScale()[0];
      for (double s : accumulatorScales)
        multipliers.push_back(s / outScale);
      if (!llvm::all_of(multipliers, integerMultiplier))
        return;
    }
    Location loc = op->getLoc();
    Value x = input->q;
    if (auto flatten = op->getOperand(0).template getDefiningOp<cnn::FlattenOp>())
      x = b.create<cnn::FlattenOp>(flatten.getLoc(), x);
    Value bias;
    if (op->getNumOperands() > 2) {
      auto biasType = cast<RankedTensorType>(op->getOperand(2).getType());
      bias = b.create<cnn::QuantizeOp>(
          loc, RankedTensorType::get(biasType.getShape(), b.getI32Type()), op->getOperand(2),
          b.getDenseF64ArrayAttr(accumulatorScales),
          b.getDenseI64ArrayAttr(SmallVector<int64_t>(accumulatorScales.size(), 0)),
          b.getI64IntegerAttr(0));
    }
    Value acc = integerLayer(layer, x, weights, bias, input->zeroPoint);
    if (!output->quantize) {
      Value logits = b.create<cnn::DequantizeOp>(
          loc, op->getResult(0).getType(), acc, b.getDenseF64ArrayAttr(accumulatorScales),
          b.getDenseI64ArrayAttr(SmallVector<int64_t>(accumulatorScales.size(), 0)),
          b.getI64IntegerAttr(1));
      op->getResult(0).replaceAllUsesWith(logits);
      return;
    }
    cnn::QuantizeOp q = output->quantize;
    b.setInsertionPoint(q);
    Value y =
        b.create<cnn::RequantizeOp>(q.getLoc(), q.getType(), acc, multipliers, q.getZeroPoint()[0],
                                    output->min, output->max, requantization);
    replace(q, y);
  }

  Value integerLayer(cnn::Conv2DOp conv, Value x, Value w, Value bias, int64_t zp) {
    return b.create<cnn::IntegerConv2DOp>(conv.getLoc(), x, w, bias, conv.getStrides(),
                                          conv.getPadding(), zp);
  }
  Value integerLayer(cnn::DepthwiseConv2DOp conv, Value x, Value w, Value bias, int64_t zp) {
    return b.create<cnn::IntegerDepthwiseConv2DOp>(conv.getLoc(), x, w, bias, conv.getStrides(),
                                                   conv.getPadding(), zp);
  }
  Value integerLayer(cnn::FullyConnectedOp fc, Value x, Value w, Value bias, int64_t zp) {
    return b.create<cnn::IntegerFullyConnectedOp>(fc.getLoc(), x, w, bias, zp);
  }

  void lowerActivation(cnn::ActivationOp act) {
    std::optional<Quantized> in = dequantized(act.getInput());
    cnn::QuantizeOp out = quantizedBy(act.getResult());
    if (!in || !out)
      return;
    SmallVector<int64_t> table;
    for (int q = 0; q < 256; ++q) {
      double real = applyActivation(act.getKind(), in->scale * (q - in->zeroPoint));
      table.push_back(static_cast<int64_t>(
          quantizeValue(real, out.getScale()[0], out.getZeroPoint()[0], 0, 255)));
    }
    replace(out, b.create<cnn::LookupOp>(act.getLoc(), in->q, b.getDenseI64ArrayAttr(table)));
  }

  void lowerAdd(cnn::AddOp add) {
    std::optional<Quantized> lhs = dequantized(add.getLhs()), rhs = dequantized(add.getRhs());
    cnn::QuantizeOp out = quantizedBy(add.getResult());
    if (!lhs || !rhs || !out)
      return;
    double scales[] = {lhs->scale, rhs->scale, out.getScale()[0]};
    if (!integerMultiplier(addRescale(scales[0], scales[1], scales[2]).resultMultiplier))
      return;
    replace(out,
            b.create<cnn::IntegerAddOp>(
                add.getLoc(), lhs->q, rhs->q, b.getDenseF64ArrayAttr(scales),
                b.getDenseI64ArrayAttr({lhs->zeroPoint, rhs->zeroPoint, out.getZeroPoint()[0]}),
                cnn::RequantizationAttr::get(b.getContext(), requantization)));
  }

  void lowerMul(cnn::MulOp mul) {
    std::optional<Quantized> in = dequantized(mul.getInput()), gate = dequantized(mul.getGate());
    cnn::QuantizeOp out = quantizedBy(mul.getResult());
    if (!in || !gate || !out)
      return;
    double scales[] = {in->scale, gate->scale, out.getScale()[0]};
    if (!integerMultiplier(mulMultiplier(scales)))
      return;
    replace(out,
            b.create<cnn::IntegerMulOp>(
                mul.getLoc(), in->q.getType(), in->q, gate->q, b.getDenseF64ArrayAttr(scales),
                b.getDenseI64ArrayAttr({in->zeroPoint, gate->zeroPoint, out.getZeroPoint()[0]}),
                cnn::RequantizationAttr::get(b.getContext(), requantization)));
  }

  template <typename Pool> void lowerPool(Pool pool) {
    std::optional<Quantized> in = dequantized(pool.getInput());
    cnn::QuantizeOp out = quantizedBy(pool.getResult());
    if (!in || !out)
      return;
    auto shape = cast<RankedTensorType>(in->q.getType()).getShape();
    bool overChannels = std::is_same_v<Pool, cnn::ChannelPoolOp>;
    int64_t count = overChannels ? shape[1] : shape[2] * shape[3];
    double scales[] = {in->scale, out.getScale()[0]};
    if (!integerMultiplier(poolMultiplier(pool.getKind() == cnn::PoolKind::avg, scales, count)))
      return;
    using IntegerPool = std::conditional_t<std::is_same_v<Pool, cnn::ChannelPoolOp>,
                                           cnn::IntegerChannelPoolOp, cnn::IntegerGlobalPoolOp>;
    replace(out,
            b.create<IntegerPool>(pool.getLoc(), out.getType(), pool.getKindAttr(), in->q,
                                  b.getDenseF64ArrayAttr(scales),
                                  b.getDenseI64ArrayAttr({in->zeroPoint, out.getZeroPoint()[0]})));
  }

  void lowerConcat(cnn::ConcatOp concat) {
    cnn::QuantizeOp out = quantizedBy(concat.getResult());
    if (!out)
      return;
    SmallVector<Value> inputs;
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    for (Value input : concat.getInputs()) {
      std::optional<Quantized> in = dequantized(input);
      if (!in || !integerMultiplier(in->scale / out.getScale()[0]))
        return;
      inputs.push_back(in->q);
      scales.push_back(in->scale);
      zeroPoints.push_back(in->zeroPoint);
    }
    scales.push_back(out.getScale()[0]);
    zeroPoints.push_back(out.getZeroPoint()[0]);
    replace(out, b.create<cnn::IntegerConcatOp>(concat.getLoc(), out.getType(), inputs,
                                                b.getDenseF64ArrayAttr(scales),
                                                b.getDenseI64ArrayAttr(zeroPoints)));
  }

  /// Every use of the quantize's ui8 result now reads `integer` instead.
  void replace(cnn::QuantizeOp quantize, Value integer) {
    quantize.getResult().replaceAllUsesWith(integer);
  }

  OpBuilder b;
  cnn::Requantization requantization;
};

/// Removes the ops the rewrites left without users.
void eraseUnused(func::FuncOp model) {
  SmallVector<Operation *> ops;
  for (Operation &op : model.getBody().front())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
}

struct CnnLowerQuantizedPass : public cnnc::impl::CnnLowerQuantizedBase<CnnLowerQuantizedPass> {
  using CnnLowerQuantizedBase::CnnLowerQuantizedBase;

  void runOnOperation() override {
    func::FuncOp model = getOperation();
    std::optional<cnn::Requantization> rule =
        requantization == "fixed-point" ? cnn::Requantization::fixed_point
        : requantization == "float32"   ? std::optional(cnn::Requantization::float32)
                                        : std::nullopt;
    if (!rule) {
      model.emitError("cnn-lower-quantized: requantization must be fixed-point or float32, got '")
          << requantization << "'";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    for (Operation &op : model.getBody().front())
      ops.push_back(&op);
    Lowering lowering(model.getContext(), *rule);
    for (Operation *op : ops)
      lowering.lower(op);
    eraseUnused(model);
  }
};

} // namespace
