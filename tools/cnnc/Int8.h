//===- Int8.h - --precision int8: calibrate, quantize, report ---*- C++ -*-===//
//
// What `cnnc eval` (and, once integer kernels exist, `compile`) does for
// --precision int8: read the calibration inputs (a folder of photos, prepared
// as `run --image` prepares one with the model's own normalization, or an
// .npy batch), calibrate the model, quantize it with cnn-quantize and measure
// what that cost against the float model.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_INT8_H
#define CNNC_TOOLS_INT8_H

#include "Args.h"
#include "codegen/quant/QuantizationReport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>

namespace cnnc {

/// The options: --calibrate DIR_OR_NPY (required), --calibration-method M,
/// --keep-float GLOB[,GLOB...], --accuracy-budget DB, --requantization RULE.
inline constexpr const char *kInt8Options[] = {"calibrate", "calibration-method", "keep-float",
                                               "accuracy-budget", "requantization"};

/// Writes `report` as JSON to `path` (quantizationReportJson).
llvm::Error writeQuantizationReport(const std::string &path, const QuantizationReport &report);

/// An error if an INT8 option is given without --precision int8 (`int8` false).
llvm::Error checkInt8Options(const Args &args, bool int8);

/// The requantization rule without --requantization: `float32` (XNNPACK's,
/// which ONNX Runtime's MLAS follows; a conversion, a multiply and a rounding
/// conversion per output, where x86 spends some 25 instructions per 8
/// outputs on the fixed-point rule's 64-bit products) on targets that
/// compute in float vectors, and `fixed-point` (TFLite's) on those that do
/// not (Hexagon). `cnnc eval` takes the first, as x86 and ARM64 compile.
llvm::StringRef defaultRequantization(bool floatVectors);

/// Quantizes `model` (lowered, batch norms folded) in place for the options in
/// `args` (the rule `defaultRule` where --requantization is not given), into
/// integer ops where cnn-lower-quantized can; returns the report
/// of its cost on the calibration inputs (the simulation's, per tensor, and the
/// integer model's logits).
/// Calibration adds its bias corrections to `weights`. `simulated`, if
/// given, receives the model as cnn-quantize left it (quantize / dequantize
/// pairs around float ops, what ONNX writes as Q/DQ) before it was lowered.
/// `phase`, if given, hears each phase start ("calibrating on 10 inputs").
llvm::Expected<QuantizationReport>
quantizeToInt8(mlir::func::FuncOp model, WeightSet &weights, const Args &args,
               llvm::StringRef defaultRule,
               mlir::OwningOpRef<mlir::func::FuncOp> *simulated = nullptr,
               const std::function<void(llvm::StringRef)> &phase = nullptr);

/// `tensor` (N·B×...) split into the model's batches of B.
llvm::Expected<std::vector<HostTensor>> splitBatches(llvm::StringRef source,
                                                     const HostTensor &tensor,
                                                     llvm::ArrayRef<int64_t> modelInput,
                                                     llvm::StringRef model);

} // namespace cnnc

#endif // CNNC_TOOLS_INT8_H
