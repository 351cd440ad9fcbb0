//===- main.cpp - the cnnc driver -----------------------------------------===//
#include "Args.h"
#include "CodegenModel.h"
#include "Commands.h"
#include "ModelSession.h"
#include "TuningDb.h"
#include "codegen/ModelCompiler.h"
#include "cost/HardwareProfile.h"
#include "frontend/Presets.h"

#include "mlir/IR/AsmState.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <functional>
#include <string>

using namespace mlir;

namespace {

const char kUsage[] = R"(usage: cnnc COMMAND [ARGS]

commands:
  compile MODEL [--target T] [--batch N] (--weights W.safetensors | --random-weights SEED) -o DIR
      [--tuning-db FILE]
                                 compile into DIR: <name>.h, lib<name>.a,
                                 lib<name>.so, <name>.weights, cnnc-runner
                                 (T: host, x86-64, x86-64-avx2, x86-64-avx512,
                                 arm64, arm64-dotprod, arm64-fp16, cuda, opencl,
                                 or a Halide target string such as
                                 arm-64-linux-arm_dot_prod)
  run DIR (--input X.npy | --image PHOTO) [--output Y.npy] [--top K]
      [--layout nchw|nhwc] [--threads N] [--launcher PREFIX]
                                 run a compiled model on a .npy input, or on a
                                 PNG/JPEG (resized, center-cropped, ImageNet-
                                 normalized) printing the top K classes; a model
                                 for another architecture runs under its
                                 emulator (arm64: qemu-aarch64), or behind
                                 PREFIX (such as "ssh board")
  bench DIR [--threads N] [--iterations K] [--launcher PREFIX] [--json]
                                 latency (min, median, p90) and throughput
  stats MODEL [--json]           per-stage table and totals: parameters, MACs,
                                 activation memory (total and peak live)
  stats MODEL --hardware PROFILE [--precision f32|int8] [--json]
                                 the cost model's estimate per layer and in
                                 total on a device: MACs, FLOPs, bytes moved,
                                 cycles, latency, energy (docs/cost-model.md)
  report MODEL... --hardware PROFILE[,...] -o DIR [--precision f32|int8]
      [--baseline MODEL] [--measured DIR[,...]]
                                 the characterization report: size, FLOPs,
                                 latency, throughput and energy per model and
                                 device against a baseline model, as Markdown
                                 and JSON with SVG plots; --measured times
                                 compiled host models beside the estimate
  hardware [PROFILE]             list the hardware profiles, or print one as
                                 YAML (host: this machine, measured now)
  ir MODEL [--level LEVEL] [--target T] [--batch N] [--tuning-db FILE]
                                 print the model as MLIR (for batch N); LEVEL is spec (effnet
                                 dialect as written), scaled (after compound
                                 scaling), cnn (lowered, the default) or
                                 compiled (folded, fused, memory planned); or
                                 kernels: each distinct kernel's signature and
                                 the schedule target T gives it; with
                                 --precision int8 --calibrate and the weights,
                                 compiled or kernels of the INT8 model
  eval MODEL [--weights W.safetensors] --input X.npy --output Y.npy
                                 run the model with cnnc's unfused reference
                                 evaluator (slow; for checking)
  export MODEL (--weights W.safetensors [--weight-scheme S] | --random-weights SEED)
      -o MODEL.onnx [--limit NAME=N,...]
                                 the model as written and its weights as an
                                 ONNX model (opset 17, FP32) for ONNX Runtime
  tune MODEL --db FILE [--target T] [--time-budget S | --trials N] [--seed K]
      [--precision f32|int8 --calibrate DIR|BATCH.npy]
      [--weights W.safetensors | --random-weights SEED]
                                 search each kernel's schedule on this machine,
                                 every measurement appended to FILE (resumes),
                                 then check the best inside the model; compile
                                 --tuning-db FILE applies them
  tune --report --db FILE [--target T] | --distill --db FILE -o OUT | --context
                                 what a tuning database holds and where it
                                 applies; the best record per kernel; what
                                 records measured here are filed under
  presets                        list the preset names

MODEL is a preset name (see `cnnc presets`), the path of a YAML spec, or an
ONNX file (*.onnx: a CNN graph of this family, exported from PyTorch or
converted from TensorFlow) for compile, eval, stats, ir and export; an ONNX
model carries its weights, so it needs no --weights.
compile, stats, eval and ir refuse models beyond cnnc's resource limits
(resolution 4096, channels 32768, repeats 256 a stage, blocks 1024,
classes 1048576,
batch 1024, parameters 4e9, arena-bytes 64 GiB); --limit NAME=N,... raises them.
)";

