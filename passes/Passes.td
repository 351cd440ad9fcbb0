//===- Passes.td - cnnc passes -----------------------------*- tablegen -*-===//

#ifndef CNNC_PASSES_TD
#define CNNC_PASSES_TD

include "mlir/Pass/PassBase.td"

def EffnetCompoundScale : Pass<"effnet-compound-scale", "::mlir::ModuleOp"> {
  let summary = "Apply compound scaling: concrete repeats, channels and resolution";
  let description = [{
    For every effnet.model, turns its scaling (φ with α, β, γ: depth α^φ,
    width β^φ, resolution γ^φ; or explicit multipliers) into concrete values:
    channels of the stem, blocks and head are multiplied by the width
    multiplier and rounded to a multiple of `channel_divisor` never below 90%
    of the scaled value; repeats are multiplied by the depth multiplier and
    rounded up; the resolution is multiplied and rounded to the nearest integer.
    `fixed_width` / `fixed_depth` parts keep their values (EfficientNet-Lite).
    The scaling attributes are removed; a model without them is left as is.
    Every resulting size is checked against the resource limits (`limits`,
    see passes/ModelLimits.h) before it is converted to an integer: a size
    over a limit is an error at the model (when scaling caused it) or at the
    op that declares it, and the pass fails.
  }];
  let options = [
    Option<"limits", "limits", "std::string", /*default=*/"\"\"",
           "resource limits over the defaults: name=N,... (resolution, channels, repeats, blocks, classes)">,
  ];
  let dependentDialects = ["::cnnc::effnet::EffnetDialect"];
}

def ConvertEffnetToCnn : Pass<"convert-effnet-to-cnn", "::mlir::ModuleOp"> {
  let summary = "Lower effnet.model to a func.func of cnn ops with static shapes";
  let description = [{
    Each scaled effnet.model becomes `func.func @<model>(input) -> logits`:
    stage repeats are unrolled, every convolution gets its batch norm and
    activation, SE and CBAM become pooling/convolution/gating pieces, and the
    residual add appears where stride is 1 and channels match. Weights are
    `cnn.weight` ops named as in torchvision's EfficientNet state_dict. Every op
    is located at its spec line, named by its path (`stages.2.blocks.1.expand`).
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"1", "static batch size of the input">,
  ];
  let dependentDialects = ["::cnnc::cnn::CnnDialect", "::mlir::func::FuncDialect"];
}

def CnnFoldBatchNorm : Pass<"cnn-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold each batch norm into the convolution before it";
  let description = [{
    `batch_norm(conv(x, w, b))`, where the convolution has no other user,
    becomes `conv(x, w', b')` with `w', b' = cnn.fold_batchnorm(w, ..., b)`:
    a weights-only computation, done when the weights file is written.
  }];
}

def CnnQuantize : Pass<"cnn-quantize", "::mlir::func::FuncOp"> {
  let summary = "Quantize a calibrated model to 8 bits, as quantize/dequantize pairs";
  let description = [{
    Reads what calibration recorded (passes/Quantization.h): a tensor's range
    `cnn.calibrated_range = array<f64: lo, hi>` on the op that makes it (on
    the function for its input), and a filter's per-output-channel
    `cnn.filter_absmax` on the convolution or fully connected layer that
    reads it. An op whose location name, or the name of the block its
    attention sub-layer (`.se`, `.cbam`) belongs to, matches a `keep-float`
    glob is kept in float: marked `cnn.kept_float`, its filter left as is, and
    its result quantized only where an op that is not kept reads it (the edge
    of the kept region, so integer ops resume right after it). Every other op:
    - each calibrated activation becomes quantize → dequantize to ui8: the
      range widened to hold 0, scale (hi − lo) / 255, zero point
      round(−lo / scale). A layer's (conv, depthwise, FC) result whose one
      use is relu or relu6 is not quantized itself: that activation's result
      is (the integer path folds the clamp into requantization). Flatten
      results (views) and the returned logits stay float;
    - each filter becomes quantize → dequantize to i8 per output channel,
      symmetric: scale absmax / 127 (1 for an all-zero channel), zero point 0,
      and at least s_pre / s_x · 2^-22 (passes/Quantization.h: a nearly dead
      channel's bias must fit the integer layer's accumulator);
      a layer with `cnn.bias_correction = "NAME"` and a bias gets the weight
      NAME added to its bias (calibration's estimate of the mean error the
      quantized filter makes).
    Quantized tensors are then simulated in float: the reference evaluator
    runs the result as is; integer kernels replace the pairs.
  }];
  let options = [
    ListOption<"keepFloat", "keep-float", "std::string",
               "globs of op location names (stages.1.blocks.0, *.se, head) to keep in float">,
  ];
}

