//===- Pipeline.cpp - the shared cnnc pipeline ----------------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

namespace cnnc {

void buildCnncPipeline(mlir::OpPassManager &pm) {
  pm.addPass(createEffnetCompoundScale());
  pm.addPass(createConvertEffnetToCnn());
}

void registerCnncPassesAndPipeline() {
  registerCnncPasses();
  mlir::PassPipelineRegistration<>("cnnc-pipeline",
                                   "effnet spec IR to cnn IR: compound scaling, then lowering",
                                   buildCnncPipeline);
}

} // namespace cnnc
