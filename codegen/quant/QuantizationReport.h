//===- QuantizationReport.h - what quantization costs, per layer -*- C++ -*-===//
//
// Runs a model before and after cnn-quantize on the same inputs with the
// reference evaluator and measures, at every tensor the quantized model
// quantizes, its signal-to-quantization-noise ratio against the float model:
// 10·log10(Σ x² / Σ (x − x̂)²), x̂ the dequantized value. Errors accumulate
// along the network, so a layer's figure includes what came before it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_QUANT_QUANTIZATIONREPORT_H
#define CNNC_CODEGEN_QUANT_QUANTIZATIONREPORT_H

#include "codegen/HostTensor.h"
#include "frontend/WeightImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc {

struct QuantizedTensor {
  std::string layer;    // location name and op: "stages.2.blocks.0 activation silu", "input"
  std::string location; // the location name alone ("stages.2.blocks.0"), empty for the input
  double sqnrDb;
  double scale;
  int64_t zeroPoint;
  double lo, hi; // the calibrated range
};

struct QuantizationReport {
  std::vector<QuantizedTensor> tensors; // worst SQNR first
  double logitSqnrDb = 0;               // the simulated quantization's
  size_t inputs = 0;
  /// The integer model's (after cnn-lower-quantized), where it was measured:
  /// its logit SQNR against float, and how many ops compute on integers
  /// against those left in float between a dequantize and a quantize.
  std::optional<double> integerLogitSqnrDb;
  size_t integerOps = 0, floatOps = 0;
  /// The --keep-float globs the model was quantized with, those
  /// --accuracy-budget added included.
  std::vector<std::string> keptFloat;
};

/// Compares `quantized` (cnn-quantize's output) with `reference` (the same
/// model before it) on `inputs`.
llvm::Expected<QuantizationReport> measureQuantization(mlir::func::FuncOp reference,
                                                       mlir::func::FuncOp quantized,
                                                       const WeightSet &weights,
                                                       const std::vector<HostTensor> &inputs);

/// The logit SQNR first, then the `worst` worst tensors, a line each.
/// Measures `integer` (a model after cnn-lower-quantized) on `inputs` into
/// `report`, against the float model's logits on the same inputs.
llvm::Error measureIntegerModel(llvm::ArrayRef<HostTensor> referenceLogits,
                                mlir::func::FuncOp integer, const WeightSet &weights,
                                const std::vector<HostTensor> &inputs, QuantizationReport &report);

void printQuantizationReport(llvm::raw_ostream &os, const QuantizationReport &report, size_t worst);

llvm::json::Value quantizationReportJson(const QuantizationReport &report);

/// 10·log10(signal / noise) of two same-sized float arrays, accumulated.
struct SqnrAccumulator {
  double signal = 0, noise = 0;
  void add(llvm::ArrayRef<float> exact, llvm::ArrayRef<float> approximate);
  double db() const;
};

} // namespace cnnc

#endif // CNNC_CODEGEN_QUANT_QUANTIZATIONREPORT_H
