//===- KernelGroups.h - the kernel groups cnn-fuse marks --------*- C++ -*-===//
#ifndef CNNC_PASSES_KERNELGROUPS_H
#define CNNC_PASSES_KERNELGROUPS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace cnnc {

/// The discardable attributes the fusion and memory planning passes set.
inline constexpr const char *kGroupAttr = "cnn.group";
inline constexpr const char *kArenaOffsetAttr = "cnn.arena_offset";
inline constexpr const char *kArenaSizeAttr = "cnn.arena_size";

/// One kernel: its ops in order; the last one's result is what it writes.
struct KernelGroup {
  int64_t id;
  std::vector<mlir::Operation *> ops;
  mlir::Value result() const { return ops.back()->getResult(0); }
};

/// The groups of a function after cnn-fuse, in execution order.
std::vector<KernelGroup> collectKernelGroups(mlir::func::FuncOp func);

/// Bytes of a statically shaped tensor.
int64_t tensorBytes(mlir::Type type);

/// True for ops computed from weights alone (weights and what folds them).
bool isWeightOnly(mlir::Operation *op);

/// The 1×1 convolution that folds `op` into its weights (W · diag(s)), if `op`
/// scales channels by a per-channel gate (the SE scale) and that convolution
/// is its only user; null otherwise.
mlir::Operation *convolutionFoldingScale(mlir::Operation *op);

} // namespace cnnc

#endif // CNNC_PASSES_KERNELGROUPS_H
