//===- Calibration.h - activation ranges for 8-bit quantization -*- C++ -*-===//
//
// Runs a float model (batch norms folded) with the reference evaluator over
// calibration inputs, watching every activation, and records on the model
// what cnn-quantize reads (passes/Quantization.h): each activation's range,
// chosen by one of three methods, and each filter's per-output-channel
// magnitude.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_QUANT_CALIBRATION_H
#define CNNC_CODEGEN_QUANT_CALIBRATION_H

#include "codegen/HostTensor.h"
#include "frontend/WeightImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace cnnc {

enum class CalibrationMethod {
  minmax,     // the observed minimum and maximum
  percentile, // the `percentile`-th and (100 − `percentile`)-th percentiles
  entropy,    // each side's clip point minimizing the KL divergence (TensorRT's method)
};

/// Bounded tensors (the input, ReLU6 and sigmoid outputs) always keep their
/// observed range; entropy needs 65536 values or more, and falls back to it.
struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::minmax;
  double percentile = 99.99;
};

/// Parses "minmax", "entropy", "percentile" or "percentile:P" (50 < P ≤ 100).
llvm::Expected<CalibrationOptions> parseCalibrationMethod(llvm::StringRef text);

/// Calibrates `model` on `inputs` (each shaped as its argument), setting
/// cnn.input_range, cnn.calibrated_range and cnn.filter_absmax. Bias
/// correction: for each layer with a bias, the mean error its quantized filter
/// makes, Σ (W − Wq)·E[x] per output channel (E[x] the float input's mean per
/// channel over the calibration inputs and all positions), is added to
/// `weights` as "<filter>.bias_correction" and named by cnn.bias_correction.
llvm::Error calibrate(mlir::func::FuncOp model, WeightSet &weights,
                      const std::vector<HostTensor> &inputs, const CalibrationOptions &options);

} // namespace cnnc

#endif // CNNC_CODEGEN_QUANT_CALIBRATION_H
