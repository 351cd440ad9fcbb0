//===- ModelStats.h - size and cost of a lowered model ----------*- C++ -*-===//
#ifndef CNNC_PASSES_MODELSTATS_H
#define CNNC_PASSES_MODELSTATS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace cnnc {

/// Cost of the ops that came from one part of the spec: "stem", "stages.N", "head".
struct PartStats {
  std::string part;
  int64_t params = 0;
  int64_t macs = 0;
  /// Shape of the part's last activation (N, C, H, W; H = W = 1 after pooling).
  llvm::SmallVector<int64_t, 4> outputShape;
};

struct ModelStats {
  /// Trained values (batch-norm running statistics are buffers, not parameters).
  int64_t params = 0;
  int64_t buffers = 0;
  /// Multiply-accumulates of the convolutions and fully connected layers.
  int64_t macs = 0;
  /// Bytes of every activation tensor, the input included, each counted once.
  int64_t activationBytesTotal = 0;
  /// Largest sum of bytes of simultaneously live activations, in op order:
  /// what one arena with perfect reuse needs.
  int64_t activationBytesPeak = 0;
  std::vector<PartStats> parts;
};

/// The multiply-accumulates of a convolution or fully connected op (0 for any
/// other op), or INT64_MAX where the count would overflow.
int64_t macsOf(mlir::Operation *op);

/// Stats of a function produced by convert-effnet-to-cnn. Ops are grouped into
/// parts by the name of their location.
ModelStats computeModelStats(mlir::func::FuncOp model);

} // namespace cnnc

#endif // CNNC_PASSES_MODELSTATS_H
