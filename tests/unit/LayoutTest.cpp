//===- LayoutTest.cpp - how kernels see tensors in memory -----------------===//
//
// packForKernels against Layout.h's table, element by element: where each
// weight of a filter lands in the layout a kernel reads, for the plain, paired
// (pmaddwd) and quad (vrmpy) filters and the depthwise filter whose taps are
// paired, and that the channels and taps which do not exist (the rest of a
// partial last group of input channels, a quad filter's output channels up
// to whole vectors, the tap past an odd window's last) are zero weights.
//
//===----------------------------------------------------------------------===//
#include "codegen/Layout.h"

#include <gtest/gtest.h>

#include <limits>

namespace {

using cnnc::ElementType;
using cnnc::HostTensor;
using cnnc::TensorRole;

/// An O×I×H×W int8 filter whose weight (o, i, ky, kx) is its row-major index
/// plus one, wrapped to int8.
HostTensor numberedFilter(std::vector<int64_t> shape) {
  HostTensor filter(shape, ElementType::i8);
  llvm::MutableArrayRef<int8_t> values = filter.values<int8_t>();
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<int8_t>(i + 1);
  return filter;
}

/// Checks a grouped filter of `out` output channels, held as `held`: (g, o,
/// i/g, tap) densely, innermost first.
void expectGrouped(TensorRole role, int64_t group, int64_t out, int64_t held) {
  const int64_t in = 5, kh = 2, kw = 3, taps = kh * kw;
  HostTensor filter = numberedFilter({out, in, kh, kw});
  int64_t groups = (in + group - 1) / group;
  EXPECT_EQ(cnnc::inputChannelGroup(role), group);
  EXPECT_EQ(cnnc::halideExtents(role, filter.shape),
            (llvm::SmallVector<int64_t, 4>{group, held, groups, taps}));
  std::vector<uint8_t> packed = cnnc::packForKernels(role, filter);
  ASSERT_EQ(static_cast<int64_t>(packed.size()), group * held * groups * taps);
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t q = 0; q < groups; ++q)
      for (int64_t o = 0; o < held; ++o)
        for (int64_t g = 0; g < group; ++g) {
          int64_t i = q * group + g;
          auto weight = static_cast<int8_t>(packed[((t * groups + q) * held + o) * group + g]);
          int expected = i < in && o < out ? static_cast<int>((o * in + i) * taps + t + 1) : 0;
          EXPECT_EQ(weight, static_cast<int8_t>(expected))
              << "o " << o << " i " << i << " tap " << t;
        }
}

TEST(LayoutTest, PairedFilterKeepsEachPairSideBySide) {
  expectGrouped(TensorRole::pairedConvFilter, 2, 3, 3);
}

TEST(LayoutTest, QuadFilterKeepsEachQuadSideBySide) {
  expectGrouped(TensorRole::quadConvFilter, 4, 3, 3);
  expectGrouped(TensorRole::quadConvFilter, 4, 40, 40);
}

// A quad convolution's start: the clamped bias less the zero point times
// each output channel's weight sum, in i32, a vector like the bias.
TEST(LayoutTest, QuadConvolutionStartsFromBiasLessTheZeroPointsShare) {
  HostTensor filter({2, 3, 1, 2}, ElementType::i8);
  llvm::MutableArrayRef<int8_t> w = filter.values<int8_t>();
  for (int i = 0; i < 6; ++i) {
    w[i] = static_cast<int8_t>(i - 2);    // Σ = 3
    w[6 + i] = static_cast<int8_t>(-127); // Σ = -762
  }
  HostTensor bias({2}, ElementType::i32);
  bias.values<int32_t>()[0] = 1000;
  bias.values<int32_t>()[1] = std::numeric_limits<int32_t>::max(); // clamped to 2^30
  HostTensor start = cnnc::quadConvStart(bias, filter, 200);
  EXPECT_EQ(start.elementType(), ElementType::i32);
  EXPECT_EQ(start.values<int32_t>()[0], 1000 - 200 * 3);
  EXPECT_EQ(start.values<int32_t>()[1], (1 << 30) + 200 * 762);
  EXPECT_EQ(cnnc::halideExtents(TensorRole::quadConvStart, start.shape),
            (llvm::SmallVector<int64_t, 4>{2}));
}

