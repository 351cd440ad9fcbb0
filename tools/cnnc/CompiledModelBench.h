//===- CompiledModelBench.h - the in-model check's real models -*- C++ -*-===//
//
// What `cnnc tune` checks candidates inside: the whole model compiled by this
// process, one directory per variant, each kernel's schedule given by the
// variant; timed by `cnnc bench --per-kernel` (a round) or `cnnc bench
// --against` (two variants side by side) in a child process with a time
// limit, so that a hang or a crash ends the check with an error instead of
// taking the tuner with it. Tuning a device behind a launcher, that child
// runs there (ChildCommand.h).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_COMPILEDMODELBENCH_H
#define CNNC_TOOLS_COMPILEDMODELBENCH_H

#include "InModelCheck.h"
#include "codegen/ModelCompiler.h"

#include "llvm/Support/JSON.h"

namespace cnnc {

class CompiledModelBench final : public ModelBench {
public:
  /// `model` with `weights`, compiled as `options` say (their outputDir and
  /// tunedSchedules aside) for `kernels` (the timer's, in its order); each
  /// round `iterations` runs, within `timeout` seconds; `cnnc bench` runs
  /// behind `launcher` (empty: here). The models are built in a temporary
  /// directory, or one beside the file `beside` (a device behind a launcher
  /// sees no temporary directory of this machine's).
  static llvm::Expected<std::unique_ptr<CompiledModelBench>>
  create(mlir::func::FuncOp model, const WeightSet &weights, const CompileOptions &options,
         const std::vector<TunedKernel> &kernels, unsigned timeout, int iterations,
         std::vector<std::string> launcher = {}, llvm::StringRef beside = "");
  ~CompiledModelBench() override;

  llvm::Expected<size_t> build(const std::vector<ScheduleParams> &schedules) override;
  llvm::Expected<ModelTiming> time(size_t v) override;
  llvm::Expected<std::pair<double, double>> timeSideBySide(size_t a, size_t b) override;

private:
  CompiledModelBench() = default;
  /// `cnnc bench` with `benchArgs` (a model directory first) in a child
  /// process, within the time limit: what it printed as JSON.
  llvm::Expected<llvm::json::Value> benchInChild(const std::vector<std::string> &benchArgs);

  /// Side by side, each variant runs as often as in this many rounds (the
  /// check runs as many side-by-side rounds as rounds, InModelCheck.h).
  static constexpr int kSideBySideRounds = 2;

  mlir::func::FuncOp model;
  const WeightSet *weights = nullptr;
  CompileOptions options;
  std::vector<std::string> computations; // per kernel
  unsigned timeout = 0;
  int iterations = 0;
  std::vector<std::string> launcher;  // cnnc bench's prefix
  std::string root;                   // a temporary directory
  std::vector<std::string> modelDirs; // per variant
};

} // namespace cnnc

#endif // CNNC_TOOLS_COMPILEDMODELBENCH_H
