//===- Quantization.h - calibration results and 8-bit parameters -*- C++ -*-===//
//
// Calibration (codegen/Calibration.h) records what it measured as attributes;
// cnn-quantize turns them into quantize/dequantize pairs. The names and the
// arithmetic from ranges to parameters live here, shared by both.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_QUANTIZATION_H
#define CNNC_PASSES_QUANTIZATION_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace cnnc {

/// array<f64: lo, hi> on an op (its result) or on the function (its input).
inline constexpr const char *kCalibratedRangeAttr = "cnn.calibrated_range";
inline constexpr const char *kInputRangeAttr = "cnn.input_range";
/// array<f64: ...>, one per output channel, on a convolution or fully connected layer.
inline constexpr const char *kFilterAbsMaxAttr = "cnn.filter_absmax";
/// The name of a weight to add to a layer's bias once its filter is quantized.
inline constexpr const char *kBiasCorrectionAttr = "cnn.bias_correction";
/// Unit attribute: an op --keep-float keeps in float, which cnn-lower-quantized
/// leaves simulated even where its operands and result are quantized.
inline constexpr const char *kKeptFloatAttr = "cnn.kept_float";

/// ui8 activation parameters for the range [lo, hi] (widened to hold 0).
struct ActivationQuant {
  double scale;
  int64_t zeroPoint;
};

inline ActivationQuant activationQuant(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  auto zeroPoint = static_cast<int64_t>(std::round(-lo / scale));
  return {scale, std::clamp<int64_t>(zeroPoint, 0, 255)};
}

/// i8 symmetric scale of a filter channel whose largest magnitude is `absMax`.
inline double filterScale(double absMax) { return absMax > 0 ? absMax / 127.0 : 1.0; }

/// The least s_x · s_w / s_pre a layer's channel may have, s_pre being the
/// scale of the layer's own calibrated result range (before a folded ReLU): a
/// nearly dead channel (trained weights of 1e-9 beside ones of order 1) gets
/// the filter scale s_pre / s_x · 2^-22 instead of its own. Its bias, which is
/// its output and so within that range (at most 255 steps of s_pre), is then at
/// most 2^30 in the i32 accumulator, leaving room for 2^30 of products
/// (cnn-lower-quantized checks that bound), and its requantization multiplier
/// is far above 2^-31. Its weights quantize to round(w / scale): to 0 where
/// they are below half that scale, as trained near-dead weights are.
inline constexpr double kMinLayerMultiplier = 1.0 / (1 << 22);

/// cnn.quantize's arithmetic: x times the reciprocal of the scale (in double:
/// a kernel can do exactly this, where a division by a constant may be turned
/// into that product by the compiler), rounded half away from zero, then
/// clamped to [qmin, qmax] (ui8 [0, 255]; i8 [-127, 127]).
inline double quantizeValue(double x, double scale, int64_t zeroPoint, double qmin, double qmax) {
  return std::clamp(std::round(x * (1.0 / scale)) + static_cast<double>(zeroPoint), qmin, qmax);
}

} // namespace cnnc

#endif // CNNC_PASSES_QUANTIZATION_H
