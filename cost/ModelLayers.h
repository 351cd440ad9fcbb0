//===- ModelLayers.h - the layers a cost model prices ------------*- C++ -*-===//
//
// The multiply-accumulate layers of a lowered model (convolutions, depthwise
// convolutions, fully connected layers), each with the shapes a cost model
// needs. Elementwise ops, pools, activations and the attention gates are
// taken to run fused into these layers' epilogues (as cnnc's own kernels run
// them): they add no layer, and their bytes are not counted apart.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_COST_MODELLAYERS_H
#define CNNC_COST_MODELLAYERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace cnnc {

enum class LayerKind {
  /// A convolution with a kernel larger than 1x1 (the stems, fused MBConv).
  convolution,
  /// A 1x1 convolution (expansions, projections, the SE and head convolutions).
  pointwise,
  depthwise,
  fullyConnected,
};

llvm::StringRef layerKindName(LayerKind kind);

/// One layer as a matrix product: each of `outputPixels` (batch x output
/// height x width) rows takes `reduction` products for each of `filters`
/// columns. A depthwise layer is `filters` (= channels) such products of one
/// column each, over its own channel.
struct Layer {
  std::string name;
  LayerKind kind;
  int64_t outputPixels = 0; ///< SCALE-Sim's Sr; the batch for a fully connected layer
  int64_t filters = 0;      ///< Sc: output channels (features)
  int64_t reduction = 0;    ///< T: products summed per output (kh x kw x input channels)
  int64_t macs = 0;
  int64_t weightElements = 0, inputElements = 0, outputElements = 0;
};

/// The layers of a function produced by convert-effnet-to-cnn, in order.
/// Each is named after its weight (without ".weight").
std::vector<Layer> modelLayers(mlir::func::FuncOp model);

} // namespace cnnc

#endif // CNNC_COST_MODELLAYERS_H
