//===- WeightNames.cpp - checkpoint names for lowered weights -------------===//
#include "passes/WeightNames.h"

namespace cnnc {

using effnet::WeightNaming;

SchemeNames SchemeNames::operator+(llvm::StringRef suffix) const {
  SchemeNames result = *this;
  for (std::string &name : result.names)
    if (!name.empty())
      name += suffix;
  return result;
}

bool WeightNamer::timmNames() const {
  return layout == WeightNaming::efficientnet || layout == WeightNaming::mobilenet_v2;
}

bool WeightNamer::efficientnetPytorchNames() const { return layout == WeightNaming::efficientnet; }

ConvNormNames WeightNamer::stem() const {
  return {{"features.0.0.weight", timmNames() ? "conv_stem.weight" : "",
           efficientnetPytorchNames() ? "_conv_stem.weight" : ""},
          {"features.0.1", timmNames() ? "bn1" : "", efficientnetPytorchNames() ? "_bn0" : ""}};
}

void WeightNamer::startBlock(int stageIndex, int blockIndex) {
  stage = stageIndex;
  blockInStage = blockIndex;
  ++globalBlock;
  layer = 0;
  convsInBlock = 0;
}

std::string WeightNamer::torchvisionLayer() const {
  switch (layout) {
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

std::string WeightNamer::timmBlock() const {
  if (!timmNames())
    return "";
  return "blocks." + std::to_string(stage - 1) + "." + std::to_string(blockInStage) + ".";
}

std::string WeightNamer::efficientnetPytorchBlock() const {
  if (!efficientnetPytorchNames())
    return "";
  return "_blocks." + std::to_string(globalBlock - 1) + ".";
}

ConvNormNames WeightNamer::blockConv(BlockConv conv) {
  // torchvision: one Conv2dNormActivation per layer index, except MobileNetV2's
  // projection, a bare Conv2d and BatchNorm2d at two indices.
  std::string prefix = torchvisionLayer();
  ConvNormNames names;
  if (conv == BlockConv::project && layout == WeightNaming::mobilenet_v2) {
    ++layer;
    names = {SchemeNames(prefix + ".weight", "", ""), SchemeNames(torchvisionLayer(), "", "")};
  } else {
    names = {SchemeNames(prefix + ".0.weight", "", ""), SchemeNames(prefix + ".1", "", "")};
  }
  ++layer;

  // timm: the module names say the block's kind; batch norms count up.
  if (std::string block = timmBlock(); !block.empty()) {
    const char *module = "conv_pwl";
    if (conv == BlockConv::expand)
      module = "conv_pw";
    else if (conv == BlockConv::depthwise)
      module = "conv_dw";
    else if (conv == BlockConv::fusedExpand)
      module = "conv_exp";
    else if (conv == BlockConv::single)
      module = "conv";
    else if (convsInBlock == 1 && previousConv == BlockConv::depthwise)
      module = "conv_pw"; // the projection of a depthwise-separable block
    names.filter = names.filter.with(WeightScheme::timm, block + module + ".weight");
    names.norm =
        names.norm.with(WeightScheme::timm, block + "bn" + std::to_string(convsInBlock + 1));
  }

  // efficientnet-pytorch has MBConv blocks only.
  if (std::string block = efficientnetPytorchBlock(); !block.empty()) {
    const char *module = nullptr, *norm = nullptr;
    if (conv == BlockConv::expand)
      module = "_expand_conv", norm = "_bn0";
    else if (conv == BlockConv::depthwise)
      module = "_depthwise_conv", norm = "_bn1";
    else if (conv == BlockConv::project && previousConv == BlockConv::depthwise)
      module = "_project_conv", norm = "_bn2";
    if (module) {
      names.filter =
          names.filter.with(WeightScheme::efficientnetPytorch, block + module + ".weight");
      names.norm = names.norm.with(WeightScheme::efficientnetPytorch, block + norm);
    }
  }
  ++convsInBlock;
  previousConv = conv;
  return names;
}

SqueezeNames WeightNamer::squeezeExcite() {
  std::string prefix = torchvisionLayer();
  ++layer;
  std::string timm = timmBlock(), pytorch = efficientnetPytorchBlock();
  auto in = [](const std::string &block, const char *module) {
    return block.empty() ? std::string() : block + module;
  };
  return {SchemeNames(prefix + ".fc1", in(timm, "se.conv_reduce"), in(pytorch, "_se_reduce")),
          SchemeNames(prefix + ".fc2", in(timm, "se.conv_expand"), in(pytorch, "_se_expand"))};
}

SchemeNames WeightNamer::cbam() {
  std::string prefix = torchvisionLayer();
  ++layer;
  return SchemeNames(prefix, "", "");
}

ConvNormNames WeightNamer::head() const {
  int index = layout == WeightNaming::efficientnet ? stage + 1 : globalBlock + 1;
  std::string prefix = "features." + std::to_string(index);
  return {SchemeNames(prefix + ".0.weight", timmNames() ? "conv_head.weight" : "",
                      efficientnetPytorchNames() ? "_conv_head.weight" : ""),
          SchemeNames(prefix + ".1", timmNames() ? "bn2" : "",
                      efficientnetPytorchNames() ? "_bn1" : "")};
}

SchemeNames WeightNamer::classifier(bool afterHidden) const {
  if (afterHidden)
    return SchemeNames("classifier.3", "", "");
  return SchemeNames("classifier.1", timmNames() ? "classifier" : "",
                     efficientnetPytorchNames() ? "_fc" : "");
}

SchemeNames WeightNamer::hidden() const { return SchemeNames("classifier.0", "", ""); }

} // namespace cnnc
