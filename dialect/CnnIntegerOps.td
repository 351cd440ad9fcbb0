//===- CnnIntegerOps.td - the integer ops of an INT8 model -*- tablegen -*-===//
//
// What cnn-lower-quantized makes of a quantized model's quantize/dequantize
// pairs: ops that compute on the 8-bit values themselves. Their arithmetic is
// defined once, in dialect/IntegerArithmetic.h, which the reference evaluator
// runs and the integer kernels must match bit for bit. Real multipliers are
// kept as f64 attributes; every user derives the same fixed-point multiplier
// from them (support/FixedPoint.h).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CNN_INTEGER_OPS_TD
#define CNNC_CNN_INTEGER_OPS_TD

class Cnn_IntegerConvOp<string mnemonic, string what>
    : Cnn_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what;
  let description = [{
    On a ui8 NCHW input with zero point `input_zero_point`, an i8 filter
    (zero point 0) and an optional i32 bias: the i32 accumulator
    bias[o] + Σ (x − input_zero_point) · w. Padding is with the input's zero
    point, i.e. with real zeros: a padded position adds nothing. The bias is
    clamped to [−2^30, 2^30] and at most kMaxProducts products are summed an
    output (dialect/IntegerArithmetic.h; the verifier checks), so the sum
    never overflows i32.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$filter, Optional<Cnn_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       I64Attr:$input_zero_point);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_IntegerConv2DOp
    : Cnn_IntegerConvOp<"int_conv2d", "2-D convolution of ui8 by i8 into i32">;

def Cnn_IntegerDepthwiseConv2DOp
    : Cnn_IntegerConvOp<"int_depthwise_conv2d", "depthwise 2-D convolution of ui8 by i8 into i32">;

def Cnn_IntegerFullyConnectedOp : Cnn_Op<"int_fully_connected", [InferTypeOpAdaptor]> {
  let summary = "N×K ui8 input, M×K i8 weight, optional M i32 bias → N×M i32 accumulator";
  let description = [{
    bias[o] + Σ (x − input_zero_point) · w[o], as the integer convolutions
    sum: the bias clamped to [−2^30, 2^30], at most kMaxProducts products.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$weight, Optional<Cnn_Tensor>:$bias,
                       I64Attr:$input_zero_point);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_RequantizeOp : Cnn_Op<"requantize"> {
  let summary = "i32 accumulator to ui8: scaled, offset, clamped";
  let description = [{
    y = clamp(zero_point + acc · multiplier, min, max). One multiplier, or one
    per channel (dimension 1): s_x · s_w / s_y for a convolution, each in
    [2^-31, 2^15). [min, max] is [0, 255], or narrower where a ReLU or ReLU6
    was folded in. The product, by `requantization`:
    - `fixed_point` (the default; TFLite's reference rule): a Q31 mantissa and
      a shift (support/FixedPoint.h), the high multiply rounding half up, the
      shift half away from zero;
    - `float32` (XNNPACK's "fp32" rule): acc and the multiplier rounded to
      binary32, their binary32 product clamped to [min − zero_point,
      max − zero_point] and rounded half to even. Three vector instructions
      where the fixed-point rule needs 64-bit products. cnn.int_mul and
      cnn.int_add have the same choice; pools and concat rescale in fixed
      point.

    ```mlir
    %y = cnn.requantize %acc {multiplier = array<f64: 0.0021, 0.0017>, zero_point = 0,
                              min = 0, max = 255} : tensor<1x2x8x8xi32> -> tensor<1x2x8x8xui8>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseF64ArrayAttr:$multiplier, I64Attr:$zero_point,
                       I64Attr:$min, I64Attr:$max,
                       DefaultValuedAttr<Cnn_RequantizationAttr,
                                         "::cnnc::cnn::Requantization::fixed_point">:$requantization);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Cnn_LookupOp : Cnn_Op<"lookup", [SameOperandsAndResultType]> {
  let summary = "ui8 → ui8 through a 256-entry table (SiLU, sigmoid, hard-swish, …)";
  let description = [{
    y = table[x]. cnn-lower-quantized computes the table from the activation
    and the two tensors' quantization: table[q] = quantize(f(dequantize(q))).
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$table);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

class Cnn_IntegerRescaleOp<string mnemonic, list<Trait> traits = []>
    : Cnn_Op<mnemonic, traits> {
  let results = (outs Cnn_Tensor:$result);
  let hasVerifier = 1;
}

def Cnn_IntegerAddOp : Cnn_IntegerRescaleOp<"int_add", [SameOperandsAndResultType]> {
  let summary = "ui8 sum of two ui8 tensors of their own scales (a residual add)";
  let description = [{
    `scales` and `zero_points` are [lhs, rhs, result]. By `requantization`
    (dialect/IntegerArithmetic.h, integerAdd):
    - `fixed_point`: each input rescaled to a common scale in fixed point, as
      TFLite adds (20 bits of headroom), then the sum requantized;
    - `float32`: each offset input (q − z) times s / s_y rounded to binary32,
      the two binary32 products summed in binary32 (never fused into one
      multiply-add), clamped to [−z_y, 255 − z_y], rounded half to even.
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs, DenseF64ArrayAttr:$scales,
                       DenseI64ArrayAttr:$zero_points,
                       DefaultValuedAttr<Cnn_RequantizationAttr,
                                         "::cnnc::cnn::Requantization::fixed_point">:$requantization);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Cnn_IntegerMulOp : Cnn_IntegerRescaleOp<"int_mul", [AllTypesMatch<["input", "result"]>]> {
  let summary = "ui8 input scaled by a ui8 gate broadcast as cnn.mul's (SE, CBAM)";
  let description = [{
    `scales` and `zero_points` are [input, gate, result]: the i32 product
    (x − z_x) · (g − z_g) requantized by s_x · s_g / s_y under
    `requantization`'s rule, as cnn.requantize (the product is at most
    255², exact in binary32).
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$gate, DenseF64ArrayAttr:$scales,
                       DenseI64ArrayAttr:$zero_points,
                       DefaultValuedAttr<Cnn_RequantizationAttr,
                                         "::cnnc::cnn::Requantization::fixed_point">:$requantization);
  let assemblyFormat = "$input `,` $gate attr-dict `:` type($input) `,` type($gate)";
}

class Cnn_IntegerPoolOp<string mnemonic, string what> : Cnn_IntegerRescaleOp<mnemonic> {
  let summary = what;
  let description = [{
    `scales` and `zero_points` are [input, result]. avg: the i32 sum
    Σ (x − z_x) of the pooled values requantized by s_x / (count · s_y);
    max: the largest value, less z_x, requantized by s_x / s_y (quantization
    is monotonic, so the largest u8 value is the largest real one).
  }];
  let arguments = (ins Cnn_PoolKindAttr:$kind, Cnn_Tensor:$input, DenseF64ArrayAttr:$scales,
                       DenseI64ArrayAttr:$zero_points);
  let assemblyFormat = "$kind $input attr-dict `:` type($input) `->` type($result)";
}

def Cnn_IntegerGlobalPoolOp
    : Cnn_IntegerPoolOp<"int_global_pool", "ui8 average or max over H and W: N×C×H×W → N×C×1×1">;

def Cnn_IntegerChannelPoolOp
    : Cnn_IntegerPoolOp<"int_channel_pool",
                        "ui8 average or max over C (CBAM): N×C×H×W → N×1×H×W">;

def Cnn_IntegerConcatOp : Cnn_IntegerRescaleOp<"int_concat"> {
  let summary = "ui8 concatenation along the channel axis, each input rescaled to the result";
  let description = [{
    `scales` and `zero_points` hold one entry per input, then the result's:
    each value becomes z_y + (q − z_i) · s_i / s_y in fixed point (exactly q
    where an input shares the result's parameters).
  }];
  let arguments = (ins Variadic<Cnn_Tensor>:$inputs, DenseF64ArrayAttr:$scales,
                       DenseI64ArrayAttr:$zero_points);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
}

#endif // CNNC_CNN_INTEGER_OPS_TD
