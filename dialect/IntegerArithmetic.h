//===- IntegerArithmetic.h - the arithmetic of cnn's integer ops -*- C++ -*-===//
//
// One definition of what each integer op computes on 8-bit values (the ops
// are in dialect/CnnIntegerOps.td): the reference evaluator runs these
// functions, and the integer kernels must give the same bits. Real multipliers
// become fixed point here and only here (support/FixedPoint.h), so every user
// of an op derives the same integers from its f64 attributes.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECT_INTEGERARITHMETIC_H
#define CNNC_DIALECT_INTEGERARITHMETIC_H

#include "support/FixedPoint.h"

#include "llvm/ADT/ArrayRef.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace cnnc {

/// The largest real multiplier an accumulator may be scaled by: 2^15, so the
/// fixed-point product shifts left by at most 15 bits (saturating).
inline constexpr double kMaxMultiplier = 32768.0;

/// The smallest: 2^-31, below which a Q31 mantissa and shift cannot hold it.
inline constexpr double kMinMultiplier = 0x1p-31;

/// Whether a real multiplier can scale an accumulator: in [2^-31, 2^15).
inline bool integerMultiplier(double m) { return m >= kMinMultiplier && m < kMaxMultiplier; }

/// The most products an integer layer may sum for each output: each is at
/// most 255 · 127 in magnitude, and together they stay below 2^30, so the
/// i32 accumulator holds them and a bias of up to 2^30 without overflow.
inline constexpr int64_t kMaxProducts = (int64_t{1} << 30) / (255 * 127);

/// The products an integer layer sums for each output: its filter's (or
/// weight's) elements per output channel.
inline int64_t productsPerOutput(llvm::ArrayRef<int64_t> filterShape) {
  int64_t products = 1;
  for (int64_t d : filterShape.drop_front())
    products *= d;
  return products;
}

/// An integer layer's bias as its accumulator starts from it: clamped to
/// [−kMaxAccumulatorBias, kMaxAccumulatorBias] (a calibrated layer's bias is
/// far inside; see kMaxProducts).
inline constexpr int32_t kMaxAccumulatorBias = int32_t{1} << 30;

inline int32_t accumulatorBias(int32_t bias) {
  return std::clamp(bias, -kMaxAccumulatorBias, kMaxAccumulatorBias);
}

/// cnn.requantize of one accumulator (the fixed-point rule, which the other
/// integer ops' rescaling uses too).
inline uint8_t requantize(int32_t acc, FixedPointMultiplier m, int64_t zeroPoint, int64_t lo,
                          int64_t hi) {
  int64_t y = zeroPoint + multiplyByFixedPoint(acc, m);
  return static_cast<uint8_t>(std::clamp<int64_t>(y, lo, hi));
}

/// The float32 rule's last step, for every op that takes it: a binary32
/// value clamped to [lo − zeroPoint, hi − zeroPoint], rounded half to even,
/// plus the zero point.
inline uint8_t float32ToU8(float scaled, int64_t zeroPoint, int64_t lo, int64_t hi) {
  scaled =
      std::clamp(scaled, static_cast<float>(lo - zeroPoint), static_cast<float>(hi - zeroPoint));
  return static_cast<uint8_t>(zeroPoint + static_cast<int64_t>(std::nearbyint(scaled)));
}

/// cnn.requantize of one accumulator under the float32 rule: acc and the
/// multiplier rounded to binary32, their product clamped to the output range
/// less the zero point, rounded half to even (binary32 arithmetic is the
/// same bits in any IEEE unit, scalar or vector; nothing here can fuse).
inline uint8_t requantizeFloat32(int32_t acc, float multiplier, int64_t zeroPoint, int64_t lo,
                                 int64_t hi) {
  return float32ToU8(static_cast<float>(acc) * multiplier, zeroPoint, lo, hi);
}

/// A requantization multiplier as each rule takes it.
struct RequantizationMultiplier {
  FixedPointMultiplier fixedPoint;
  float float32; // the multiplier rounded to binary32
};

inline RequantizationMultiplier requantizationMultiplier(double m) {
  return {fixedPointMultiplier(m), static_cast<float>(m)};
}

