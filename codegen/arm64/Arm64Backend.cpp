//===- Arm64Backend.cpp - 64-bit ARM CPUs: NEON, dot product --------------===//
//
// Kernels AOT-compiled by Halide for AArch64 Linux, packaged with Debian's
// aarch64-linux-gnu cross toolchain. NEON has 32 vector registers of 128 bits
// (4 floats), so register blocks are sized for that, not for x86. From an x86
// machine a model runs under qemu-aarch64 with the cross toolchain's sysroot;
// on an ARM64 machine, in cnnc's own process.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuBackend.h"

#include <Halide.h>

namespace cnnc {
namespace {

/// Debian's qemu-user, given the sysroot of g++-aarch64-linux-gnu.
const char *const kEmulator[] = {"qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"};

class Arm64Backend final : public CpuBackend {
public:
  llvm::StringRef name() const override { return "arm64"; }

  std::vector<std::pair<std::string, std::string>> aliases() const override {
    return {{"arm64", "arm-64-linux"},
            {"arm64-dotprod", "arm-64-linux-arm_dot_prod"},
            {"arm64-fp16", "arm-64-linux-arm_dot_prod-arm_fp16"}};
  }

  bool handles(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    return t.arch == Halide::Target::ARM && t.bits == 64 && !t.has_gpu_feature();
  }

  RegisterFile registerFile(llvm::StringRef) const override { return {128, 32}; }

  Toolchain toolchain(llvm::StringRef) const override {
    Toolchain toolchain = nativeToolchain();
    toolchain.cCompiler = {"aarch64-linux-gnu-gcc"};
    toolchain.archiver = {"aarch64-linux-gnu-ar"};
    toolchain.installHint = "install g++-aarch64-linux-gnu (scripts/setup.sh does)";
    return toolchain;
  }

  Launcher launcher(llvm::StringRef halideTarget) const override {
    Halide::Target host = Halide::get_host_target();
    if (host.arch == Halide::Target::ARM && host.bits == 64)
      return nativeLauncher(requiredFeatures(halideTarget));
    return emulatorLauncher(kEmulator, "an ARM64 CPU", "instructions", "NEON instructions");
  }
};

} // namespace

const TargetBackend &arm64Backend() {
  static const Arm64Backend backend;
  return backend;
}

} // namespace cnnc
