//===- ModelCompiler.h - a lowered model to a linkable library --*- C++ -*-===//
#ifndef CNNC_CODEGEN_MODELCOMPILER_H
#define CNNC_CODEGEN_MODELCOMPILER_H

#include "frontend/WeightImport.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace cnnc {

struct CompileOptions {
  std::string target = "host"; // a Halide target string: host, x86-64-linux-avx2, ...
  std::string outputDir;
  std::string cCompiler = "cc";
  std::string archiver = "ar";
};

struct CompileSummary {
  std::string identifier; // the C name: cnnc_<identifier>_create_from_file
  size_t kernelCalls = 0, uniqueKernels = 0;
  size_t weightsBytes = 0, arenaBytes = 0;
};

/// Compiles `model` (after the full cnnc pipeline) into outputDir:
/// <name>.h, cnnc_runtime.h, lib<name>.a, lib<name>.so and <name>.weights
/// (from `weights`, folded and laid out for the kernels).
llvm::Expected<CompileSummary> compileModel(mlir::func::FuncOp model, const WeightSet &weights,
                                            const CompileOptions &options);

/// The C identifier of a model name ("efficientnet-b0" → "efficientnet_b0").
std::string cIdentifier(llvm::StringRef name);

} // namespace cnnc

#endif // CNNC_CODEGEN_MODELCOMPILER_H
