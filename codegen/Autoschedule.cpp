//===- Autoschedule.cpp - Halide's autoschedulers as schedules ------------===//
//
// The autotuner's seeds besides the target's default (issue: start from the
// heuristic and from Halide's autoschedulers): the kernel's pipeline, with
// estimates equal to its static shapes, handed to one of the autoschedulers
// the Halide wheel ships as plugins (Adams2019 on CPUs; Li2018 and
// Anderson2021 on GPUs), which schedules every Func of it in place. None has
// parameters cnnc searches; each is told a fixed parallelism, not the
// machine's, and its choice for a given pipeline, target and parallelism is
// deterministic, so a tuning database naming it compiles to the kernel that
// was measured, on whatever machine compiles it.
//
//===----------------------------------------------------------------------===//
#include "codegen/Autoschedule.h"
#include "codegen/HalideKernel.h"
#include "codegen/KernelSignature.h"
#include "codegen/Layout.h"

#include "llvm/Support/FileSystem.h"

#include <map>
#include <mutex>

namespace cnnc {
namespace {

using Autoscheduler = ScheduleParams::Autoscheduler;

const char *pluginPath(Autoscheduler which) {
  switch (which) {
  case Autoscheduler::adams2019:
    return CNNC_HALIDE_ADAMS2019_PLUGIN;
  case Autoscheduler::li2018:
    return CNNC_HALIDE_LI2018_PLUGIN;
  case Autoscheduler::anderson2021:
    return CNNC_HALIDE_ANDERSON2021_PLUGIN;
  }
  llvm_unreachable("every Autoscheduler has a plugin");
}

/// Loads `which`'s plugin once per process; whether it loaded.
bool load(Autoscheduler which) {
  static std::mutex mutex;
  static std::map<Autoscheduler, bool> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, first] = loaded.try_emplace(which, false);
  if (first && llvm::sys::fs::exists(pluginPath(which))) {
    try {
      Halide::load_plugin(pluginPath(which));
      it->second = true;
    } catch (const Halide::Error &) {
    }
  }
  return it->second;
}

/// Estimates of a buffer whose Halide extents are `extents`, all from 0.
Halide::Region region(llvm::ArrayRef<int64_t> extents) {
  Halide::Region r;
  for (int64_t extent : extents)
    r.push_back({0, static_cast<int>(extent)});
  return r;
}

/// GPU autoschedulers are told this many streaming multiprocessors whatever
/// GPU compiles or runs the kernel (an H100 or H200 has 132): a database's
/// schedule must compile to the same kernel on a machine without the GPU.
constexpr int kGpuParallelism = 128;

/// Adams2019 is told this many cores, for the same reason: a board's
/// records are compiled on the development machine, whose core count is not
/// the board's.
constexpr int kCpuParallelism = 16;

/// What `which` is told: the parallelism (Adams2019 greedy, beam 1, as a
/// wider beam took 70 s on MobileNetV2's stem alone).
Halide::AutoschedulerParams paramsFor(Autoscheduler which) {
  switch (which) {
  case Autoscheduler::adams2019:
    return {"Adams2019", {{"parallelism", std::to_string(kCpuParallelism)}, {"beam_size", "1"}}};
  case Autoscheduler::li2018:
    return {"Li2018", {{"parallelism", std::to_string(kGpuParallelism)}}};
  case Autoscheduler::anderson2021:
    return {"Anderson2021", {{"parallelism", std::to_string(kGpuParallelism)}, {"beam_size", "1"}}};
  }
  llvm_unreachable("every Autoscheduler has parameters");
}

} // namespace

// The file, not the loaded plugin: every compile asks (for each kernel's
// space), and only a kernel so scheduled needs it loaded.
bool autoschedulerAvailable(Autoscheduler which) {
  return llvm::sys::fs::exists(pluginPath(which));
}

std::vector<Autoscheduler> autoschedulersFor(const KernelSignature &s,
                                             llvm::ArrayRef<Autoscheduler> candidates) {
  std::vector<Autoscheduler> seeds;
  if (!llvm::all_of(s.args, [](const SignatureArg &arg) {
        return arg.tensor.elementType == ElementType::f32;
      }))
    return seeds;
  for (Autoscheduler which : candidates)
    if (autoschedulerAvailable(which))
      seeds.push_back(which);
  return seeds;
}

void autoscheduleKernel(KernelFuncs &funcs, const KernelSignature &signature,
                        const Halide::Target &target) {
  Autoscheduler which = signature.schedule.autoscheduler;
  if (!load(which))
    throw Halide::CompileError(std::string("Halide's ") + autoschedulerName(which) +
                               " autoscheduler is not installed (" + pluginPath(which) + ")");
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
  try {
    Halide::Pipeline(outputs).apply_autoscheduler(target, paramsFor(which));
  } catch (const Halide::Error &error) {
    // Anderson2021 fails some kernels (those an SE gate scales) with no text.
    std::string what = llvm::StringRef(error.what()).trim().str();
    throw Halide::CompileError(std::string("Halide's ") + autoschedulerName(which) +
                               " autoscheduler failed on this kernel: " +
                               (what == "Error:" || what.empty() ? "(it gave no reason)" : what));
  }
}

} // namespace cnnc
