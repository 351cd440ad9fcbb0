//===- TargetBackend.cpp - the registry of target families ----------------===//
#include "codegen/TargetBackend.h"
#include "codegen/gpu/CudaProbe.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

#include <Halide.h>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

/// "host, x86-64, x86-64-avx2, ..., arm64, ...": every name a user may give.
std::string knownNames() {
  std::vector<std::string> names = {"host"};
  for (const TargetBackend *backend : targetBackends())
    for (const auto &[alias, halide] : backend->aliases())
      names.push_back(alias);
  return llvm::join(names, ", ");
}

} // namespace

llvm::ArrayRef<const TargetBackend *> targetBackends() {
  static const TargetBackend *const backends[] = {&x86Backend(), &arm64Backend(), &gpuBackend(),
                                                  &hexagonBackend()};
  return backends;
}

llvm::Expected<TargetSelection> selectTarget(llvm::StringRef requested) {
  TargetSelection selection;
  selection.requested = requested.str();
  for (const TargetBackend *backend : targetBackends())
    for (const auto &[alias, halide] : backend->aliases())
      if (alias == requested)
        selection.halideTarget = halide;
  if (selection.halideTarget.empty()) {
    // "host", "host-profile" and full Halide strings.
    if (!Halide::Target::validate_target_string(requested.str()))
      return fail("unknown target '" + requested + "'; cnnc knows " + knownNames() +
                  ", or a full Halide target string such as arm-64-linux-arm_dot_prod");
    selection.halideTarget = Halide::Target(requested.str()).to_string();
  }
  for (const TargetBackend *backend : targetBackends())
    if (backend->handles(selection.halideTarget))
      selection.backend = backend;
  if (!selection.backend) {
    std::vector<std::string> families;
    for (const TargetBackend *backend : targetBackends())
      families.push_back(backend->name().str());
    return fail("no cnnc backend compiles for target '" + requested + "' (" +
                selection.halideTarget + "); the target families are " +
                llvm::join(families, ", "));
  }
  if (llvm::Error error = selection.backend->checkTarget(selection.halideTarget))
    return std::move(error);
  return selection;
}

std::string whyNotNativeHere(const TargetSelection &target) {
  Launcher launcher = target.backend->launcher(target.halideTarget);
  if (!launcher.unavailable.empty())
    return launcher.unavailable;
  if (!launcher.timingNote.empty())
    return launcher.timingNote;
  if (!launcher.inProcess)
    return "it runs here behind " + llvm::join(launcher.prefix, " ");
  Halide::Target halide(target.halideTarget);
  if (halide.has_feature(Halide::Target::CUDA))
    return cudaDeviceHere().missing;
  if (halide.has_gpu_feature())
    return "of GPUs, only CUDA ones are measured";
  return "";
}

Halide::Target kernelTarget(const TargetSelection &target) {
  Halide::Target halide(target.halideTarget);
  return target.backend->keepsKernelAssertions() ? halide
                                                 : halide.with_feature(Halide::Target::NoAsserts);
}

Toolchain nativeToolchain() {
  Toolchain toolchain;
  toolchain.cCompiler = {"cc"};
  toolchain.archiver = {"ar"};
  toolchain.cFlags = {"-std=c11", "-O2", "-fPIC"};
  toolchain.linkLibraries = {"-lpthread", "-ldl", "-lm"};
  toolchain.installHint = "install gcc and binutils";
  return toolchain;
}

llvm::Error checkToolchain(const Toolchain &toolchain, llvm::StringRef target) {
  for (const std::string &tool : {toolchain.cCompiler.front(), toolchain.archiver.front()}) {
    bool isPath = llvm::StringRef(tool).contains('/'); // findProgramByName returns paths as given
    if (isPath ? !llvm::sys::fs::can_execute(tool) : !llvm::sys::findProgramByName(tool))
      return fail("target " + target + " needs '" + tool + "', which " +
                  (isPath ? "is not an executable file" : "is not on PATH") + ": " +
                  toolchain.installHint);
  }
  return llvm::Error::success();
}

} // namespace cnnc
