//===- ReferenceEvaluator.cpp - cnnc's unfused reference path -------------===//
#include "codegen/ReferenceEvaluator.h"
#include "codegen/ReferenceIntegerOps.h"
#include "dialect/Cnn.h"
#include "dialect/GateBroadcast.h"
#include "passes/ActivationFunctions.h"
#include "passes/KernelGroups.h"
#include "passes/Quantization.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace cnnc {
namespace {

HostTensor resultTensor(Operation *op) {
  auto shape = cast<RankedTensorType>(op->getResult(0).getType()).getShape();
  return HostTensor(std::vector<int64_t>(shape.begin(), shape.end()));
}

/// conv2d or depthwise_conv2d (one input channel per output channel).
template <typename ConvOp>
HostTensor convolve(ConvOp op, const HostTensor &x, const HostTensor &w, const HostTensor *bias,
                    bool depthwise) {
  HostTensor y = resultTensor(op);
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t oc = y.shape[1], oh = y.shape[2], ow = y.shape[3];
  int64_t icPerGroup = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  ArrayRef<int64_t> strides = op.getStrides(), pad = op.getPadding();
  std::vector<double> acc(oh * ow);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < oc; ++o) {
      std::fill(acc.begin(), acc.end(), bias ? bias->f32()[o] : 0.0);
      for (int64_t i = 0; i < icPerGroup; ++i) {
        int64_t inChannel = depthwise ? o : i;
        const float *plane = &x.f32()[(b * c + inChannel) * h * wd];
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            double weight = w.f32()[((o * icPerGroup + i) * kh + ky) * kw + kx];
            for (int64_t yy = 0; yy < oh; ++yy) {
              int64_t iy = yy * strides[0] - pad[0] + ky;
              if (iy < 0 || iy >= h)
                continue;
              for (int64_t xx = 0; xx < ow; ++xx) {
                int64_t ix = xx * strides[1] - pad[1] + kx;
                if (ix >= 0 && ix < wd)
                  acc[yy * ow + xx] += weight * plane[iy * wd + ix];
              }
            }
          }
      }
      float *out = &y.f32()[(b * oc + o) * oh * ow];
      for (int64_t k = 0; k < oh * ow; ++k)
        out[k] = static_cast<float>(acc[k]);
    }
  return y;
}

/// Per index of `axis` (or one for the tensor): which parameter an element uses.
struct QuantLayout {
  int64_t inner = 1, count = 1; // elements per step of the axis, its extent
  size_t index(int64_t element) const { return static_cast<size_t>((element / inner) % count); }
};

QuantLayout quantLayout(llvm::ArrayRef<int64_t> shape, std::optional<uint64_t> axis) {
  QuantLayout layout;
  if (!axis)
    return layout;
  layout.count = shape[*axis];
  for (size_t d = *axis + 1; d < shape.size(); ++d)
    layout.inner *= shape[d];
  return layout;
}

/// cnn.quantize: round half away from zero, clamp to ui8 [0, 255], i8 [-127, 127]
/// or i32 [-2^31 + 1, 2^31 - 1].
template <typename T> void quantizeInto(cnn::QuantizeOp op, const HostTensor &x, HostTensor &q) {
  QuantLayout layout = quantLayout(x.shape, op.getAxis());
  ArrayRef<double> scale = op.getScale();
  ArrayRef<int64_t> zeroPoint = op.getZeroPoint();
  double qmax = std::numeric_limits<T>::max();
  double qmin = std::is_signed_v<T> ? -qmax : 0;
  auto out = q.values<T>();
  for (int64_t i = 0; i < x.numElements(); ++i) {
    size_t k = layout.index(i);
    out[i] = static_cast<T>(quantizeValue(x.f32()[i], scale[k], zeroPoint[k], qmin, qmax));
  }
}

template <typename T>
void dequantizeInto(cnn::DequantizeOp op, const HostTensor &q, HostTensor &x) {
  QuantLayout layout = quantLayout(q.shape, op.getAxis());
  ArrayRef<double> scale = op.getScale();
  ArrayRef<int64_t> zeroPoint = op.getZeroPoint();
  auto in = q.values<T>();
  for (int64_t i = 0; i < q.numElements(); ++i) {
    size_t k = layout.index(i);
    x.f32()[i] = static_cast<float>(scale[k] * (static_cast<double>(in[i]) - zeroPoint[k]));
  }
}

