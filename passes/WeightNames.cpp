//===- WeightNames.cpp - torchvision state_dict names for weights ---------===//
#include "passes/WeightNames.h"

namespace cnnc {

using effnet::WeightNaming;

void WeightNamer::startBlock(int stageIndex, int blockIndex) {
  stage = stageIndex;
  blockInStage = blockIndex;
  ++globalBlock;
  layer = 0;
}

std::string WeightNamer::layerPrefix() const {
  switch (scheme) {
  case WeightNaming::efficientnet:
    return "features." + std::to_string(stage) + "." + std::to_string(blockInStage) + ".block." +
           std::to_string(layer);
  case WeightNaming::mobilenet_v3:
    return "features." + std::to_string(globalBlock) + ".block." + std::to_string(layer);
  case WeightNaming::mobilenet_v2:
    return "features." + std::to_string(globalBlock) + ".conv." + std::to_string(layer);
  }
  llvm_unreachable("unknown weight naming");
}

ConvNormNames WeightNamer::nextConvNorm(bool projection) {
  std::string prefix = layerPrefix();
  if (projection && scheme == WeightNaming::mobilenet_v2) {
    // A bare Conv2d followed by a BatchNorm2d: two layer indices.
    ++layer;
    ConvNormNames names{prefix + ".weight", layerPrefix()};
    ++layer;
    return names;
  }
  ++layer;
  return {prefix + ".0.weight", prefix + ".1"};
}

std::string WeightNamer::nextModule() {
  std::string prefix = layerPrefix();
  ++layer;
  return prefix;
}

ConvNormNames WeightNamer::head() const {
  int index = scheme == WeightNaming::efficientnet ? stage + 1 : globalBlock + 1;
  std::string prefix = "features." + std::to_string(index);
  return {prefix + ".0.weight", prefix + ".1"};
}

} // namespace cnnc
