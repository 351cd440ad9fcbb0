//===- Autotuner.cpp - the search behind `cnnc tune` ----------------------===//
#include "Autotuner.h"

#include "llvm/Support/Chrono.h"

#include <chrono>
#include <cmath>
#include <random>

namespace cnnc {
namespace {

/// How many of the seven parameters two CPU schedules differ in.
int distance(const ScheduleParams &a, const ScheduleParams &b) {
  return (a.strategy != b.strategy) + (a.vectorLanes != b.vectorLanes) +
         (a.channelBlock != b.channelBlock) + (a.pixelBlock != b.pixelBlock) +
         (a.unrollBlock != b.unrollBlock) + (a.parallel != b.parallel) +
         (a.paddedInput != b.paddedInput) + (a.gpuThreadsChannels != b.gpuThreadsChannels) +
         (a.gpuThreadsPixels != b.gpuThreadsPixels);
}

/// Splits `trials` over kernels in proportion to `weights`, largest
/// remainders first, so that the parts always sum to `trials`.
std::vector<int> apportion(const std::vector<double> &weights, int trials) {
  double total = 0;
  for (double w : weights)
    total += w;
  std::vector<int> parts(weights.size(), 0);
  if (total <= 0 || trials <= 0)
    return parts;
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t k = 0; k < weights.size(); ++k) {
    double exact = trials * weights[k] / total;
    parts[k] = static_cast<int>(std::floor(exact));
    given += parts[k];
    remainders.push_back({exact - parts[k], k});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  for (size_t i = 0; given < trials && i < remainders.size(); ++i, ++given)
    ++parts[remainders[i].second];
  return parts;
}

} // namespace

std::string isoTimeNow() {
  return llvm::formatv("{0:%Y-%m-%dT%H:%M:%SZ}", std::chrono::time_point_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now()))
      .str();
}

