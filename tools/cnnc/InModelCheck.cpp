//===- InModelCheck.cpp - the best few schedules, timed inside the model --===//
#include "InModelCheck.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace cnnc {
namespace {

/// Kernel `kernel`'s `count` best candidates timed alone, fastest first: its
/// ok kernel-alone records under `context` faster than its default alone,
/// one per schedule, legal in its space.
std::vector<ScheduleParams> bestAlone(const TuningDatabase &database, const TuningContext &context,
                                      const TunedKernel &kernel, int count) {
  const std::string computation = kernel.signature.computation();
  const std::string defaultText = kernel.signature.schedule.str();
  const TuningRecord *byDefault = database.find(context, computation, defaultText);
  bool hasDefault = byDefault && byDefault->status == TuningRecord::Status::ok;
  double defaultMicros = hasDefault ? byDefault->medianMicros : 0;
  std::map<std::string, double> fastest;
  for (const TuningRecord &r : database.records())
    if (r.status == TuningRecord::Status::ok && r.scope == TuningRecord::Scope::kernel &&
        r.context == context && r.kernel == computation && r.schedule != defaultText &&
        (!hasDefault || fasterAlone(r, *byDefault))) {
      double micros = onDefaultScale(r, defaultMicros);
      auto [it, inserted] = fastest.try_emplace(r.schedule, micros);
      if (!inserted)
        it->second = std::min(it->second, micros);
    }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto &entry : fastest)
    ranked.push_back({entry.second, entry.first});
  std::sort(ranked.begin(), ranked.end());
  std::vector<ScheduleParams> best;
  for (const auto &entry : ranked) {
    if (best.size() == static_cast<size_t>(count))
      break;
    llvm::Expected<ScheduleParams> schedule = ScheduleParams::parse(entry.second);
    if (!schedule) {
      llvm::consumeError(schedule.takeError());
      continue;
    }
    if (llvm::Error illegal = kernel.space.check(*schedule)) {
      llvm::consumeError(std::move(illegal));
      continue;
    }
    best.push_back(*schedule);
  }
  return best;
}

/// An in-model record of `schedule` for `kernel` in check `check`, its
/// times left for the caller to fill in.
TuningRecord inModelRecord(const TuningContext &context, const TunedKernel &kernel,
                           const std::string &schedule, int check, uint64_t seed,
                           std::string message) {
  TuningRecord record;
  record.context = context;
  record.kernel = kernel.signature.computation();
  record.schedule = schedule;
  record.scope = TuningRecord::Scope::model;
  record.check = check;
  record.seed = seed;
  record.time = isoTimeNow();
  record.message = std::move(message);
  return record;
}

/// The least end-to-end gain, the median round's, by which the schedules
/// chosen replace the defaults: on a shared 2-core machine single
/// side-by-side runs of two equal builds differ by up to 2%, so a smaller
/// gain is not one the tune can tell from noise.
constexpr double kLeastEndToEndGain = 1.01;

struct EndToEnd {
  double defaultMicros = 0, tunedMicros = 0; // the median round's
  double leastGain = 0, mostGain = 0;        // over the rounds
};

/// `tuned` against `defaults`, side by side in `rounds` rounds of their own.
llvm::Expected<EndToEnd> timeEndToEnd(ModelBench &bench, size_t defaults, size_t tuned,
                                      int rounds) {
  std::vector<std::pair<double, double>> times;
  for (int round = 0; round < std::max(1, rounds); ++round) {
    llvm::Expected<std::pair<double, double>> sideBySide = bench.timeSideBySide(defaults, tuned);
    if (!sideBySide)
      return sideBySide.takeError();
    times.push_back(*sideBySide);
  }
  auto gain = [](const std::pair<double, double> &t) { return t.first / t.second; };
  std::sort(times.begin(), times.end(),
            [&](const auto &a, const auto &b) { return gain(a) < gain(b); });
  EndToEnd result;
  std::tie(result.defaultMicros, result.tunedMicros) = times[times.size() / 2];
  result.leastGain = gain(times.front());
  result.mostGain = gain(times.back());
  return result;
}

