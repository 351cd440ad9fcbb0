//===- Passes.h - cnnc passes and the shared pipeline -----------*- C++ -*-===//
#ifndef CNNC_PASSES_PASSES_H
#define CNNC_PASSES_PASSES_H

#include "dialect/Cnn.h"
#include "dialect/Effnet.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

struct CnncPipelineOptions : public mlir::PassPipelineOptions<CnncPipelineOptions> {
  Option<int64_t> batchSize{*this, "batch-size", llvm::cl::desc("static batch size of the input"),
                            llvm::cl::init(1)};
  Option<std::string> limits{*this, "limits",
                             llvm::cl::desc("resource limits over the defaults: name=N,... "
                                            "(passes/ModelLimits.h)"),
                             llvm::cl::init("")};
  Option<bool> fuseExpansions{
      *this, "fuse-expansions",
      llvm::cl::desc("cnn-fuse's fuse-expansions (what CPU targets ask for)"),
      llvm::cl::init(false)};
  Option<bool> fuseProjections{
      *this, "fuse-projections",
      llvm::cl::desc("cnn-fuse's fuse-projections (what CPU targets ask for)"),
      llvm::cl::init(false)};
};

/// Spec-level effnet IR in, cnn IR out: compound scaling and lowering
/// (`cnnc-opt --cnnc-frontend-pipeline`; what `cnnc stats` measures).
void buildCnncFrontendPipeline(mlir::OpPassManager &pm, const CnncPipelineOptions &options);

/// What `cnnc compile` runs before codegen (`cnnc-opt --cnnc-pipeline`): the
/// frontend pipeline, then batch-norm folding, kernel grouping, memory planning.
void buildCnncPipeline(mlir::OpPassManager &pm, const CnncPipelineOptions &options);

/// Registers every cnnc pass and the `cnnc-pipeline` pipeline.
void registerCnncPassesAndPipeline();

} // namespace cnnc

#endif // CNNC_PASSES_PASSES_H
