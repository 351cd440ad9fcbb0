//===- HalideFixedPoint.h - support/FixedPoint.h as Halide expressions -*- C++ -*-===//
//
// The integer ops' arithmetic (dialect/IntegerArithmetic.h) for generated
// kernels, operation for operation: a kernel and the reference evaluator
// must give the same bits. Halide divides and shifts signed integers toward
// −∞, C++ divides toward zero; where they differ the C++ rule is spelled out.
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
  Halide::Expr mantissa; // i32
  Halide::Expr left;     // i32: max(shift, 0)
  Halide::Expr right;    // i32: max(-shift, 0), at most 31
};

inline FixedPointExprs fixedPointExprs(FixedPointMultiplier m) {
  return {Halide::Expr(m.mantissa), Halide::Expr(m.shift > 0 ? m.shift : 0),
          Halide::Expr(std::min(m.shift > 0 ? 0 : -m.shift, 31))};
}

/// Channel `channel`'s multiplier of `multipliers` (one, or one per channel),
/// from tables the kernel embeds.
inline FixedPointExprs fixedPointExprs(llvm::ArrayRef<double> multipliers, Halide::Expr channel) {
  if (multipliers.size() == 1)
    return fixedPointExprs(fixedPointMultiplier(multipliers[0]));
  auto count = static_cast<int>(multipliers.size());
  Halide::Buffer<int32_t> mantissa(count), left(count), right(count);
  for (int c = 0; c < count; ++c) {
    FixedPointExprs e = fixedPointExprs(fixedPointMultiplier(multipliers[c]));
    mantissa(c) = *Halide::Internal::as_const_int(e.mantissa);
    left(c) = *Halide::Internal::as_const_int(e.left);
    right(c) = *Halide::Internal::as_const_int(e.right);
  }
  return {mantissa(channel), left(channel), right(channel)};
}

/// doublingHighMul(a, b) for i32 expressions.
inline Halide::Expr doublingHighMul(Halide::Expr a, Halide::Expr b) {
  using Halide::Expr;
  Expr product = Halide::cast<int64_t>(a) * Halide::cast<int64_t>(b);
  Expr nudged =
      product + Halide::select(product >= 0, Expr(int64_t{1} << 30), Expr(1 - (int64_t{1} << 30)));
  // C++ division by 2^31 rounds toward zero.
  Expr quotient = Halide::select(nudged >= 0, nudged >> 31, -((-nudged) >> 31));
  return Halide::cast<int32_t>(quotient);
}

/// roundingShiftRight(x, exponent) for i32 expressions (0 <= exponent <= 31).
inline Halide::Expr roundingShiftRight(Halide::Expr x, Halide::Expr exponent) {
  using Halide::Expr;
  Expr mask = Halide::cast<int32_t>((Expr(int64_t{1}) << Halide::cast<int64_t>(exponent)) - 1);
  Expr remainder = x & mask;
  Expr threshold = (mask >> 1) + Halide::select(x < 0, 1, 0);
  return (x >> exponent) + Halide::select(remainder > threshold, 1, 0);
}

/// multiplyByFixedPoint(x, m) for an i32 expression.
inline Halide::Expr multiplyByFixedPoint(Halide::Expr x, const FixedPointExprs &m) {
  using Halide::Expr;
  Expr shifted = Halide::cast<int32_t>(
      Halide::clamp(Halide::cast<int64_t>(x) * (Expr(int64_t{1}) << Halide::cast<int64_t>(m.left)),
                    Expr(int64_t{INT32_MIN}), Expr(int64_t{INT32_MAX})));
  return roundingShiftRight(doublingHighMul(shifted, m.mantissa), m.right);
}

/// requantize(acc, m, zeroPoint, lo, hi) as a u8 expression.
inline Halide::Expr requantize(Halide::Expr acc, const FixedPointExprs &m, int64_t zeroPoint,
                               int64_t lo, int64_t hi) {
  Halide::Expr y = static_cast<int32_t>(zeroPoint) + multiplyByFixedPoint(acc, m);
  return Halide::cast<uint8_t>(
      Halide::clamp(y, static_cast<int32_t>(lo), static_cast<int32_t>(hi)));
}

} // namespace cnnc

#endif // CNNC_CODEGEN_HALIDEFIXEDPOINT_H
