//===- Winograd.cpp - 3×3 convolutions by Winograd's minimal filtering ----===//
#include "codegen/Winograd.h"
#include "dialect/Cnn.h"

namespace cnnc {

static_assert(kWinogradOutputTile == 4, "the matrices below are F(4×4, 3×3)'s");

const WinogradTransforms &winogradTransforms() {
  // Lavin and Gray's matrices for F(4×4, 3×3), from the interpolation
  // points 0, ±1, ±2 and infinity, one row of each matrix per line.
  // clang-format off
  static const WinogradTransforms four = {
      {4,  0, -5,  0, 1, 0,
       0, -4, -4,  1, 1, 0,
       0,  4, -4, -1, 1, 0,
       0, -2, -1,  2, 1, 0,
       0,  2, -1, -2, 1, 0,
       0,  4,  0, -5, 0, 1},
      { 1.0 / 4,   0,         0,
       -1.0 / 6,  -1.0 / 6,  -1.0 / 6,
       -1.0 / 6,   1.0 / 6,  -1.0 / 6,
        1.0 / 24,  1.0 / 12,  1.0 / 6,
        1.0 / 24, -1.0 / 12,  1.0 / 6,
        0,         0,         1},
      {1, 1,  1, 1,  1, 0,
       0, 1, -1, 2, -2, 0,
       0, 1,  1, 4,  4, 0,
       0, 1, -1, 8, -8, 1}};
  // clang-format on
  return four;
}

/// Input and output channels below which a 3×3 convolution stays direct:
/// each tile's input transform is shared by the output channels, and its
/// output transform by the input channels.
constexpr int64_t kWinogradFewestChannels = 16;

bool winogradApplies(mlir::Operation *op) {
  auto conv = llvm::dyn_cast<cnn::Conv2DOp>(op);
  // The model's input comes in the caller's layout (NCHW by default), which
  // tiles vectorized over channels would gather across.
  if (!conv || !conv.getResult().getType().getElementType().isF32() ||
      !conv.getInput().getDefiningOp())
    return false;
  llvm::ArrayRef<int64_t> filter = conv.getFilter().getType().getShape(),
                          out = conv.getResult().getType().getShape();
  int m = kWinogradOutputTile;
  return filter[2] == 3 && filter[3] == 3 &&
         llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
         filter[0] >= kWinogradFewestChannels && filter[1] >= kWinogradFewestChannels &&
         out[2] >= m && out[3] >= m;
}

HostTensor winogradFilter(const HostTensor &filter) {
  const WinogradTransforms &w = winogradTransforms();
  int n = kWinogradInputTile;
  int64_t outputs = filter.shape[0], inputs = filter.shape[1];
  HostTensor transformed({outputs, inputs, static_cast<int64_t>(n) * n});
  llvm::ArrayRef<float> g = filter.values<float>();
  llvm::MutableArrayRef<float> u = transformed.values<float>();
  for (int64_t oi = 0; oi < outputs * inputs; ++oi) {
    const float *tap = &g[oi * 9];         // tap[ky·3 + kx]
    double gg[kWinogradInputTile][3] = {}; // G g: n×3
    for (int a = 0; a < n; ++a)
      for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 3; ++i)
          gg[a][j] += w.g(a, i) * tap[i * 3 + j];
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b) {
        double sum = 0;
        for (int j = 0; j < 3; ++j)
          sum += gg[a][j] * w.g(b, j);
        u[oi * n * n + a * n + b] = static_cast<float>(sum);
      }
  }
  return transformed;
}

} // namespace cnnc
