//===- TuneCommand.cpp - cnnc tune: search schedules, and the database's tools ===//
//
// `cnnc tune MODEL --db FILE`: the search (Autotuner.h), each candidate
// measured by a child process, `cnnc tune --serve MODEL`, with a time limit
// (MeasuringWorker.h), so that a Halide error, a crash or a hang costs one
// candidate and is recorded as such; then the in-model check (InModelCheck.h). What a tuning
// database holds and where it applies: `--report` counts its records by status and says which were
// measured under another cnnc, Halide, target or machine (kept, never applied); `--distill` keeps
// the best record per kernel, for shipping tuned schedules beside a model; `--context` prints what
// records measured here are filed under.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Autotuner.h"
#include "ChildCommand.h"
#include "CodegenModel.h"
#include "Commands.h"
#include "CompiledModelBench.h"
#include "InModelCheck.h"
#include "MeasuringWorker.h"
#include "ModelSession.h"
#include "Progress.h"
#include "TuningDb.h"
#include "codegen/KernelTimer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <unistd.h>

namespace cnnc {
namespace {

/// Timed runs a candidate, each in turns with one of the default schedule:
/// 40 rather than 20 narrowed the spread of ratios to the default between
/// two tunes from 7.7% to 4.7% (MobileNetV2's candidates near the default,
/// Zen 5); a tune then measured 120 trials in 26.1 s instead of 21.7 s
/// (compiling a candidate costs the most).
constexpr const char *kDefaultRuns = "40";

/// Seconds a measuring child waits past the parent's --timeout before it
/// ends itself: the parent, which kills it at the limit, goes first.
constexpr int64_t kServeGraceSeconds = 10;

constexpr const char *kUsage =
    "usage: cnnc tune MODEL --db FILE [--target T] [--trials N] [--time-budget S] [--seed K]\n"
    "                 [--runs R] [--model-check N] [--launcher PREFIX]\n"
    "                 [--batch N] [--limit NAME=N,...] [--progress]\n"
    "                 [--weights W.safetensors [--weight-scheme S] | --random-weights SEED]\n"
    "                 [--precision f32|int8 --calibrate DIR|BATCH.npy [--calibration-method M]\n"
    "                  [--keep-float GLOB,...] [--accuracy-budget DB] [--requantization R]]\n"
    "       cnnc tune --report --db FILE [--target T] [--launcher PREFIX]\n"
    "       cnnc tune --distill --db FILE -o OUT\n"
    "       cnnc tune --context [--target T] [--launcher PREFIX]\n"
    "  --report: the records by status, and how many were measured under another\n"
    "  cnnc, Halide, target or machine than this one for T (default host), which\n"
    "  compile --tuning-db does not apply; --distill: the best record per kernel;\n"
    "  --context: what records measured here are filed under, as JSON.\n"
    "  MODEL: the model as compile builds it with the same options (at INT8 its weights\n"
    "  and calibration decide the integer kernels, so give those compile will get; at\n"
    "  f32 the weights default to random ones); searches each kernel's schedule (N\n"
    "  trials over all kernels, default 10 a kernel, spent where the model spends its\n"
    "  time; seed K, default 1; R timed runs a candidate, default 40,\n"
    "  each in turns with a run of the default schedule), appending every\n"
    "  measurement to FILE; run again, it resumes; --time-budget S starts no\n"
    "  candidate after S seconds (the trials are interleaved in proportion to the\n"
    "  kernels' shares; without --trials, the budget alone ends the search, or every\n"
    "  legal schedule tried). Each candidate is compiled and\n"
    "  timed by a child process, `cnnc tune --serve MODEL` (which reads 'KERNEL<tab>SCHEDULE'\n"
    "  lines and prints a JSON result for each), within --timeout seconds (default 120).\n"
    "  Then each kernel's N best candidates (default 2; 0: no check) are timed inside\n"
    "  the whole model, compiled once with the defaults and once per rank, over 5\n"
    "  alternating rounds: those in-model times decide what compile --tuning-db applies.\n"
    "  The model so scheduled is then timed against the defaults, side by side in one\n"
    "  process; if it is not faster, the database records that the defaults stand. The\n"
    "  time budget includes this check. --measurement stub (for tests) times candidates\n"
    "  and models by a hash instead. --launcher PREFIX (ssh board): the device it reaches\n"
    "  measures, and its records are filed under it: both children run behind PREFIX, as\n"
    "  this cnnc at this path, on this machine's files (T, default host, is resolved\n"
    "  there); --report and --context then speak of that device.\n";

int report(llvm::Error error) { return reportError("tune", std::move(error)); }

/// MODEL lowered for code generation as compile lowers it (CodegenModel.h)
/// and its kernels planned for --target.
struct PlannedModel {
  CodegenModel lowered;
  std::unique_ptr<ModelKernelTimer> timer;
};

/// MODEL planned in `session`; nothing once the session has printed why it
/// could not be lowered. At FP32 without a weights choice the weights are
/// random (they decide no FP32 kernel); at INT8 they must be chosen
/// (lowerForCodegen).
llvm::Expected<std::optional<PlannedModel>>
planModel(ModelSession &session, const Args &args, llvm::StringRef targetName, int64_t batch,
          bool measuredHere, const std::function<void(llvm::StringRef)> &phase = nullptr) {
  llvm::Expected<TargetSelection> target = selectTarget(targetName);
  if (!target)
    return target.takeError();
  llvm::Expected<std::optional<CodegenModel>> lowered =
      lowerForCodegen(session, args, *target, batch, /*randomWhenUnchosen=*/true, phase);
  if (!lowered)
    return lowered.takeError();
  if (!*lowered)
    return std::nullopt;
  llvm::Expected<std::unique_ptr<ModelKernelTimer>> timer =
      ModelKernelTimer::plan((*lowered)->model, targetName, measuredHere);
  if (!timer)
    return timer.takeError();
  return PlannedModel{std::move(**lowered), std::move(*timer)};
}

/// One request of the measuring child ("KERNEL\tSCHEDULE"), answered as a
/// JSON record body.
llvm::json::Object answer(ModelKernelTimer &timer, llvm::StringRef request, int runs) {
  auto refused = [](const llvm::Twine &why) {
    return llvm::json::Object{{"status", "compile-error"}, {"message", why.str()}};
  };
  auto [index, text] = request.split('\t');
  size_t kernel = 0;
  if (index.getAsInteger(10, kernel) || kernel >= timer.kernels())
    return refused("no kernel '" + index + "': the model has " + llvm::Twine(timer.kernels()));
  llvm::Expected<ScheduleParams> schedule = ScheduleParams::parse(text);
  if (!schedule)
    return refused(llvm::toString(schedule.takeError()));
  if (llvm::Error illegal = timer.space(kernel).check(*schedule))
    return refused(llvm::toString(std::move(illegal)));
  KernelTiming t = timer.time(kernel, *schedule, runs);
  const char *status = t.status == KernelTiming::Status::ok            ? "ok"
                       : t.status == KernelTiming::Status::wrongResult ? "wrong-result"
                                                                       : "compile-error";
  return llvm::json::Object{{"status", status},          {"median_us", t.medianMicros},
                            {"min_us", t.minMicros},     {"max_us", t.maxMicros},
                            {"vs_default", t.vsDefault}, {"runs", t.runs},
                            {"message", t.message}};
}

/// The measuring child's side (`cnnc tune --serve MODEL`): plans the model
/// once, says "ready", then answers each line of stdin with one line on stdout.
int serveMeasurements(const Args &args) {
  int64_t runs = 0, timeout = 0;
  std::optional<int64_t> batch = batchOf(args);
  if (args.positional.size() != 1 ||
      llvm::StringRef(args.value("runs", kDefaultRuns)).getAsInteger(10, runs) || runs < 1 ||
      llvm::StringRef(args.value("timeout", "0")).getAsInteger(10, timeout) || timeout < 0 ||
      !batch) {
    llvm::errs() << kUsage;
    return kUsageError;
  }
  ModelSession session;
  llvm::Expected<std::optional<PlannedModel>> planned =
      planModel(session, args, args.value("target", "host"), *batch, /*measuredHere=*/true);
  if (!planned)
    return report(planned.takeError());
  if (!*planned)
    return 1;
  ModelKernelTimer &timer = *(*planned)->timer;
  // For the tests of the parent's handling of faults: CNNC_TUNE_FAULTS
  // ="crash=K,hang=L" makes this child abort on each request for kernel K
  // and never answer one for kernel L.
  std::map<std::string, std::string> faults;
  if (const char *spec = std::getenv("CNNC_TUNE_FAULTS")) {
    llvm::SmallVector<llvm::StringRef> items;
    llvm::StringRef(spec).split(items, ',', -1, false);
    for (llvm::StringRef item : items)
      faults[item.split('=').second.str()] = item.split('=').first.str();
  }
  llvm::outs() << "ready\n";
  llvm::outs().flush();
  std::string request;
  while (std::getline(std::cin, request)) {
    // A request past the parent's limit ends this child too (SIGALRM): the
    // parent can kill only its end of a launcher (`ssh`), and a child left
    // spinning on a board would slow every later candidate there.
    alarm(static_cast<unsigned>(timeout > 0 ? timeout + kServeGraceSeconds : 0));
    std::string kernel = llvm::StringRef(request).split('\t').first.str();
    if (faults.count(kernel) && faults[kernel] == "crash")
      std::abort();
    if (faults.count(kernel) && faults[kernel] == "hang")
      for (;;)
        pause();
    llvm::outs() << llvm::formatv("{0}",
                                  llvm::json::Value(answer(timer, request, static_cast<int>(runs))))
                 << "\n";
    llvm::outs().flush();
    alarm(0);
  }
  return 0;
}

/// Whether `option`'s value is a path (the weights, the calibration images
/// or batch), which a child behind a launcher must get absolute.
bool namesPath(llvm::StringRef option) { return option == "weights" || option == "calibrate"; }

/// `value` made absolute if it names a file here (the model may instead be a
/// preset's name): a child behind a launcher (`ssh board`) does not start in
/// this working directory.
std::string pathForChild(const std::string &value) {
  llvm::SmallString<256> path(value);
  if (!llvm::sys::fs::exists(path) || llvm::sys::fs::make_absolute(path))
    return value;
  return path.str().str();
}

/// The command line of the measuring child for `args` and `target` (as
/// resolved where it runs), behind `launcher`: given the options that decide
/// the model as they were (codegenModelOptions).
std::vector<std::string> servingCommand(const Args &args, llvm::ArrayRef<std::string> launcher,
                                        const std::string &target) {
  std::vector<std::string> argv = {"tune",
                                   "--serve",
                                   pathForChild(args.positional[0]),
                                   "--target",
                                   target,
                                   "--runs",
                                   args.value("runs", kDefaultRuns),
                                   "--batch",
                                   args.value("batch", "1"),
                                   "--timeout",
                                   args.value("timeout", "120")};
  for (llvm::StringRef option : codegenModelOptions())
    if (!args.value(option).empty())
      argv.insert(argv.end(),
                  {"--" + option.str(),
                   namesPath(option) ? pathForChild(args.value(option)) : args.value(option)});
  return selfCommand(launcher, argv);
}

/// FNV-1a of `text`: the stand-in measurements' source of times.
uint64_t stubHash(const std::string &text) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : text)
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

/// Deterministic stand-in times, for the tests of the search: a hash of the
/// kernel and schedule decides the time, and some schedules fail.
TuningRecord measureByHash(const std::string &kernel, const ScheduleParams &schedule) {
  uint64_t hash = stubHash(kernel + "|" + schedule.str());
  TuningRecord record;
  if (hash % 13 == 0 || hash % 17 == 0 || hash % 19 == 0) {
    record.status = hash % 13 == 0   ? TuningRecord::Status::wrongResult
                    : hash % 17 == 0 ? TuningRecord::Status::timeout
                                     : TuningRecord::Status::crashed;
    record.message = "stub";
    return record;
  }
  record.medianMicros = record.minMicros = record.maxMicros = 10 + (hash >> 8) % 990 / 10.0;
  record.runs = 1;
  return record;
}

/// Deterministic stand-in models, for the tests of the in-model check: each
/// kernel's time inside the model is a hash of its kernel and schedule, apart
/// from (and sometimes reversing the order of) its time alone; end to end, a
/// model takes its kernels' sum, or, with CNNC_TUNE_STUB_TUNED_GAIN=G set (for
/// the tests of the defaults standing), the second of two models side by side
/// takes the first's time over G.
class HashModelBench final : public ModelBench {
public:
  explicit HashModelBench(const std::vector<TunedKernel> &kernels) : kernels(kernels) {
    if (const char *gain = std::getenv("CNNC_TUNE_STUB_TUNED_GAIN"))
      tunedGain = std::atof(gain);
  }

