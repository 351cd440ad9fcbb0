//===- GateBroadcast.h - how cnn.mul's gate scales its input ----*- C++ -*-===//
//
// cnn.mul and cnn.int_mul scale an N×C×H×W input by a gate of one value per
// channel (SE), one per pixel (CBAM's spatial gate) or one per element. The
// verifiers and the reference evaluator's float and integer multiplies share
// this one definition.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECT_GATEBROADCAST_H
#define CNNC_DIALECT_GATEBROADCAST_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace cnnc {

/// Whether a gate of shape `gate` scales an input of shape `input`: N×C×1×1,
/// N×1×H×W, or the input's own shape.
inline bool gateBroadcasts(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> gate) {
  if (input.size() != 4 || gate.size() != 4 || gate[0] != input[0])
    return false;
  bool perChannel = gate[1] == input[1] && gate[2] == 1 && gate[3] == 1;
  bool perPixel = gate[1] == 1 && gate[2] == input[2] && gate[3] == input[3];
  return perChannel || perPixel || gate == input;
}

/// The gate element that scales element `i` (row-major) of the input, for a
/// gate that broadcasts (gateBroadcasts).
inline int64_t gateIndex(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> gate, int64_t i) {
  int64_t c = input[1], plane = input[2] * input[3];
  if (gate == input)
    return i;
  if (gate[1] == c && gate[2] * gate[3] == 1)
    return i / plane;
  return (i / (c * plane)) * plane + i % plane;
}

} // namespace cnnc

#endif // CNNC_DIALECT_GATEBROADCAST_H
