//===- CostModel.h - a model's layers priced on a device ---------*- C++ -*-===//
//
// Cycles, latency and energy of each layer (ModelLayers.h) on a hardware
// profile (HardwareProfile.h), at a precision, and their totals. The model is
// stated in docs/cost-model.md; in short:
// - On a systolic array a layer's compute cycles are SCALE-Sim's for an
//   output-stationary array without stalls (outputStationaryCycles), and its
//   memory cycles are the DRAM bytes it moves over the bytes per cycle; it
//   takes the longer of the two.
// - On a roofline device it takes the longer of its operations over the peak
//   and its bytes over the bandwidth.
// - Energy: the operations' (or MACs') energy, the bytes' energy, and static
//   power over the time taken.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_COST_COSTMODEL_H
#define CNNC_COST_COSTMODEL_H

#include "cost/HardwareProfile.h"
#include "cost/ModelLayers.h"

#include <optional>
#include <vector>

namespace cnnc {

struct LayerCost {
  Layer layer;
  /// Operations: 2 per multiply-accumulate.
  double ops = 0;
  /// Bytes between DRAM and the device: weights, inputs and outputs at the
  /// precision (more where a systolic array's buffers make it fetch again).
  double dramBytes = 0;
  double computeCycles = 0, memoryCycles = 0;
  /// The longer of the two.
  double cycles = 0;
  double latencyS = 0, energyJ = 0;
  /// A depthwise layer on a systolic array: its compute cycles under the
  /// mapping the profile does not use (both are shown).
  std::optional<double> otherDepthwiseCycles;

  double intensity() const { return dramBytes > 0 ? ops / dramBytes : 0; }
  bool memoryBound() const { return memoryCycles > computeCycles; }
};

struct ModelCost {
  std::vector<LayerCost> layers;
  double macs = 0, ops = 0, dramBytes = 0, cycles = 0, latencyS = 0, energyJ = 0;
};

/// SCALE-Sim's compute cycles (no memory stalls) for an output-stationary
/// array of `rows` x `columns` computing `pixels` (Sr) rows of outputs for
/// `filters` (Sc) columns, each a sum of `reduction` (T) products.
double outputStationaryCycles(int64_t pixels, int64_t filters, int64_t reduction, int64_t rows,
                              int64_t columns);

ModelCost estimateCost(const std::vector<Layer> &layers, const HardwareProfile &profile,
                       Precision precision);

} // namespace cnnc

#endif // CNNC_COST_COSTMODEL_H