/// The element type of a quantize's result or a dequantize's input.
ElementType integerSide(Type tensor) {
  Type element = cast<RankedTensorType>(tensor).getElementType();
  if (element.isUnsignedInteger(8))
    return ElementType::u8;
  return element.getIntOrFloatBitWidth() == 8 ? ElementType::i8 : ElementType::i32;
}

template <typename T> void copyValues(const HostTensor &from, HostTensor &to) {
  llvm::copy(from.values<T>(), to.values<T>().begin());
}

/// The tensor an op writes, when the tensor it reads is `x` reshaped (flatten).
HostTensor reshaped(const HostTensor &x, Operation *op) {
  auto shape = cast<RankedTensorType>(op->getResult(0).getType()).getShape();
  HostTensor y(std::vector<int64_t>(shape.begin(), shape.end()), x.elementType());
  switch (x.elementType()) {
  case ElementType::u8:
    copyValues<uint8_t>(x, y);
    break;
  case ElementType::i8:
    copyValues<int8_t>(x, y);
    break;
  case ElementType::i32:
    copyValues<int32_t>(x, y);
    break;
  default:
    copyValues<float>(x, y);
  }
  return y;
}

class Evaluator {
public:
  Evaluator(const WeightSet &weights, const ValueObserver &observer)
      : weights(weights), observer(observer) {}

  llvm::Expected<HostTensor> run(func::FuncOp model, const HostTensor &input) {
    auto argType = cast<RankedTensorType>(model.getArgument(0).getType());
    if (ArrayRef<int64_t>(input.shape) != argType.getShape())
      return llvm::createStringError(std::errc::invalid_argument,
                                     "input has the wrong shape for model '%s'",
                                     model.getSymName().str().c_str());
    values[model.getArgument(0)] = input;
    for (Operation &op : model.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op))
        return values[ret.getOperand(0)];
      if (llvm::Error error = evaluate(&op))
        return std::move(error);
    }
    return llvm::createStringError(std::errc::invalid_argument, "model has no return");
  }

  llvm::Expected<WeightValues> runWeightsOnly(func::FuncOp model) {
    for (Operation &op : model.getBody().front())
      if (isWeightOnly(&op))
        if (llvm::Error error = evaluate(&op))
          return std::move(error);
    return std::move(values);
  }

