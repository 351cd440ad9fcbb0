//===- EvalCommand.cpp - cnnc eval: the reference path --------------------===//
#include "Args.h"
#include "Commands.h"
#include "Int8.h"
#include "ModelSession.h"
#include "Npy.h"
#include "Progress.h"
#include "codegen/ReferenceEvaluator.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
namespace {

constexpr const char *kUsage =
    "usage: cnnc eval MODEL --weights W.safetensors [--weight-scheme SCHEME] --input X.npy\n"
    "       cnnc eval MODEL.onnx --input X.npy (the ONNX model carries its weights)\n"
    "                 --output Y.npy [--precision f32|int8 --calibrate DIR|BATCH.npy\n"
    "                 [--calibration-method minmax|percentile[:P]|entropy]\n"
    "                 [--keep-float GLOB,...] [--accuracy-budget DB]\n"
    "                 [--requantization float32|fixed-point] [--report quantization.json]]\n"
    "                 [--progress]\n"
    "       X.npy holds one batch of the model's input, or several stacked (N·B, C, H, W)\n"
    "  INT8 layers requantize under the float32 rule unless --requantization says\n"
    "  fixed-point (what compile --target hexagon takes).\n"
    "  On a terminal a status line shows the phase, batches evaluated and time elapsed;\n"
    "  --progress prints it as plain lines elsewhere.\n";

/// Evaluates each batch of `input` and stacks the outputs.
llvm::Expected<HostTensor> evaluateBatches(mlir::func::FuncOp model, const WeightSet &weights,
                                           llvm::StringRef source, const HostTensor &input,
                                           Progress &progress) {
  auto inputShape = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType()).getShape();
  auto outputShape = llvm::cast<mlir::RankedTensorType>(model.getResultTypes()[0]).getShape();
  llvm::Expected<std::vector<HostTensor>> batches =
      splitBatches(source, input, inputShape, model.getSymName());
  if (!batches)
    return batches.takeError();
  std::vector<int64_t> shape(outputShape.begin(), outputShape.end());
  shape[0] *= static_cast<int64_t>(batches->size());
  HostTensor output(shape);
  size_t offset = 0;
  for (size_t i = 0; i < batches->size(); ++i) {
    progress.steps("evaluating", i, batches->size(), "batches");
    llvm::Expected<HostTensor> out = evaluateReference(model, weights, (*batches)[i]);
    if (!out)
      return out.takeError();
    std::copy(out->f32().begin(), out->f32().end(), output.f32().begin() + offset);
    offset += out->f32().size();
  }
  progress.steps("evaluating", batches->size(), batches->size(), "batches");
  return output;
}

} // namespace

int runEvalCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  std::vector<llvm::StringRef> options = {"weights", "weight-scheme", "input", "output",
                                          "limit",   "precision",     "report"};
  options.insert(options.end(), std::begin(kInt8Options), std::end(kInt8Options));
  std::optional<Args> args = parseCommandArgs("eval", rawArgs, options, {"progress"}, kUsage);
  if (!args)
    return kUsageError;
  if (args->positional.size() != 1 || !weightsChoiceGiven(*args) || args->value("input").empty() ||
      args->value("output").empty()) {
    llvm::errs() << kUsage;
    return kUsageError;
  }
  Progress progress("eval", args->flag("progress"));
  auto report = [&](llvm::Error error) {
    progress.clear();
    return reportError("eval", std::move(error));
  };
  llvm::Expected<Precision> precision = precisionOf(*args);
  if (!precision)
    return report(precision.takeError());
  bool int8 = *precision == Precision::int8;
  if (llvm::Error error = checkInt8Options(*args, int8))
    return report(std::move(error));
  if (!int8 && !args->value("report").empty())
    return report(
        llvm::createStringError(std::errc::invalid_argument, "--report needs --precision int8"));

  ModelSession session;
  if (failed(session.load(args->positional[0], args->value("limit"))) ||
      failed(
          session.lower(int8 ? ModelSession::Pipeline::folded : ModelSession::Pipeline::frontend)))
    return 1;
  mlir::func::FuncOp model = session.loweredModel();

  llvm::Expected<ChosenWeights> weights = weightsOption(*args, model, session.carriedWeights());
  if (!weights)
    return report(weights.takeError());
  llvm::Expected<HostTensor> input = readNpy(args->value("input"));
  if (!input)
    return report(input.takeError());

  if (int8) {
    llvm::Expected<QuantizationReport> quantized =
        quantizeToInt8(model, weights->weights, *args, defaultRequantization(true), nullptr,
                       [&](llvm::StringRef phase) { progress.phase(phase); });
    if (!quantized)
      return report(quantized.takeError());
    progress.clear();
    printQuantizationReport(llvm::outs(), *quantized, /*worst=*/10);
    if (!args->value("report").empty())
      if (llvm::Error error = writeQuantizationReport(args->value("report"), *quantized))
        return report(std::move(error));
  }

  llvm::Expected<HostTensor> output =
      evaluateBatches(model, weights->weights, args->value("input"), *input, progress);
  if (!output)
    return report(output.takeError());
  if (llvm::Error error = writeNpy(args->value("output"), *output))
    return report(std::move(error));
  return 0;
}

} // namespace cnnc