TEST(LayoutTest, HvxQuadFilterKeepsEachQuadSideBySideInWholeVectors) {
  expectGrouped(TensorRole::hvxQuadConvFilter, 4, 3, 32);
  expectGrouped(TensorRole::hvxQuadConvFilter, 4, 40, 64);
  expectGrouped(TensorRole::hvxQuadConvFilter, 4, 32, 32);
}

TEST(LayoutTest, PlainFilterWalksOutputChannelsInnermost) {
  HostTensor filter = numberedFilter({3, 2, 1, 2});
  EXPECT_EQ(cnnc::inputChannelGroup(TensorRole::convFilter), 1);
  EXPECT_EQ(cnnc::halideExtents(TensorRole::convFilter, filter.shape),
            (llvm::SmallVector<int64_t, 4>{3, 2, 2, 1}));
  std::vector<uint8_t> packed = cnnc::packForKernels(TensorRole::convFilter, filter);
  for (int64_t kx = 0; kx < 2; ++kx)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t o = 0; o < 3; ++o)
        EXPECT_EQ(packed[(kx * 2 + i) * 3 + o], (o * 2 + i) * 2 + kx + 1);
}

// A 1×1 convolution over pairs of pixels reads its filter and bias twice
// over, the copy for the second pixel after the first's (Layout.h).
TEST(LayoutTest, PixelPairFilterAndVectorHoldTwoCopies) {
  HostTensor filter = numberedFilter({3, 2, 1, 1});
  EXPECT_EQ(cnnc::halideExtents(TensorRole::pixelPairConvFilter, filter.shape),
            (llvm::SmallVector<int64_t, 4>{6, 2, 1, 1}));
  std::vector<uint8_t> packed = cnnc::packForKernels(TensorRole::pixelPairConvFilter, filter);
  ASSERT_EQ(packed.size(), 12u);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 6; ++j)
      EXPECT_EQ(packed[i * 6 + j], (j % 3) * 2 + i + 1) << i << " " << j;
  HostTensor bias = numberedFilter({3});
  EXPECT_EQ(cnnc::halideExtents(TensorRole::pixelPairVector, bias.shape),
            (llvm::SmallVector<int64_t, 4>{6}));
  EXPECT_EQ(cnnc::packForKernels(TensorRole::pixelPairVector, bias),
            (std::vector<uint8_t>{1, 2, 3, 1, 2, 3}));
}

TEST(LayoutTest, PairedDepthwiseFilterKeepsAdjacentTapsSideBySide) {
  const int64_t channels = 3, kh = 2, kw = 3, pairs = 2;
  HostTensor filter = numberedFilter({channels, 1, kh, kw});
  EXPECT_EQ(cnnc::halideExtents(TensorRole::pairedDepthwiseFilter, filter.shape),
            (llvm::SmallVector<int64_t, 4>{2, channels, pairs, kh}));
  std::vector<uint8_t> packed = cnnc::packForKernels(TensorRole::pairedDepthwiseFilter, filter);
  ASSERT_EQ(static_cast<int64_t>(packed.size()), 2 * channels * pairs * kh);
  for (int64_t ky = 0; ky < kh; ++ky)
    for (int64_t pair = 0; pair < pairs; ++pair)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t p = 0; p < 2; ++p) {
          int64_t kx = 2 * pair + p;
          auto weight = static_cast<int8_t>(packed[((ky * pairs + pair) * channels + c) * 2 + p]);
          int expected = kx < kw ? static_cast<int>((c * kh + ky) * kw + kx + 1) : 0;
          EXPECT_EQ(weight, expected) << "c " << c << " ky " << ky << " kx " << kx;
        }
}

} // namespace