private:
  const HostTensor &at(Value v) { return values[v]; }

  llvm::Error evaluate(Operation *op) {
    if (auto weight = dyn_cast<cnn::WeightOp>(op)) {
      auto it = weights.find(weight.getName());
      if (it == weights.end())
        return llvm::createStringError(std::errc::invalid_argument, "no weight '%s'",
                                       weight.getName().str().c_str());
      HostTensor t = resultTensor(op);
      llvm::copy(it->second, t.f32().begin());
      values[weight.getResult()] = std::move(t);
      return llvm::Error::success();
    }
    if (auto fold = dyn_cast<cnn::FoldBatchNormOp>(op)) {
      foldBatchNorm(fold);
      return llvm::Error::success();
    }
    if (auto quantize = dyn_cast<cnn::QuantizeOp>(op)) {
      ElementType type = integerSide(quantize.getType());
      const HostTensor &x = at(quantize.getInput());
      HostTensor q(x.shape, type);
      if (type == ElementType::u8)
        quantizeInto<uint8_t>(quantize, x, q);
      else if (type == ElementType::i8)
        quantizeInto<int8_t>(quantize, x, q);
      else
        quantizeInto<int32_t>(quantize, x, q);
      values[quantize.getResult()] = std::move(q);
      return observed(op);
    }
    if (auto dequantize = dyn_cast<cnn::DequantizeOp>(op)) {
      HostTensor x = resultTensor(op);
      const HostTensor &q = at(dequantize.getInput());
      if (q.elementType() == ElementType::u8)
        dequantizeInto<uint8_t>(dequantize, q, x);
      else if (q.elementType() == ElementType::i8)
        dequantizeInto<int8_t>(dequantize, q, x);
      else
        dequantizeInto<int32_t>(dequantize, q, x);
      values[dequantize.getResult()] = std::move(x);
      return observed(op);
    }
    auto optional = [&](Value v) { return v ? &at(v) : nullptr; };
    values[op->getResult(0)] =
        llvm::TypeSwitch<Operation *, HostTensor>(op)
            .Case([&](cnn::Conv2DOp conv) {
              return convolve(conv, at(conv.getInput()), at(conv.getFilter()),
                              optional(conv.getBias()), false);
            })
            .Case([&](cnn::DepthwiseConv2DOp conv) {
              return convolve(conv, at(conv.getInput()), at(conv.getFilter()),
                              optional(conv.getBias()), true);
            })
            .Case([&](cnn::BatchNormOp bn) { return batchNorm(bn); })
            .Case([&](cnn::ActivationOp act) {
              HostTensor y = at(act.getInput());
              for (float &v : y.f32())
                v = applyActivation(act.getKind(), v);
              return y;
            })
            .Case([&](cnn::GlobalPoolOp pool) { return globalPool(pool); })
            .Case([&](cnn::ChannelPoolOp pool) { return channelPool(pool); })
            .Case([&](cnn::ConcatOp concat) { return concatenate(concat); })
            .Case([&](cnn::AddOp add) {
              HostTensor y = at(add.getLhs());
              const HostTensor &r = at(add.getRhs());
              for (size_t i = 0; i < y.f32().size(); ++i)
                y.f32()[i] += r.f32()[i];
              return y;
            })
            .Case([&](cnn::MulOp mul) { return multiply(mul); })
            .Case([&](cnn::FlattenOp flatten) { return reshaped(at(flatten.getInput()), flatten); })
            .Case([&](cnn::FullyConnectedOp fc) { return fullyConnected(fc); })
            .Case<cnn::IntegerConv2DOp, cnn::IntegerDepthwiseConv2DOp>([&](auto conv) {
              return evaluateIntegerConv(conv, at(conv.getInput()), at(conv.getFilter()),
                                         optional(conv.getBias()));
            })
            .Case([&](cnn::IntegerFullyConnectedOp fc) {
              return evaluateIntegerFullyConnected(fc, at(fc.getInput()), at(fc.getWeight()),
                                                   optional(fc.getBias()));
            })
            .Case([&](cnn::RequantizeOp r) { return evaluateRequantize(r, at(r.getInput())); })
            .Case([&](cnn::LookupOp l) { return evaluateLookup(l, at(l.getInput())); })
            .Case([&](cnn::IntegerAddOp add) {
              return evaluateIntegerAdd(add, at(add.getLhs()), at(add.getRhs()));
            })
            .Case([&](cnn::IntegerMulOp mul) {
              return evaluateIntegerMul(mul, at(mul.getInput()), at(mul.getGate()));
            })
            .Case([&](cnn::IntegerGlobalPoolOp pool) {
              return evaluateIntegerGlobalPool(pool, at(pool.getInput()));
            })
            .Case([&](cnn::IntegerChannelPoolOp pool) {
              return evaluateIntegerChannelPool(pool, at(pool.getInput()));
            })
            .Case([&](cnn::IntegerConcatOp concat) {
              SmallVector<const HostTensor *> inputs;
              for (Value input : concat.getInputs())
                inputs.push_back(&at(input));
              return evaluateIntegerConcat(concat, inputs);
            })
            .Default([](Operation *) { return HostTensor(); });
    if (values[op->getResult(0)].shape.empty())
      return llvm::createStringError(std::errc::not_supported, "the reference cannot run '%s'",
                                     op->getName().getStringRef().str().c_str());
    return observed(op);
  }

  /// Shows `op`'s result to the observer, unless it is a weights-only value.
  llvm::Error observed(Operation *op) {
    if (observer && !isWeightOnly(op))
      observer(op->getResult(0), values[op->getResult(0)]);
    return llvm::Error::success();
  }

  HostTensor batchNorm(cnn::BatchNormOp bn) {
    HostTensor y = at(bn.getInput());
    const auto &scale = at(bn.getScale()).f32(), &shift = at(bn.getShift()).f32(),
               &mean = at(bn.getMean()).f32(), &var = at(bn.getVariance()).f32();
    double eps = bn.getEpsilon().convertToDouble();
    int64_t c = y.shape[1], plane = y.shape[2] * y.shape[3];
    for (int64_t i = 0; i < static_cast<int64_t>(y.f32().size()); ++i) {
      int64_t ch = (i / plane) % c;
      y.f32()[i] = static_cast<float>(
          (y.f32()[i] - mean[ch]) / std::sqrt(var[ch] + eps) * scale[ch] + shift[ch]);
    }
    return y;
  }

  void foldBatchNorm(cnn::FoldBatchNormOp fold) {
    HostTensor filter = at(fold.getFilter());
    HostTensor bias = at(fold.getShift());
    const auto &scale = at(fold.getScale()).f32(), &shift = at(fold.getShift()).f32(),
               &mean = at(fold.getMean()).f32(), &var = at(fold.getVariance()).f32();
    double eps = fold.getEpsilon().convertToDouble();
    int64_t channels = filter.shape[0], perChannel = filter.numElements() / channels;
    for (int64_t o = 0; o < channels; ++o) {
      double s = scale[o] / std::sqrt(var[o] + eps);
      for (int64_t k = 0; k < perChannel; ++k)
        filter.f32()[o * perChannel + k] = static_cast<float>(filter.f32()[o * perChannel + k] * s);
      double b = fold.getBias() ? at(fold.getBias()).f32()[o] : 0.0;
      bias.f32()[o] = static_cast<float>((b - mean[o]) * s + shift[o]);
    }
    values[fold.getFoldedFilter()] = std::move(filter);
    values[fold.getFoldedBias()] = std::move(bias);
  }

  HostTensor globalPool(cnn::GlobalPoolOp pool) {
    const HostTensor &x = at(pool.getInput());
    HostTensor y = resultTensor(pool);
    int64_t plane = x.shape[2] * x.shape[3];
    for (int64_t i = 0; i < y.numElements(); ++i) {
      const float *p = &x.f32()[i * plane];
      if (pool.getKind() == cnn::PoolKind::avg) {
        double sum = 0;
        for (int64_t k = 0; k < plane; ++k)
          sum += p[k];
        y.f32()[i] = static_cast<float>(sum / plane);
      } else {
        y.f32()[i] = *std::max_element(p, p + plane);
      }
    }
    return y;
  }

  HostTensor channelPool(cnn::ChannelPoolOp pool) {
    const HostTensor &x = at(pool.getInput());
    HostTensor y = resultTensor(pool);
    int64_t n = x.shape[0], c = x.shape[1], plane = x.shape[2] * x.shape[3];
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < plane; ++k) {
        double sum = 0;
        float best = x.f32()[b * c * plane + k];
        for (int64_t ch = 0; ch < c; ++ch) {
          float v = x.f32()[(b * c + ch) * plane + k];
          sum += v;
          best = std::max(best, v);
        }
        y.f32()[b * plane + k] =
            pool.getKind() == cnn::PoolKind::avg ? static_cast<float>(sum / c) : best;
      }
    return y;
  }

  HostTensor concatenate(cnn::ConcatOp concat) {
    HostTensor y = resultTensor(concat);
    int64_t n = y.shape[0], perImage = y.numElements() / n, offset = 0;
    for (Value input : concat.getInputs()) {
      const HostTensor &x = at(input);
      int64_t chunk = x.numElements() / n;
      for (int64_t b = 0; b < n; ++b)
        std::copy_n(&x.f32()[b * chunk], chunk, &y.f32()[b * perImage + offset]);
      offset += chunk;
    }
    return y;
  }

  HostTensor multiply(cnn::MulOp mul) {
    HostTensor y = at(mul.getInput());
    const HostTensor &g = at(mul.getGate());
    for (int64_t i = 0; i < y.numElements(); ++i)
      y.f32()[i] *= g.f32()[gateIndex(y.shape, g.shape, i)];
    return y;
  }

  HostTensor fullyConnected(cnn::FullyConnectedOp fc) {
    const HostTensor &x = at(fc.getInput()), &w = at(fc.getWeight());
    HostTensor y = resultTensor(fc);
    int64_t n = x.shape[0], k = x.shape[1], m = w.shape[0];
    for (int64_t b = 0; b < n; ++b)
      for (int64_t o = 0; o < m; ++o) {
        double sum = fc.getBias() ? at(fc.getBias()).f32()[o] : 0.0;
        for (int64_t i = 0; i < k; ++i)
          sum += static_cast<double>(w.f32()[o * k + i]) * x.f32()[b * k + i];
        y.f32()[b * m + o] = static_cast<float>(sum);
      }
    return y;
  }

  const WeightSet &weights;
  const ValueObserver &observer;
  WeightValues values;
};

} // namespace

llvm::Expected<WeightValues> evaluateWeightValues(func::FuncOp model, const WeightSet &weights) {
  return Evaluator(weights, nullptr).runWeightsOnly(model);
}

llvm::Expected<HostTensor> evaluateReference(func::FuncOp model, const WeightSet &weights,
                                             const HostTensor &input,
                                             const ValueObserver &observer) {
  return Evaluator(weights, observer).run(model, input);
}

} // namespace cnnc
