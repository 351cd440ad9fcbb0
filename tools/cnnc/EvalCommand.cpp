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
    "usage: cnnc eval MODEL --weights W.safetensors --input X.npy --output Y.npy\n";

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

int report(llvm::Error error) {
  llvm::errs() << "cnnc eval: error: " << llvm::toString(std::move(error)) << "\n";
  return 1;
}

} // namespace

int runEvalCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  llvm::Expected<Args> args = parseArgs(rawArgs, {"weights", "input", "output"}, {});
  if (!args) {
    llvm::errs() << "cnnc eval: " << llvm::toString(args.takeError()) << "\n" << kUsage;
    return 2;
  }
  if (args->positional.size() != 1 || args->value("weights").empty() ||
      args->value("input").empty() || args->value("output").empty()) {
    llvm::errs() << kUsage;
    return 2;
  }

  ModelSession session;
  if (failed(session.load(args->positional[0])) ||
      failed(session.lower(ModelSession::Pipeline::frontend)))
    return 1;
  mlir::func::FuncOp model = session.loweredModel();

  llvm::Expected<SafetensorsFile> file = SafetensorsFile::open(args->value("weights"));
  if (!file)
    return report(file.takeError());
  llvm::Expected<WeightSet> weights = importWeights(model, *file);
  if (!weights)
    return report(weights.takeError());
  llvm::Expected<HostTensor> input = readNpy(args->value("input"));
  if (!input)
    return report(input.takeError());
  auto expected = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType()).getShape();
  if (llvm::ArrayRef<int64_t>(input->shape) != expected)
    return report(
        llvm::createStringError(std::errc::invalid_argument, "%s has shape %s; model '%s' takes %s",
                                args->value("input").c_str(), shapeText(input->shape).c_str(),
                                model.getSymName().str().c_str(), shapeText(expected).c_str()));

  llvm::Expected<HostTensor> output = evaluateReference(model, *weights, *input);
  if (!output)
    return report(output.takeError());
  if (llvm::Error error = writeNpy(args->value("output"), *output))
    return report(std::move(error));
  return 0;
}

} // namespace cnnc
