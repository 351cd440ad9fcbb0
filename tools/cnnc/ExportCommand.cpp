//===- ExportCommand.cpp - cnnc export ------------------------------------===//
//
// A model and its weights as an ONNX model (interchange/OnnxExport.h), for
// ONNX Runtime and the tools around it, and as a check of cnnc's lowering by
// another runtime. In FP32 the model as written, before cnnc folds or fuses
// anything; in INT8 the model as cnnc quantized it (batch norms folded, each
// quantized tensor between QuantizeLinear and DequantizeLinear, weights and
// biases stored as integers): what ONNX tools call QDQ.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Commands.h"
#include "Int8.h"
#include "ModelSession.h"
#include "Progress.h"
#include "interchange/OnnxExport.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {

int runExportCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc export MODEL (--weights W.safetensors [--weight-scheme auto|torchvision|timm|"
      "efficientnet-pytorch] | --random-weights SEED) -o MODEL.onnx [--limit NAME=N,...]\n"
      "                   [--precision f32|int8 --calibrate DIR|BATCH.npy "
      "[--calibration-method M] [--keep-float GLOB,...]] [--progress]\n"
      "  INT8 writes the quantized model as QDQ (QuantizeLinear/DequantizeLinear pairs).\n";
  std::vector<llvm::StringRef> names = {"weights", "weight-scheme", "random-weights",
                                        "o",       "limit",         "precision"};
  names.insert(names.end(), std::begin(kInt8Options), std::end(kInt8Options));
  std::optional<Args> args = parseCommandArgs("export", rawArgs, names, {"progress"}, usage);
  if (!args)
    return kUsageError;
  if (args->positional.size() != 1 || args->value("o").empty() || !weightsChoiceGiven(*args)) {
    llvm::errs() << usage;
    return kUsageError;
  }
  Progress progress("export", args->flag("progress"));
  auto report = [&](llvm::Error error) {
    progress.clear();
    return reportError("export", std::move(error));
  };
  llvm::Expected<Precision> precision = precisionOf(*args);
  if (!precision)
    return report(precision.takeError());
  bool int8 = *precision == Precision::int8;
  if (llvm::Error error = checkInt8Options(*args, int8))
    return report(std::move(error));

  ModelSession session;
  if (failed(session.load(args->positional[0], args->value("limit"))) ||
      failed(
          session.lower(int8 ? ModelSession::Pipeline::folded : ModelSession::Pipeline::frontend)))
    return 1;
  mlir::func::FuncOp model = session.loweredModel();
  llvm::Expected<ChosenWeights> weights = weightsOption(*args, model, session.carriedWeights());
  if (!weights)
    return report(weights.takeError());
  mlir::OwningOpRef<mlir::func::FuncOp> quantized;
  if (int8) {
    llvm::Expected<QuantizationReport> measured =
        quantizeToInt8(model, weights->weights, *args, defaultRequantization(true), &quantized,
                       [&](llvm::StringRef phase) { progress.phase(phase); });
    if (!measured)
      return report(measured.takeError());
    progress.clear();
    printQuantizationReport(llvm::outs(), *measured, /*worst=*/5);
  }
  progress.phase("writing ONNX");
  if (llvm::Error error = exportOnnx(int8 ? *quantized : model, weights->weights, args->value("o")))
    return report(std::move(error));
  progress.clear();
  llvm::outs() << "exported " << model.getSymName() << " to " << args->value("o")
               << " (ONNX, opset 17, " << (int8 ? "INT8 as QDQ" : "FP32") << ")\n";
  return 0;
}

} // namespace cnnc
