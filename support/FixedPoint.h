//===- FixedPoint.h - integer requantization arithmetic ---------*- C++ -*-===//
//
// How an int32 accumulator is scaled by a real multiplier in integers only,
// as TFLite and gemmlowp define it, so that cnnc's integer kernels can match
// an integer reference bit for bit: M = m · 2^−31 · 2^shift, with m a Q31
// int32 in [2^30, 2^31), then
//   scaled(x) = roundingShiftRight(doublingHighMul(x · 2^max(shift, 0), m), max(−shift, 0)).
// doublingHighMul rounds to nearest with gemmlowp's nudge, which sends exact
// ties upward (1.5 → 2, −2.5 → −2); roundingShiftRight rounds to nearest,
// ties away from zero. Header-only: the reference evaluator and the code
// generator include it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_SUPPORT_FIXEDPOINT_H
#define CNNC_SUPPORT_FIXEDPOINT_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace cnnc {

/// A real multiplier as a Q31 mantissa and a power-of-two exponent.
/// How generated code computes doublingHighMul: through a 64-bit product (one
/// widening multiply on x86), or in 32-bit lanes (HVX has no 64-bit lanes,
/// but a rounding doubling high multiply of its own). The bits are the same.
enum class ProductWidth { wide64, narrow32 };

struct FixedPointMultiplier {
  int32_t mantissa = 0; // in [2^30, 2^31), or 0 for a zero multiplier
  int shift = 0;        // M = mantissa · 2^−31 · 2^shift
};

/// `multiplier` (≥ 0) as a FixedPointMultiplier; multipliers below 2^−31 become zero.
inline FixedPointMultiplier fixedPointMultiplier(double multiplier) {
  FixedPointMultiplier result;
  if (!(multiplier > 0))
    return result;
  double fraction = std::frexp(multiplier, &result.shift); // multiplier = fraction · 2^shift
  auto mantissa = static_cast<int64_t>(std::round(fraction * 2147483648.0));
  if (mantissa == (int64_t{1} << 31)) { // the fraction rounded up to 1
    mantissa /= 2;
    ++result.shift;
  }
  if (result.shift < -31)
    return {};
  result.mantissa = static_cast<int32_t>(mantissa);
  return result;
}

/// The high 32 bits of 2·a·b, rounded to nearest, ties upward; the one
/// overflowing case, a = b = −2^31, saturates.
inline int32_t doublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  int64_t product = int64_t{a} * int64_t{b};
  int64_t nudge = product >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

/// x / 2^exponent rounded to nearest, ties away from zero (0 ≤ exponent ≤ 31).
inline int32_t roundingShiftRight(int32_t x, int exponent) {
  if (exponent == 0)
    return x;
  int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// x · M in integers. A positive shift multiplies x by 2^shift first,
/// saturating to int32: where that saturates, |x · M| exceeds 2^30, far past
/// any 8-bit result, so a clamp after it still gives the right bound.
inline int32_t multiplyByFixedPoint(int32_t x, FixedPointMultiplier m) {
  int left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -m.shift;
  int64_t shifted = int64_t{x} * (int64_t{1} << left); // not a shift: x may be negative
  shifted = std::clamp<int64_t>(shifted, std::numeric_limits<int32_t>::min(),
                                std::numeric_limits<int32_t>::max());
  return roundingShiftRight(doublingHighMul(static_cast<int32_t>(shifted), m.mantissa),
                            right > 31 ? 31 : right);
}

} // namespace cnnc

#endif // CNNC_SUPPORT_FIXEDPOINT_H
