//===- X86Backend.cpp - x86-64 CPUs: SSE4.1, AVX2, AVX-512 ----------------===//
//
// Kernels for the machine cnnc runs on, or for a named x86-64 feature set.
// A model runs in cnnc's own process when this CPU has every instruction-set
// feature it was compiled for; otherwise it is refused with the features
// missing (it would die with SIGILL), unless a launcher runs it elsewhere.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuBackend.h"

#include <Halide.h>

namespace cnnc {
namespace {

/// The AVX-512 subsets of real CPUs, as Halide names them.
const std::vector<Halide::Target::Feature> kAvx512Cpus = {
    Halide::Target::AVX512_KNL,        Halide::Target::AVX512_Skylake,
    Halide::Target::AVX512_Cannonlake, Halide::Target::AVX512_SapphireRapids,
    Halide::Target::AVX512_Zen4,       Halide::Target::AVX512_Zen5};

/// The AVX-512 subsets with VNNI for which Halide 21 sums four u8 × i8
/// products into an i32 lane in one vpdpbusd (with AVX-VNNI alone it widens
/// them to pmaddwd pairs instead, so such targets keep pairs).
const std::vector<Halide::Target::Feature> kVnniCpus = {Halide::Target::AVX512_SapphireRapids,
                                                        Halide::Target::AVX512_Zen4,
                                                        Halide::Target::AVX512_Zen5};

class X86Backend final : public CpuBackend {
public:
  llvm::StringRef name() const override { return "x86-64"; }

  std::vector<std::pair<std::string, std::string>> aliases() const override {
    return {{"x86-64", "x86-64-linux-sse41"},
            {"x86-64-avx2", "x86-64-linux-avx-avx2-f16c-fma-sse41"},
            {"x86-64-avx512", "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"}};
  }

  bool handles(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    return t.arch == Halide::Target::X86 && t.bits == 64 && !t.has_gpu_feature();
  }

  /// Halide's bare `avx512` names no CPU's AVX-512 subset, and LLVM aborts on
  /// some of what it selects ("Cannot select"): a CPU family is required.
  llvm::Error checkTarget(llvm::StringRef halideTarget) const override {
    if (llvm::Error error = CpuBackend::checkTarget(halideTarget))
      return error;
    Halide::Target t(halideTarget.str());
    if (t.has_feature(Halide::Target::AVX512) && !t.features_any_of(kAvx512Cpus))
      return llvm::createStringError(
          std::errc::invalid_argument,
          "target '%s': avx512 alone names no CPU's AVX-512; add one of avx512_skylake, "
          "avx512_cannonlake, avx512_sapphirerapids, avx512_zen4, avx512_zen5 (or use "
          "x86-64-avx512)",
          halideTarget.str().c_str());
    return llvm::Error::success();
  }

  /// 32 vector registers with AVX-512 (zmm0-31), else 16 (ymm or xmm).
  RegisterFile registerFile(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    bool avx512 =
        t.features_any_of({Halide::Target::AVX512, Halide::Target::AVX512_Skylake,
                           Halide::Target::AVX512_Cannonlake, Halide::Target::AVX512_SapphireRapids,
                           Halide::Target::AVX512_Zen4, Halide::Target::AVX512_Zen5});
    return {t.natural_vector_size<uint8_t>() * 8, avx512 ? 32 : 16};
  }

  Toolchain toolchain(llvm::StringRef) const override { return nativeToolchain(); }

  bool pairsDepthwiseTaps() const override { return true; }

  /// Measured on x86 only (2-core Zen 5, AVX-512): see
  /// KernelPlan::pixelPairConvolution.
  int pixelPairLanes(llvm::StringRef halideTarget) const override {
    return registerFile(halideTarget).lanes(static_cast<int>(sizeof(float)));
  }

  /// Quads where vpdpbusd sums them (one instruction for 64 products and
  /// their accumulation, where vpdpwssd takes 32 and pmaddwd 32 and an add),
  /// except for a convolution of one pixel (an SE gate's), which measured no
  /// faster in quads. On a 2-core Zen 5, efficientnet-b0: its dense
  /// convolutions 1.15-1.35x faster alone; its SE gates in quads 0.994-0.996x
  /// side by side (1.4-1.6x slower alone before the quads' Σw was packed
  /// into their start rather than summed every call).
  TensorRole integerConvFilter(llvm::StringRef halideTarget, int64_t outputPixels) const override {
    return outputPixels > 1 && Halide::Target(halideTarget.str()).features_any_of(kVnniCpus)
               ? TensorRole::quadConvFilter
               : TensorRole::pairedConvFilter;
  }

  Launcher launcher(llvm::StringRef halideTarget) const override {
    if (Halide::get_host_target().arch == Halide::Target::X86)
      return nativeLauncher(requiredFeatures(halideTarget));
    Launcher launcher;
    launcher.unavailable = "this machine is not an x86-64 one (give --launcher)";
    return launcher;
  }
};

} // namespace

const TargetBackend &x86Backend() {
  static const X86Backend backend;
  return backend;
}

} // namespace cnnc
