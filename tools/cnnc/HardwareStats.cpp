//===- HardwareStats.cpp - cnnc stats --hardware --------------------------===//
//
// The cost model's estimates (cost/CostModel.h) for a user to read: a table
// per layer and the totals, or the same as JSON.
//
//===----------------------------------------------------------------------===//
#include "HardwareStats.h"
#include "support/Format.h"

#include <fmt/format.h>

namespace cnnc {
namespace {

/// 1234567 → "1.23 M".
std::string count(double value) {
  const char *units[] = {"", " K", " M", " G", " T"};
  int unit = 0;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  return unit ? fmt::format("{:.3g}{}", value, units[unit]) : fmt::format("{:.0f}", value);
}

std::string describe(const HardwareProfile &profile) {
  return profile.description.empty() ? profile.name
                                     : fmt::format("{} ({})", profile.name, profile.description);
}

bool onArray(const HardwareProfile &profile) {
  return std::holds_alternative<SystolicArray>(profile.device);
}

} // namespace

void printCostTable(llvm::StringRef model, const HardwareProfile &profile, Precision precision,
                    const ModelCost &cost) {
  fmt::print("{} on {}, {}\n\n", model.str(), describe(profile), precisionName(precision).str());
  fmt::print("{:<36} {:<9} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9} {:>10} {:>10}  {}\n", "layer",
             "kind", "MACs", "FLOPs", "bytes", "FLOP/B", "cycles", "bound", "latency", "energy",
             "");
  bool depthwiseShown = false;
  for (const LayerCost &l : cost.layers) {
    std::string other;
    if (l.otherDepthwiseCycles) {
      other = fmt::format("[{} cycles {}]", count(*l.otherDepthwiseCycles),
                          std::get<SystolicArray>(profile.device).depthwise ==
                                  DepthwiseMapping::channelParallel
                              ? "per channel"
                              : "channel-parallel");
      depthwiseShown = true;
    }
    fmt::print("{:<36} {:<9} {:>9} {:>9} {:>9} {:>7.1f} {:>9} {:>9} {:>10} {:>10}  {}\n",
               l.layer.name, layerKindName(l.layer.kind).str(),
               count(static_cast<double>(l.layer.macs)), count(l.ops), count(l.dramBytes),
               l.intensity(), count(l.cycles), l.memoryBound() ? "memory" : "compute",
               formatWithPrefix(l.latencyS, "s"), formatWithPrefix(l.energyJ, "J"), other);
  }
  fmt::print("\nMACs       {}\n", count(cost.macs));
  fmt::print("FLOPs      {}  (2 per MAC)\n", count(cost.ops));
  fmt::print("DRAM bytes {}  (weights, inputs and outputs at {})\n", count(cost.dramBytes),
             precisionName(precision).str());
  fmt::print("cycles     {}  at {:.4g} GHz\n", count(cost.cycles), profile.clockHz / 1e9);
  fmt::print("latency    {}  ({:.4g} inferences/s, one at a time)\n",
             formatWithPrefix(cost.latencyS, "s"), 1 / cost.latencyS);
  if (cost.energyJ > 0)
    fmt::print("energy     {}  per inference ({:.4g} inferences per Wh)\n",
               formatWithPrefix(cost.energyJ, "J"), 3600 / cost.energyJ);
  else
    fmt::print("energy     0 (the profile gives no energies)\n");
  if (depthwiseShown)
    fmt::print("\nDepthwise layers in brackets: their cycles under the other mapping "
               "(docs/cost-model.md).\n");
  if (onArray(profile))
    fmt::print("Cycles are SCALE-Sim's output-stationary compute cycles, or the DRAM transfer "
               "where longer.\n");
}

llvm::json::Object costJson(llvm::StringRef model, const HardwareProfile &profile,
                            Precision precision, const ModelCost &cost) {
  llvm::json::Array layers;
  for (const LayerCost &l : cost.layers) {
    llvm::json::Object entry{{"name", l.layer.name},
                             {"kind", layerKindName(l.layer.kind)},
                             {"macs", l.layer.macs},
                             {"flops", l.ops},
                             {"dram_bytes", l.dramBytes},
                             {"intensity", l.intensity()},
                             {"compute_cycles", l.computeCycles},
                             {"memory_cycles", l.memoryCycles},
                             {"cycles", l.cycles},
                             {"latency_s", l.latencyS},
                             {"energy_j", l.energyJ}};
    if (l.otherDepthwiseCycles)
      entry["other_mapping_compute_cycles"] = *l.otherDepthwiseCycles;
    layers.push_back(std::move(entry));
  }
  llvm::json::Object hardware{{"name", profile.name},
                              {"kind", onArray(profile) ? "systolic" : "roofline"},
                              {"clock_hz", profile.clockHz}};
  if (onArray(profile))
    hardware["depthwise"] =
        std::get<SystolicArray>(profile.device).depthwise == DepthwiseMapping::channelParallel
            ? "channel_parallel"
            : "per_channel";
  return llvm::json::Object{
      {"model", model},
      {"hardware", std::move(hardware)},
      {"precision", precisionName(precision)},
      {"layers", std::move(layers)},
      {"totals", llvm::json::Object{{"macs", cost.macs},
                                    {"flops", cost.ops},
                                    {"dram_bytes", cost.dramBytes},
                                    {"cycles", cost.cycles},
                                    {"latency_s", cost.latencyS},
                                    {"energy_j", cost.energyJ}}},
  };
}

} // namespace cnnc
