//===- WeightNames.h - torchvision state_dict names for weights -*- C++ -*-===//
//
// convert-effnet-to-cnn names every weight as the torchvision model of the
// same architecture does, so that a state_dict loads by name:
//   efficientnet  features.<stage>.<block>.block.<layer>.{0 conv, 1 bn}
//   mobilenet_v3  features.<global block>.block.<layer>.{0 conv, 1 bn}
//   mobilenet_v2  features.<global block>.conv.<layer>.{0 conv, 1 bn}, and the
//                 projection as conv.<layer>.weight with its bn at conv.<layer+1>
// The stem is features.0 and the head conv features.<last + 1> in all three.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_WEIGHTNAMES_H
#define CNNC_PASSES_WEIGHTNAMES_H

#include "dialect/Effnet.h"

#include <string>

namespace cnnc {

/// Names of a convolution's filter and the prefix of its batch norm.
struct ConvNormNames {
  std::string filter; // e.g. "features.0.0.weight"
  std::string norm;   // e.g. "features.0.1" (+ ".weight", ".bias", ".running_mean", ...)
};

/// Hands out names in the order the lowering emits layers.
class WeightNamer {
public:
  explicit WeightNamer(effnet::WeightNaming scheme) : scheme(scheme) {}

  ConvNormNames stem() const { return {"features.0.0.weight", "features.0.1"}; }

  /// Starts block `blockInStage` (0-based) of stage `stage` (1-based).
  void startBlock(int stage, int blockInStage);

  /// The next conv + batch norm layer of the current block.
  ConvNormNames nextConvNorm(bool projection);

  /// The prefix of the next non-conv module (SE, CBAM) of the current block.
  std::string nextModule();

  /// The head's 1×1 conv, after the last block.
  ConvNormNames head() const;

private:
  std::string layerPrefix() const;

  effnet::WeightNaming scheme;
  int stage = 0, blockInStage = 0, globalBlock = 0, layer = 0;
};

} // namespace cnnc

#endif // CNNC_PASSES_WEIGHTNAMES_H
