//===- ModelSession.h - a model loaded and lowered for a command -*- C++ -*-===//
#ifndef CNNC_TOOLS_MODELSESSION_H
#define CNNC_TOOLS_MODELSESSION_H

#include "cost/HardwareProfile.h"
#include "dialect/Effnet.h"
#include "frontend/WeightImport.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"
#include "passes/ModelLimits.h"
#include "passes/Passes.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <memory>

namespace cnnc {

/// Owns the context, sources and module of one model, and prints every
/// diagnostic as file:line:col with the source line.
class ModelSession {
public:
  ModelSession();
  ~ModelSession();

  /// Loads a preset name or spec path as effnet IR, to be lowered within the
  /// default resource limits or these overrides (`--limit`:
  /// "resolution=8192,..."); a malformed override is an error. An ONNX file
  /// (`*.onnx`) is imported by lower(), which knows the batch size.
  mlir::LogicalResult load(llvm::StringRef model, llvm::StringRef limitOverrides = "");

  /// Whether the model is an ONNX file, which carries its own weights.
  bool isOnnx() const { return !onnxPath.empty(); }
  /// The weights an ONNX model carries, by cnn.weight name (after lower());
  /// none for a spec, whose weights come from the command line.
  const WeightSet *carriedWeights() const { return isOnnx() ? &importedWeights : nullptr; }

  enum class Pipeline {
    frontend, // scale and lower: the model as written (stats, eval)
    folded,   // and fold batch norms: what calibration and quantization take
    full,     // and fold, fuse, plan memory: what codegen takes (compile)
  };

  /// Runs a shared cnnc pipeline. `afterScaling`, if given, sees each
  /// effnet.model right after effnet-compound-scale. Fails, with an error at
  /// the model, when the lowered model exceeds the parameter or arena limit.
  mlir::LogicalResult lower(Pipeline pipeline,
                            std::function<void(effnet::ModelOp)> afterScaling = nullptr,
                            int64_t batchSize = 1);

  /// After lower(Pipeline::folded) and quantization: fuses and plans memory,
  /// as Pipeline::full does, and checks the arena limit.
  mlir::LogicalResult planKernels();

  /// The large-map fusions (cnn-fuse's fuse-expansions and
  /// fuse-projections) that fusion takes (Pipeline::full, planKernels): what
  /// the target compiled for asks (fusionFor in CodegenModel.h).
  void setFusion(const CnnFuseOptions &options) { fusion = options; }

  mlir::ModuleOp module() { return *moduleRef; }
  /// The resource limits load() was given.
  const ModelLimits &limits() const { return modelLimits; }

  /// A hardware profile (a shipped name or a path), its errors located as
  /// the model's are.
  mlir::FailureOr<HardwareProfile> loadHardware(llvm::StringRef nameOrPath);

  /// The function convert-effnet-to-cnn produced (after lower()).
  mlir::func::FuncOp loweredModel();

private:
  /// Fails, with an error at the model, when its planned arena is over the limit.
  mlir::LogicalResult checkArena();

  CnnFuseOptions fusion;
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> moduleRef;
  std::string onnxPath;
  WeightSet importedWeights;
  ModelLimits modelLimits;
  std::string limitOverrides;
};

} // namespace cnnc

#endif // CNNC_TOOLS_MODELSESSION_H
