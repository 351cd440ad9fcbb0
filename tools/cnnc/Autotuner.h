//===- Autotuner.h - the search behind `cnnc tune` --------------*- C++ -*-===//
//
// For each distinct kernel of a model: measure the target's default schedule
// and its seeds (the point Halide's Adams2019 autoscheduler chooses, where the
// kernel's space has one), then spend the trials where the model spends its time (kernels weighted
// by calls × default time, the trials interleaved in that proportion), each trial a legal neighbour
// of the best schedule so far (one parameter changed), drawn with a seeded generator. Every
// measurement is appended to the tuning database as it is made, and one
// already there is read instead of measured again: an interrupted run, run
// again, ends where an uninterrupted one does.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_AUTOTUNER_H
#define CNNC_TOOLS_AUTOTUNER_H

#include "codegen/KernelSignature.h"
#include "codegen/Schedule.h"
#include "tuning/TuningDatabase.h"

#include <functional>
#include <string>
#include <vector>

namespace cnnc {

/// A kernel as the search sees it.
struct TunedKernel {
  KernelSignature signature; // with the default schedule
  ScheduleSpace space;
  size_t calls = 0;
};

/// Measures kernel `k` under a schedule: a record without its context, seed
/// and time (the search fills those in), or an error that ends the search
/// (nothing could be measured: no fault of the candidate's).
using Measure =
    std::function<llvm::Expected<TuningRecord>(size_t k, const ScheduleParams &schedule)>;

struct TuneOptions {
  int trials = 0; // candidates beyond the defaults, over all kernels
  uint64_t seed = 0;
  /// Seconds after which no further candidate starts (0: no limit); the
  /// defaults are always measured. Trials are interleaved over the kernels in
  /// proportion to their shares, so a run cut short has spent them alike.
  double timeBudget = 0;
  /// Told after each measurement: done of total, the best gain so far, and
  /// the seconds the search has left (by the budget, or at the rate so far).
  std::function<void(size_t done, size_t total, double gain, double secondsLeft)> progress;
};

/// One kernel's outcome.
struct KernelOutcome {
  double share = 0;         // of the model's time, under the defaults
  double defaultMicros = 0; // 0 if the default failed to measure
  /// The fastest ok record alone (fasterAlone); its schedule is empty while
  /// there is none.
  TuningRecord best;
  /// The best's time on the default's scale (onDefaultScale); 0 while none.
  double bestMicros() const { return onDefaultScale(best, defaultMicros); }
  size_t measured = 0, reused = 0, failed = 0;
};

struct TuneOutcome {
  std::vector<KernelOutcome> kernels;
  double defaultModelMicros = 0, tunedModelMicros = 0; // Σ calls × time
};

/// Now, as records write it: ISO 8601 UTC to the second.
std::string isoTimeNow();

/// Runs the search, appending to `database` under `context`.
llvm::Expected<TuneOutcome> tuneKernels(const std::vector<TunedKernel> &kernels,
                                        TuningDatabase &database, const TuningContext &context,
                                        const Measure &measure, const TuneOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_AUTOTUNER_H