def CnnLowerQuantized : Pass<"cnn-lower-quantized", "::mlir::func::FuncOp"> {
  let summary = "Replace a quantized model's simulated ops by integer ops";
  let description = [{
    Runs after cnn-quantize. An op whose activation operands are
    dequantize(ui8, one scale) and whose result is quantized to ui8 becomes
    the integer op that computes that ui8 result from the ui8 operands
    (dialect/CnnIntegerOps.td, arithmetic in dialect/IntegerArithmetic.h):
    - conv2d, depthwise_conv2d, fully_connected with a per-channel i8 filter
      (dequantize(quantize(w))): int_* accumulating in i32, the bias quantized
      to i32 at s_x · s_w[o], then requantize by s_x · s_w[o] / s_y, a ReLU or
      ReLU6 between the layer and its quantize folded into the clamp. A layer
      whose result is returned (the classifier) gets its accumulator
      dequantized at s_x · s_w[o]; a flatten before it reads the ui8 values;
    - activation: lookup through table[q] = quantize(f(dequantize(q)));
    - add, mul, global_pool, channel_pool, concat: int_add, int_mul,
      int_global_pool, int_channel_pool, int_concat.
    An op whose requantization multiplier would fall outside [2^-31, 2^15), every
    op marked `cnn.kept_float` by cnn-quantize, and every op not listed (or not
    quantized), stays as it was, in float between its dequantize and quantize: the model
    stays correct, partly simulated. So does a layer that sums more than
    kMaxProducts (IntegerArithmetic.h) products an output. Ops the rewrites
    leave without users are removed. `requantization` is the rule of every
    cnn.requantize, cnn.int_mul and cnn.int_add it creates: fixed-point (the
    default) or float32.
  }];
  let options = [
    Option<"requantization", "requantization", "std::string", /*default=*/"\"fixed-point\"",
           "cnn.requantize's rule: fixed-point or float32">,
  ];
}

def CnnFuse : Pass<"cnn-fuse", "::mlir::func::FuncOp"> {
  let summary = "Group ops into kernels (cnn.group = N on every compute op)";
  let description = [{
    Each group becomes one generated kernel and writes one tensor. A group
    starts at the first op not yet grouped and takes in:
    - after a convolution, depthwise convolution or fully connected layer:
      its activation and batch norm, then a residual add (the convolution's
      epilogue); after an integer one (int_*), its requantize or dequantize,
      a lookup, an int_add;
    - while the group's result is pooled to 1×1 (or flat): every op on that
      small result (the SE/CBAM MLP and its gate, the classifier);
    - a `mul` by a per-channel gate (the SE scale) takes in the convolution
      that reads it, which then folds the scale into its weights per image
      (W · diag(s)) so the scaled tensor is never written; an `int_mul` by
      any gate takes in the integer convolution that reads it, which applies
      the gate as it reads its input.
    Only an op whose group result is its single use is taken in. Weight ops
    and weights-only ops (cnn.fold_batchnorm) belong to no group.

    With `fuse-expansions` (what CPU targets ask for), a float 1×1 expansion
    and its activation also take in the 3×3 depthwise convolution that alone
    reads them, and its epilogue, where the expanded map is at least 64 rows
    high and 2 MiB an image (EfficientNet-B0's and the MobileNets' 112×112
    expansions): the
    kernel computes the expansion a few rows at a time for the depthwise
    convolution, and the expanded tensor is never written whole.

    With `fuse-projections` (likewise), a float 3×3 depthwise convolution at
    stride 1 and its activation also take in the 1×1 projection that alone
    reads them, and its epilogue, where the depthwise result is at least 64
    rows high and 512 KiB an image (the MobileNets' first blocks): the kernel
    computes the depthwise convolution a row at a time for the projection.
  }];
  let options = [
    Option<"fuseExpansions", "fuse-expansions", "bool", /*default=*/"false",
           "fuse large 1×1 expansions into the 3×3 depthwise convolution that reads them">,
    Option<"fuseProjections", "fuse-projections", "bool", /*default=*/"false",
           "fuse large 3×3 depthwise convolutions into the 1×1 projection that reads them">,
  ];
}

def CnnPlanMemory : Pass<"cnn-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Give every kernel output an offset in one activation arena";
  let description = [{
    A group's result lives from its kernel to the last kernel that reads it.
    Results are placed largest first at the lowest 512-byte aligned offset that
    does not overlap a placed result alive at the same time. Sets
    `cnn.arena_offset` on each group's last op and `cnn.arena_size` on the
    function. The model's input and output are the caller's and take no space.
  }];
}

#endif // CNNC_PASSES_TD
