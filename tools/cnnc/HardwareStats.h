//===- HardwareStats.h - cnnc stats --hardware ------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_HARDWARESTATS_H
#define CNNC_TOOLS_HARDWARESTATS_H

#include "cost/CostModel.h"

#include "llvm/Support/JSON.h"

#include <string>

namespace cnnc {

/// Per layer and in total: MACs, FLOPs, bytes moved, arithmetic intensity,
/// cycles, latency and energy of `model` on `profile`.
void printCostTable(llvm::StringRef model, const HardwareProfile &profile, Precision precision,
                    const ModelCost &cost);

/// The same as JSON: `layers` (name, kind, macs, flops, dram_bytes,
/// intensity, compute_cycles, memory_cycles, cycles, latency_s, energy_j, and
/// for a depthwise layer on an array the other mapping's cycles) and
/// `totals` (macs, flops, dram_bytes, cycles, latency_s, energy_j).
llvm::json::Object costJson(llvm::StringRef model, const HardwareProfile &profile,
                            Precision precision, const ModelCost &cost);

} // namespace cnnc

#endif // CNNC_TOOLS_HARDWARESTATS_H
