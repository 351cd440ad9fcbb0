//===- Passes.h - cnnc passes and the shared pipeline -----------*- C++ -*-===//
#ifndef CNNC_PASSES_PASSES_H
#define CNNC_PASSES_PASSES_H

#include "dialect/Cnn.h"
#include "dialect/Effnet.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Spec-level effnet IR in, cnn IR out: compound scaling and lowering
/// (`cnnc-opt --cnnc-frontend-pipeline`; what `cnnc stats` measures).
void buildCnncFrontendPipeline(mlir::OpPassManager &pm);

/// What `cnnc compile` runs before codegen (`cnnc-opt --cnnc-pipeline`): the
/// frontend pipeline, then batch-norm folding, kernel grouping, memory planning.
void buildCnncPipeline(mlir::OpPassManager &pm);

/// Registers every cnnc pass and the `cnnc-pipeline` pipeline.
void registerCnncPassesAndPipeline();

} // namespace cnnc

#endif // CNNC_PASSES_PASSES_H
