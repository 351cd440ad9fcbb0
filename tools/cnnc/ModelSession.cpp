//===- ModelSession.cpp - a model loaded and lowered for a command --------===//
#include "ModelSession.h"
#include "frontend/SpecLoader.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

namespace cnnc {
namespace {

/// Calls back after effnet-compound-scale, for commands that report the
/// scaled architecture before it is lowered away.
class AfterScaling : public PassInstrumentation {
public:
  explicit AfterScaling(std::function<void(effnet::ModelOp)> callback)
      : callback(std::move(callback)) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (pass->getArgument() == "effnet-compound-scale")
      op->walk([&](effnet::ModelOp model) { callback(model); });
  }

private:
  std::function<void(effnet::ModelOp)> callback;
};

} // namespace

ModelSession::ModelSession()
    : diagnostics(std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, &context)) {
  context.loadDialect<effnet::EffnetDialect, cnn::CnnDialect, func::FuncDialect>();
}

ModelSession::~ModelSession() = default;

LogicalResult ModelSession::load(StringRef model) {
  moduleRef = loadModelSpec(model, sourceMgr, context);
  return success(static_cast<bool>(moduleRef));
}

LogicalResult ModelSession::lower(Pipeline pipeline,
                                  std::function<void(effnet::ModelOp)> afterScaling,
                                  int64_t batchSize) {
  PassManager pm(&context);
  CnncPipelineOptions options;
  options.batchSize = batchSize;
  if (pipeline == Pipeline::full)
    buildCnncPipeline(pm, options);
  else
    buildCnncFrontendPipeline(pm, options);
  if (afterScaling)
    pm.addInstrumentation(std::make_unique<AfterScaling>(std::move(afterScaling)));
  return pm.run(*moduleRef);
}

func::FuncOp ModelSession::loweredModel() { return *moduleRef->getOps<func::FuncOp>().begin(); }

} // namespace cnnc
