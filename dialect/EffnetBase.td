//===- EffnetBase.td - effnet dialect and attributes -------*- tablegen -*-===//
//
// The effnet dialect mirrors a model spec: a model holds a stem, stages of
// repeated MBConv / Fused-MBConv blocks, and a head. Channel counts, repeats and
// resolution are the spec's base values until effnet-compound-scale makes them
// concrete.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_EFFNET_BASE_TD
#define CNNC_EFFNET_BASE_TD

include "dialect/CnnBase.td"
include "dialect/EffnetEnums.td"

def Effnet_Dialect : Dialect {
  let name = "effnet";
  let cppNamespace = "::cnnc::effnet";
  let summary = "EfficientNet-family model description";
  let dependentDialects = ["::cnnc::cnn::CnnDialect"];
  let useDefaultAttributePrinterParser = 1;
}

def Effnet_WeightNamingAttr : EnumAttr<Effnet_Dialect, Effnet_WeightNaming, "weight_naming">;
def Effnet_PaddingAttr : EnumAttr<Effnet_Dialect, Effnet_Padding, "padding">;

// A double (kept as APFloat, which hashes) that prints in its shortest exact form (0.25, 0.0625).
def Effnet_RatioParameter : AttrParameter<"::llvm::APFloat", "a reduction ratio"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = [{ $_printer.printFloat($_self) }];
}

class Effnet_Attr<string name, string attrMnemonic> : AttrDef<Effnet_Dialect, name> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
}

def Effnet_SqueezeExciteAttr : Effnet_Attr<"SqueezeExcite", "se"> {
  let summary = "squeeze-and-excitation on the expanded features";
  let description = [{
    Squeeze channels are max(1, floor(base · ratio)), then rounded to a multiple
    of `divisor` when it is above 1 (MobileNetV3 uses 8).
  }];
  let parameters = (ins Effnet_RatioParameter:$ratio, EnumParameter<Effnet_SqueezeBase>:$base,
                        "int64_t":$divisor, EnumParameter<Cnn_Activation>:$activation,
                        EnumParameter<Cnn_Activation>:$gate);
  let genVerifyDecl = 1;
}

def Effnet_CbamAttr : Effnet_Attr<"Cbam", "cbam"> {
  let summary = "CBAM (Woo et al. 2018) on the expanded features";
  let description = [{
    Channel attention: average- and max-pooled features through one shared
    two-layer MLP (ReLU inside, hidden width from ratio/base/divisor as for SE),
    summed, sigmoid. Then spatial attention: channel-wise average and max,
    concatenated, a `kernel`×`kernel` convolution with batch norm, sigmoid.
  }];
  let parameters = (ins Effnet_RatioParameter:$ratio, EnumParameter<Effnet_SqueezeBase>:$base,
                        "int64_t":$divisor, "int64_t":$kernel);
  let genVerifyDecl = 1;
}

#endif // CNNC_EFFNET_BASE_TD
