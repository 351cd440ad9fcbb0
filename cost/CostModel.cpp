//===- CostModel.cpp - a model's layers priced on a device ----------------===//
#include "cost/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

namespace cnnc {
namespace {

double ceilDiv(int64_t a, int64_t b) { return static_cast<double>(llvm::divideCeil(a, b)); }

/// Bytes of the layer's tensors at the precision.
struct TensorBytes {
  double weights, input, output;
};

TensorBytes tensorBytes(const Layer &layer, Precision precision) {
  auto bytes = static_cast<double>(bytesPerElement(precision));
  return {bytes * static_cast<double>(layer.weightElements),
          bytes * static_cast<double>(layer.inputElements),
          bytes * static_cast<double>(layer.outputElements)};
}

/// A layer on an output-stationary array. Folds run column fold by column
/// fold (SCALE-Sim's order), each column fold's filters against every row
/// fold of inputs, so:
/// - a column fold's filters are fetched once if they fit the filter buffer,
///   else once per row fold;
/// - the input is fetched once if it fits the ifmap buffer, else once per
///   column fold. A depthwise layer's columns each read their own channel,
///   so its input is fetched once;
/// - outputs leave the array once.
/// The array reads operands from its buffers: each fold feeds its rows and
/// columns T operands each (a depthwise layer feeds every column its own
/// inputs), and writes its outputs.
LayerCost onSystolicArray(const Layer &layer, const HardwareProfile &profile,
                          const SystolicArray &array, Precision precision) {
  LayerCost cost{layer};
  cost.ops = 2.0 * static_cast<double>(layer.macs);
  TensorBytes bytes = tensorBytes(layer, precision);
  auto element = static_cast<double>(bytesPerElement(precision));
  double rowFolds = ceilDiv(layer.outputPixels, array.rows);
  double columnFolds = ceilDiv(layer.filters, array.columns);
  double sr = static_cast<double>(layer.outputPixels), sc = static_cast<double>(layer.filters),
         t = static_cast<double>(layer.reduction);

  double sramReads;
  if (layer.kind == LayerKind::depthwise) {
    double channelParallel = outputStationaryCycles(layer.outputPixels, layer.filters,
                                                    layer.reduction, array.rows, array.columns);
    double perChannel = sc * outputStationaryCycles(layer.outputPixels, 1, layer.reduction,
                                                    array.rows, array.columns);
    bool parallel = array.depthwise == DepthwiseMapping::channelParallel;
    cost.computeCycles = parallel ? channelParallel : perChannel;
    cost.otherDepthwiseCycles = parallel ? perChannel : channelParallel;
    cost.dramBytes = bytes.weights + bytes.input + bytes.output;
    sramReads = element * (sr * sc * t + sc * t * rowFolds);
  } else {
    cost.computeCycles = outputStationaryCycles(layer.outputPixels, layer.filters, layer.reduction,
                                                array.rows, array.columns);
    double foldFilterBytes = element * t * std::min(sc, static_cast<double>(array.columns));
    double weightFetches =
        foldFilterBytes <= static_cast<double>(array.filterBufferBytes) ? 1 : rowFolds;
    double inputFetches =
        bytes.input <= static_cast<double>(array.ifmapBufferBytes) ? 1 : columnFolds;
    cost.dramBytes = bytes.weights * weightFetches + bytes.input * inputFetches + bytes.output;
    sramReads = element * t * (sr * columnFolds + sc * rowFolds);
  }
  cost.memoryCycles = cost.dramBytes / array.dramBytesPerCycle;
  cost.cycles = std::max(cost.computeCycles, cost.memoryCycles);
  cost.latencyS = cost.cycles / profile.clockHz;
  // SRAM: the array's operand reads, its output writes, and the DRAM fills.
  double sramBytes = sramReads + bytes.output + cost.dramBytes;
  cost.energyJ = static_cast<double>(layer.macs) * array.macEnergyJ[precision] +
                 sramBytes * array.sramByteEnergyJ + cost.dramBytes * array.dramByteEnergyJ +
                 profile.staticPowerW * cost.latencyS;
  return cost;
}

/// A layer on a roofline device: its tensors cross memory once.
LayerCost onRoofline(const Layer &layer, const HardwareProfile &profile,
                     const RooflineDevice &device, Precision precision) {
  LayerCost cost{layer};
  cost.ops = 2.0 * static_cast<double>(layer.macs);
  TensorBytes bytes = tensorBytes(layer, precision);
  cost.dramBytes = bytes.weights + bytes.input + bytes.output;
  double computeS = cost.ops / device.peakOpsPerSecond[precision];
  double memoryS = cost.dramBytes / device.memoryBytesPerSecond;
  cost.computeCycles = computeS * profile.clockHz;
  cost.memoryCycles = memoryS * profile.clockHz;
  cost.cycles = std::max(cost.computeCycles, cost.memoryCycles);
  cost.latencyS = std::max(computeS, memoryS);
  cost.energyJ = cost.ops * device.opEnergyJ[precision] +
                 cost.dramBytes * device.memoryByteEnergyJ + profile.staticPowerW * cost.latencyS;
  return cost;
}

} // namespace

double outputStationaryCycles(int64_t pixels, int64_t filters, int64_t reduction, int64_t rows,
                              int64_t columns) {
  // Each fold streams its T operands through the array, skewed by its rows
  // and columns (T + R + C - 2 cycles); SCALE-Sim counts the last cycle of
  // the layer once less.
  double folds = ceilDiv(pixels, rows) * ceilDiv(filters, columns);
  return folds * static_cast<double>(reduction + rows + columns - 2) - 1;
}

ModelCost estimateCost(const std::vector<Layer> &layers, const HardwareProfile &profile,
                       Precision precision) {
  ModelCost total;
  for (const Layer &layer : layers) {
    LayerCost cost =
        std::holds_alternative<SystolicArray>(profile.device)
            ? onSystolicArray(layer, profile, std::get<SystolicArray>(profile.device), precision)
            : onRoofline(layer, profile, std::get<RooflineDevice>(profile.device), precision);
    total.macs += static_cast<double>(layer.macs);
    total.ops += cost.ops;
    total.dramBytes += cost.dramBytes;
    total.cycles += cost.cycles;
    total.latencyS += cost.latencyS;
    total.energyJ += cost.energyJ;
    total.layers.push_back(std::move(cost));
  }
  return total;
}

} // namespace cnnc
