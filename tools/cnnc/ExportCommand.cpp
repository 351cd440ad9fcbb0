//===- ExportCommand.cpp - cnnc export ------------------------------------===//
//
// A spec and its weights as an ONNX model (interchange/OnnxExport.h): the model as
// written, before cnnc folds or fuses anything, for ONNX Runtime and the
// tools around it, and as a check of cnnc's lowering by another runtime.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Commands.h"
#include "ModelSession.h"
#include "interchange/OnnxExport.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {

int runExportCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc export MODEL (--weights W.safetensors [--weight-scheme auto|torchvision|timm|"
      "efficientnet-pytorch] | --random-weights SEED) -o MODEL.onnx [--limit NAME=N,...]\n";
  std::optional<Args> args = parseCommandArgs(
      "export", rawArgs, {"weights", "weight-scheme", "random-weights", "o", "limit"}, {}, usage);
  if (!args)
    return kUsageError;
  if (args->positional.size() != 1 || args->value("o").empty() || !weightsChoiceGiven(*args)) {
    llvm::errs() << usage;
    return kUsageError;
  }
  auto report = [](llvm::Error error) { return reportError("export", std::move(error)); };

  ModelSession session;
  if (failed(session.load(args->positional[0], args->value("limit"))) ||
      failed(session.lower(ModelSession::Pipeline::frontend)))
    return 1;
  mlir::func::FuncOp model = session.loweredModel();
  llvm::Expected<ChosenWeights> weights = weightsOption(*args, model, session.carriedWeights());
  if (!weights)
    return report(weights.takeError());
  if (llvm::Error error = exportOnnx(model, weights->weights, args->value("o")))
    return report(std::move(error));
  llvm::outs() << "exported " << model.getSymName() << " to " << args->value("o")
               << " (ONNX, opset 17, FP32)\n";
  return 0;
}

} // namespace cnnc
