//===- CodegenModel.h - a model lowered as code generation takes it -*- C++ -*-===//
//
// `cnnc compile`, `cnnc tune` and tune's measuring child lower a model the
// same way: at FP32 through the full pipeline; at INT8 with its batch norms
// folded, calibrated and quantized as the INT8 options say, then fused and
// planned. One function does it for all three, so that the kernels tune
// measures are the kernels compile builds: an integer kernel's signature
// carries its quantization constants, which the weights and the calibration
// decide.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_CODEGENMODEL_H
#define CNNC_TOOLS_CODEGENMODEL_H

#include "Args.h"
#include "ModelSession.h"
#include "codegen/TargetBackend.h"
#include "codegen/quant/QuantizationReport.h"

#include <functional>
#include <optional>
#include <vector>

namespace cnnc {

struct CodegenModel {
  mlir::func::FuncOp model;
  ChosenWeights weights;                          // with calibration's bias corrections at INT8
  std::optional<QuantizationReport> quantization; // at INT8
};

/// Checks --precision (f32 or int8) and the INT8 options of `args` against
/// `target` (at INT8 the weights must be chosen: they decide the calibration
/// and with it the integer kernels), then lowers MODEL (args.positional[0]) in `session` for code
/// generation with the weights weightsOption chooses, or, where `args` choose
/// none and `randomWhenUnchosen`, random weights of seed 1. Nothing once the
/// session has printed why the model could not be lowered. `phase`, if given,
/// hears each phase of quantization start.
llvm::Expected<std::optional<CodegenModel>>
lowerForCodegen(ModelSession &session, const Args &args, const TargetSelection &target,
                int64_t batch, bool randomWhenUnchosen,
                const std::function<void(llvm::StringRef)> &phase = nullptr);

/// The large-map fusions `backend` asks cnn-fuse for
/// (TargetBackend::fusesExpansions, fusesProjections).
CnnFuseOptions fusionFor(const TargetBackend &backend);

/// Whether `args` ask for --precision int8.
bool int8Requested(const Args &args);

/// The options lowerForCodegen reads: the model's size limits, its
/// precision, its weights and the INT8 options.
std::vector<llvm::StringRef> codegenModelOptions();

} // namespace cnnc

#endif // CNNC_TOOLS_CODEGENMODEL_H
