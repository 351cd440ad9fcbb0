//===- WeightImport.h - weights for a lowered model -------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_WEIGHTIMPORT_H
#define CNNC_FRONTEND_WEIGHTIMPORT_H

#include "dialect/WeightSchemes.h"
#include "frontend/Safetensors.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {

/// float32 values of a model's weights, by cnn.weight name.
using WeightSet = llvm::StringMap<std::vector<float>>;

/// Weights read from a checkpoint, and the naming scheme they were found under.
struct ImportedWeights {
  WeightSet weights; // by cnn.weight name, whatever the file called them
  WeightScheme scheme;
};

/// Reads every cnn.weight of `model` from `file`, by its name under `scheme`,
/// or, without one, under the first scheme (WeightSchemes.h) whose names and
/// shapes fit the file exactly (batch-norm `num_batches_tracked` counters are
/// ignored). When none fits, the error lists each scheme tried with how many
/// tensors it found, and for the closest one each missing, extra or wrongly
/// shaped tensor by name.
llvm::Expected<ImportedWeights> importWeights(mlir::func::FuncOp model, const SafetensorsFile &file,
                                              std::optional<WeightScheme> scheme = std::nullopt);

/// importWeights from the safetensors file at `path`.
llvm::Expected<ImportedWeights>
importWeightsFile(mlir::func::FuncOp model, llvm::StringRef path,
                  std::optional<WeightScheme> scheme = std::nullopt);

/// Seeded random weights for every cnn.weight of `model`: filters He-uniform
/// (unit variance through each layer), batch-norm scales in [0.5, 1.5],
/// variances in [0.5, 2], shifts, means and biases around 0 with deviation 0.1.
WeightSet randomWeights(mlir::func::FuncOp model, uint64_t seed);

} // namespace cnnc

#endif // CNNC_FRONTEND_WEIGHTIMPORT_H
