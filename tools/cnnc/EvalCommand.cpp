//===- EvalCommand.cpp - cnnc eval: the reference path --------------------===//
#include "Args.h"
#include "Commands.h"
#include "ModelSession.h"
#include "Npy.h"
#include "codegen/ReferenceEvaluator.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {
namespace {

constexpr const char *kUsage =
    "usage: cnnc eval MODEL --weights W.safetensors [--weight-scheme SCHEME] --input X.npy\n"
    "                 --output Y.npy\n";

int report(llvm::Error error) { return reportError("eval", std::move(error)); }

} // namespace

int runEvalCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  std::optional<Args> args = parseCommandArgs(
      "eval", rawArgs, {"weights", "weight-scheme", "input", "output", "limit"}, {}, kUsage);
  if (!args)
    return kUsageError;
  if (args->positional.size() != 1 || args->value("weights").empty() ||
      args->value("input").empty() || args->value("output").empty()) {
    llvm::errs() << kUsage;
    return kUsageError;
  }

  ModelSession session;
  if (failed(session.load(args->positional[0], args->value("limit"))) ||
      failed(session.lower(ModelSession::Pipeline::frontend)))
    return 1;
  mlir::func::FuncOp model = session.loweredModel();

  llvm::Expected<std::optional<WeightScheme>> scheme = weightSchemeOption(*args);
  if (!scheme)
    return report(scheme.takeError());
  llvm::Expected<ImportedWeights> weights =
      importWeightsFile(model, args->value("weights"), *scheme);
  if (!weights)
    return report(weights.takeError());
  llvm::Expected<HostTensor> input = readNpy(args->value("input"));
  if (!input)
    return report(input.takeError());
  auto expected = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType()).getShape();
  if (llvm::Error error =
          checkInputShape(args->value("input"), *input, expected, model.getSymName()))
    return report(std::move(error));

  llvm::Expected<HostTensor> output = evaluateReference(model, weights->weights, *input);
  if (!output)
    return report(output.takeError());
  if (llvm::Error error = writeNpy(args->value("output"), *output))
    return report(std::move(error));
  return 0;
}

} // namespace cnnc
