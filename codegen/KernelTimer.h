//===- KernelTimer.h - one kernel under one schedule, timed here -*- C++ -*-===//
//
// What the autotuner measures: a model's distinct kernel, defined as it is
// compiled, given a candidate schedule, JIT-compiled for this machine and run
// on deterministic inputs of its static shapes. Its result is checked against
// the same kernel under the target's default schedule before its time counts.
// Each timed run starts from the caches a kernel finds inside the model: the
// rest of the model's data read since its last call, its activation inputs
// just read.
// It runs in whatever process calls it; `cnnc tune` calls it in a child
// process, so that a Halide error, a crash or a hang costs one candidate.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_KERNELTIMER_H
#define CNNC_CODEGEN_KERNELTIMER_H

#include "codegen/KernelSignature.h"
#include "codegen/Schedule.h"
#include "codegen/TargetBackend.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace cnnc {

struct KernelTiming {
  enum class Status { ok, compileError, wrongResult };
  Status status = Status::ok;
  double medianMicros = 0, minMicros = 0, maxMicros = 0;
  /// The median of its times over the default schedule's, each run taken
  /// in turns with one of the default's: 1 for the default itself.
  double vsDefault = 0;
  int runs = 0;
  std::string message; // what went wrong, where it did
};

/// A model's distinct kernels for one target, ready to be timed one at a time.
class ModelKernelTimer {
public:
  /// Plans `model` (after the full cnnc pipeline) for `target`, which must be
  /// one this machine runs natively if its kernels are `measuredHere`; if
  /// not (a device behind a launcher times them), `time` is never called.
  static llvm::Expected<std::unique_ptr<ModelKernelTimer>>
  plan(mlir::func::FuncOp model, llvm::StringRef target, bool measuredHere = true);
  ~ModelKernelTimer();

  size_t kernels() const;
  /// Calls of kernel `k` in one run of the model.
  size_t calls(size_t k) const;
  const KernelSignature &signature(size_t k) const; // with the default schedule
  const ScheduleSpace &space(size_t k) const;
  const TargetSelection &target() const;

  /// Kernel `k` under `schedule` (legal in its space): `runs` timed runs after
  /// warm-up, its output compared with the default schedule's (computed the
  /// first time kernel `k` is timed, then kept). A schedule other than the
  /// default is timed side by side with it, their runs in turns: a slow
  /// spell of a shared machine, which moves a kernel's time by 10-20% from
  /// one minute to the next, falls on both, and their ratio holds.
  KernelTiming time(size_t k, const ScheduleParams &schedule, int runs);

private:
  struct Impl;
  explicit ModelKernelTimer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace cnnc

#endif // CNNC_CODEGEN_KERNELTIMER_H
