//===- FastExpTest.cpp - fastExp's accuracy, JIT-compiled on this host ----===//
//
// The epilogues' e^x against the C library's, over the range it promises
// and beyond it, vectorized as the kernels compute it.
//
//===----------------------------------------------------------------------===//
#include "codegen/FastExp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace cnnc {
namespace {

/// fastExp at each of `points`, computed in vectors of 8.
std::vector<float> fastExpAt(const std::vector<float> &points) {
  Halide::Buffer<float> in(static_cast<int>(points.size()));
  for (size_t i = 0; i < points.size(); ++i)
    in(static_cast<int>(i)) = points[i];
  Halide::Var i("i");
  Halide::Func f("fast_exp");
  f(i) = fastExp(in(i));
  f.vectorize(i, 8, Halide::TailStrategy::GuardWithIf);
  Halide::Buffer<float> out = f.realize({static_cast<int>(points.size())});
  return {out.data(), out.data() + points.size()};
}

TEST(FastExp, WithinSevenMillionthsOverItsRange) {
  std::vector<float> points;
  for (int k = 0; k <= 1'000'000; ++k)
    points.push_back(-87.0f + 175.0f * static_cast<float>(k) / 1'000'000.0f);
  std::vector<float> got = fastExpAt(points);
  double worst = 0;
  for (size_t k = 0; k < points.size(); ++k) {
    double exact = std::exp(static_cast<double>(points[k]));
    worst = std::max(worst, std::abs(got[k] - exact) / exact);
  }
  EXPECT_LT(worst, 7e-6) << worst;
}

TEST(FastExp, ClampsToNormalFloatsOutsideIt) {
  std::vector<float> got = fastExpAt({-1000.0f, -88.0f, 88.5f, 1000.0f, 0.0f});
  EXPECT_NEAR(got[0], std::exp(-87.0), 1e-5 * std::exp(-87.0));
  EXPECT_EQ(got[0], got[1]);
  EXPECT_NEAR(got[3], std::exp(88.0), 1e-5 * std::exp(88.0));
  EXPECT_EQ(got[2], got[3]);
  EXPECT_TRUE(std::isnormal(got[0]) && std::isfinite(got[3]));
  EXPECT_NEAR(got[4], 1.0f, 1e-6f);
}

} // namespace
} // namespace cnnc
