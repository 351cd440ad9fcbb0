//===- KernelPlan.h - the buffers a kernel group reads and writes -*- C++ -*-===//
#ifndef CNNC_CODEGEN_KERNELPLAN_H
#define CNNC_CODEGEN_KERNELPLAN_H

#include "codegen/Layout.h"
#include "passes/KernelGroups.h"

namespace cnnc {

struct KernelArg {
  enum class Kind { modelInput, activation, weight };
  Kind kind;
  mlir::Value value;
  TensorRole role; // activation for activations and the model input
};

/// One kernel call: its group and its inputs in argument order (the output,
/// the group's result, comes last). KernelSignature says which calls share
/// one compiled kernel.
struct KernelPlan {
  const KernelGroup *group;
  /// The ops the kernel computes: the group's, less a table lookup that ends
  /// it (outputTable), which the runtime applies to the kernel's output in
  /// place (runtime/cnnc_lookup.h says why).
  std::vector<mlir::Operation *> ops;
  mlir::Operation *outputTable = nullptr; // a cnn.lookup, or null
  std::vector<KernelArg> inputs;
  /// A channel scale (mul) folded into a 1×1 convolution's weights
  /// (foldsIntoFilter in KernelPlan.cpp): the kernel then also writes the
  /// per-image filter, (out, in, batch), to scratch.
  mlir::Operation *foldedScale = nullptr;
  mlir::Operation *foldingConvolution = nullptr;
  llvm::SmallVector<int64_t, 3> imageFilterExtents;
  /// A 1×1 convolution that reads its input through a channel scale (mul)
  /// of the group instead of folding it (foldsIntoFilter in KernelPlan.cpp):
  /// the kernel stages the gated input (KernelFuncs::stagedInputs).
  mlir::Operation *gatedConvolution = nullptr;
  /// The kernel's ops are all pointwise in space (float 1×1 convolutions at
  /// stride 1, activations, adds, channel scales), and it reads and writes
  /// the arena only: it sees each H×W map as one row of H·W pixels, the same
  /// memory (activations are dense, channels innermost: Layout.h), so that
  /// its register blocks run across the ends of rows instead of
  /// recomputing a tail at each (B0's 7×7 and 14×14 1×1 convolutions).
  bool flatPixels = false;
  /// A float 1×1 convolution of flatPixels whose output channels end in half
  /// a vector (24 or 40 channels in AVX-512's 16 lanes), followed by
  /// activations and adds only: the kernel sees its result, and every map
  /// of the result's shape but the convolution's input, as 2·C channels ×
  /// H·W/2 pixels, the same memory (two pixels' channels side by side), so
  /// that whole vectors cover the channels of a pair of pixels, one vector
  /// mixing the two (planKernel says why). Its filter and bias are then
  /// held twice over (Layout.h's pixel-pair filter and vector).
  mlir::Operation *pixelPairConvolution = nullptr;

  /// What the kernel writes: the group's result, before outputTable.
  mlir::Value kernelResult() const { return ops.back()->getResult(0); }
  /// The shape of `v` as the kernel sees it (IR order): with flatPixels, a
  /// map of the result's height and width as one row; with
  /// pixelPairConvolution, such a row of pairs of pixels, where `v` is of
  /// the result's shape and is not the convolution's input.
  llvm::SmallVector<int64_t, 4> shapeOf(mlir::Value v) const;
};

/// The vectors of a channel block of a 1×1 convolution over pixel pairs
/// (KernelPlan::pixelPairConvolution) whose pairs take `pairVectors`
/// vectors: all of them where they are five or fewer, else three where
/// three divide them (mobilenet-v3-large's 72-channel expansion: 9 vectors a
/// pair, 1.29× faster than blocks of one vector × 8 pixels, 80 channels
/// computed); 0 where neither (no pairs: 184 channels, 23 vectors a pair in
/// blocks of two, ran 0.8× as fast as unpaired blocks of 32 channels).
int pixelPairBlockVectors(int64_t pairVectors);

/// The static shape of a tensor value (IR order).
inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

struct TargetSelection;

/// Each group's call, for `target`: its integer convolutions' filters laid
/// out as TargetBackend::integerConvFilter says for that target.
std::vector<KernelPlan> planKernels(const std::vector<KernelGroup> &groups,
                                    const TargetSelection &target);

} // namespace cnnc

#endif // CNNC_CODEGEN_KERNELPLAN_H
