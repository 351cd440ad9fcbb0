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
  }];
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

#endif // CNNC_PASSES_TD
