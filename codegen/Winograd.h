//===- Winograd.h - 3×3 convolutions by Winograd's minimal filtering -*- C++ -*-===//
//
// F(m×m, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016) computes an m×m block of a 3×3 convolution's outputs from
// an n×n input tile, n = m + 2, with n² products per input channel instead
// of 9m²: the tile d and each filter g are transformed, V = Bᵀ d B and
// U = G g Gᵀ, and per output channel Y = Aᵀ [Σᵢ Uᵢ ⊙ Vᵢ] A. The filter's
// transform is computed once, when the weights are packed (Layout.h's
// winogradFilter); the input's and the output's in the kernel
// (HalideAlgorithm.cpp). For a convolution of C input channels the products
// are n² independent matrix products over C, the kernel's FLOPs; the
// transforms add O(n²) additions per tile and channel.
//
// The result differs from the direct convolution's by rounding only: the
// transforms' coefficients (±1, ±2, ±4, ±5, ±1/4, ±1/6, ...) take and give
// values a few times larger than the inputs, so the error grows by a small
// constant factor (tests/lit/compile/winograd.yaml bounds it against the
// reference evaluator).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_WINOGRAD_H
#define CNNC_CODEGEN_WINOGRAD_H

#include "codegen/HostTensor.h"

#include "mlir/IR/Operation.h"

#include <vector>

namespace cnnc {

/// The output tile m of the Winograd convolutions: F(4×4, 3×3), 36
/// products per 16 outputs (a quarter of the direct convolution's 144).
/// F(2×2, 3×3) (16 per 4) left efficientnetv2-s 0.947 of the time side by
/// side (2-core Zen 5), its products the kernels' time.
inline constexpr int kWinogradOutputTile = 4;
/// Its input tile n = m + 2.
inline constexpr int kWinogradInputTile = kWinogradOutputTile + 2;

/// F(m×m, 3×3)'s three transforms, row-major, as exact doubles (m =
/// kWinogradOutputTile, n = kWinogradInputTile).
struct WinogradTransforms {
  std::vector<double> inputT;  // Bᵀ: n×n
  std::vector<double> filter;  // G: n×3
  std::vector<double> outputT; // Aᵀ: m×n

  double bt(int row, int column) const { return inputT[row * kWinogradInputTile + column]; }
  double g(int row, int column) const { return filter[row * 3 + column]; }
  double at(int row, int column) const { return outputT[row * kWinogradInputTile + column]; }
};

/// The transforms of F(kWinogradOutputTile², 3×3).
const WinogradTransforms &winogradTransforms();

/// Whether the float convolution `conv` may compute by Winograd: a dense
/// 3×3 convolution at stride 1 over maps of a tile or more (a map that is
/// not whole tiles has its last tiles compute outputs past its edge), of
/// enough input and output channels that the products outweigh the
/// transforms (a stem of 3 channels does not), reading an activation, not
/// the model's input.
bool winogradApplies(mlir::Operation *conv);

/// The filter O×I×3×3 (f32) transformed, U = G g Gᵀ per output and input
/// channel: O×I×n², a position (a, b) of the n×n tile at index a·n + b.
/// Computed in double, rounded once to f32.
HostTensor winogradFilter(const HostTensor &filter);

} // namespace cnnc

#endif // CNNC_CODEGEN_WINOGRAD_H