  llvm::Expected<size_t> build(const std::vector<ScheduleParams> &schedules) override {
    variants.push_back(schedules);
    return variants.size() - 1;
  }

  llvm::Expected<ModelTiming> time(size_t v) override { return timing(v); }

  llvm::Expected<std::pair<double, double>> timeSideBySide(size_t a, size_t b) override {
    double first = timing(a).runMicros, second = timing(b).runMicros;
    return std::make_pair(first, tunedGain ? first / *tunedGain : second);
  }

private:
  /// Variant `v`'s times, which a hash never fails to give.
  ModelTiming timing(size_t v) const {
    ModelTiming timing;
    for (size_t k = 0; k < kernels.size(); ++k) {
      uint64_t hash =
          stubHash(kernels[k].signature.computation() + "|in model|" + variants[v][k].str());
      timing.kernelMicros.push_back(static_cast<double>(kernels[k].calls) *
                                    (10 + (hash >> 8) % 990 / 10.0));
      timing.runMicros += timing.kernelMicros.back();
    }
    return timing;
  }

  const std::vector<TunedKernel> &kernels;
  std::optional<double> tunedGain;
  std::vector<std::vector<ScheduleParams>> variants;
};

/// The per-kernel table and the totals `cnnc tune` ends with.
void printOutcome(const std::vector<TunedKernel> &kernels, const TuneOutcome &outcome,
                  const std::optional<CheckOutcome> &check, const Args &args, int64_t seed,
                  int trials, const TuningContext &context) {
  llvm::outs() << "| kernel | calls | share | alone: default (us) | alone: best (us) | "
                  "in model: default (us) | in model: chosen (us) | gain | measured | read back | "
                  "failed |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  size_t changed = 0, measured = 0, reused = 0;
  for (size_t k = 0; k < kernels.size(); ++k) {
    measured += outcome.kernels[k].measured;
    reused += outcome.kernels[k].reused;
    const KernelOutcome &o = outcome.kernels[k];
    double before = o.defaultMicros, after = o.bestMicros();
    std::string inModel = "| - | - ";
    if (check) {
      before = check->defaultMicros[k];
      after = check->chosenMicros[k];
      inModel = llvm::formatv("| {0:F1} | {1:F1} ", before, after).str();
      changed += check->chosen[k] != kernels[k].signature.schedule.str();
    }
    llvm::outs() << llvm::formatv("| k{0} {1} | {2} | {3:P0} | {4:F1} | {5:F1} {6}| {7:F2}x | {8} "
                                  "| {9} | {10} |\n",
                                  k, kernels[k].signature.label(), kernels[k].calls, o.share,
                                  o.defaultMicros, o.bestMicros(), inModel,
                                  after > 0 ? before / after : 0.0, o.measured, o.reused, o.failed);
  }
  llvm::outs() << llvm::formatv(
      "kernels alone: {0:F1} us with the defaults, {1:F1} us with the best alone ({2:F2}x); "
      "seed {3}, {4} trials allowed beyond the defaults and seeds; {5} measured, {6} read "
      "back; records in {7}\n",
      outcome.defaultModelMicros, outcome.tunedModelMicros,
      outcome.tunedModelMicros > 0 ? outcome.defaultModelMicros / outcome.tunedModelMicros : 0.0,
      seed, trials, measured, reused, args.value("db"));
  // What compile must be given to apply them: a board resolves "host" to its
  // own full target.
  llvm::outs() << "filed under target " << context.target << ", device " << context.device << "\n";
  if (!check) {
    llvm::outs() << "inside the model: not checked (--model-check 0); compile --tuning-db "
                    "applies the best alone\n";
    return;
  }
  llvm::outs() << llvm::formatv("inside the model: {0} of {1} kernels take a tuned schedule, "
                                "checked against {2} alternative model(s); ",
                                changed, kernels.size(), check->variants);
  if (check->readBack)
    llvm::outs() << "times read back from the database (checked before)\n";
  else
    llvm::outs() << llvm::formatv(
        "end to end {0:F1} us with the defaults, {1:F1} us with the schedules chosen ({2:F2}x; "
        "side by side in one process, the median of {3} rounds, {4:F2}x to {5:F2}x){6}\n",
        check->defaultRunMicros, check->tunedRunMicros,
        check->tunedRunMicros > 0 ? check->defaultRunMicros / check->tunedRunMicros : 0.0,
        check->rounds, check->leastGain, check->mostGain,
        check->defaultsStand
            ? "; under 1.01x, so the defaults stand: compile --tuning-db keeps them"
            : "");
}

/// The trials when --trials is not given: 10 a kernel; under a time budget,
/// every legal schedule of every kernel, so that the budget ends the search
/// (b0's kernels have 5 to 1733 legal schedules each, 41407 in all; ten a
/// kernel had ended a 10-minute search in under 3).
int defaultTrials(const std::vector<TunedKernel> &kernels, bool underTimeBudget) {
  if (!underTimeBudget)
    return static_cast<int>(10 * kernels.size());
  size_t points = 0;
  for (const TunedKernel &kernel : kernels)
    points += kernel.space.enumerate().size();
  return static_cast<int>(std::min<size_t>(points, std::numeric_limits<int>::max()));
}

int tuneModel(const Args &args) {
  int64_t trials = -1, seed = 1, timeout = 120, alternatives = 2;
  std::optional<int64_t> batch = batchOf(args);
  double timeBudget = 0;
  std::string measurement = args.value("measurement", "child");
  if (args.positional.size() != 1 || args.value("db").empty() ||
      llvm::StringRef(args.value("trials", "-1")).getAsInteger(10, trials) ||
      llvm::StringRef(args.value("seed", "1")).getAsInteger(10, seed) || seed < 0 ||
      llvm::StringRef(args.value("timeout", "120")).getAsInteger(10, timeout) || timeout < 1 ||
      !batch || llvm::StringRef(args.value("model-check", "2")).getAsInteger(10, alternatives) ||
      alternatives < 0 || alternatives > 8 ||
      llvm::StringRef(args.value("time-budget", "0")).getAsDouble(timeBudget) ||
      !(timeBudget >= 0) || (measurement != "child" && measurement != "stub")) {
    llvm::errs() << kUsage;
    return kUsageError;
  }
  Progress progress("tune", args.flag("progress"));
  auto fail = [&](llvm::Error error) {
    progress.clear();
    return report(std::move(error));
  };
  // Behind a launcher the device measures, and its context files the
  // records; its "host" is itself.
  std::vector<std::string> launcher = launcherWords(args.value("launcher"));
  std::string target = args.value("target", "host");
  std::optional<TuningContext> device;
  if (!launcher.empty()) {
    progress.phase("asking the device behind the launcher what it is");
    llvm::Expected<DeviceContext> there = deviceContext(launcher, target, /*toMeasure=*/true);
    if (!there)
      return fail(there.takeError());
    device = there->context;
    target = device->target;
  }
  ModelSession session;
  llvm::Expected<std::optional<PlannedModel>> planned =
      planModel(session, args, target, *batch, /*measuredHere=*/launcher.empty(),
                [&](llvm::StringRef phase) { progress.phase(phase); });
  if (!planned)
    return fail(planned.takeError());
  if (!*planned)
    return 1;
  ModelKernelTimer &timer = *(*planned)->timer;
  llvm::Expected<std::shared_ptr<TuningDatabase>> db = openTuningDatabase("tune", args.value("db"));
  if (!db)
    return fail(db.takeError());
  std::vector<TunedKernel> kernels;
  for (size_t k = 0; k < timer.kernels(); ++k)
    kernels.push_back({timer.signature(k), timer.space(k), timer.calls(k)});
  TuningContext context = device ? *device : tuningContext(timer.target());
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // The in-model check's models, and (under a time budget) what it will cost,
  // from building and timing the defaults' model first.
  std::unique_ptr<ModelBench> bench;
  CheckOptions check;
  check.alternatives = static_cast<int>(alternatives);
  check.seed = static_cast<uint64_t>(seed);
  check.phase = [&](llvm::StringRef phase) { progress.phase(phase); };
  if (alternatives > 0 && measurement == "stub") {
    bench = std::make_unique<HashModelBench>(kernels);
  } else if (alternatives > 0) {
    CompileOptions compile;
    compile.target = target;
    compile.runnerBytes = static_cast<uint64_t>(session.limits().runnerBytes);
    auto real = CompiledModelBench::create(
        (*planned)->lowered.model, (*planned)->lowered.weights.weights, compile, kernels,
        static_cast<unsigned>(timeout), /*iterations=*/20, launcher,
        launcher.empty() ? "" : pathForChild(args.value("db")));
    if (!real)
      return fail(real.takeError());
    bench = std::move(*real);
  }
  std::optional<size_t> defaults;
  double reserve = 0;
  // Behind a launcher the defaults' model is built and timed first anyway:
  // a device that cannot see it fails the tune before the search, not after.
  if (bench && (timeBudget > 0 || !launcher.empty())) {
    progress.phase("building the model with the default schedules");
    std::vector<ScheduleParams> schedules;
    for (const TunedKernel &kernel : kernels)
      schedules.push_back(kernel.signature.schedule);
    double before = seconds();
    llvm::Expected<size_t> built = bench->build(schedules);
    if (!built)
      return fail(built.takeError());
    defaults = *built;
    double afterBuild = seconds();
    llvm::Expected<ModelTiming> round = bench->time(*defaults);
    if (!round)
      return fail(round.takeError());
    reserve = checkSeconds(check, afterBuild - before, seconds() - afterBuild);
  }

  TuneOptions options;
  options.trials = trials >= 0 ? static_cast<int>(trials) : defaultTrials(kernels, timeBudget > 0);
  options.seed = static_cast<uint64_t>(seed);
  // What the budget leaves the search (at least nothing beyond the defaults).
  options.timeBudget = timeBudget > 0 ? std::max(1e-9, timeBudget - seconds() - reserve) : 0;
  options.progress = [&](size_t done, size_t total, double gain, double secondsLeft) {
    progress.steps(
        "measuring", done, total, "candidates",
        llvm::formatv("best gain so far {0:F2}x, about {1:F0} s left", gain, secondsLeft + reserve)
            .str());
  };
  MeasuringWorker worker(servingCommand(args, launcher, target), static_cast<unsigned>(timeout));
  Measure measure = [&](size_t k, const ScheduleParams &schedule) -> llvm::Expected<TuningRecord> {
    if (measurement == "stub")
      return measureByHash(kernels[k].signature.computation(), schedule);
    return worker.measure(k, schedule);
  };
  llvm::Expected<TuneOutcome> outcome = tuneKernels(kernels, **db, context, measure, options);
  if (!outcome)
    return fail(outcome.takeError());
  std::optional<CheckOutcome> checked;
  if (bench) {
    llvm::Expected<CheckOutcome> result =
        checkInModel(kernels, **db, context, *bench, defaults, check);
    if (!result)
      return fail(result.takeError());
    checked = std::move(*result);
  }
  progress.clear();
  printOutcome(kernels, *outcome, checked, args, seed, options.trials, context);
  return 0;
}

/// `here`: the context of `device` ("this machine", or the one behind a
/// launcher).
int printReport(const TuningDatabase &db, const TuningContext &here, llvm::StringRef device) {
  std::map<std::string, size_t> byStatus;
  std::map<std::string, size_t> kernels; // applicable kernels with an ok record
  std::map<std::string, size_t> checked; // those timed inside the model too
  for (const TuningRecord &r : db.records()) {
    ++byStatus[statusName(r.status).str()];
    if (r.context == here && r.status == TuningRecord::Status::ok) {
      ++kernels[r.kernel];
      if (r.scope == TuningRecord::Scope::model)
        ++checked[r.kernel];
    }
  }
  size_t foreign = foreignRecords(db, here);
  llvm::outs() << db.path() << ": " << db.records().size() << " records";
  for (auto [status, count] : byStatus)
    llvm::outs() << ", " << count << " " << status;
  llvm::outs() << "\n  " << kernels.size() << " kernels with ok records for " << device
               << " and target (" << here.target << ")\n  " << checked.size()
               << " of them timed inside the model too (those records decide)\n  " << foreign
               << " records from another cnnc, Halide, target or device: kept, not applied\n";
  if (!db.skippedLines().empty())
    llvm::outs() << "  " << db.skippedLines().size() << " lines skipped (see the warnings)\n";
  // Where every record was measured: compile applies another device's where
  // it is the only one for a target (appliedContext).
  std::map<std::pair<std::string, std::string>, size_t> byDevice;
  for (const TuningRecord &r : db.records())
    ++byDevice[{r.context.target, r.context.device}];
  for (const auto &[where, count] : byDevice)
    llvm::outs() << "  " << count << " records of target " << where.first << " measured on "
                 << where.second << "\n";
  return 0;
}

} // namespace

int runTuneCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  std::vector<llvm::StringRef> names = {"db",          "target",      "o",           "trials",
                                        "time-budget", "seed",        "runs",        "batch",
                                        "timeout",     "measurement", "model-check", "launcher"};
  for (llvm::StringRef option : codegenModelOptions())
    names.push_back(option);
  std::optional<Args> args = parseCommandArgs(
      "tune", rawArgs, names, {"report", "distill", "context", "serve", "progress"}, kUsage);
  if (!args)
    return kUsageError;
  if (args->flag("serve"))
    return serveMeasurements(*args);
  if (!args->positional.empty())
    return tuneModel(*args);
  int modes = args->flag("report") + args->flag("distill") + args->flag("context");
  if (modes != 1 || !args->positional.empty() ||
      (args->flag("context") == !args->value("db").empty()) ||
      (args->flag("distill") == args->value("o").empty())) {
    llvm::errs() << kUsage;
    return kUsageError;
  }
  llvm::Expected<TargetSelection> target = selectTarget(args->value("target", "host"));
  if (!target)
    return report(target.takeError());
  DeviceContext here = {tuningContext(*target), runsNativelyHere(*target)};
  if (!args->value("launcher").empty() && !args->flag("distill")) {
    llvm::Expected<DeviceContext> device =
        deviceContext(launcherWords(args->value("launcher")), args->value("target", "host"),
                      /*toMeasure=*/false);
    if (!device)
      return report(device.takeError());
    here = *device;
  }
  if (args->flag("context")) {
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                               {"cnnc", here.context.cnncVersion},
                                               {"halide", here.context.halideVersion},
                                               {"target", here.context.target},
                                               {"device", here.context.device},
                                               {"runs_natively", here.runsNatively}}))
                 << "\n";
    return 0;
  }
  llvm::Expected<std::shared_ptr<TuningDatabase>> db =
      openTuningDatabase("tune", args->value("db"));
  if (!db)
    return report(db.takeError());
  if (args->flag("report"))
    return printReport(**db, here.context,
                       args->value("launcher").empty() ? "this machine"
                                                       : "the device behind the launcher");
  std::vector<TuningRecord> best = distill(**db);
  llvm::Expected<TuningDatabase> out = TuningDatabase::open(args->value("o"));
  if (!out)
    return report(out.takeError());
  if (!out->records().empty())
    return report(llvm::createStringError(std::errc::file_exists,
                                          "%s exists and is not empty: distill into a new file",
                                          args->value("o").c_str()));
  for (const TuningRecord &record : best)
    if (llvm::Error error = out->append(record))
      return report(std::move(error));
  llvm::outs() << "distilled " << (*db)->records().size() << " records into " << best.size()
               << " (the best per kernel and context) in " << args->value("o") << "\n";
  return 0;
}

} // namespace cnnc
