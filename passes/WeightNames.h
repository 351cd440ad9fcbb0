//===- WeightNames.h - checkpoint names for lowered weights -----*- C++ -*-===//
//
// convert-effnet-to-cnn names every weight under each checkpoint naming scheme
// (dialect/WeightSchemes.h) that can express it, so that a state_dict saved by
// torchvision, timm or efficientnet-pytorch loads by name.
//
// torchvision, after the model of the same layout (`weight_names`):
//   efficientnet  features.<stage>.<block>.block.<layer>.{0 conv, 1 bn}
//   mobilenet_v3  features.<global block>.block.<layer>.{0 conv, 1 bn}
//   mobilenet_v2  features.<global block>.conv.<layer>.{0 conv, 1 bn}, and the
//                 projection as conv.<layer>.weight with its bn at conv.<layer+1>
//   The stem is features.0 and the head conv features.<last + 1> in all three.
// timm (efficientnet and mobilenet_v2 layouts; its MobileNetV3 groups blocks
// into other stages and has a conv head): conv_stem/bn1, then
//   blocks.<stage - 1>.<block>. named by block kind:
//     depthwise-separable (MBConv without expansion): conv_dw/bn1, se, conv_pw/bn2
//     inverted residual (MBConv):     conv_pw/bn1, conv_dw/bn2, se, conv_pwl/bn3
//     edge residual (Fused-MBConv):   conv_exp/bn1, se, conv_pwl/bn2
//     conv-bn-act (Fused, no expansion): conv/bn1
//   SE as se.conv_reduce / se.conv_expand; conv_head/bn2, classifier.
// efficientnet-pytorch (efficientnet layout, MBConv blocks with SE): _conv_stem/
//   _bn0, _blocks.<global block - 1>.{_expand_conv/_bn0, _depthwise_conv/_bn1,
//   _se_reduce, _se_expand, _project_conv/_bn2}, _conv_head/_bn1, _fc.
// CBAM is cnnc's own: only the torchvision-style names have it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_WEIGHTNAMES_H
#define CNNC_PASSES_WEIGHTNAMES_H

#include "dialect/Effnet.h"
#include "dialect/WeightSchemes.h"

#include <array>
#include <string>

namespace cnnc {

/// A tensor's name, or a module's name prefix, under each scheme; empty where
/// the scheme cannot name it.
class SchemeNames {
public:
  SchemeNames() = default;
  SchemeNames(std::string torchvision, std::string timm, std::string efficientnetPytorch)
      : names{std::move(torchvision), std::move(timm), std::move(efficientnetPytorch)} {}

  /// Every name this has, with `suffix` appended.
  SchemeNames operator+(llvm::StringRef suffix) const;
  /// These names with `name` under `scheme`.
  SchemeNames with(WeightScheme scheme, std::string name) const {
    SchemeNames result = *this;
    result.names[static_cast<size_t>(scheme)] = std::move(name);
    return result;
  }
  const std::string &in(WeightScheme scheme) const { return names[static_cast<size_t>(scheme)]; }

private:
  std::array<std::string, kNumWeightSchemes> names;
};

/// Names of a convolution's filter and the prefix of its batch norm.
struct ConvNormNames {
  SchemeNames filter; // e.g. torchvision "features.0.0.weight"
  SchemeNames norm;   // e.g. "features.0.1" (+ ".weight", ".bias", ".running_mean", ...)
};

/// Prefixes of squeeze-and-excitation's two 1×1 convolutions (+ ".weight", ".bias").
struct SqueezeNames {
  SchemeNames reduce, expand;
};

/// A convolution's role in its block.
enum class BlockConv {
  expand,      // MBConv's 1×1 expansion
  depthwise,   // MBConv's k×k depthwise
  fusedExpand, // Fused-MBConv's k×k expansion
  single,      // Fused-MBConv without expansion: the whole block
  project,     // the 1×1 projection
};

/// Hands out names in the order the lowering emits layers.
class WeightNamer {
public:
  explicit WeightNamer(effnet::WeightNaming layout) : layout(layout) {}

  ConvNormNames stem() const;

  /// Starts block `blockInStage` (0-based) of stage `stage` (1-based).
  void startBlock(int stage, int blockInStage);

  /// The next convolution of the current block, in its role.
  ConvNormNames blockConv(BlockConv conv);
  /// The current block's squeeze-and-excitation.
  SqueezeNames squeezeExcite();
  /// The prefix of the current block's CBAM module.
  SchemeNames cbam();

  /// The head's 1×1 conv, after the last block.
  ConvNormNames head() const;
  /// The classifier (`afterHidden`: the one after MobileNetV3's hidden layer).
  SchemeNames classifier(bool afterHidden) const;
  /// MobileNetV3's hidden fully connected layer.
  SchemeNames hidden() const;

private:
  std::string torchvisionLayer() const;
  /// timm's and efficientnet-pytorch's block prefixes, empty where they have none.
  std::string timmBlock() const;
  std::string efficientnetPytorchBlock() const;
  bool timmNames() const;
  bool efficientnetPytorchNames() const;

  effnet::WeightNaming layout;
  int stage = 0, blockInStage = 0, globalBlock = 0, layer = 0;
  int convsInBlock = 0;
  BlockConv previousConv = BlockConv::expand;
};

} // namespace cnnc

#endif // CNNC_PASSES_WEIGHTNAMES_H