/// Times each kernel of every built variant (`built[v]` holds
/// `variants[v]`) inside the model over `options.rounds` rounds, and records
/// each kernel's schedules' in-model times as a check of their own.
llvm::Error recordKernelsInModel(const std::vector<TunedKernel> &kernels, TuningDatabase &database,
                                 const TuningContext &context, ModelBench &bench,
                                 const std::vector<std::vector<ScheduleParams>> &variants,
                                 const std::vector<size_t> &built, const CheckOptions &options) {
  const size_t n = kernels.size();
  auto say = [&](const std::string &phase) {
    if (options.phase)
      options.phase(phase);
  };
  // Each kernel's time per call under each schedule, every round, from the
  // first model that holds the pair only: a default that several models
  // keep would otherwise have more rounds to be fastest in.
  std::map<std::pair<size_t, std::string>, size_t> firstModel;
  for (size_t v = 0; v < variants.size(); ++v)
    for (size_t k = 0; k < n; ++k)
      firstModel.emplace(std::make_pair(k, variants[v][k].str()), v);
  std::map<std::pair<size_t, std::string>, std::vector<double>> samples;
  // Each round starts with the next model: none is always first after a
  // build or always after the same other.
  for (int round = 0; round < options.rounds; ++round)
    for (size_t i = 0; i < variants.size(); ++i) {
      size_t v = (i + static_cast<size_t>(round)) % variants.size();
      say(llvm::formatv("checking inside the model: round {0} of {1}, model {2} of {3}", round + 1,
                        options.rounds, v + 1, variants.size()));
      llvm::Expected<ModelTiming> timing = bench.time(built[v]);
      if (!timing)
        return timing.takeError();
      if (timing->kernelMicros.size() != n)
        return llvm::createStringError(std::errc::invalid_argument,
                                       "the model timed %zu kernels, the search %zu",
                                       timing->kernelMicros.size(), n);
      for (size_t k = 0; k < n; ++k) {
        std::pair<size_t, std::string> key = {k, variants[v][k].str()};
        if (firstModel[key] == v)
          samples[key].push_back(timing->kernelMicros[k] /
                                 static_cast<double>(std::max<size_t>(kernels[k].calls, 1)));
      }
    }
  std::set<std::pair<size_t, std::string>> written;
  const int check = database.nextCheck(context);
  for (const std::vector<ScheduleParams> &variant : variants)
    for (size_t k = 0; k < n; ++k) {
      std::pair<size_t, std::string> key = {k, variant[k].str()};
      if (!written.insert(key).second)
        continue;
      std::vector<double> &times = samples[key];
      std::sort(times.begin(), times.end());
      TuningRecord record = inModelRecord(context, kernels[k], key.second, check, options.seed,
                                          "per call inside the whole model: the fastest of " +
                                              std::to_string(times.size()) + " rounds' medians");
      // The fastest round: on a shared machine, other work only ever slows
      // a round down, for seconds at a time.
      record.medianMicros = times.front();
      record.minMicros = times.front();
      record.maxMicros = times.back();
      record.runs = static_cast<int>(times.size());
      if (llvm::Error error = database.append(record))
        return error;
    }
  return llvm::Error::success();
}

} // namespace

double checkSeconds(const CheckOptions &options, double buildSeconds, double roundSeconds) {
  int models = options.alternatives + 1; // the defaults and each alternative
  // The alternatives and the verdicts are built; every model is timed each
  // round, then the verdicts against the defaults as many rounds, each
  // running both models two rounds' worth (CompiledModelBench).
  return (options.alternatives + 1) * buildSeconds + options.rounds * (models + 4) * roundSeconds;
}

