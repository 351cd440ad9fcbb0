//===- Layout.h - how kernels see tensors in memory -------------*- C++ -*-===//
//
// The cnn dialect is NCHW; generated kernels keep activations channels-
// innermost (NHWC), so 1×1 convolutions and depthwise convolutions vectorize
// over channels at any spatial size. A layout lists, innermost first, which
// IR axis each Halide dimension walks; memory is dense in that order.
//
// An integer convolution's filter keeps each output channel's weights for a
// group of consecutive input channels side by side (a channel count that is
// not a multiple of the group gets zero weights for channels that do not
// exist): a group's products are summed in one instruction from one dense
// load of weights. Pairs suit x86's pmaddwd (i16 × i16), quads AVX-512
// VNNI's vpdpbusd and Hexagon's vrmpy (u8 × i8); Hexagon's blocks are whole
// HVX vectors, so its quad filter holds output channels up to a multiple of
// 32. The target chooses (TargetBackend::integerConvFilter).
// A Winograd filter holds each 3×3 filter already transformed for
// F(m×m, 3×3) (Winograd.h), output channels innermost as a dense filter's.
// A paired depthwise filter keeps each channel's horizontally adjacent taps
// side by side (a window of odd width gets a zero weight past its last tap),
// for targets that sum two taps' products in one instruction
// (TargetBackend::pairsDepthwiseTaps).
// A 1×1 convolution that computes two pixels' output channels side by side
// (KernelPlan::pixelPairConvolution) reads its filter and bias twice over,
// one copy for each pixel of a pair, so that channel j of a pair's 2·O reads
// row j of the copy as one dense vector.
//
//   activation N×C×H×W   (c, x, y, n)      axes 1, 3, 2, 0; a kernel pointwise
//                                          in space may see it as N×C×1×(H·W),
//                                          the same memory (KernelPlan::flatPixels)
//   activation N×K       (k, n)            axes 1, 0
//   conv filter O×I×H×W  (o, i, kx, ky)    axes 0, 1, 3, 2
//   pixel-pair filter    (j, i, kx, ky)    as conv filter, 2·O×I×H×W: the
//                                          filter twice, j = p·O + o
//   paired int filter    (p, o, i/2, tap)  i = 2·(i/2) + p, tap = ky·W + kx
//   quad int filter      (q, o, i/4, tap)  i = 4·(i/4) + q
//   HVX quad int filter  (q, o, i/4, tap)  as quad; o up to a multiple of 32
//                                          (whole HVX vectors), zeros past O
//   depthwise C×1×H×W    (c, kx, ky)       axes 0, 3, 2
//   paired depthwise     (p, c, kx/2, ky)  kx = 2·(kx/2) + p, zeros past W
//   Winograd filter      (o, i, t)         U = G g Gᵀ of each 3×3 filter
//                                          (Winograd.h), t = a·n + b of its
//                                          n×n tile
//   fc weight M×K        (m, k)            axes 0, 1
//   vector C             (c)               axis 0
//   pixel-pair vector    (j)               axis 0, 2·C: the vector twice
//   quad conv start O    (o)               axis 0: clamp(bias) − zp·Σw, the
//                                          accumulator's start of a convolution
//                                          over a quad filter
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LAYOUT_H
#define CNNC_CODEGEN_LAYOUT_H

#include "codegen/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace cnnc {

enum class TensorRole {
  activation,
  convFilter,
  pixelPairConvFilter,
  pairedConvFilter,
  quadConvFilter,
  hvxQuadConvFilter,
  depthwiseFilter,
  pairedDepthwiseFilter,
  winogradFilter,
  fcWeight,
  vector,
  pixelPairVector,
  quadConvStart
};

/// The input channels an integer convolution's filter groups in `role`: 2
/// or 4 (1 for any other role).
int64_t inputChannelGroup(TensorRole role);

/// Halide extents of a tensor of IR shape `shape` in `role`.
llvm::SmallVector<int64_t, 4> halideExtents(TensorRole role, llvm::ArrayRef<int64_t> shape);

/// The bytes of `tensor` (row-major in IR order, any element type) rearranged
/// densely in Halide order.
std::vector<uint8_t> packForKernels(TensorRole role, const HostTensor &tensor);

/// The accumulator start (quadConvStart) of an integer convolution over a
/// quad filter: per output channel its i32 `bias` (clamped as
/// accumulatorBias clamps it) less `inputZeroPoint` times the sum of its i8
/// `filter`'s weights (O×I×H×W), the zero point's share of Σ (x − zp)·w,
/// which the quads' raw products leave out. Computed once here rather than
/// summed over the filter in every call. Exact in i32 (kMaxProducts).
HostTensor quadConvStart(const HostTensor &bias, const HostTensor &filter, int64_t inputZeroPoint);

} // namespace cnnc

#endif // CNNC_CODEGEN_LAYOUT_H
