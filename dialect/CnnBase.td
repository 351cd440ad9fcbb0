//===- CnnBase.td - cnn dialect, enums and attributes ------*- tablegen -*-===//
//
// The cnn dialect: primitive tensor ops with static shapes, the target of
// convert-effnet-to-cnn and the input of fusion, quantization and codegen.
// Activations are NCHW tensors, as in PyTorch.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CNN_BASE_TD
#define CNNC_CNN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnnc::cnn";
  let summary = "Primitive CNN tensor ops with static shapes";
  let useDefaultAttributePrinterParser = 1;
}

def Cnn_Activation : I32EnumAttr<"Activation", "elementwise activation function", [
    I32EnumAttrCase<"identity", 0>,
    I32EnumAttrCase<"silu", 1>,
    I32EnumAttrCase<"relu", 2>,
    I32EnumAttrCase<"relu6", 3>,
    I32EnumAttrCase<"hardswish", 4>,
    I32EnumAttrCase<"sigmoid", 5>,
    I32EnumAttrCase<"hardsigmoid", 6>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::cnn";
}
def Cnn_ActivationAttr : EnumAttr<Cnn_Dialect, Cnn_Activation, "activation">;

def Cnn_PoolKind : I32EnumAttr<"PoolKind", "reduction used by a pooling op", [
    I32EnumAttrCase<"avg", 0>,
    I32EnumAttrCase<"max", 1>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::cnn";
}
def Cnn_PoolKindAttr : EnumAttr<Cnn_Dialect, Cnn_PoolKind, "pool">;

def Cnn_Requantization : I32EnumAttr<"Requantization",
                                     "how cnn.requantize scales an i32 accumulator", [
    I32EnumAttrCase<"fixed_point", 0>,
    I32EnumAttrCase<"float32", 1>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::cnn";
}
def Cnn_RequantizationAttr : EnumAttr<Cnn_Dialect, Cnn_Requantization, "requantization">;

#endif // CNNC_CNN_BASE_TD
