//===- ReferenceEvaluator.h - cnnc's unfused reference path -----*- C++ -*-===//
//
// Runs a lowered model (a func.func of cnn ops) op by op with plain loops in
// float32 (accumulating in double). Slow and simple on purpose: it is what
// generated code is checked against when no PyTorch model exists (custom specs
// with CBAM), and the first check of the lowering against PyTorch.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_REFERENCEEVALUATOR_H
#define CNNC_CODEGEN_REFERENCEEVALUATOR_H

#include "codegen/HostTensor.h"
#include "frontend/WeightImport.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>

namespace cnnc {

/// Sees each computed activation-path value (not weights or weights-only values).
using ValueObserver = std::function<void(mlir::Value, const HostTensor &)>;

/// Evaluates `model` on `input` (shaped as its argument), showing each value
/// it computes to `observer` if given. Fails with a message on a wrong input
/// shape or a missing weight.
llvm::Expected<HostTensor> evaluateReference(mlir::func::FuncOp model, const WeightSet &weights,
                                             const HostTensor &input,
                                             const ValueObserver &observer = nullptr);

using WeightValues = llvm::DenseMap<mlir::Value, HostTensor>;

/// The values of every weights-only op of `model` (weights, and batch norms
/// folded into them): what the weights file holds.
llvm::Expected<WeightValues> evaluateWeightValues(mlir::func::FuncOp model,
                                                  const WeightSet &weights);

} // namespace cnnc

#endif // CNNC_CODEGEN_REFERENCEEVALUATOR_H