/// Each distinct kernel of a lowered model: signature, schedule, schedule
/// space; then which kernel each call runs.
int printKernels(func::FuncOp model, StringRef target, StringRef tuningDb) {
  cnnc::TunedSchedules tuned;
  if (!tuningDb.empty()) {
    auto database = cnnc::openTuningDatabase("ir", tuningDb);
    if (!database)
      return cnnc::reportError("ir", database.takeError());
    llvm::Expected<cnnc::TargetSelection> selected = cnnc::selectTarget(target);
    if (!selected)
      return cnnc::reportError("ir", selected.takeError());
    llvm::Expected<cnnc::TuningContext> applied = cnnc::appliedContext(**database, *selected);
    if (!applied)
      return cnnc::reportError("ir", applied.takeError());
    tuned = cnnc::tunedSchedulesFrom(*database, *applied);
  }
  llvm::Expected<cnnc::CompiledKernels> kernels = cnnc::planModelKernels(model, target, tuned);
  if (!kernels)
    return cnnc::reportError("ir", kernels.takeError());
  llvm::outs() << "// " << model.getSymName() << " for " << kernels->target.requested << " ("
               << kernels->target.halideTarget << ", " << kernels->target.backend->name()
               << " backend): " << kernels->calls.size() << " kernel calls, "
               << kernels->kernels.size() << " distinct kernels\n";
  for (size_t k = 0; k < kernels->kernels.size(); ++k) {
    const cnnc::KernelSignature &signature = kernels->kernels[k];
    llvm::outs() << "kernel k" << k << " " << signature.label() << "\n"
                 << "  signature: " << signature.computation() << "\n"
                 << "  schedule:  " << signature.schedule << (kernels->tuned[k] ? "  (tuned)" : "")
                 << "\n"
                 << "  space:     " << kernels->spaces[k].enumerate().size()
                 << " legal schedules\n";
  }
  for (size_t i = 0; i < kernels->calls.size(); ++i)
    llvm::outs() << "call " << i << ": k" << kernels->calls[i].kernel << " at "
                 << kernels->calls[i].loc << "\n";
  return 0;
}

/// `cnnc ir MODEL --level compiled|kernels --precision int8 ...`: the model
/// quantized as compile quantizes it (CodegenModel.h), with the weights and
/// calibration compile would be given, which decide its integer kernels.
int printQuantized(const cnnc::Args &args, StringRef level, int64_t batch) {
  auto fail = [](const Twine &message) {
    return cnnc::reportError(
        "ir", llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str()));
  };
  if (level != "compiled" && level != "kernels")
    return fail("--precision int8 shows the compiled or the kernels level, not " + level);
  llvm::Expected<cnnc::TargetSelection> target = cnnc::selectTarget(args.value("target", "host"));
  if (!target)
    return cnnc::reportError("ir", target.takeError());
  cnnc::ModelSession session;
  llvm::Expected<std::optional<cnnc::CodegenModel>> lowered =
      cnnc::lowerForCodegen(session, args, *target, batch, /*randomWhenUnchosen=*/false);
  if (!lowered)
    return cnnc::reportError("ir", lowered.takeError());
  if (!*lowered)
    return 1;
  if (level == "kernels")
    return printKernels((*lowered)->model, args.value("target", "host"), args.value("tuning-db"));
  session.module()->print(llvm::outs(), OpPrintingFlags());
  return 0;
}