llvm::Expected<CheckOutcome> checkInModel(const std::vector<TunedKernel> &kernels,
                                          TuningDatabase &database, const TuningContext &context,
                                          ModelBench &bench, std::optional<size_t> defaults,
                                          const CheckOptions &options) {
  auto say = [&](const std::string &phase) {
    if (options.phase)
      options.phase(phase);
  };
  const size_t n = kernels.size();
  CheckOutcome outcome;
  // Variant 0: the defaults; variant j: each kernel's j-th best alone (its
  // default where it has fewer).
  std::vector<std::vector<ScheduleParams>> variants(1);
  std::vector<std::vector<ScheduleParams>> candidates;
  size_t deepest = 0;
  for (const TunedKernel &kernel : kernels) {
    variants[0].push_back(kernel.signature.schedule);
    candidates.push_back(bestAlone(database, context, kernel, options.alternatives));
    deepest = std::max(deepest, candidates.back().size());
  }
  for (size_t j = 0; j < deepest; ++j) {
    variants.emplace_back();
    for (size_t k = 0; k < n; ++k)
      variants.back().push_back(j < candidates[k].size() ? candidates[k][j]
                                                         : kernels[k].signature.schedule);
  }
  outcome.variants = variants.size() - 1;

  bool timedBefore = true;
  for (const std::vector<ScheduleParams> &variant : variants)
    for (size_t k = 0; k < n; ++k)
      timedBefore &= database.find(context, kernels[k].signature.computation(), variant[k].str(),
                                   TuningRecord::Scope::model) != nullptr;
  outcome.readBack = timedBefore;
  std::vector<size_t> built;
  if (!timedBefore) {
    for (size_t v = 0; v < variants.size(); ++v) {
      if (v == 0 && defaults) {
        built.push_back(*defaults);
        continue;
      }
      say(llvm::formatv("checking inside the model: building model {0} of {1}", v + 1,
                        variants.size()));
      llvm::Expected<size_t> b = bench.build(variants[v]);
      if (!b)
        return b.takeError();
      built.push_back(*b);
    }
    if (llvm::Error error =
            recordKernelsInModel(kernels, database, context, bench, variants, built, options))
      return std::move(error);
  }

  // The verdicts, as compile --tuning-db will read them.
  std::vector<ScheduleParams> verdicts;
  for (size_t k = 0; k < n; ++k) {
    const std::string computation = kernels[k].signature.computation();
    const TuningRecord *byDefault =
        database.inLatestCheck(context, computation, kernels[k].signature.schedule.str());
    const TuningRecord *best = database.best(context, computation);
    outcome.defaultMicros.push_back(byDefault ? byDefault->medianMicros : 0);
    outcome.chosenMicros.push_back(best ? best->medianMicros : 0);
    outcome.chosen.push_back(best ? best->schedule : kernels[k].signature.schedule.str());
    llvm::Expected<ScheduleParams> verdict = ScheduleParams::parse(outcome.chosen.back());
    if (!verdict) {
      llvm::consumeError(verdict.takeError());
      verdicts.push_back(kernels[k].signature.schedule);
    } else {
      verdicts.push_back(*verdict);
    }
  }
  if (timedBefore)
    return outcome;

  // The model as it will be compiled, against the defaults, side by side.
  auto same = std::find(variants.begin(), variants.end(), verdicts);
  size_t tuned = 0;
  if (same != variants.end()) {
    tuned = built[same - variants.begin()];
  } else {
    say("checking inside the model: building the chosen schedules");
    llvm::Expected<size_t> b = bench.build(verdicts);
    if (!b)
      return b.takeError();
    tuned = *b;
  }
  say("timing the chosen schedules against the defaults, side by side");
  llvm::Expected<EndToEnd> endToEnd = timeEndToEnd(bench, built[0], tuned, options.rounds);
  if (!endToEnd)
    return endToEnd.takeError();
  outcome.defaultRunMicros = endToEnd->defaultMicros;
  outcome.tunedRunMicros = endToEnd->tunedMicros;
  outcome.leastGain = endToEnd->leastGain;
  outcome.mostGain = endToEnd->mostGain;
  outcome.rounds = options.rounds;
  if (tuned == built[0] || outcome.defaultRunMicros >= kLeastEndToEndGain * outcome.tunedRunMicros)
    return outcome;

  // Not faster end to end by kLeastEndToEndGain, though faster kernel by
  // kernel: the defaults stand. A check of
  // its own, later than the one above, holds each changed kernel's default
  // alone, which `best` then returns.
  outcome.defaultsStand = true;
  const int check = database.nextCheck(context);
  for (size_t k = 0; k < n; ++k) {
    const std::string defaultText = kernels[k].signature.schedule.str();
    if (outcome.chosen[k] == defaultText)
      continue;
    TuningRecord record =
        inModelRecord(context, kernels[k], defaultText, check, options.seed,
                      llvm::formatv("the defaults stand: with the schedules chosen inside the "
                                    "model it ran {0:F1} us end to end, with the defaults {1:F1} "
                                    "us, side by side",
                                    outcome.tunedRunMicros, outcome.defaultRunMicros)
                          .str());
    record.medianMicros = record.minMicros = record.maxMicros = outcome.defaultMicros[k];
    record.runs = 1;
    if (llvm::Error error = database.append(record))
      return std::move(error);
    outcome.chosen[k] = defaultText;
    outcome.chosenMicros[k] = outcome.defaultMicros[k];
  }
  return outcome;
}

} // namespace cnnc
