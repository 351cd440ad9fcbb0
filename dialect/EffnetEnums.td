//===- EffnetEnums.td - effnet enums -----------------------*- tablegen -*-===//
//
// Kept apart from EffnetBase.td so that enum generation for effnet does not
// also emit the cnn enums EffnetBase.td includes.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_EFFNET_ENUMS_TD
#define CNNC_EFFNET_ENUMS_TD

include "mlir/IR/EnumAttr.td"

def Effnet_SqueezeBase : I32EnumAttr<"SqueezeBase",
    "which channel count an attention reduction ratio applies to", [
    I32EnumAttrCase<"input", 0>,    // the block's input channels (EfficientNet)
    I32EnumAttrCase<"expanded", 1>  // the expanded channels (MobileNetV3)
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::effnet";
}

def Effnet_WeightNaming : I32EnumAttr<"WeightNaming",
    "how lowered weights are named: after which torchvision model's state_dict", [
    I32EnumAttrCase<"efficientnet", 0>,  // features.<stage>.<block>.block.<layer>
    I32EnumAttrCase<"mobilenet_v2", 1>,  // features.<block>.conv.<layer>
    I32EnumAttrCase<"mobilenet_v3", 2>   // features.<block>.block.<layer>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::effnet";
}

def Effnet_Padding : I32EnumAttr<"Padding",
    "where a convolution's zero padding goes", [
    I32EnumAttrCase<"symmetric", 0>,  // (k - 1) / 2 on every side (PyTorch, torchvision)
    I32EnumAttrCase<"same", 1>        // TensorFlow's SAME: the odd row and column at bottom, right
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::effnet";
}

#endif // CNNC_EFFNET_ENUMS_TD
