//===- CompiledModel.h - a compiled model, opened for cnnc run/bench -*- C++ -*-===//
//
// `cnnc compile` leaves cnnc-model.json beside the library: the model's
// shapes, its target, which library, weights, C entry point and runner belong
// to it. run and bench open the model as its target backend says it runs from
// this machine: loaded into cnnc's own process (dlopen, through its C API, as
// an application would), or through cnnc-runner, the program built for the
// target, started behind a launcher (qemu-aarch64, or a command prefix such
// as `ssh board` given with --launcher).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_COMPILEDMODEL_H
#define CNNC_TOOLS_COMPILEDMODEL_H

#include "cnnc_runtime.h"
#include "codegen/ModelCompiler.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "support/Median.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnnc {

llvm::Error writeManifest(llvm::StringRef dir, mlir::func::FuncOp model,
                          const CompileSummary &summary);

/// What cnnc-model.json says, every field checked.
struct ModelManifest {
  std::string path, name, identifier, target, halideTarget, library, weights;
  int64_t inputShape[4] = {}, outputShape[2] = {};
  size_t arenaBytes = 0, weightsBytes = 0;
  std::vector<double> inputMean, inputStd; // empty: no normalization recorded

  /// The manifest in `dir`; an error if there is none or it is malformed.
  static llvm::Expected<ModelManifest> read(llvm::StringRef dir);
  /// The manifest `text`, read from `path` (for messages).
  static llvm::Expected<ModelManifest> parse(llvm::StringRef text, llvm::StringRef path);
};

/// What one inference executed where an emulator counts it (cnnc's QEMU
/// plugin, tools/qemu-count): exact for one thread.
struct ExecutedCount {
  uint64_t instructions = 0, vectorInstructions = 0;
  std::string unit, vectorUnit; // "packets", "HVX packets"
  /// Each kernel's own share, by kernel ("k18"), in kernel order.
  struct Kernel {
    std::string name;
    uint64_t instructions = 0, vectorInstructions = 0;
  };
  std::vector<Kernel> kernels;
};

/// One distinct kernel's part of a run, where each call is timed
/// (cnnc_run_timed).
struct KernelTime {
  int kernel = 0;          // <model>_k<kernel>
  std::string label;       // what it computes ("conv2d+activation")
  size_t calls = 0;        // per run
  double medianMicros = 0; // its calls together, the median over the runs
};

/// Each distinct kernel's part of the runs: `calls` (kernelCalls()) and, for
/// each call, its microseconds in each run; a kernel's calls summed per run,
/// then the median over the runs.
std::vector<KernelTime> kernelTimes(const std::vector<KernelTime> &calls,
                                    const std::vector<std::vector<double>> &runsOfCall);

/// What `cnnc bench` measured.
struct Timings {
  std::vector<double> ms;              // one per timed run
  std::optional<ExecutedCount> perRun; // where the launcher counts
  std::vector<KernelTime> perKernel;   // where asked for, by kernel

  /// The median run's milliseconds (the upper one of an even count).
  double medianMs() const { return medianOf(ms); }
};

class CompiledModel {
public:
  /// Opens the model compiled into `dir`. `launcher`, if given, is a command
  /// prefix that starts the target's runner instead of the backend's way
  /// (split at spaces; empty: start the runner directly).
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  open(llvm::StringRef dir, const cnnc_options &options,
       const std::optional<std::string> &launcher = std::nullopt);
  virtual ~CompiledModel() = default;

  virtual llvm::Error run(const float *input, size_t inputCount, float *output,
                          size_t outputCount) = 0;
  /// Milliseconds of each of `iterations` runs after `warmup` untimed ones,
  /// and what a run executed where that is counted; with `perKernel`, each
  /// distinct kernel's time too (models run in this process only).
  virtual llvm::Expected<Timings> time(int iterations, int warmup, bool perKernel = false) = 0;

  /// A run's kernel calls, in order: which distinct kernel each calls and
  /// what it computes (models run in this process only, by a library that
  /// times its calls).
  virtual llvm::Expected<std::vector<KernelTime>> kernelCalls() const;
  /// One run of `input`, each kernel call's microseconds in call order
  /// (where kernelCalls() has them).
  virtual llvm::Expected<std::vector<double>> runTimingCalls(const float *input, size_t inputCount,
                                                             float *output, size_t outputCount);
  /// One run of `input`: with `timeCalls`, each kernel call's microseconds
  /// (runTimingCalls); else run() and none.
  llvm::Expected<std::vector<double>> runOnce(const float *input, size_t inputCount, float *output,
                                              size_t outputCount, bool timeCalls);

  const cnnc_model_info &info() const { return modelInfo; }
  const ModelManifest &manifest() const { return modelManifest; }
  /// Said beside timings that are not the target's own speed; empty if they are.
  const std::string &timingNote() const { return note; }
  /// Whether it runs in cnnc's own process (else through its runner).
  virtual bool inProcess() const = 0;

protected:
  cnnc_model_info modelInfo{};
  ModelManifest modelManifest;
  std::string note;
};

} // namespace cnnc

#endif // CNNC_TOOLS_COMPILEDMODEL_H
