//===- CodegenModel.cpp - a model lowered as code generation takes it -----===//
#include "CodegenModel.h"
#include "Int8.h"

namespace cnnc {
namespace {

llvm::Error invalid(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

/// --precision and the INT8 options, as `target` takes them: whether the
/// model is to be quantized.
llvm::Expected<bool> checkPrecision(const Args &args, const TargetSelection &target) {
  llvm::Expected<Precision> precision = precisionOf(args);
  if (!precision)
    return precision.takeError();
  bool int8 = *precision == Precision::int8;
  if (llvm::Error error = checkInt8Options(args, int8))
    return std::move(error);
  if (int8 && !weightsChoiceGiven(args))
    return invalid("--precision int8 calibrates the model with its weights, which decide the "
                   "integer kernels: give --weights W.safetensors or --random-weights SEED, as "
                   "compile will");
  if (target.backend->quantizedOnly() && !int8)
    return invalid("target " + target.requested +
                   " runs INT8 models only: quantize with --precision int8 --calibrate "
                   "DIR|BATCH.npy");
  if (!target.backend->hasFloatVectors() && args.value("requantization") == "float32")
    return invalid("target " + target.requested +
                   " has no floating-point vectors: it requantizes under the fixed-point rule "
                   "only (leave out --requantization float32)");
  return int8;
}

} // namespace

CnnFuseOptions fusionFor(const TargetBackend &backend) {
  CnnFuseOptions fusion;
  fusion.fuseExpansions = backend.fusesExpansions();
  fusion.fuseProjections = backend.fusesProjections();
  return fusion;
}

bool int8Requested(const Args &args) { return args.value("precision") == "int8"; }

std::vector<llvm::StringRef> codegenModelOptions() {
  std::vector<llvm::StringRef> names = {"limit", "precision", "weights", "weight-scheme",
                                        "random-weights"};
  names.insert(names.end(), std::begin(kInt8Options), std::end(kInt8Options));
  return names;
}

llvm::Expected<std::optional<CodegenModel>>
lowerForCodegen(ModelSession &session, const Args &args, const TargetSelection &target,
                int64_t batch, bool randomWhenUnchosen,
                const std::function<void(llvm::StringRef)> &phase) {
  llvm::Expected<bool> int8 = checkPrecision(args, target);
  if (!int8)
    return int8.takeError();
  session.setFusion(fusionFor(*target.backend));
  if (failed(session.load(args.positional[0], args.value("limit"))) ||
      failed(session.lower(*int8 ? ModelSession::Pipeline::folded : ModelSession::Pipeline::full,
                           nullptr, batch)))
    return std::nullopt;
  CodegenModel lowered;
  lowered.model = session.loweredModel();
  if (randomWhenUnchosen && !weightsChoiceGiven(args)) {
    lowered.weights = {randomWeights(lowered.model, 1), "random"};
  } else {
    llvm::Expected<ChosenWeights> chosen =
        weightsOption(args, lowered.model, session.carriedWeights());
    if (!chosen)
      return chosen.takeError();
    lowered.weights = std::move(*chosen);
  }
  if (!*int8)
    return lowered;
  llvm::Expected<QuantizationReport> quantized =
      quantizeToInt8(lowered.model, lowered.weights.weights, args,
                     defaultRequantization(target.backend->hasFloatVectors()), nullptr, phase);
  if (!quantized)
    return quantized.takeError();
  lowered.quantization = std::move(*quantized);
  if (failed(session.planKernels()))
    return std::nullopt;
  return lowered;
}

} // namespace cnnc
