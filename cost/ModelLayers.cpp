//===- ModelLayers.cpp - the layers a cost model prices -------------------===//
#include "cost/ModelLayers.h"
#include "dialect/Cnn.h"
#include "passes/ModelStats.h"

using namespace mlir;

namespace cnnc {
namespace {

int64_t elements(Value value) { return cast<RankedTensorType>(value.getType()).getNumElements(); }

ArrayRef<int64_t> shape(Value value) { return cast<RankedTensorType>(value.getType()).getShape(); }

/// The name of the weight a layer's filter comes from, through folding ops.
std::string weightName(Value filter, size_t index) {
  Operation *op = filter.getDefiningOp();
  while (op && !isa<cnn::WeightOp>(op) && op->getNumOperands() > 0)
    op = op->getOperand(0).getDefiningOp();
  if (auto weight = dyn_cast_or_null<cnn::WeightOp>(op)) {
    StringRef name = weight.getName();
    name.consume_back(".weight");
    return name.str();
  }
  return "layer" + std::to_string(index);
}

} // namespace

StringRef layerKindName(LayerKind kind) {
  switch (kind) {
  case LayerKind::convolution:
    return "conv";
  case LayerKind::pointwise:
    return "pointwise";
  case LayerKind::depthwise:
    return "depthwise";
  case LayerKind::fullyConnected:
    return "fc";
  }
  llvm_unreachable("unknown layer kind");
}

std::vector<Layer> modelLayers(func::FuncOp model) {
  std::vector<Layer> layers;
  for (Operation &op : model.getBody().front()) {
    Layer layer;
    Value filter;
    if (auto conv = dyn_cast<cnn::Conv2DOp>(op)) {
      ArrayRef<int64_t> f = shape(conv.getFilter()), out = shape(conv.getResult());
      layer.kind = f[2] * f[3] == 1 ? LayerKind::pointwise : LayerKind::convolution;
      layer.outputPixels = out[0] * out[2] * out[3];
      layer.filters = f[0];
      layer.reduction = f[1] * f[2] * f[3];
      filter = conv.getFilter();
      layer.inputElements = elements(conv.getInput());
    } else if (auto conv = dyn_cast<cnn::DepthwiseConv2DOp>(op)) {
      ArrayRef<int64_t> f = shape(conv.getFilter()), out = shape(conv.getResult());
      layer.kind = LayerKind::depthwise;
      layer.outputPixels = out[0] * out[2] * out[3];
      layer.filters = f[0];
      layer.reduction = f[2] * f[3];
      filter = conv.getFilter();
      layer.inputElements = elements(conv.getInput());
    } else if (auto fc = dyn_cast<cnn::FullyConnectedOp>(op)) {
      ArrayRef<int64_t> w = shape(fc.getWeight());
      layer.kind = LayerKind::fullyConnected;
      layer.outputPixels = shape(fc.getInput())[0];
      layer.filters = w[0];
      layer.reduction = w[1];
      filter = fc.getWeight();
      layer.inputElements = elements(fc.getInput());
    } else {
      continue;
    }
    layer.name = weightName(filter, layers.size());
    layer.macs = macsOf(&op);
    layer.weightElements = elements(filter);
    layer.outputElements = elements(op.getResult(0));
    layers.push_back(std::move(layer));
  }
  return layers;
}

} // namespace cnnc
