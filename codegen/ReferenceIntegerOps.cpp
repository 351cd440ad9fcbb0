//===- ReferenceIntegerOps.cpp - the reference's integer ops --------------===//
#include "codegen/ReferenceIntegerOps.h"
#include "dialect/GateBroadcast.h"
#include "dialect/IntegerArithmetic.h"

using namespace mlir;

namespace cnnc {
namespace {

std::vector<int64_t> shapeOf(Value v) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  return {shape.begin(), shape.end()};
}

/// Σ (x − zero point) · w over each output's window, from its clamped bias.
HostTensor convolve(Operation *conv, ArrayRef<int64_t> strides, ArrayRef<int64_t> pad,
                    int32_t zeroPoint, bool depthwise, const HostTensor &x, const HostTensor &w,
                    const HostTensor *bias) {
  HostTensor y(shapeOf(conv->getResult(0)), ElementType::i32);
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t oc = y.shape[1], oh = y.shape[2], ow = y.shape[3];
  int64_t icPerGroup = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  auto in = x.values<uint8_t>();
  auto filter = w.values<int8_t>();
  auto out = y.values<int32_t>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < oc; ++o) {
      int32_t *acc = &out[(b * oc + o) * oh * ow];
      std::fill(acc, acc + oh * ow, bias ? accumulatorBias(bias->values<int32_t>()[o]) : 0);
      for (int64_t i = 0; i < icPerGroup; ++i) {
        const uint8_t *plane = &in[(b * c + (depthwise ? o : i)) * h * wd];
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            int32_t weight = filter[((o * icPerGroup + i) * kh + ky) * kw + kx];
            for (int64_t yy = 0; yy < oh; ++yy) {
              int64_t iy = yy * strides[0] - pad[0] + ky;
              if (iy < 0 || iy >= h)
                continue; // padding holds the zero point: (zp − zp) · w adds nothing
              for (int64_t xx = 0; xx < ow; ++xx) {
                int64_t ix = xx * strides[1] - pad[1] + kx;
                if (ix >= 0 && ix < wd)
                  acc[yy * ow + xx] += (plane[iy * wd + ix] - zeroPoint) * weight;
              }
            }
          }
      }
    }
  return y;
}

} // namespace

HostTensor evaluateIntegerConv(cnn::IntegerConv2DOp conv, const HostTensor &x, const HostTensor &w,
                               const HostTensor *bias) {
  return convolve(conv, conv.getStrides(), conv.getPadding(),
                  static_cast<int32_t>(conv.getInputZeroPoint()), /*depthwise=*/false, x, w, bias);
}

HostTensor evaluateIntegerConv(cnn::IntegerDepthwiseConv2DOp conv, const HostTensor &x,
                               const HostTensor &w, const HostTensor *bias) {
  return convolve(conv, conv.getStrides(), conv.getPadding(),
                  static_cast<int32_t>(conv.getInputZeroPoint()), /*depthwise=*/true, x, w, bias);
}

HostTensor evaluateIntegerFullyConnected(cnn::IntegerFullyConnectedOp fc, const HostTensor &x,
                                         const HostTensor &w, const HostTensor *bias) {
  HostTensor y(shapeOf(fc.getResult()), ElementType::i32);
  auto zeroPoint = static_cast<int32_t>(fc.getInputZeroPoint());
  int64_t n = x.shape[0], k = x.shape[1], m = w.shape[0];
  auto in = x.values<uint8_t>();
  auto weight = w.values<int8_t>();
  auto out = y.values<int32_t>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < m; ++o) {
      int32_t sum = bias ? accumulatorBias(bias->values<int32_t>()[o]) : 0;
      for (int64_t i = 0; i < k; ++i)
        sum += (in[b * k + i] - zeroPoint) * int32_t{weight[o * k + i]};
      out[b * m + o] = sum;
    }
  return y;
}

HostTensor evaluateRequantize(cnn::RequantizeOp op, const HostTensor &acc) {
  HostTensor y(acc.shape, ElementType::u8);
  if (acc.numElements() == 0)
    return y;
  std::vector<RequantizationMultiplier> multipliers;
  for (double m : op.getMultiplier())
    multipliers.push_back(requantizationMultiplier(m));
  bool float32 = op.getRequantization() == cnn::Requantization::float32;
  int64_t channels = acc.shape[1], inner = acc.numElements() / (acc.shape[0] * channels);
  auto in = acc.values<int32_t>();
  auto out = y.values<uint8_t>();
  for (int64_t i = 0; i < acc.numElements(); ++i) {
    const RequantizationMultiplier &m =
        multipliers.size() == 1 ? multipliers[0] : multipliers[(i / inner) % channels];
    out[i] = requantize(in[i], float32, m, op.getZeroPoint(), op.getMin(), op.getMax());
  }
  return y;
}

HostTensor evaluateLookup(cnn::LookupOp op, const HostTensor &x) {
  HostTensor y(x.shape, ElementType::u8);
  ArrayRef<int64_t> table = op.getTable();
  auto in = x.values<uint8_t>();
  auto out = y.values<uint8_t>();
  for (int64_t i = 0; i < x.numElements(); ++i)
    out[i] = static_cast<uint8_t>(table[in[i]]);
  return y;
}

