//===- CompileCommand.cpp - cnnc compile ----------------------------------===//
#include "Args.h"
#include "CodegenModel.h"
#include "Commands.h"
#include "CompiledModel.h"
#include "Int8.h"
#include "ModelSession.h"
#include "Progress.h"
#include "TuningDb.h"
#include "codegen/ModelCompiler.h"
#include "codegen/TargetBackend.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

namespace cnnc {

int runCompileCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc compile MODEL [--target host|x86-64-avx2|arm64|cuda|opencl|HALIDE-TARGET] "
      "[--batch N]\n"
      "                    [--limit NAME=N,...] [--precision f32|int8 --calibrate DIR|BATCH.npy\n"
      "                     [--calibration-method M] [--keep-float GLOB,...] [--accuracy-budget "
      "DB]\n"
      "                     [--requantization float32|fixed-point]]\n"
      "                    (--weights W.safetensors [--weight-scheme auto|torchvision|timm|\n"
      "                     efficientnet-pytorch] | --random-weights SEED) -o DIR [--progress]\n"
      "                    [--tuning-db FILE]\n"
      "  MODEL is a preset, a spec or an ONNX file (*.onnx), which carries its weights.\n"
      "  INT8 layers requantize under the float32 rule, or fixed-point on a target without\n"
      "  float vectors (hexagon), unless --requantization says otherwise.\n"
      "  On a terminal a status line shows the phase, kernels compiled and time elapsed;\n"
      "  --progress prints it as plain lines elsewhere. --tuning-db schedules each kernel\n"
      "  as the database's best record for it on this machine and target, where it has one.\n";
  std::vector<llvm::StringRef> names = {"target", "o", "output", "batch", "tuning-db"};
  for (llvm::StringRef option : codegenModelOptions())
    names.push_back(option);
  std::optional<Args> args = parseCommandArgs("compile", rawArgs, names, {"progress"}, usage);
  if (!args)
    return kUsageError;
  std::string outputDir = args->value("o", args->value("output"));
  std::optional<int64_t> batch = batchOf(*args);
  if (args->positional.size() != 1 || outputDir.empty() || !weightsChoiceGiven(*args) || !batch) {
    llvm::errs() << usage;
    return kUsageError;
  }
  // The status line starts once the spec is lowered: a spec's errors are
  // printed as MLIR diagnostics, which it would run into.
  Progress progress("compile", args->flag("progress"));
  auto report = [&](llvm::Error error) {
    progress.clear();
    return reportError("compile", std::move(error));
  };
  llvm::Expected<TargetSelection> target = selectTarget(args->value("target", "host"));
  if (!target)
    return report(target.takeError());

  auto start = std::chrono::steady_clock::now();
  ModelSession session;
  llvm::Expected<std::optional<CodegenModel>> lowered =
      lowerForCodegen(session, *args, *target, *batch, /*randomWhenUnchosen=*/false,
                      [&](llvm::StringRef phase) { progress.phase(phase); });
  if (!lowered)
    return report(lowered.takeError());
  if (!*lowered)
    return 1;
  mlir::func::FuncOp model = (*lowered)->model;
  if ((*lowered)->quantization) {
    progress.clear();
    printQuantizationReport(llvm::outs(), *(*lowered)->quantization, /*worst=*/5);
  }

  CompileOptions options;
  options.target = args->value("target", "host");
  options.outputDir = outputDir;
  options.runnerBytes = static_cast<uint64_t>(session.limits().runnerBytes);
  std::shared_ptr<TuningDatabase> tuningDb;
  TuningContext applied;
  if (!args->value("tuning-db").empty()) {
    llvm::Expected<std::shared_ptr<TuningDatabase>> opened =
        openTuningDatabase("compile", args->value("tuning-db"));
    if (!opened)
      return report(opened.takeError());
    tuningDb = *opened;
    llvm::Expected<TuningContext> context = appliedContext(*tuningDb, *target);
    if (!context)
      return report(context.takeError());
    applied = *context;
    options.tunedSchedules = tunedSchedulesFrom(tuningDb, applied);
  }
  options.progress = [&](llvm::StringRef phase, size_t done, size_t total) {
    progress.steps(phase, done, total, "kernels");
  };
  llvm::Expected<CompileSummary> summary =
      compileModel(model, (*lowered)->weights.weights, options);
  if (!summary)
    return report(summary.takeError());
  if (llvm::Error error = writeManifest(outputDir, model, *summary))
    return report(std::move(error));
  if ((*lowered)->quantization)
    if (llvm::Error error = writeQuantizationReport(
            (llvm::Twine(outputDir) + "/quantization.json").str(), *(*lowered)->quantization))
      return report(std::move(error));

  progress.clear();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  llvm::outs() << "compiled " << model.getSymName() << " for " << options.target << " into "
               << outputDir << " in " << llvm::format("%.1f", seconds)
               << " s: " << summary->kernelCalls << " kernel calls (" << summary->uniqueKernels
               << " distinct kernels), " << summary->weightsBytes << " bytes of "
               << (*lowered)->weights.from << " weights, " << summary->arenaBytes
               << " bytes of arena\n";
  if (tuningDb) {
    llvm::outs() << summary->tunedKernels << " of " << summary->uniqueKernels
                 << " kernels scheduled from " << tuningDb->path() << " ("
                 << foreignRecords(*tuningDb, applied)
                 << " records from another cnnc, Halide, target or machine not used); "
                 << summary->tunedAsDefaults << " of them as by default\n";
    if (applied.device != tuningContext(summary->target).device)
      llvm::outs() << "the records applied were measured on " << applied.device << "\n";
  }
  return 0;
}

} // namespace cnnc
