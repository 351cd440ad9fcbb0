//===- CnnOps.td - cnn dialect operations ------------------*- tablegen -*-===//
//
// Every op with a non-trivial result shape infers it (InferTypeOpInterface), so
// builders need no result type and the verifier checks the written one.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CNN_OPS_TD
#define CNNC_CNN_OPS_TD

include "dialect/CnnBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class Cnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cnn_Dialect, mnemonic, !listconcat([Pure], traits)>;

def Cnn_Tensor : StaticShapeTensorOf<[AnyType]>;

def Cnn_WeightOp : Cnn_Op<"weight"> {
  let summary = "a named model tensor, loaded from the weights file";
  let description = [{
    `name` is the tensor's name in the weights file, as torchvision's
    state_dict names it (for models torchvision lacks, as it would). A `buffer`
    is not trained (batch-norm running statistics) and is not counted as a
    parameter. `aliases` gives the tensor's name under other checkpoint naming
    schemes (WeightSchemes.h: `timm`, `efficientnet_pytorch`); a scheme that
    cannot express the tensor has no entry.

    ```mlir
    %w = cnn.weight "features.0.0.weight" {aliases = {timm = "conv_stem.weight"}}
        : tensor<32x3x3x3xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, UnitAttr:$buffer, OptionalAttr<DictionaryAttr>:$aliases);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$name (`buffer` $buffer^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The tensor's name under `scheme`; none if that scheme cannot name it.
    std::optional<::llvm::StringRef> getNameIn(::cnnc::WeightScheme scheme);
  }];
}

class Cnn_ConvOp<string mnemonic, string what> : Cnn_Op<mnemonic, [InferTypeOpAdaptor]> {
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$filter, Optional<Cnn_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let summary = what;
}

def Cnn_Conv2DOp : Cnn_ConvOp<"conv2d", "2-D convolution, NCHW input, OIHW filter"> {
  let description = [{
    `strides` is [h, w]; `padding` is [top, left, bottom, right] in zeros.
  }];
}

def Cnn_DepthwiseConv2DOp
    : Cnn_ConvOp<"depthwise_conv2d", "depthwise 2-D convolution, NCHW input, C×1×KH×KW filter">;

def Cnn_BatchNormOp : Cnn_Op<"batch_norm", [
    AllTypesMatch<["input", "result"]>, AllTypesMatch<["scale", "shift", "mean", "variance"]>]> {
  let summary = "inference batch norm: (x - mean) / sqrt(var + eps) * scale + shift";
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$scale, Cnn_Tensor:$shift,
                       Cnn_Tensor:$mean, Cnn_Tensor:$variance, F64Attr:$epsilon);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $mean `,` $variance attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Cnn_FoldBatchNormOp : Cnn_Op<"fold_batchnorm", [
    AllTypesMatch<["filter", "folded_filter"]>,
    AllTypesMatch<["scale", "shift", "mean", "variance", "folded_bias"]>]> {
  let summary = "a convolution's filter and bias with the following batch norm folded in";
  let description = [{
    With s = scale / sqrt(variance + epsilon): folded_filter[o] = filter[o] · s[o]
    and folded_bias = (bias - mean) · s + shift (bias 0 when absent). It reads
    weights only, so it is evaluated when the weights file is written.
  }];
  let arguments = (ins Cnn_Tensor:$filter, Cnn_Tensor:$scale, Cnn_Tensor:$shift, Cnn_Tensor:$mean,
                       Cnn_Tensor:$variance, Optional<Cnn_Tensor>:$bias, F64Attr:$epsilon);
  let results = (outs Cnn_Tensor:$folded_filter, Cnn_Tensor:$folded_bias);
  let assemblyFormat = [{
    $filter `,` $scale `,` $shift `,` $mean `,` $variance (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_ActivationOp : Cnn_Op<"activation", [SameOperandsAndResultType]> {
  let summary = "elementwise activation";
  let arguments = (ins Cnn_ActivationAttr:$kind, Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
}

def Cnn_GlobalPoolOp : Cnn_Op<"global_pool", [InferTypeOpAdaptor]> {
  let summary = "average or max over H and W: N×C×H×W → N×C×1×1";
  let arguments = (ins Cnn_PoolKindAttr:$kind, Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input) `->` type($result)";
}

def Cnn_ChannelPoolOp : Cnn_Op<"channel_pool", [InferTypeOpAdaptor]> {
  let summary = "average or max over C (CBAM spatial attention): N×C×H×W → N×1×H×W";
  let arguments = (ins Cnn_PoolKindAttr:$kind, Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input) `->` type($result)";
}

def Cnn_ConcatOp : Cnn_Op<"concat", [InferTypeOpAdaptor]> {
  let summary = "concatenation along the channel axis";
  let arguments = (ins Variadic<Cnn_Tensor>:$inputs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
}

def Cnn_AddOp : Cnn_Op<"add", [SameOperandsAndResultType, Commutative]> {
  let summary = "elementwise sum (residual connection)";
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Cnn_MulOp : Cnn_Op<"mul", [AllTypesMatch<["input", "result"]>]> {
  let summary = "input scaled by a gate broadcast over H×W (N×C×1×1) or over C (N×1×H×W)";
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$gate);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input `,` $gate attr-dict `:` type($input) `,` type($gate)";
  let hasVerifier = 1;
}

def Cnn_FlattenOp : Cnn_Op<"flatten", [InferTypeOpAdaptor]> {
  let summary = "N×C×H×W → N×(C·H·W)";
  let arguments = (ins Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Cnn_FullyConnectedOp : Cnn_Op<"fully_connected", [InferTypeOpAdaptor]> {
  let summary = "N×K input, M×K weight, optional M bias → N×M";
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$weight, Optional<Cnn_Tensor>:$bias);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Quantization boundaries.
//===----------------------------------------------------------------------===//

class Cnn_QuantOp<string mnemonic, string what> : Cnn_Op<mnemonic> {
  let summary = what;
  let arguments = (ins Cnn_Tensor:$input, DenseF64ArrayAttr:$scale,
                       DenseI64ArrayAttr:$zero_point, OptionalAttr<I64Attr>:$axis);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Cnn_QuantizeOp : Cnn_QuantOp<"quantize", "float to 8-bit integer, affine"> {
  let description = [{
    q = clamp(round(x / scale) + zero_point, qmin, qmax), rounding half away
    from zero (TFLite's rule), over the result's range: ui8 [0, 255] or
    i8 [-127, 127] (symmetric; -128 is never produced, so that a product
    of two i8 values and their sums stay representable where kernels rely on
    it). One scale and zero point for the tensor, or, with `axis`, one per
    index of that dimension (per-output-channel weights). An i32 result
    (an integer layer's bias, at scale s_x · s_w) is symmetric, zero point 0,
    clamped to [-2^31 + 1, 2^31 - 1].

    ```mlir
    %q = cnn.quantize %x {scale = array<f64: 0.05>, zero_point = array<i64: 128>}
        : tensor<1x32x112x112xf32> -> tensor<1x32x112x112xui8>
    ```
  }];
}

def Cnn_DequantizeOp : Cnn_QuantOp<"dequantize", "8-bit integer to float, affine"> {
  let description = [{
    x = scale · (q − zero_point), with the parameters laid out as for
    cnn.quantize; from i32, an integer layer's accumulator (the logits). A quantize / dequantize pair is the model's quantization
    of a tensor, simulated in float; integer kernels replace the pairs.
  }];
}

include "dialect/CnnIntegerOps.td"

#endif // CNNC_CNN_OPS_TD
