//===- KernelCompiler.cpp - distinct kernels to one object file -----------===//
//
// Each distinct kernel: the algorithm (HalideAlgorithm.cpp), the schedule its
// signature carries applied by the target's backend, AOT-compiled in-process
// for the target without a runtime into an object of its own (Halide names
// each pipeline's GPU code alike: modules linked into one keep only the first
// one's), and one Halide runtime for the target's baseline goes beside them.
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "codegen/ModelBuild.h"

namespace cnnc {

llvm::Error compileKernels(const ModelBuild &build) {
  std::string compiling = "the runtime"; // what an error is about
  try {
    Halide::Target target(build.target.halideTarget);
    std::vector<std::string> objects = build.kernelObjects();
    for (size_t k = 0; k < build.kernels.size(); ++k) {
      const DistinctKernel &kernel = build.kernels[k];
      compiling = "kernel '" + kernel.signature.label() + "'";
      KernelFuncs funcs =
          defineKernel(build.calls[kernel.firstCall], build.target.backend->productWidth());
      build.target.backend->applySchedule(funcs, kernel.signature);
      std::vector<Halide::Argument> args(funcs.params.begin(), funcs.params.end());
      Halide::Pipeline pipeline = funcs.imageFilter
                                      ? Halide::Pipeline({funcs.output, *funcs.imageFilter})
                                      : Halide::Pipeline(funcs.output);
      pipeline
          .compile_to_module(args, build.kernelName(k),
                             target.with_feature(Halide::Target::NoRuntime))
          .compile({{Halide::OutputFileType::object, objects[k]}});
    }
    // The runtime is built without the kernels' instruction-set features: it
    // is what checks, at create, that the CPU has them (as Halide's
    // multi-target runtimes are built for the baseline).
    compiling = "the runtime";
    Halide::Target runtimeTarget = target;
    for (const CpuFeature &feature :
         build.target.backend->requiredFeatures(build.target.halideTarget))
      runtimeTarget = runtimeTarget.without_feature(
          static_cast<Halide::Target::Feature>(feature.halideFeature));
    Halide::compile_standalone_runtime(build.path("halide_runtime.o"), runtimeTarget);
  } catch (const Halide::Error &error) {
    return llvm::createStringError(std::errc::invalid_argument, "Halide, compiling %s: %s",
                                   compiling.c_str(), error.what());
  }
  return llvm::Error::success();
}

} // namespace cnnc
