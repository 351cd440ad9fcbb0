//===- WinogradTest.cpp - F(m×m, 3×3)'s transforms against the definition -===//
//
// Winograd.h's matrices and the packed filter: Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
// over one n×n tile must equal the direct 3×3 correlation of that tile (in
// double, to rounding); the packed filter must hold
// each transformed filter at (o, i, t), output channels innermost.
//
//===----------------------------------------------------------------------===//
#include "codegen/Winograd.h"
#include "codegen/Layout.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using cnnc::HostTensor;
using cnnc::TensorRole;
using cnnc::WinogradTransforms;

/// A pseudo-random value in [-1, 1) from `rng`.
double uniform(std::mt19937 &rng) { return std::uniform_real_distribution<double>(-1, 1)(rng); }

/// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for one n×n tile d and 3×3 filter g, both
/// row-major: the m×m outputs, row-major.
std::vector<double> winogradTile(const WinogradTransforms &w, const std::vector<double> &d,
                                 const std::vector<double> &g) {
  int n = cnnc::kWinogradInputTile, m = cnnc::kWinogradOutputTile;
  std::vector<double> u(n * n, 0), v(n * n, 0), y(m * m, 0);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          u[a * n + b] += w.g(a, i) * g[i * 3 + j] * w.g(b, j);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          v[a * n + b] += w.bt(a, i) * d[i * n + j] * w.bt(b, j);
  for (int r = 0; r < m; ++r)
    for (int s = 0; s < m; ++s)
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b)
          y[r * m + s] += w.at(r, a) * u[a * n + b] * v[a * n + b] * w.at(s, b);
  return y;
}

TEST(WinogradTest, TransformsComputeTheCorrelation) {
  std::mt19937 rng(7);
  const WinogradTransforms &w = cnnc::winogradTransforms();
  int m = cnnc::kWinogradOutputTile, n = cnnc::kWinogradInputTile;
  ASSERT_EQ(n, m + 2);
  ASSERT_EQ(w.inputT.size(), static_cast<size_t>(n * n));
  ASSERT_EQ(w.filter.size(), static_cast<size_t>(n * 3));
  ASSERT_EQ(w.outputT.size(), static_cast<size_t>(m * n));
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> d(n * n), g(9);
    for (double &value : d)
      value = uniform(rng);
    for (double &value : g)
      value = uniform(rng);
    std::vector<double> y = winogradTile(w, d, g);
    for (int r = 0; r < m; ++r)
      for (int s = 0; s < m; ++s) {
        double direct = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j)
            direct += g[i * 3 + j] * d[(r + i) * n + s + j];
        EXPECT_NEAR(y[r * m + s], direct, 1e-12) << "output " << r << "," << s;
      }
  }
}

TEST(WinogradTest, FilterIsTransformedAndPackedOutputChannelsInnermost) {
  const WinogradTransforms &w = cnnc::winogradTransforms();
  int n = cnnc::kWinogradInputTile;
  HostTensor filter({3, 2, 3, 3});
  std::mt19937 rng(11);
  for (float &value : filter.f32())
    value = static_cast<float>(uniform(rng));
  EXPECT_EQ(cnnc::halideExtents(TensorRole::winogradFilter, filter.shape),
            (llvm::SmallVector<int64_t, 4>{3, 2, n * n}));
  std::vector<uint8_t> bytes = cnnc::packForKernels(TensorRole::winogradFilter, filter);
  ASSERT_EQ(bytes.size(), 3u * 2 * n * n * sizeof(float));
  const auto *packed = reinterpret_cast<const float *>(bytes.data());
  llvm::ArrayRef<float> g = filter.values<float>();
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 2; ++i)
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
          double u = 0;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
              u += w.g(a, ky) * g[((o * 2 + i) * 3 + ky) * 3 + kx] * w.g(b, kx);
          float expected = static_cast<float>(u);
          EXPECT_FLOAT_EQ(packed[((a * n + b) * 2 + i) * 3 + o], expected)
              << o << " " << i << " " << a << "," << b;
        }
}

} // namespace
