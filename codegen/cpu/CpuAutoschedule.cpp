//===- CpuAutoschedule.cpp - Halide's Adams2019 autoscheduler as a schedule ===//
//
// The autotuner's seed besides the target's default (issue: start from the
// heuristic and from Halide's autoschedulers): the kernel's pipeline, with
// estimates equal to its static shapes, handed to Adams2019 (the plugin the
// Halide wheel ships), which schedules every Func of it in place. Adams2019
// has no parameters cnnc searches; it is told the machine's parallelism, and
// its choice for a given pipeline, target and parallelism is deterministic,
// so a tuning database naming it compiles to the kernel that was measured.
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "codegen/KernelSignature.h"
#include "codegen/Layout.h"
#include "codegen/cpu/CpuBackend.h"

#include "llvm/Support/FileSystem.h"

#include <mutex>
#include <thread>

namespace cnnc {
namespace {

/// Loads the plugin once per process; whether it loaded.
bool loadAdams2019() {
  static std::once_flag once;
  static bool loaded = false;
  std::call_once(once, [] {
    if (!llvm::sys::fs::exists(CNNC_HALIDE_ADAMS2019_PLUGIN))
      return;
    try {
      Halide::load_plugin(CNNC_HALIDE_ADAMS2019_PLUGIN);
      loaded = true;
    } catch (const Halide::Error &) {
    }
  });
  return loaded;
}

/// Estimates of a buffer whose Halide extents are `extents`, all from 0.
Halide::Region region(llvm::ArrayRef<int64_t> extents) {
  Halide::Region r;
  for (int64_t extent : extents)
    r.push_back({0, static_cast<int>(extent)});
  return r;
}

} // namespace

// The file, not the loaded plugin: every compile asks (for each kernel's
// space), and only a kernel scheduled by Adams2019 needs it loaded.
bool autoschedulerAvailable() { return llvm::sys::fs::exists(CNNC_HALIDE_ADAMS2019_PLUGIN); }

void autoscheduleKernel(KernelFuncs &funcs, const KernelSignature &signature,
                        const Halide::Target &target) {
  if (!loadAdams2019())
    throw Halide::CompileError("Halide's Adams2019 autoscheduler is not installed (" +
                               std::string(CNNC_HALIDE_ADAMS2019_PLUGIN) + ")");
  for (size_t i = 0; i < funcs.params.size() && i < signature.args.size(); ++i) {
    const SignatureArg &arg = signature.args[i];
    funcs.params[i].set_estimates(region(halideExtents(arg.role, arg.tensor.shape)));
  }
  funcs.output.set_estimates(
      region(halideExtents(TensorRole::activation, signature.resultShape())));
  std::vector<Halide::Func> outputs = {funcs.output};
  if (funcs.imageFilter) {
    std::vector<int64_t> extents(funcs.imageFilterExtents.begin(), funcs.imageFilterExtents.end());
    funcs.imageFilter->set_estimates(region(extents));
    outputs.push_back(*funcs.imageFilter);
  }
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  Halide::Pipeline(outputs).apply_autoscheduler(
      target, {"Adams2019", {{"parallelism", std::to_string(threads)}, {"beam_size", "1"}}});
}

} // namespace cnnc
