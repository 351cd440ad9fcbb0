//===- ModelSession.cpp - a model loaded and lowered for a command --------===//
#include "ModelSession.h"
#include "frontend/SpecLoader.h"
#include "interchange/OnnxImport.h"
#include "passes/KernelGroups.h"
#include "passes/ModelStats.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

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

/// An error in what the command line asked for, which has no spec location.
LogicalResult commandLineError(const llvm::Twine &message) {
  llvm::errs() << "cnnc: error: " << message << "\n";
  return failure();
}

} // namespace

ModelSession::ModelSession()
    : diagnostics(std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, &context)) {
  context.loadDialect<effnet::EffnetDialect, cnn::CnnDialect, func::FuncDialect>();
  // Errors point at spec lines; a dump of the op would bury them.
  context.printOpOnDiagnostic(false);
}

ModelSession::~ModelSession() = default;

FailureOr<HardwareProfile> ModelSession::loadHardware(StringRef nameOrPath) {
  return loadHardwareProfile(nameOrPath, sourceMgr, context);
}

LogicalResult ModelSession::load(StringRef model, StringRef overrides) {
  llvm::Expected<ModelLimits> parsed = ModelLimits::parse(overrides);
  if (!parsed)
    return commandLineError("--limit: " + llvm::toString(parsed.takeError()));
  modelLimits = *parsed;
  limitOverrides = overrides.str();
  if (isOnnxModelPath(model)) {
    onnxPath = model.str();
    return success();
  }
  moduleRef = loadModelSpec(model, sourceMgr, context);
  return success(static_cast<bool>(moduleRef));
}

LogicalResult ModelSession::lower(Pipeline pipeline,
                                  std::function<void(effnet::ModelOp)> afterScaling,
                                  int64_t batchSize) {
  PassManager pm(&context);
  CnncPipelineOptions options;
  options.batchSize = batchSize;
  options.limits = limitOverrides;
  options.fuseExpansions = fusion.fuseExpansions;
  options.fuseProjections = fusion.fuseProjections;
  if (batchSize > modelLimits.batch)
    return commandLineError("--batch " + llvm::Twine(batchSize) + " is over " +
                            ModelLimits::describe("batch", modelLimits.batch));
  if (isOnnx()) {
    llvm::Expected<ImportedOnnx> imported = importOnnx(onnxPath, context, batchSize, modelLimits);
    if (!imported)
      return commandLineError(llvm::toString(imported.takeError()));
    moduleRef = std::move(imported->module);
    importedWeights = std::move(imported->weights);
  }
  if (pipeline == Pipeline::full) {
    buildCnncPipeline(pm, options);
  } else {
    buildCnncFrontendPipeline(pm, options);
    if (pipeline == Pipeline::folded)
      pm.nest<func::FuncOp>().addPass(createCnnFoldBatchNorm());
  }
  if (afterScaling)
    pm.addInstrumentation(std::make_unique<AfterScaling>(std::move(afterScaling)));
  if (failed(pm.run(*moduleRef)))
    return failure();
  func::FuncOp model = loweredModel();
  int64_t params = computeModelStats(model).params;
  if (params > modelLimits.parameters)
    return model.emitError() << "the model has " << params << " parameters, over "
                             << ModelLimits::describe("parameters", modelLimits.parameters);
  return checkArena();
}

LogicalResult ModelSession::planKernels() {
  PassManager pm(&context, func::FuncOp::getOperationName());
  pm.addPass(createCnnFuse(fusion));
  pm.addPass(createCnnPlanMemory());
  if (failed(pm.run(loweredModel())))
    return failure();
  return checkArena();
}

LogicalResult ModelSession::checkArena() {
  func::FuncOp model = loweredModel();
  auto arena = model->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  if (arena && arena.getInt() > modelLimits.arenaBytes)
    return model.emitError() << "a run needs " << arena.getInt() << " bytes of activations, over "
                             << ModelLimits::describe("arena-bytes", modelLimits.arenaBytes);
  return success();
}

func::FuncOp ModelSession::loweredModel() { return *moduleRef->getOps<func::FuncOp>().begin(); }

} // namespace cnnc
