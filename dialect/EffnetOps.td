//===- EffnetOps.td - effnet dialect operations ------------*- tablegen -*-===//

#ifndef CNNC_EFFNET_OPS_TD
#define CNNC_EFFNET_OPS_TD

include "dialect/EffnetBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"

//===----------------------------------------------------------------------===//
// Block interface: what MBConv and Fused-MBConv have in common.
//===----------------------------------------------------------------------===//

def Effnet_BlockOpInterface : OpInterface<"BlockOpInterface"> {
  let cppNamespace = "::cnnc::effnet";
  let description = "An inverted-residual block: expand, (depthwise), attention, project.";
  let methods = [
    InterfaceMethod<"output channels", "int64_t", "getOutChannels">,
    InterfaceMethod<"kernel size", "int64_t", "getKernel">,
    InterfaceMethod<"stride of the first block of a stage", "int64_t", "getStride">,
    InterfaceMethod<"activation", "::cnnc::cnn::Activation", "getActivation">,
    InterfaceMethod<"expansion as a ratio of the input channels",
                    "std::optional<::llvm::APFloat>", "getExpandRatio">,
    InterfaceMethod<"expansion as an absolute channel count",
                    "std::optional<uint64_t>", "getExpandChannels">,
    InterfaceMethod<"squeeze-and-excitation, if any",
                    "::cnnc::effnet::SqueezeExciteAttr", "getSeAttr">,
    InterfaceMethod<"CBAM, if any", "::cnnc::effnet::CbamAttr", "getCbamAttr">,
  ];
}

class Effnet_Op<string mnemonic, list<Trait> traits = []> : Op<Effnet_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Model structure.
//===----------------------------------------------------------------------===//

def Effnet_ModelOp : Effnet_Op<"model", [
    Symbol, IsolatedFromAbove, NoTerminator, SingleBlock,
    DeclareOpInterfaceMethods<RegionKindInterface>]> {
  let summary = "a whole network: stem, stages, head";
  let description = [{
    Scaling is given either as `phi` with `alpha`, `beta`, `gamma` (depth α^φ,
    width β^φ, resolution γ^φ) or as explicit `width_mult`, `depth_mult`,
    `resolution_mult`; effnet-compound-scale applies it and removes it.
    `channel_divisor` is the multiple scaled channel counts are rounded to;
    one more multiple is added when rounding left less than
    `channel_round_limit` of the scaled count.
    `weight_names` says whose state_dict names the lowered weights follow.
    `padding` places every convolution's zeros: `symmetric` as PyTorch does, or
    `same` as TensorFlow's SAME does (total ceil(in / s)·s - s + k - in, the
    larger half after), which TF-trained checkpoints expect. `input_mean` and
    `input_std` (one value per input channel, on pixels scaled to 0..1) say how
    the model expects its input normalized; absent, no normalization is recorded.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$resolution, I64Attr:$in_channels,
                       I64Attr:$num_classes, F64Attr:$batch_norm_eps, I64Attr:$channel_divisor,
                       DefaultValuedAttr<F64Attr, "0.9">:$channel_round_limit,
                       OptionalAttr<F64Attr>:$phi, OptionalAttr<F64Attr>:$alpha,
                       OptionalAttr<F64Attr>:$beta, OptionalAttr<F64Attr>:$gamma,
                       OptionalAttr<F64Attr>:$width_mult, OptionalAttr<F64Attr>:$depth_mult,
                       OptionalAttr<F64Attr>:$resolution_mult,
                       DefaultValuedAttr<Effnet_WeightNamingAttr,
                                         "::cnnc::effnet::WeightNaming::efficientnet">:$weight_names,
                       DefaultValuedAttr<Effnet_PaddingAttr,
                                         "::cnnc::effnet::Padding::symmetric">:$padding,
                       OptionalAttr<DenseF64ArrayAttr>:$input_mean,
                       OptionalAttr<DenseF64ArrayAttr>:$input_std);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// True once effnet-compound-scale has applied the scaling attributes.
    bool isScaled() {
      return !getPhi() && !getWidthMult() && !getDepthMult() && !getResolutionMult();
    }
  }];
}

def Effnet_StemOp : Effnet_Op<"stem", [HasParent<"ModelOp">]> {
  let summary = "the first convolution";
  let arguments = (ins I64Attr:$channels, I64Attr:$kernel, I64Attr:$stride,
                       Cnn_ActivationAttr:$activation, UnitAttr:$fixed_width);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def Effnet_StageOp : Effnet_Op<"stage", [
    HasParent<"ModelOp">, NoTerminator, SingleBlock,
    DeclareOpInterfaceMethods<RegionKindInterface>]> {
  let summary = "`repeats` copies of one block; only the first has the stride";
  let description = [{
    `fixed_depth` keeps `repeats` out of depth scaling (EfficientNet-Lite's first
    and last stages).
  }];
  let arguments = (ins I64Attr:$repeats, UnitAttr:$fixed_depth);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    BlockOpInterface getBlock();
  }];
}

def Effnet_HeadOp : Effnet_Op<"head", [HasParent<"ModelOp">]> {
  let summary = "1×1 convolution, global average pool, optional hidden FC, classifier";
  let description = [{
    `hidden_channels` adds a fully connected layer with `hidden_activation`
    before the classifier (MobileNetV3). `dropout` has no effect at inference
    and is kept for the record.
  }];
  let arguments = (ins I64Attr:$channels, Cnn_ActivationAttr:$activation,
                       OptionalAttr<I64Attr>:$hidden_channels,
                       OptionalAttr<Cnn_ActivationAttr>:$hidden_activation,
                       F64Attr:$dropout, UnitAttr:$fixed_width);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Blocks.
//===----------------------------------------------------------------------===//

class Effnet_BlockOp<string mnemonic, string what>
    : Effnet_Op<mnemonic, [HasParent<"StageOp">, Effnet_BlockOpInterface]> {
  let summary = what;
  let arguments = (ins I64Attr:$out_channels, I64Attr:$kernel, I64Attr:$stride,
                       Cnn_ActivationAttr:$activation,
                       OptionalAttr<F64Attr>:$expand_ratio,
                       OptionalAttr<I64Attr>:$expand_channels,
                       OptionalAttr<Effnet_SqueezeExciteAttr>:$se,
                       OptionalAttr<Effnet_CbamAttr>:$cbam);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def Effnet_MBConvOp : Effnet_BlockOp<"mbconv",
    "MBConv: 1×1 expand, k×k depthwise, attention, 1×1 project, residual"> {
  let description = [{
    The expansion is given as `expand_ratio` (of the input channels) or as
    `expand_channels`; when it equals the input channels there is no expand
    convolution. The residual add exists when stride is 1 and input and output
    channels match.
  }];
}

def Effnet_FusedMBConvOp : Effnet_BlockOp<"fused_mbconv",
    "Fused-MBConv: k×k expand, attention, 1×1 project, residual"> {
  let description = [{
    When the expansion equals the input channels, a single k×k convolution
    with activation maps input to output channels (EfficientNetV2).
  }];
}

#endif // CNNC_EFFNET_OPS_TD
