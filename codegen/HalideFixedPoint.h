//===- HalideFixedPoint.h - support/FixedPoint.h as Halide expressions -*- C++ -*-===//
//
// The integer ops' arithmetic (dialect/IntegerArithmetic.h) for generated
// kernels, operation for operation: a kernel and the reference evaluator
// must give the same bits. Halide divides and shifts signed integers toward
// −∞, C++ divides toward zero; each function says why it gives C++'s bits.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_HALIDEFIXEDPOINT_H
#define CNNC_CODEGEN_HALIDEFIXEDPOINT_H

#include "support/FixedPoint.h"

#include "llvm/ADT/ArrayRef.h"

#include <Halide.h>

#include <algorithm>

namespace cnnc {

/// A fixed-point multiplier as expressions: a constant one, or one looked up
/// per channel.
struct FixedPointExprs {
  Halide::Expr mantissa;  // i32
  Halide::Expr left;      // i32: max(shift, 0)
  Halide::Expr right;     // i32: max(-shift, 0), at most 31
  Halide::Expr rightMask; // i32: 2^right − 1, the bits the right shift drops
  bool shiftsLeft;        // whether any multiplier is 1 or more (left is not 0)
  ProductWidth width;
};

/// 2^right − 1 for 0 <= right <= 31.
inline int32_t lowBitsMask(int right) { return static_cast<int32_t>((uint32_t{1} << right) - 1u); }

inline FixedPointExprs fixedPointExprs(FixedPointMultiplier m, ProductWidth width) {
  int right = std::min(m.shift > 0 ? 0 : -m.shift, 31);
  return {Halide::Expr(m.mantissa),
          Halide::Expr(m.shift > 0 ? m.shift : 0),
          Halide::Expr(right),
          Halide::Expr(lowBitsMask(right)),
          m.shift > 0,
          width};
}

/// Channel `channel`'s multiplier of `multipliers` (one, or one per channel),
/// from tables the kernel embeds.
inline FixedPointExprs fixedPointExprs(llvm::ArrayRef<double> multipliers, Halide::Expr channel,
                                       ProductWidth width) {
  if (multipliers.size() == 1)
    return fixedPointExprs(fixedPointMultiplier(multipliers[0]), width);
  auto count = static_cast<int>(multipliers.size());
  Halide::Buffer<int32_t> mantissa(count), left(count), right(count), mask(count);
  bool shiftsLeft = false;
  for (int c = 0; c < count; ++c) {
    FixedPointMultiplier m = fixedPointMultiplier(multipliers[c]);
    mantissa(c) = m.mantissa;
    left(c) = m.shift > 0 ? m.shift : 0;
    right(c) = std::min(m.shift > 0 ? 0 : -m.shift, 31);
    mask(c) = lowBitsMask(right(c));
    shiftsLeft = shiftsLeft || m.shift > 0;
  }
  return {mantissa(channel), left(channel), right(channel), mask(channel), shiftsLeft, width};
}

/// Channel `channel`'s multiplier of `multipliers` (one, or one per channel)
/// rounded to binary32, from a table the kernel embeds.
inline Halide::Expr float32Multiplier(llvm::ArrayRef<double> multipliers, Halide::Expr channel) {
  if (multipliers.size() == 1)
    return Halide::Expr(static_cast<float>(multipliers[0]));
  Halide::Buffer<float> table(static_cast<int>(multipliers.size()));
  for (size_t c = 0; c < multipliers.size(); ++c)
    table(static_cast<int>(c)) = static_cast<float>(multipliers[c]);
  return table(channel);
}

/// doublingHighMul(a, b) for i32 expressions, b in [0, 2^31). gemmlowp's
/// nudge (2^30, or 1 − 2^30 below zero) and division toward zero come to
/// floor((a·b + 2^30) / 2^31). wide64: the i64 product of one widening
/// multiply (vpmuldq on x86) shifted arithmetically, which fits i32 since
/// |a·b| < 2^62. narrow32: Halide's rounding_mul_shift_right, the same bits
/// (it saturates only for a = b = −2^31, and b >= 0), which HVX computes
/// in 32-bit lanes but x86 AVX2 in twice the instructions.
inline Halide::Expr doublingHighMul(Halide::Expr a, Halide::Expr b, ProductWidth width) {
  if (width == ProductWidth::narrow32)
    return Halide::rounding_mul_shift_right(a, b, 31);
  Halide::Expr product = Halide::widening_mul(a, b) + Halide::Expr(int64_t{1} << 30);
  return Halide::cast<int32_t>(product >> 31);
}

/// roundingShiftRight(x, exponent) for i32 expressions (0 <= exponent <= 31),
/// `mask` being 2^exponent − 1 (from a table where exponents differ by
/// channel: computing it in the kernel made Halide's Hexagon lowering fail).
inline Halide::Expr roundingShiftRight(Halide::Expr x, Halide::Expr exponent, Halide::Expr mask) {
  Halide::Expr remainder = x & mask;
  Halide::Expr threshold = (mask >> 1) + Halide::select(x < 0, 1, 0);
  return (x >> exponent) + Halide::select(remainder > threshold, 1, 0);
}

/// multiplyByFixedPoint(x, m) for an i32 expression.
inline Halide::Expr multiplyByFixedPoint(Halide::Expr x, const FixedPointExprs &m) {
  using Halide::Expr;
  if (m.shiftsLeft) // x · 2^left, saturating to int32, in 32-bit lanes
    x = Halide::select(x > (Expr(INT32_MAX) >> m.left), Expr(INT32_MAX),
                       x < (Expr(INT32_MIN) >> m.left), Expr(INT32_MIN), x << m.left);
  return roundingShiftRight(doublingHighMul(x, m.mantissa, m.width), m.right, m.rightMask);
}

/// requantize(acc, m, zeroPoint, lo, hi) as a u8 expression.
inline Halide::Expr requantize(Halide::Expr acc, const FixedPointExprs &m, int64_t zeroPoint,
                               int64_t lo, int64_t hi) {
  Halide::Expr y = static_cast<int32_t>(zeroPoint) + multiplyByFixedPoint(acc, m);
  return Halide::cast<uint8_t>(
      Halide::clamp(y, static_cast<int32_t>(lo), static_cast<int32_t>(hi)));
}

/// float32ToU8(scaled, zeroPoint, lo, hi) as a u8 expression: the float32
/// rule's clamp, rounding (Halide's round: half to even) and offset.
inline Halide::Expr float32ToU8(Halide::Expr scaled, int64_t zeroPoint, int64_t lo, int64_t hi) {
  scaled =
      Halide::clamp(scaled, static_cast<float>(lo - zeroPoint), static_cast<float>(hi - zeroPoint));
  return Halide::cast<uint8_t>(Halide::cast<int32_t>(Halide::round(scaled)) +
                               static_cast<int32_t>(zeroPoint));
}

/// requantizeFloat32(acc, m, zeroPoint, lo, hi) as a u8 expression: one
/// conversion, one binary32 multiply, a clamp and Halide's round (half to
/// even); `multiplier` is an f32 expression.
inline Halide::Expr requantizeFloat32(Halide::Expr acc, Halide::Expr multiplier, int64_t zeroPoint,
                                      int64_t lo, int64_t hi) {
  return float32ToU8(Halide::cast<float>(acc) * multiplier, zeroPoint, lo, hi);
}

} // namespace cnnc

#endif // CNNC_CODEGEN_HALIDEFIXEDPOINT_H