llvm::Expected<TuneOutcome> tuneKernels(const std::vector<TunedKernel> &kernels,
                                        TuningDatabase &database, const TuningContext &context,
                                        const Measure &measure, const TuneOptions &options) {
  auto start = std::chrono::steady_clock::now();
  TuneOutcome outcome;
  outcome.kernels.resize(kernels.size());
  size_t done = 0, total = kernels.size() + static_cast<size_t>(std::max(options.trials, 0));
  auto gain = [&] {
    double before = 0, after = 0;
    for (size_t k = 0; k < kernels.size(); ++k) {
      before += kernels[k].calls * outcome.kernels[k].defaultMicros;
      after += kernels[k].calls * outcome.kernels[k].bestMicros();
    }
    outcome.defaultModelMicros = before;
    outcome.tunedModelMicros = after;
    return after > 0 ? before / after : 1.0;
  };
  // Measures (or reads back) kernel k under `schedule`; the record.
  auto trial = [&](size_t k, const ScheduleParams &schedule) -> llvm::Expected<TuningRecord> {
    const std::string kernel = kernels[k].signature.computation(), text = schedule.str();
    KernelOutcome &out = outcome.kernels[k];
    if (const TuningRecord *known = database.find(context, kernel, text)) {
      ++out.reused;
      return *known;
    }
    llvm::Expected<TuningRecord> measured = measure(k, schedule);
    if (!measured)
      return measured.takeError();
    TuningRecord record = std::move(*measured);
    record.context = context;
    record.kernel = kernel;
    record.schedule = text;
    record.seed = options.seed;
    record.time = isoTimeNow();
    if (llvm::Error error = database.append(record))
      return std::move(error);
    ++out.measured;
    return record;
  };
  auto account = [&](size_t k, const TuningRecord &r) {
    KernelOutcome &out = outcome.kernels[k];
    if (r.status != TuningRecord::Status::ok) {
      ++out.failed;
    } else if (out.best.schedule.empty() || fasterAlone(r, out.best)) {
      out.best = r;
    }
    if (options.progress) {
      ++done;
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      double left = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
      if (options.timeBudget > 0)
        left = std::min(left, std::max(0.0, options.timeBudget - elapsed));
      options.progress(done, total, gain(), left);
    }
  };

  // The defaults first: the baseline, and the weights of the budget.
  std::vector<double> weights;
  for (size_t k = 0; k < kernels.size(); ++k) {
    llvm::Expected<TuningRecord> r = trial(k, kernels[k].signature.schedule);
    if (!r)
      return r.takeError();
    if (r->status == TuningRecord::Status::ok)
      outcome.kernels[k].defaultMicros = r->medianMicros;
    account(k, *r);
    weights.push_back(kernels[k].calls * outcome.kernels[k].defaultMicros);
  }
  double modelMicros = 0;
  for (double w : weights)
    modelMicros += w;
  for (size_t k = 0; k < kernels.size(); ++k)
    outcome.kernels[k].share = modelMicros > 0 ? weights[k] / modelMicros : 0;

  auto outOfTime = [&] {
    return options.timeBudget > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
               options.timeBudget;
  };
  // The seeds next: each kernel's autoscheduled points (Halide's autoschedulers
  // for its target), where its space has them.
  std::vector<std::vector<ScheduleParams>> legal;
  std::vector<std::vector<bool>> tried;
  for (size_t k = 0; k < kernels.size(); ++k) {
    legal.push_back(kernels[k].space.enumerate());
    tried.emplace_back(legal.back().size(), false);
  }
  for (size_t k = 0; k < kernels.size(); ++k)
    for (size_t i = 0; i < legal[k].size(); ++i)
      if (legal[k][i].strategy == ScheduleParams::Strategy::autoscheduled &&
          legal[k][i] != kernels[k].signature.schedule && !outOfTime()) {
        tried[k][i] = true;
        ++total;
        llvm::Expected<TuningRecord> r = trial(k, legal[k][i]);
        if (!r)
          return r.takeError();
        account(k, *r);
      }

  std::vector<int> budget = apportion(weights, options.trials);
  // The trials interleaved: each next one goes to the kernel furthest behind
  // its share, so that a run stopped by the time budget at any point has
  // spent its trials in proportion, largest shares first on ties.
  std::vector<std::mt19937_64> randoms;
  for (size_t k = 0; k < kernels.size(); ++k) // each kernel's own: not drawn from the others'
    randoms.emplace_back(options.seed * 1000003 + k);
  std::vector<int> used(kernels.size(), 0);
  while (!outOfTime()) {
    size_t k = kernels.size();
    for (size_t c = 0; c < kernels.size(); ++c)
      if (used[c] < budget[c] && (k == kernels.size() ||
                                  static_cast<double>(used[c] + 1) / budget[c] <
                                      static_cast<double>(used[k] + 1) / budget[k] ||
                                  (static_cast<double>(used[c] + 1) / budget[c] ==
                                       static_cast<double>(used[k] + 1) / budget[k] &&
                                   weights[c] > weights[k])))
        k = c;
    if (k == kernels.size())
      break;
    ++used[k];
    KernelOutcome &out = outcome.kernels[k];
    ScheduleParams best = kernels[k].signature.schedule;
    if (!out.best.schedule.empty()) {
      if (llvm::Expected<ScheduleParams> parsed = ScheduleParams::parse(out.best.schedule))
        best = *parsed;
      else
        llvm::consumeError(parsed.takeError());
    }
    // A neighbour of the best (one parameter changed) not yet tried; else any
    // untried point; else this kernel's space is spent.
    std::vector<size_t> near, untried;
    for (size_t i = 0; i < legal[k].size(); ++i) {
      if (tried[k][i] || legal[k][i] == best || legal[k][i] == kernels[k].signature.schedule)
        continue;
      untried.push_back(i);
      if (distance(legal[k][i], best) == 1)
        near.push_back(i);
    }
    const std::vector<size_t> &pool = near.empty() ? untried : near;
    if (pool.empty()) {
      budget[k] = used[k];
      continue;
    }
    size_t pick = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(randoms[k])];
    tried[k][pick] = true;
    llvm::Expected<TuningRecord> r = trial(k, legal[k][pick]);
    if (!r)
      return r.takeError();
    account(k, *r);
  }
  gain();
  return outcome;
}

} // namespace cnnc
