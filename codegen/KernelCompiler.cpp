//===- KernelCompiler.cpp - distinct kernels to one object file -----------===//
//
// Each distinct kernel: the algorithm (HalideAlgorithm.cpp), the schedule its
// signature carries applied by the target's backend, AOT-compiled in-process
// for the target without a runtime into an object of its own (Halide names
// each pipeline's GPU code alike: modules linked into one keep only the first
// one's), on as many threads as there are cores, and one Halide runtime for
// the target's baseline goes beside them.
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "codegen/ModelBuild.h"

#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <atomic>

namespace cnnc {

namespace {

/// Defines, schedules and compiles kernel `k` into `object`; what went
/// wrong, or empty.
std::string compileKernel(const ModelBuild &build, size_t k, const Halide::Target &target,
                          const std::string &object) {
  const DistinctKernel &kernel = build.kernels[k];
  try {
    KernelFuncs funcs =
        defineKernel(build.calls[kernel.firstCall], build.target.backend->productWidth());
    build.target.backend->applySchedule(funcs, kernel.signature, target);
    std::vector<Halide::Argument> args(funcs.params.begin(), funcs.params.end());
    Halide::Pipeline pipeline = funcs.imageFilter
                                    ? Halide::Pipeline({funcs.output, *funcs.imageFilter})
                                    : Halide::Pipeline(funcs.output);
    pipeline
        .compile_to_module(args, build.kernelName(k),
                           target.with_feature(Halide::Target::NoRuntime))
        .compile({{Halide::OutputFileType::object, object}});
  } catch (const Halide::Error &error) {
    return "Halide, compiling kernel '" + kernel.signature.label() + "': " + error.what();
  }
  return "";
}

} // namespace

llvm::Error compileKernels(const ModelBuild &build) {
  Halide::Target target = kernelTarget(build.target);
  std::vector<std::string> objects = build.kernelObjects();
  // Kernels share no Funcs or Exprs, the condition under which Halide's
  // compiler is thread-safe, and each gets an LLVM context of its own: they
  // compile on every core this process may use (LLVM's backends, Hexagon's
  // above all, are most of a compile's time). The first error in kernel
  // order is reported.
  std::vector<std::string> errors(build.kernels.size());
  std::atomic<size_t> compiled = 0;
  if (build.progress)
    build.progress("compiling kernels", 0, build.kernels.size());
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (size_t k = 0; k < build.kernels.size(); ++k)
      pool.async([&, k] {
        errors[k] = compileKernel(build, k, target, objects[k]);
        if (build.progress)
          build.progress("compiling kernels", ++compiled, build.kernels.size());
      });
    pool.wait();
  }
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(std::errc::invalid_argument, "%s", error.c_str());
  try {
    // The runtime is built without the kernels' instruction-set features: it
    // is what checks, at create, that the CPU has them (as Halide's
    // multi-target runtimes are built for the baseline).
    Halide::Target runtimeTarget = target;
    for (const CpuFeature &feature :
         build.target.backend->requiredFeatures(build.target.halideTarget))
      runtimeTarget = runtimeTarget.without_feature(
          static_cast<Halide::Target::Feature>(feature.halideFeature));
    Halide::compile_standalone_runtime(build.path("halide_runtime.o"), runtimeTarget);
  } catch (const Halide::Error &error) {
    return llvm::createStringError(std::errc::invalid_argument, "Halide, compiling the runtime: %s",
                                   error.what());
  }
  return llvm::Error::success();
}

} // namespace cnnc
