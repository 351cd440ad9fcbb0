//===- LayerNames.h - the layer names ops are lowered under ----*- C++ -*-===//
//
// effnet-to-cnn gives every op a NameLoc naming the layer it computes part
// of: "stem", "stages.S.blocks.B", "head", and, for an MBConv block's
// attention, the block's name plus ".se" or ".cbam". The quantization report
// lists tensors by these names, and --keep-float matches them: a block's
// name keeps its attention too, an attention name ("*.se") only the
// attention.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_LAYERNAMES_H
#define CNNC_PASSES_LAYERNAMES_H

#include "llvm/ADT/StringRef.h"

namespace cnnc {

/// The suffixes of a block's attention sub-layers.
inline constexpr llvm::StringLiteral kSqueezeExciteLayer = "se";
inline constexpr llvm::StringLiteral kCbamLayer = "cbam";

/// The block an attention sub-layer belongs to; any other layer's own name.
inline llvm::StringRef enclosingLayer(llvm::StringRef name) {
  auto [block, sub] = name.rsplit('.');
  return sub == kSqueezeExciteLayer || sub == kCbamLayer ? block : name;
}

} // namespace cnnc

#endif // CNNC_PASSES_LAYERNAMES_H