/// cnn.requantize (and cnn.int_mul's rescale) of one accumulator under the
/// float32 rule if `float32`, else the fixed-point rule.
inline uint8_t requantize(int32_t acc, bool float32, const RequantizationMultiplier &m,
                          int64_t zeroPoint, int64_t lo, int64_t hi) {
  return float32 ? requantizeFloat32(acc, m.float32, zeroPoint, lo, hi)
                 : requantize(acc, m.fixedPoint, zeroPoint, lo, hi);
}

/// cnn.int_add's rescaling: each input's offset value shifted left by
/// kAddHeadroomBits, scaled to the common scale 2 · max(s_lhs, s_rhs) (its
/// multiplier at most 1/2), summed, and the sum scaled to the result's.
inline constexpr int kAddHeadroomBits = 20;

struct AddRescale {
  FixedPointMultiplier lhs, rhs, result;
  double resultMultiplier; // the real multiplier `result` stands for
};

inline AddRescale addRescale(double lhsScale, double rhsScale, double resultScale) {
  double common = 2 * std::max(lhsScale, rhsScale);
  double resultMultiplier = common / (double(1 << kAddHeadroomBits) * resultScale);
  return {fixedPointMultiplier(lhsScale / common), fixedPointMultiplier(rhsScale / common),
          fixedPointMultiplier(resultMultiplier), resultMultiplier};
}

/// cnn.int_add's two multipliers s_lhs / s_y and s_rhs / s_y under the
/// float32 rule, rounded to binary32.
struct AddFloat32 {
  float lhs, rhs;
};

inline AddFloat32 addFloat32(double lhsScale, double rhsScale, double resultScale) {
  return {static_cast<float>(lhsScale / resultScale), static_cast<float>(rhsScale / resultScale)};
}

/// cnn.int_add of one pair; `zeroPoints` as the op's [lhs, rhs, result].
inline uint8_t integerAdd(uint8_t lhs, uint8_t rhs, const AddRescale &r,
                          const int64_t zeroPoints[3]) {
  auto side = [](uint8_t q, int64_t zeroPoint, FixedPointMultiplier m) {
    return multiplyByFixedPoint(static_cast<int32_t>((q - zeroPoint) * (1 << kAddHeadroomBits)), m);
  };
  int32_t sum = side(lhs, zeroPoints[0], r.lhs) + side(rhs, zeroPoints[1], r.rhs);
  return requantize(sum, r.result, zeroPoints[2], 0, 255);
}

/// cnn.int_add of one pair under the float32 rule: two binary32 products
/// and their binary32 sum, then float32ToU8. The products are stored (volatile) so that no compiler
/// fuses one into a multiply-add with the sum, which would round once fewer;
/// the kernels compute the sum under Halide's strict_float for the same reason.
inline uint8_t integerAddFloat32(uint8_t lhs, uint8_t rhs, AddFloat32 m,
                                 const int64_t zeroPoints[3]) {
  volatile float a = static_cast<float>(lhs - zeroPoints[0]) * m.lhs;
  volatile float b = static_cast<float>(rhs - zeroPoints[1]) * m.rhs;
  return float32ToU8(a + b, zeroPoints[2], 0, 255);
}

/// cnn.int_mul's real multiplier s_x · s_g / s_y, and the op on one input
/// value and its gate value; scales and zero points as the op's [input,
/// gate, result].
inline double mulMultiplier(const double scales[3]) { return scales[0] * scales[1] / scales[2]; }

inline uint8_t integerMul(uint8_t x, uint8_t gate, bool float32, const RequantizationMultiplier &m,
                          const int64_t zeroPoints[3]) {
  auto product = static_cast<int32_t>((x - zeroPoints[0]) * (gate - zeroPoints[1]));
  return requantize(product, float32, m, zeroPoints[2], 0, 255);
}

/// The multiplier of cnn.int_global_pool / int_channel_pool over `count`
/// values, `scales` as the op's [input, result].
inline double poolMultiplier(bool average, const double scales[2], int64_t count) {
  return scales[0] / ((average ? static_cast<double>(count) : 1.0) * scales[1]);
}

} // namespace cnnc

#endif // CNNC_DIALECT_INTEGERARITHMETIC_H
