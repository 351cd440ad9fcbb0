//===- Pipeline.cpp - the shared cnnc pipeline ----------------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

namespace cnnc {

void buildCnncFrontendPipeline(mlir::OpPassManager &pm, const CnncPipelineOptions &options) {
  EffnetCompoundScaleOptions scaling;
  scaling.limits = options.limits;
  pm.addPass(createEffnetCompoundScale(scaling));
  ConvertEffnetToCnnOptions lowering;
  lowering.batchSize = options.batchSize;
  pm.addPass(createConvertEffnetToCnn(lowering));
}

void buildCnncPipeline(mlir::OpPassManager &pm, const CnncPipelineOptions &options) {
  buildCnncFrontendPipeline(pm, options);
  mlir::OpPassManager &func = pm.nest<mlir::func::FuncOp>();
  func.addPass(createCnnFoldBatchNorm());
  CnnFuseOptions fusion;
  fusion.fuseExpansions = options.fuseExpansions;
  fusion.fuseProjections = options.fuseProjections;
  func.addPass(createCnnFuse(fusion));
  func.addPass(createCnnPlanMemory());
}

void registerCnncPassesAndPipeline() {
  registerCnncPasses();
  mlir::PassPipelineRegistration<CnncPipelineOptions>(
      "cnnc-frontend-pipeline", "effnet spec IR to cnn IR: compound scaling, then lowering",
      buildCnncFrontendPipeline);
  mlir::PassPipelineRegistration<CnncPipelineOptions>(
      "cnnc-pipeline",
      "what cnnc compile runs before codegen: the frontend pipeline, then batch-norm "
      "folding, kernel grouping and memory planning",
      buildCnncPipeline);
}

} // namespace cnnc
