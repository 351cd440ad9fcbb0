//===- Layout.cpp - how kernels see tensors in memory ---------------------===//
#include "codegen/Layout.h"
#include "codegen/Winograd.h"
#include "dialect/IntegerArithmetic.h"

namespace cnnc {
namespace {

int64_t roundUp(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

/// An HVX quad filter's output channels come in whole HVX vectors of i32 lanes.
constexpr int64_t kHvxQuadFilterChannels = 32;

/// The output channels a filter holds in `role`: its own, or for an HVX quad
/// filter as many as whole vectors take (the rest zero weights).
int64_t heldOutputChannels(TensorRole role, int64_t outputChannels) {
  return role == TensorRole::hvxQuadConvFilter ? roundUp(outputChannels, kHvxQuadFilterChannels)
                                               : outputChannels;
}

/// Whether `role` holds its tensor twice over, one copy after the other
/// along the outermost IR axis (Layout.h's pixel-pair filter and vector).
bool holdsTwoCopies(TensorRole role) {
  return role == TensorRole::pixelPairConvFilter || role == TensorRole::pixelPairVector;
}

/// The shape whose axes the Halide dimensions walk: the IR shape, except that
/// a grouped filter's O×I×H×W is viewed as O'×⌈I/g⌉×g×(H·W) (O' ≥ O: the
/// held output channels), a paired depthwise filter's C×1×H×W as
/// C×H×⌈W/2⌉×2, and a pixel-pair filter or vector as two copies along its
/// first axis.
llvm::SmallVector<int64_t, 4> viewShape(TensorRole role, llvm::ArrayRef<int64_t> shape) {
  if (holdsTwoCopies(role)) {
    llvm::SmallVector<int64_t, 4> twice(shape.begin(), shape.end());
    twice[0] *= 2;
    return twice;
  }
  if (int64_t g = inputChannelGroup(role); g > 1)
    return {heldOutputChannels(role, shape[0]), roundUp(shape[1], g) / g, g, shape[2] * shape[3]};
  if (role == TensorRole::pairedDepthwiseFilter)
    return {shape[0], shape[2], roundUp(shape[3], 2) / 2, 2};
  if (role == TensorRole::winogradFilter) {
    int64_t n = kWinogradInputTile;
    return {shape[0], shape[1], n * n};
  }
  return {shape.begin(), shape.end()};
}

/// Axes of the view shape, innermost Halide dimension first.
llvm::SmallVector<int, 4> halideAxes(TensorRole role, size_t viewRank) {
  switch (role) {
  case TensorRole::activation:
    return viewRank == 4 ? llvm::SmallVector<int, 4>{1, 3, 2, 0} : llvm::SmallVector<int, 4>{1, 0};
  case TensorRole::convFilter:
  case TensorRole::pixelPairConvFilter:
    return {0, 1, 3, 2};
  case TensorRole::pairedConvFilter:
  case TensorRole::quadConvFilter:
  case TensorRole::hvxQuadConvFilter:
    return {2, 0, 1, 3};
  case TensorRole::depthwiseFilter:
    return {0, 3, 2};
  case TensorRole::pairedDepthwiseFilter:
    return {3, 0, 2, 1};
  case TensorRole::winogradFilter:
    return {0, 1, 2};
  case TensorRole::fcWeight:
    return {0, 1};
  case TensorRole::vector:
  case TensorRole::pixelPairVector:
  case TensorRole::quadConvStart:
    return {0};
  }
  return {};
}

/// The bytes of a grouped filter in `role`, in its view shape: each group of
/// input channels side by side, the weights of channels that do not exist
/// (input channels past the last, output channels past the last) zero.
std::vector<uint8_t> groupInputChannels(const HostTensor &filter, TensorRole role) {
  const std::vector<int64_t> &s = filter.shape;
  size_t elementBytes = byteSize(filter.elementType());
  int64_t padded = roundUp(s[1], inputChannelGroup(role)), taps = s[2] * s[3];
  llvm::ArrayRef<uint8_t> source = filter.bytes();
  std::vector<uint8_t> view(
      static_cast<size_t>(heldOutputChannels(role, s[0]) * padded * taps) * elementBytes, 0);
  for (int64_t o = 0; o < s[0]; ++o)
    for (int64_t i = 0; i < s[1]; ++i)
      std::copy_n(&source[static_cast<size_t>((o * s[1] + i) * taps) * elementBytes],
                  static_cast<size_t>(taps) * elementBytes,
                  &view[static_cast<size_t>((o * padded + i) * taps) * elementBytes]);
  return view;
}

/// The bytes of a depthwise filter C×1×H×W in its paired view C×H×⌈W/2⌉×2:
/// each row's taps, and a zero weight past the last of an odd width.
std::vector<uint8_t> pairTaps(const HostTensor &filter) {
  const std::vector<int64_t> &s = filter.shape;
  size_t elementBytes = byteSize(filter.elementType());
  int64_t rows = s[0] * s[2], width = s[3], paired = roundUp(width, 2);
  llvm::ArrayRef<uint8_t> source = filter.bytes();
  std::vector<uint8_t> view(static_cast<size_t>(rows * paired) * elementBytes, 0);
  for (int64_t row = 0; row < rows; ++row)
    std::copy_n(&source[static_cast<size_t>(row * width) * elementBytes],
                static_cast<size_t>(width) * elementBytes,
                &view[static_cast<size_t>(row * paired) * elementBytes]);
  return view;
}

} // namespace

int64_t inputChannelGroup(TensorRole role) {
  switch (role) {
  case TensorRole::pairedConvFilter:
    return 2;
  case TensorRole::quadConvFilter:
  case TensorRole::hvxQuadConvFilter:
    return 4;
  default:
    return 1;
  }
}

llvm::SmallVector<int64_t, 4> halideExtents(TensorRole role, llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> view = viewShape(role, shape), extents;
  for (int axis : halideAxes(role, view.size()))
    extents.push_back(view[axis]);
  return extents;
}

std::vector<uint8_t> packForKernels(TensorRole role, const HostTensor &tensor) {
  llvm::SmallVector<int64_t, 4> shape = viewShape(role, tensor.shape);
  llvm::SmallVector<int, 4> axes = halideAxes(role, shape.size());
  std::vector<uint8_t> grouped;
  llvm::ArrayRef<uint8_t> source = tensor.bytes();
  HostTensor transformed;
  if (role == TensorRole::winogradFilter) {
    transformed = winogradFilter(tensor);
    source = transformed.bytes();
  } else if (inputChannelGroup(role) > 1) {
    grouped = groupInputChannels(tensor, role);
    source = grouped;
  } else if (role == TensorRole::pairedDepthwiseFilter) {
    grouped = pairTaps(tensor);
    source = grouped;
  } else if (holdsTwoCopies(role)) {
    // Row-major, its first axis outermost: one copy after the other.
    grouped.assign(source.begin(), source.end());
    grouped.insert(grouped.end(), source.begin(), source.end());
    source = grouped;
  }
  // Stride, in the packed tensor, of a step along each view axis (0 if
  // absent: only extent-1 axes are left out).
  std::vector<int64_t> packedStride(shape.size(), 0);
  int64_t stride = 1;
  for (int axis : axes) {
    packedStride[axis] = stride;
    stride *= shape[axis];
  }
  size_t elementBytes = byteSize(tensor.elementType());
  std::vector<uint8_t> packed(source.size());
  std::vector<int64_t> index(shape.size(), 0);
  for (size_t flat = 0; flat < source.size() / elementBytes; ++flat) {
    int64_t offset = 0;
    for (size_t a = 0; a < index.size(); ++a)
      offset += index[a] * packedStride[a];
    std::copy_n(&source[flat * elementBytes], elementBytes, &packed[offset * elementBytes]);
    for (int a = static_cast<int>(index.size()) - 1; a >= 0; --a) { // row-major increment
      if (++index[a] < shape[a])
        break;
      index[a] = 0;
    }
  }
  return packed;
}

HostTensor quadConvStart(const HostTensor &bias, const HostTensor &filter, int64_t inputZeroPoint) {
  HostTensor start({filter.shape[0]}, ElementType::i32);
  llvm::ArrayRef<int8_t> weights = filter.values<int8_t>();
  int64_t perChannel = filter.numElements() / filter.shape[0];
  for (int64_t o = 0; o < filter.shape[0]; ++o) {
    int64_t sum = 0;
    for (int8_t w : weights.slice(o * perChannel, perChannel))
      sum += w;
    start.values<int32_t>()[o] =
        static_cast<int32_t>(accumulatorBias(bias.values<int32_t>()[o]) - inputZeroPoint * sum);
  }
  return start;
}

} // namespace cnnc