HostTensor evaluateIntegerAdd(cnn::IntegerAddOp op, const HostTensor &lhs, const HostTensor &rhs) {
  HostTensor y(lhs.shape, ElementType::u8);
  ArrayRef<double> s = op.getScales();
  AddRescale rescale = addRescale(s[0], s[1], s[2]);
  AddFloat32 float32 = addFloat32(s[0], s[1], s[2]);
  bool useFloat32 = op.getRequantization() == cnn::Requantization::float32;
  const int64_t *zp = op.getZeroPoints().data();
  auto a = lhs.values<uint8_t>(), b = rhs.values<uint8_t>();
  auto out = y.values<uint8_t>();
  for (int64_t i = 0; i < lhs.numElements(); ++i)
    out[i] = useFloat32 ? integerAddFloat32(a[i], b[i], float32, zp)
                        : integerAdd(a[i], b[i], rescale, zp);
  return y;
}

HostTensor evaluateIntegerMul(cnn::IntegerMulOp op, const HostTensor &x, const HostTensor &gate) {
  HostTensor y(x.shape, ElementType::u8);
  RequantizationMultiplier m = requantizationMultiplier(mulMultiplier(op.getScales().data()));
  bool float32 = op.getRequantization() == cnn::Requantization::float32;
  auto in = x.values<uint8_t>(), g = gate.values<uint8_t>();
  auto out = y.values<uint8_t>();
  for (int64_t i = 0; i < x.numElements(); ++i)
    out[i] = cnnc::integerMul(in[i], g[gateIndex(x.shape, gate.shape, i)], float32, m,
                              op.getZeroPoints().data());
  return y;
}

namespace {

/// Pools `count` values of `x` into each element of `y`: value k of element i
/// is x[at(i, k)]. avg sums them less the zero point; max takes the largest.
template <typename Index>
void pool(cnn::PoolKind kind, ArrayRef<double> scales, ArrayRef<int64_t> zeroPoints, int64_t count,
          const HostTensor &x, HostTensor &y, Index at) {
  bool average = kind == cnn::PoolKind::avg;
  FixedPointMultiplier m = fixedPointMultiplier(poolMultiplier(average, scales.data(), count));
  auto zeroPoint = static_cast<int32_t>(zeroPoints[0]);
  auto in = x.values<uint8_t>();
  auto out = y.values<uint8_t>();
  for (int64_t i = 0; i < y.numElements(); ++i) {
    int32_t reduced = average ? 0 : in[at(i, 0)];
    for (int64_t k = 0; k < count; ++k)
      reduced =
          average ? reduced + in[at(i, k)] - zeroPoint : std::max<int32_t>(reduced, in[at(i, k)]);
    out[i] = requantize(average ? reduced : reduced - zeroPoint, m, zeroPoints[1], 0, 255);
  }
}

} // namespace

HostTensor evaluateIntegerGlobalPool(cnn::IntegerGlobalPoolOp op, const HostTensor &x) {
  HostTensor y(shapeOf(op.getResult()), ElementType::u8);
  int64_t plane = x.shape[2] * x.shape[3];
  pool(op.getKind(), op.getScales(), op.getZeroPoints(), plane, x, y,
       [&](int64_t i, int64_t k) { return i * plane + k; });
  return y;
}

HostTensor evaluateIntegerChannelPool(cnn::IntegerChannelPoolOp op, const HostTensor &x) {
  HostTensor y(shapeOf(op.getResult()), ElementType::u8);
  int64_t c = x.shape[1], plane = x.shape[2] * x.shape[3];
  pool(op.getKind(), op.getScales(), op.getZeroPoints(), c, x, y,
       [&](int64_t i, int64_t k) { return ((i / plane) * c + k) * plane + i % plane; });
  return y;
}

HostTensor evaluateIntegerConcat(cnn::IntegerConcatOp op, ArrayRef<const HostTensor *> inputs) {
  HostTensor y(shapeOf(op.getResult()), ElementType::u8);
  ArrayRef<double> scales = op.getScales();
  ArrayRef<int64_t> zeroPoints = op.getZeroPoints();
  int64_t n = y.shape[0], perImage = y.numElements() / n, offset = 0;
  auto out = y.values<uint8_t>();
  for (size_t input = 0; input < inputs.size(); ++input) {
    const HostTensor &x = *inputs[input];
    FixedPointMultiplier m = fixedPointMultiplier(scales[input] / scales.back());
    auto zeroPoint = static_cast<int32_t>(zeroPoints[input]);
    int64_t chunk = x.numElements() / n;
    auto in = x.values<uint8_t>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < chunk; ++k)
        out[b * perImage + offset + k] =
            requantize(in[b * chunk + k] - zeroPoint, m, zeroPoints.back(), 0, 255);
    offset += chunk;
  }
  return y;
}

} // namespace cnnc