int runIrCommand(ArrayRef<StringRef> rawArgs) {
  std::vector<StringRef> names = {"level", "target", "tuning-db", "batch"};
  for (StringRef option : cnnc::codegenModelOptions())
    names.push_back(option);
  std::optional<cnnc::Args> args = cnnc::parseCommandArgs("ir", rawArgs, names, {}, kUsage);
  if (!args)
    return cnnc::kUsageError;
  std::string level = args->value("level", "cnn");
  std::optional<int64_t> batch = cnnc::batchOf(*args);
  if (args->positional.size() != 1 || !batch ||
      !llvm::is_contained({"spec", "scaled", "cnn", "compiled", "kernels"}, level)) {
    llvm::errs() << "usage: cnnc ir MODEL [--level spec|scaled|cnn|compiled|kernels] "
                    "[--target T] [--batch N]\n"
                    "       cnnc ir MODEL --level compiled|kernels --precision int8 "
                    "--calibrate DIR|BATCH.npy\n"
                    "                    (--weights W.safetensors | --random-weights SEED)\n";
    return cnnc::kUsageError;
  }
  if (cnnc::int8Requested(*args))
    return printQuantized(*args, level, *batch);
  cnnc::ModelSession session;
  if (failed(session.load(args->positional[0], args->value("limit"))))
    return 1;
  if (session.isOnnx() && (level == "spec" || level == "scaled")) {
    llvm::errs() << "cnnc ir: error: an ONNX model has no spec: its levels are cnn, compiled "
                    "and kernels\n";
    return 1;
  }
  OpPrintingFlags flags;
  if (level == "spec") {
    session.module()->print(llvm::outs(), flags);
    return 0;
  }
  bool printed = false;
  auto printScaled = [&](cnnc::effnet::ModelOp model) {
    model->print(llvm::outs(), flags);
    llvm::outs() << "\n";
    printed = true;
  };
  std::function<void(cnnc::effnet::ModelOp)> afterScaling;
  if (level == "scaled")
    afterScaling = printScaled;
  bool codegenLevel = level == "compiled" || level == "kernels";
  auto pipeline =
      codegenLevel ? cnnc::ModelSession::Pipeline::full : cnnc::ModelSession::Pipeline::frontend;
  if (codegenLevel) { // fused as compile fuses for the target
    llvm::Expected<cnnc::TargetSelection> target =
        cnnc::selectTarget(args->value("target", "host"));
    if (!target)
      return cnnc::reportError("ir", target.takeError());
    session.setFusion(cnnc::fusionFor(*target->backend));
  }
  if (failed(session.lower(pipeline, afterScaling, *batch)))
    return 1;
  if (level == "kernels")
    return printKernels(session.loweredModel(), args->value("target", "host"),
                        args->value("tuning-db"));
  if (!printed)
    session.module()->print(llvm::outs(), flags);
  return 0;
}

/// `cnnc hardware [PROFILE]`.
int runHardwareCommand(ArrayRef<StringRef> args) {
  if (args.empty()) {
    for (StringRef name : cnnc::hardwareProfileNames())
      llvm::outs() << name << "\n";
    llvm::outs() << cnnc::kHostProfile << "  (this machine, measured when named)\n";
    return 0;
  }
  std::optional<std::string> text =
      args.size() == 1 ? cnnc::hardwareProfileText(args[0]) : std::nullopt;
  if (!text) {
    llvm::errs() << "cnnc hardware: error: no hardware profile named '" << llvm::join(args, " ")
                 << "'; `cnnc hardware` lists them\n";
    return 1;
  }
  llvm::outs() << *text;
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    llvm::errs() << kUsage;
    return cnnc::kUsageError;
  }
  StringRef command = argv[1];
  std::vector<StringRef> args(argv + 2, argv + argc);
  if (command == "stats")
    return cnnc::runStatsCommand(args);
  if (command == "ir")
    return runIrCommand(args);
  if (command == "eval")
    return cnnc::runEvalCommand(args);
  if (command == "compile")
    return cnnc::runCompileCommand(args);
  if (command == "run")
    return cnnc::runRunCommand(args);
  if (command == "bench")
    return cnnc::runBenchCommand(args);
  if (command == "export")
    return cnnc::runExportCommand(args);
  if (command == "report")
    return cnnc::runReportCommand(args);
  if (command == "hardware")
    return runHardwareCommand(args);
  if (command == "tune")
    return cnnc::runTuneCommand(args);
  if (command == "presets") {
    for (StringRef name : cnnc::presetNames())
      llvm::outs() << name << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    llvm::outs() << kUsage;
    return 0;
  }
  llvm::errs() << "cnnc: unknown command '" << command << "'\n" << kUsage;
  return cnnc::kUsageError;
}
