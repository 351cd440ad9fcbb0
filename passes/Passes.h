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

/// The pipeline `cnnc` runs and `cnnc-opt --cnnc-pipeline` shows: spec-level
/// effnet IR in, cnn IR out.
void buildCnncPipeline(mlir::OpPassManager &pm);

/// Registers every cnnc pass and the `cnnc-pipeline` pipeline.
void registerCnncPassesAndPipeline();

} // namespace cnnc

#endif // CNNC_PASSES_PASSES_H
