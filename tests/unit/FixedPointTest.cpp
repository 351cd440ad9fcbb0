//===- FixedPointTest.cpp - integer requantization arithmetic -------------===//
//
// The fixed-point scaling that integer kernels and the integer reference will
// share: exact on hand-worked values and ties, and within one
// step of the real product everywhere.
//
//===----------------------------------------------------------------------===//
#include "support/FixedPoint.h"

#include <gtest/gtest.h>

#include <random>

namespace cnnc {
namespace {

TEST(FixedPoint, Multipliers) {
  FixedPointMultiplier half = fixedPointMultiplier(0.5);
  EXPECT_EQ(half.mantissa, 1 << 30);
  EXPECT_EQ(half.shift, 0);
  FixedPointMultiplier three = fixedPointMultiplier(3.0); // 0.75 · 2^2
  EXPECT_EQ(three.mantissa, 1610612736);
  EXPECT_EQ(three.shift, 2);
  EXPECT_EQ(fixedPointMultiplier(0.0).mantissa, 0);
  EXPECT_EQ(fixedPointMultiplier(1e-12).mantissa, 0); // below 2^-31
  // A fraction that rounds up to 1 moves into the exponent.
  FixedPointMultiplier almostOne = fixedPointMultiplier(1.0 - 1e-12);
  EXPECT_EQ(almostOne.mantissa, 1 << 30);
  EXPECT_EQ(almostOne.shift, 1);
}

TEST(FixedPoint, RoundsToNearest) {
  FixedPointMultiplier m = fixedPointMultiplier(0.3);
  EXPECT_EQ(multiplyByFixedPoint(1000, m), 300);
  EXPECT_EQ(multiplyByFixedPoint(5, m), 2);   // 1.5
  EXPECT_EQ(multiplyByFixedPoint(-5, m), -2); // -1.5
  EXPECT_EQ(multiplyByFixedPoint(4, m), 1);   // 1.2
  EXPECT_EQ(multiplyByFixedPoint(-4, m), -1);
  EXPECT_EQ(multiplyByFixedPoint(100, fixedPointMultiplier(0.5)), 50);
  EXPECT_EQ(multiplyByFixedPoint(7, fixedPointMultiplier(3.0)), 21);
  EXPECT_EQ(multiplyByFixedPoint(-7, fixedPointMultiplier(3.0)), -21);
  // Exact ties in the high multiply go upward (gemmlowp's nudge), in the shift away from zero.
  EXPECT_EQ(multiplyByFixedPoint(5, fixedPointMultiplier(0.5)), 3);    // 2.5
  EXPECT_EQ(multiplyByFixedPoint(-5, fixedPointMultiplier(0.5)), -2);  // -2.5
  EXPECT_EQ(multiplyByFixedPoint(-5, fixedPointMultiplier(0.25)), -1); // -1.25 (a shift)
  EXPECT_EQ(multiplyByFixedPoint(-6, fixedPointMultiplier(0.25)), -2); // -1.5 (a shift)
  EXPECT_EQ(roundingShiftRight(6, 2), 2);                              // 1.5
  EXPECT_EQ(roundingShiftRight(-6, 2), -2);                            // -1.5
  EXPECT_EQ(doublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
}

TEST(FixedPoint, LeftShiftSaturates) {
  // 2^30 · 4 does not fit int32: the shifted value saturates, and the product
  // stays past 2^30 in magnitude, with its sign, so a clamp to 8 bits is right.
  FixedPointMultiplier four = fixedPointMultiplier(4.0);
  EXPECT_GE(multiplyByFixedPoint(1 << 30, four), 1 << 30);
  EXPECT_LE(multiplyByFixedPoint(-(1 << 30), four), -(1 << 30));
  EXPECT_EQ(multiplyByFixedPoint(1000, four), 4000);
}

TEST(FixedPoint, WithinOneStepOfTheRealProduct) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> accumulator(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> exponent(-20.0, 0.0);
  for (int i = 0; i < 100000; ++i) {
    double real = std::pow(2.0, exponent(rng));
    int32_t x = accumulator(rng);
    FixedPointMultiplier m = fixedPointMultiplier(real);
    double exact = static_cast<double>(x) * m.mantissa * std::ldexp(1.0, m.shift - 31);
    EXPECT_LE(std::abs(multiplyByFixedPoint(x, m) - std::round(exact)), 1.0) << x << " * " << real;
  }
}

} // namespace
} // namespace cnnc
