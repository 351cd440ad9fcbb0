//===- WeightImport.h - weights for a lowered model -------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_WEIGHTIMPORT_H
#define CNNC_FRONTEND_WEIGHTIMPORT_H

#include "frontend/Safetensors.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {

/// float32 values of a model's weights, by cnn.weight name.
using WeightSet = llvm::StringMap<std::vector<float>>;

/// Reads every cnn.weight of `model` from `file`. The error lists each
/// missing, extra or wrongly shaped tensor by name (torchvision's batch-norm
/// `num_batches_tracked` counters are ignored).
llvm::Expected<WeightSet> importWeights(mlir::func::FuncOp model, const SafetensorsFile &file);

/// importWeights from the safetensors file at `path`.
llvm::Expected<WeightSet> importWeightsFile(mlir::func::FuncOp model, llvm::StringRef path);

/// Seeded random weights for every cnn.weight of `model`: filters He-uniform
/// (unit variance through each layer), batch-norm scales in [0.5, 1.5],
/// variances in [0.5, 2], shifts, means and biases around 0 with deviation 0.1.
WeightSet randomWeights(mlir::func::FuncOp model, uint64_t seed);

} // namespace cnnc

#endif // CNNC_FRONTEND_WEIGHTIMPORT_H
