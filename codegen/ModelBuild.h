//===- ModelBuild.h - everything decided about a model before its files -*- C++ -*-===//
//
// The model compiler (ModelCompiler.cpp) plans a build: which kernel calls
// run, which distinct kernels (signature and schedule) they share, where every
// weight sits in the packed weights, how big the arena is. The three steps
// that write files read this plan and nothing else: compiling the kernels
// (KernelCompiler.cpp), writing the bundle (BundleWriter.cpp: weights file,
// model table, header, runtime sources) and building the libraries with the
// target's toolchain (LibraryBuilder.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_MODELBUILD_H
#define CNNC_CODEGEN_MODELBUILD_H

#include "codegen/KernelPlan.h"
#include "codegen/KernelSignature.h"
#include "codegen/ModelCompiler.h"
#include "codegen/TargetBackend.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cnnc {

/// A tensor in the packed weights.
struct WeightSlot {
  mlir::Value value;
  TensorRole role;
  TensorDesc tensor;
  int64_t offset; // bytes, CNNC_ALIGNMENT-aligned
};

/// One compiled kernel, shared by every call with its signature.
struct DistinctKernel {
  KernelSignature signature;
  size_t firstCall;            // a call (index into ModelBuild::calls) that uses it
  bool tuned = false;          // scheduled as a tuning database said
  bool tunedAsDefault = false; // ... and the database's schedule is the default
};

struct ModelBuild {
  mutable mlir::func::FuncOp model; // a handle; MLIR ops are not const-correct
  std::string name;                 // the model's name: file names
  std::string identifier;           // its C identifier: symbol names
  TargetSelection target;
  std::string outputDir;

  std::vector<KernelGroup> groups;
  std::vector<KernelPlan> calls;    // in execution order
  std::vector<size_t> kernelOfCall; // index into kernels
  std::vector<DistinctKernel> kernels;

  std::vector<WeightSlot> weights;
  llvm::DenseMap<mlir::Value, size_t> weightOf; // index into weights
  std::vector<uint8_t> payload;                 // the packed weights

  int64_t arenaBytes = 0;    // planned activations, then the scratch region
  int64_t scratchOffset = 0; // per-image filters of folded SE scales
  uint64_t signature = 0;    // shared by the library and its weights file
  /// CompileOptions::progress, or empty.
  std::function<void(llvm::StringRef phase, size_t done, size_t total)> progress;

  /// `file` inside the output directory.
  std::string path(llvm::StringRef file) const;
  /// Opens `file` in the output directory for writing.
  llvm::Expected<std::unique_ptr<llvm::raw_fd_ostream>> create(llvm::StringRef file) const;
  /// The kernel symbol prefix: <identifier>_k<index>.
  std::string kernelName(size_t kernel) const;
  /// The object file of each kernel, in the output directory.
  std::vector<std::string> kernelObjects() const;
};

/// The target, the calls and their kernels of `model`: everything but the
/// weights (ModelCompiler.cpp).
llvm::Error planBuild(ModelBuild &build, mlir::func::FuncOp model, llvm::StringRef target,
                      const TunedSchedules &tunedSchedules);
llvm::Error compileKernels(const ModelBuild &build);
llvm::Error writeBundle(const ModelBuild &build);
llvm::Error buildLibraries(const ModelBuild &build);
/// The output directory as a CMake and a pkg-config package (PackageWriter.cpp).
llvm::Error writePackageFiles(const ModelBuild &build);

} // namespace cnnc

#endif // CNNC_CODEGEN_MODELBUILD_H
