//===- ModelCompiler.h - a lowered model to a linkable library --*- C++ -*-===//
#ifndef CNNC_CODEGEN_MODELCOMPILER_H
#define CNNC_CODEGEN_MODELCOMPILER_H

#include "codegen/KernelSignature.h"
#include "codegen/TargetBackend.h"
#include "frontend/WeightImport.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "passes/ModelLimits.h"

#include <functional>
#include <optional>
#include <string>

namespace cnnc {

/// The schedule tuning chose for a kernel (by its computation) on a target,
/// if one is known: a tuning database's answer.
using TunedSchedules =
    std::function<std::optional<ScheduleParams>(const KernelSignature &, const TargetSelection &)>;

struct CompileOptions {
  std::string target = "host"; // host, an alias (arm64, x86-64-avx2) or a Halide target string
  std::string outputDir;
  /// The most bytes the model's runtime may hold at once (`--limit
  /// runner-bytes`); the target's address space bounds it too.
  uint64_t runnerBytes = static_cast<uint64_t>(ModelLimits().runnerBytes);
  /// Told each phase ("compiling kernels", ...) and, during that one, each
  /// kernel compiled (`done` of `total`), from any thread; may be empty.
  std::function<void(llvm::StringRef phase, size_t done, size_t total)> progress;
  /// Tuned schedules, used in place of the target's defaults where the
  /// target's space allows them; may be empty.
  TunedSchedules tunedSchedules;
};

struct CompileSummary {
  std::string identifier; // the C name: cnnc_<identifier>_create_from_file
  TargetSelection target;
  size_t kernelCalls = 0, uniqueKernels = 0;
  size_t weightsBytes = 0, arenaBytes = 0;
  size_t tunedKernels = 0;    // distinct kernels scheduled as tuned
  size_t tunedAsDefaults = 0; // of those, kernels whose tuned schedule is the default
};

/// Compiles `model` (after the full cnnc pipeline) for a target into
/// outputDir: <name>.h, cnnc_runtime.h, lib<name>.a, lib<name>.so,
/// <name>.weights (from `weights`, folded and laid out for the kernels) and
/// cnnc-runner, a program that runs the model on its target.
llvm::Expected<CompileSummary> compileModel(mlir::func::FuncOp model, const WeightSet &weights,
                                            const CompileOptions &options);

/// The kernels a compile would make, without compiling them: each call's
/// kernel and location, each distinct kernel's signature and schedule, and
/// the schedule space it was chosen from.
struct CompiledKernels {
  struct Call {
    size_t kernel;
    mlir::Location loc;
  };
  TargetSelection target;
  std::vector<Call> calls;
  std::vector<KernelSignature> kernels;
  std::vector<ScheduleSpace> spaces;
  std::vector<bool> tuned; // per kernel: its schedule came from `tunedSchedules`
};
llvm::Expected<CompiledKernels> planModelKernels(mlir::func::FuncOp model, llvm::StringRef target,
                                                 const TunedSchedules &tunedSchedules = nullptr);

/// The C identifier of a model name ("efficientnet-b0" → "efficientnet_b0").
std::string cIdentifier(llvm::StringRef name);

} // namespace cnnc

#endif // CNNC_CODEGEN_MODELCOMPILER_H
