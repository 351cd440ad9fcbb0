//===- CompiledModelBench.h - the in-model check's real models -*- C++ -*-===//
//
// What `cnnc tune` checks candidates inside: the whole model compiled by this
// process, one directory per variant, each kernel's schedule given by the
// variant; timed by `cnnc bench --per-kernel` in a child process with a time
// limit, so that a hang or a crash ends the check with an error instead of
// taking the tuner with it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_COMPILEDMODELBENCH_H
#define CNNC_TOOLS_COMPILEDMODELBENCH_H

#include "InModelCheck.h"
#include "codegen/ModelCompiler.h"

namespace cnnc {

class CompiledModelBench final : public ModelBench {
public:
  /// `model` with `weights`, compiled as `options` say (their outputDir and
  /// tunedSchedules aside) for `kernels` (the timer's, in its order); each
  /// round `iterations` runs, within `timeout` seconds.
  static llvm::Expected<std::unique_ptr<CompiledModelBench>>
  create(mlir::func::FuncOp model, const WeightSet &weights, const CompileOptions &options,
         const std::vector<TunedKernel> &kernels, unsigned timeout, int iterations);
  ~CompiledModelBench() override;

  llvm::Expected<size_t> build(const std::vector<ScheduleParams> &schedules) override;
  llvm::Expected<ModelTiming> time(size_t v) override;

private:
  CompiledModelBench() = default;

  mlir::func::FuncOp model;
  const WeightSet *weights = nullptr;
  CompileOptions options;
  std::vector<std::string> computations; // per kernel
  unsigned timeout = 0;
  int iterations = 0;
  std::string root;                   // a temporary directory
  std::vector<std::string> modelDirs; // per variant
};

} // namespace cnnc

#endif // CNNC_TOOLS_COMPILEDMODELBENCH_H
