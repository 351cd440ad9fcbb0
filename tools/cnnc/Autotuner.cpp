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
         (a.unrollBlock != b.unrollBlock) + (a.parallelRows != b.parallelRows) +
         (a.paddedInput != b.paddedInput) + (a.gpuThreadsChannels != b.gpuThreadsChannels) +
         (a.gpuThreadsPixels != b.gpuThreadsPixels);
}

std::string now() {
  return llvm::formatv("{0:%Y-%m-%dT%H:%M:%SZ}", std::chrono::time_point_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now()))
      .str();
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

llvm::Expected<TuneOutcome> tuneKernels(const std::vector<TunedKernel> &kernels,
                                        TuningDatabase &database, const TuningContext &context,
                                        const Measure &measure, const TuneOptions &options) {
  TuneOutcome outcome;
  outcome.kernels.resize(kernels.size());
  size_t done = 0, total = kernels.size() + static_cast<size_t>(std::max(options.trials, 0));
  auto gain = [&] {
    double before = 0, after = 0;
    for (size_t k = 0; k < kernels.size(); ++k) {
      before += kernels[k].calls * outcome.kernels[k].defaultMicros;
      after += kernels[k].calls * outcome.kernels[k].bestMicros;
    }
    outcome.defaultModelMicros = before;
    outcome.tunedModelMicros = after;
    return after > 0 ? before / after : 1.0;
  };
  // Measures (or reads back) kernel k under `schedule`; the record.
  auto trial = [&](size_t k, const ScheduleParams &schedule) -> llvm::Expected<TuningRecord> {
    const std::string kernel = kernels[k].signature.computation(), text = schedule.str();
    KernelOutcome &out = outcome.kernels[k];
    for (const TuningRecord &r : database.records())
      if (r.context == context && r.kernel == kernel && r.schedule == text) {
        ++out.reused;
        return r;
      }
    TuningRecord record = measure(k, schedule);
    record.context = context;
    record.kernel = kernel;
    record.schedule = text;
    record.seed = options.seed;
    record.time = now();
    if (llvm::Error error = database.append(record))
      return std::move(error);
    ++out.measured;
    return record;
  };
  auto account = [&](size_t k, const TuningRecord &r) {
    KernelOutcome &out = outcome.kernels[k];
    if (r.status != TuningRecord::Status::ok) {
      ++out.failed;
    } else if (out.bestMicros == 0 || r.medianMicros < out.bestMicros) {
      out.bestMicros = r.medianMicros;
      out.bestSchedule = r.schedule;
    }
    if (options.progress)
      options.progress(++done, total, gain());
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

  std::vector<int> budget = apportion(weights, options.trials);
  auto start = std::chrono::steady_clock::now();
  auto outOfTime = [&] {
    return options.timeBudget > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
               options.timeBudget;
  };
  std::vector<size_t> order(kernels.size());
  for (size_t k = 0; k < order.size(); ++k)
    order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weights[a] > weights[b]; });
  for (size_t k : order) {
    // Each kernel's own generator: its candidates do not depend on the others'.
    std::mt19937_64 random(options.seed * 1000003 + k);
    std::vector<ScheduleParams> legal = kernels[k].space.enumerate();
    std::vector<bool> tried(legal.size(), false);
    for (int t = 0; t < budget[k] && !outOfTime(); ++t) {
      KernelOutcome &out = outcome.kernels[k];
      ScheduleParams best = kernels[k].signature.schedule;
      if (!out.bestSchedule.empty())
        if (llvm::Expected<ScheduleParams> parsed = ScheduleParams::parse(out.bestSchedule))
          best = *parsed;
        else
          llvm::consumeError(parsed.takeError());
      // A neighbour of the best (one parameter changed) not yet tried; else
      // any untried point; else the space is spent.
      std::vector<size_t> near, untried;
      for (size_t i = 0; i < legal.size(); ++i) {
        if (tried[i] || legal[i] == best || legal[i] == kernels[k].signature.schedule)
          continue;
        untried.push_back(i);
        if (distance(legal[i], best) == 1)
          near.push_back(i);
      }
      const std::vector<size_t> &pool = near.empty() ? untried : near;
      if (pool.empty())
        break;
      size_t pick = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(random)];
      tried[pick] = true;
      llvm::Expected<TuningRecord> r = trial(k, legal[pick]);
      if (!r)
        return r.takeError();
      account(k, *r);
    }
  }
  gain();
  return outcome;
}

} // namespace cnnc
