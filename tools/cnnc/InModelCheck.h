//===- InModelCheck.h - the best few schedules, timed inside the model -*- C++ -*-===//
//
// A kernel timed alone is not the kernel inside the model: there its weights
// come cold from memory, its input is whatever the previous kernel left in
// the caches, and its threads follow another kernel's. The search (Autotuner.h)
// ranks candidates alone, cheaply; this check compiles the whole model with
// the defaults and with each kernel's best few candidates (variant j takes
// every kernel's j-th best), times each kernel's calls inside it over
// alternating rounds, and records those times in the database as in-model
// records, which outrank the kernel-alone ones (TuningDatabase::best): a
// candidate that was faster alone but is slower in the model is not applied.
// Then the model as it will be compiled (each kernel's verdict) is timed
// end to end against the defaults, side by side in one process; if it is
// not the faster, a further check records each changed kernel's default as
// its verdict, so that compile --tuning-db keeps the defaults.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_INMODELCHECK_H
#define CNNC_TOOLS_INMODELCHECK_H

#include "Autotuner.h"

namespace cnnc {

/// One timing round of a whole model.
struct ModelTiming {
  std::vector<double> kernelMicros; // per kernel: its calls together, per run
  double runMicros = 0;             // one run, end to end
};

/// The whole model built with one schedule per kernel, and timed: `cnnc tune`
/// compiles it and times it in a child process; the tests stand in for both.
class ModelBench {
public:
  virtual ~ModelBench() = default;
  /// Builds the model with `schedules[k]` for kernel k; the variant's number.
  virtual llvm::Expected<size_t> build(const std::vector<ScheduleParams> &schedules) = 0;
  /// One round of variant `v`: the medians of several runs.
  virtual llvm::Expected<ModelTiming> time(size_t v) = 0;
  /// Variants `a` and `b` run alternately in one process, each first every
  /// other run: their median run times (us). Unlike rounds in separate
  /// processes, a busy moment of a shared machine falls on both alike.
  virtual llvm::Expected<std::pair<double, double>> timeSideBySide(size_t a, size_t b) = 0;
};

struct CheckOptions {
  int alternatives = 2; // best candidates per kernel checked, besides its default
  int rounds = 5;       // timing rounds, each over every variant; as many side by side
  uint64_t seed = 0;    // written into the records
  std::function<void(llvm::StringRef phase)> phase;
};

struct CheckOutcome {
  bool readBack = false; // every variant's times were in the database already
  size_t variants = 0;   // models built besides the defaults'
  /// Per kernel: the default's and the verdict's time inside the model, per
  /// call, and the verdict (`best`) itself.
  std::vector<double> defaultMicros, chosenMicros;
  std::vector<std::string> chosen;
  /// The defaults and the verdicts end to end, side by side, in the median
  /// of `rounds` rounds by gain, and the least and most gain of a round (0
  /// when read back).
  double defaultRunMicros = 0, tunedRunMicros = 0, leastGain = 0, mostGain = 0;
  int rounds = 0;
  /// The verdicts were not faster end to end, by 1% in the median round:
  /// the defaults stand (`chosen` then holds them), recorded as the check
  /// after this one.
  bool defaultsStand = false;
};

/// Seconds the check will take, from one build and one round of the
/// defaults' model: what the search leaves of a time budget.
double checkSeconds(const CheckOptions &options, double buildSeconds, double roundSeconds);

/// Runs the check for `kernels` on `bench` (variant 0, the defaults, may be
/// built already: `defaults`), appending in-model records to `database`.
llvm::Expected<CheckOutcome> checkInModel(const std::vector<TunedKernel> &kernels,
                                          TuningDatabase &database, const TuningContext &context,
                                          ModelBench &bench, std::optional<size_t> defaults,
                                          const CheckOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_INMODELCHECK_H
