//===- HexagonBackend.cpp - Qualcomm Hexagon DSPs with HVX ----------------===//
//
// The NPU-class target: INT8 models only, with kernels AOT-compiled by Halide
// for Hexagon with HVX in 128-byte mode (32 vector registers of 1024 bits:
// 128 u8 or 32 i32 lanes), for the HVX v66 instruction set.
//
// Kernels are built for Halide's `noos` Hexagon target: bare code that runs
// on the DSP itself, with the allocator and printing left to the program
// that contains it. Here that program is cnnc-runner, linked against musl
// for Linux/Hexagon by Zig's toolchain (the ziglang wheel: Debian has no
// Hexagon libc), and a model runs under qemu-hexagon, QEMU's Linux-user
// emulator, which executes HVX. On a phone the same kernels are linked into
// a QuRT program of the Hexagon SDK (README: "Hexagon").
//
// One wrinkle of that toolchain: ld.lld marks a Hexagon program with the
// newest ISA version among its objects, and musl's few assembly objects are
// assembled for v68 (they use only instructions every version has), which
// qemu-hexagon 7.2 would refuse to start ("unable to find CPU model"): the
// emulator is told its CPU, v67, the newest it has (it runs v66 code).
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelSignature.h"
#include "codegen/cpu/CpuBackend.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <Halide.h>

#include <cstdlib>

namespace cnnc {
namespace {

const char *const kEmulator[] = {"qemu-hexagon", "-cpu", "v67"};

/// i32 lanes of an HVX vector in 128-byte mode.
constexpr int kVectorLanes = 32;

/// u8 lanes of an HVX vector.
constexpr int kVectorBytes = 128;

/// Whether a kernel computes in floating point: the model's input quantized,
/// its logits dequantized, layers kept in float. HVX v66 has no floating-point
/// vectors (Halide refuses them): such kernels run on the scalar core.
bool computesInFloat(const KernelSignature &s) {
  return llvm::any_of(
      s.args, [](const SignatureArg &arg) { return arg.tensor.elementType == ElementType::f32; });
}

/// Whether `s` computes a depthwise integer convolution.
bool isDepthwiseInteger(const KernelSignature &s) {
  return s.ops[s.anchor()].name == "cnn.int_depthwise_conv2d";
}

/// Whether a kernel is a depthwise integer convolution with a vector of
/// bytes' worth of channels or more (defaultSchedule).
bool wideDepthwise(const KernelSignature &s) {
  return isDepthwiseInteger(s) && s.anchorShape()[1] >= kVectorBytes;
}

/// Zig: as CNNC_ZIG names it, else on PATH, else where setup.sh installs it
/// (the venv holding Halide's wheel).
std::string zigProgram() {
  if (const char *named = std::getenv("CNNC_ZIG"))
    return named;
  if (llvm::sys::findProgramByName("zig"))
    return "zig";
  llvm::SmallString<256> venv(CNNC_PYTHON_SITE_PACKAGES);
  llvm::sys::path::append(venv, "ziglang", "zig");
  return llvm::sys::fs::can_execute(venv) ? std::string(venv) : "zig";
}

/// Whether `s` computes a dense integer convolution (with a quad filter).
bool isDenseInteger(const KernelSignature &s) { return s.ops[s.anchor()].name == "cnn.int_conv2d"; }

class HexagonBackend final : public CpuBackend {
public:
  llvm::StringRef name() const override { return "hexagon"; }

  std::vector<std::pair<std::string, std::string>> aliases() const override {
    return {{"hexagon", "hexagon-32-noos-hvx-hvx_128-hvx_v66"}};
  }

  bool handles(llvm::StringRef halideTarget) const override {
    return Halide::Target(halideTarget.str()).arch == Halide::Target::Hexagon;
  }

  llvm::Error checkTarget(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    auto fail = [&](const char *why) {
      return llvm::createStringError(std::errc::invalid_argument, "target '%s': %s",
                                     halideTarget.str().c_str(), why);
    };
    if (t.os != Halide::Target::NoOS)
      return fail("cnnc builds Hexagon kernels for Halide's noos target (code that runs on the "
                  "DSP itself); use 'hexagon'");
    if (!t.has_feature(Halide::Target::HVX))
      return fail("the Hexagon kernels are HVX kernels; add hvx (use 'hexagon')");
    if (!t.has_feature(Halide::Target::HVX_v66) || t.has_feature(Halide::Target::HVX_v68))
      return fail("cnnc's Hexagon kernels are for HVX v66, the version qemu-hexagon runs: "
                  "use hvx_v66 (use 'hexagon')");
    return llvm::Error::success();
  }

  /// 32 HVX registers of 1024 bits.
  RegisterFile registerFile(llvm::StringRef) const override { return {1024, 32}; }

  /// A quarter of an HVX vector too (8 lanes): scalar, B0's 24- and
  /// 40-channel projections were a fifth of its packets; blocked in quarter
  /// vectors, B0 executes 10% fewer packets (and compiles 50 s longer).
  std::vector<int> blockLanes(llvm::StringRef halideTarget) const override {
    std::vector<int> lanes = CpuBackend::blockLanes(halideTarget);
    lanes.push_back(lanes.back() / 2);
    return lanes;
  }

  bool quantizedOnly() const override { return true; }

  /// Integer kernels keep their rows on HVX: seeing a map as one row was
  /// measured on x86 only.
  bool flattensPointwiseKernels() const override { return false; }

  ProductWidth productWidth() const override { return ProductWidth::narrow32; }

  /// vrmpy: four u8 × i8 products summed into each of 32 i32 lanes, in
  /// whole vectors (defaultSchedule).
  TensorRole integerConvFilter(llvm::StringRef, int64_t) const override {
    return TensorRole::hvxQuadConvFilter;
  }

  /// Not in quarter vectors: there Halide 21's vrmpy gives wrong sums (a
  /// small SE network's logits differ from x86's; in 16 or 32 lanes they
  /// are equal).
  int fewestQuadLanes() const override { return kVectorLanes / 2; }

  bool hasFloatVectors() const override { return false; }

  /// The CPU schedules sized for HVX, on one thread: Halide's noos runtime
  /// runs parallel loops serially, and a DSP program's threads are its own.
  ScheduleParams defaultSchedule(const KernelSignature &s,
                                 llvm::StringRef halideTarget) const override {
    ScheduleParams p = CpuBackend::defaultSchedule(s, halideTarget);
    // Only register-blocked convolutions are vectorized for now. Float
    // kernels cannot be; and of the integer generic ones (elementwise, pools,
    // SE and CBAM gates), some make Halide 21 or its LLVM fail in HVX vectors:
    // a guarded vector tail is a predicated load that Halide's Hexagon
    // lowering cannot bound ("In Select, vector lanes of condition must
    // equal ..."), and LLVM's Hexagon backend aborts on CBAM's gate multiply
    // in 32-lane vectors (LiveIntervals: LR.verify()).
    if (computesInFloat(s) || p.strategy == ScheduleParams::Strategy::generic) {
      p = ScheduleParams();
      p.vectorLanes = 1;
    }
    // A depthwise block is a loop, not unrolled: unrolled (2 vectors x 8
    // pixels, each tap's products and the requantization) LLVM's Hexagon
    // backend takes minutes on one kernel (b0's 5x5 stride-2 one: 124 s, 1.6
    // s as a loop); the loop executes about 13% more packets.
    if (isDepthwiseInteger(s))
      p.unrollBlock = false;
    // Convolutions in whole vectors, one or two to a block, a last block
    // short of channels shifted inwards: in half vectors LLVM moves the
    // accumulators and operands a lane at a time (B0's 144-channel
    // expansions executed 2.5 times the packets, its 240-channel depthwise
    // convolutions 2.1 times). A dense convolution to fewer channels than a vector
    // computes a whole vector too (its filter holds one: Layout.h).
    int64_t channels = s.anchorShape()[1];
    if (p.strategy == ScheduleParams::Strategy::blockedConvolution &&
        (channels >= kVectorLanes || isDenseInteger(s))) {
      p.vectorLanes = kVectorLanes;
      p.channelBlock = channels >= 2 * kVectorLanes ? 2 * kVectorLanes : kVectorLanes;
    }
    // A depthwise convolution of a vector of bytes or more: in blocks of 128
    // channels computed in 128 lanes (four i32 vectors), so that its u8 input
    // and i8 weights load as whole vectors, and its products widen in pairs
    // (vmpy(h, h) accumulating i32 pairs). LLVM's Hexagon backend loads 32-
    // or 64-byte vectors a byte at a time: in 32 lanes B0's 144-channel
    // depthwise convolutions executed 11 times the packets.
    if (wideDepthwise(s)) {
      p.vectorLanes = kVectorBytes;
      p.channelBlock = kVectorBytes;
    }
    p.parallel = ScheduleParams::Parallel::none;
    // The input channels' loop as it is (unrolling it was measured on x86
    // only, and would lengthen LLVM's Hexagon compile times).
    p.inputUnroll = 1;
    return p;
  }

  ScheduleSpace scheduleSpace(const KernelSignature &s,
                              llvm::StringRef halideTarget) const override {
    ScheduleSpace space = CpuBackend::scheduleSpace(s, halideTarget);
    space.parallel = {ScheduleParams::Parallel::none};
    space.inputUnrolls = {1};
    if (computesInFloat(s))
      space.strategies = {ScheduleParams::Strategy::generic};
    space.vectorLanes.push_back(1);
    if (isDenseInteger(s) && !space.channelBlocks.empty() &&
        !llvm::is_contained(space.channelBlocks, kVectorLanes))
      space.channelBlocks.push_back(kVectorLanes); // a whole vector for fewer channels
    if (wideDepthwise(s)) {
      space.vectorLanes.push_back(kVectorBytes);
      if (!llvm::is_contained(space.channelBlocks, kVectorBytes))
        space.channelBlocks.push_back(kVectorBytes);
    }
    return space;
  }

  /// Hexagon programs are 32-bit. Under qemu-hexagon a runner mapped between
  /// 1 and 3.9 GiB of heap in tests here (QEMU's layout varies; past it,
  /// create fails with "out of memory"); a DSP's process gets less: `--limit
  /// runner-bytes`.
  uint64_t addressSpaceBytes() const override { return uint64_t(1) << 32; }

  /// Halide's noos runtime runs a DSP program's loops in its one thread.
  bool usesThreadPool() const override { return false; }

  Toolchain toolchain(llvm::StringRef) const override {
    std::string zig = zigProgram();
    Toolchain toolchain;
    // HVX in the runtime too (cnnc_lookup.c applies activation tables with
    // vlut32). Zig names it as CPU features; its -mhvx flags define no __HVX__.
    toolchain.cCompiler = {zig, "cc", "-target", "hexagon-linux-musl",
                           "-mcpu=hexagonv66+hvxv66+hvx_length128b"};
    toolchain.archiver = {zig, "ar"};
    toolchain.cFlags = {"-std=c11", "-O2"};
    toolchain.runnerSources = {"cnnc_hexagon_noos.c"};
    toolchain.sharedLibrary = false;
    toolchain.installHint = "the Hexagon runner is compiled and linked by Zig's toolchain: "
                            "pip install ziglang==0.15.2 into the project's venv "
                            "(scripts/setup.sh does), or put zig on PATH";
    return toolchain;
  }

  Launcher launcher(llvm::StringRef) const override {
    return emulatorLauncher(kEmulator, "a Hexagon DSP", "packets", "HVX packets");
  }
};

} // namespace

const TargetBackend &hexagonBackend() {
  static const HexagonBackend backend;
  return backend;
}

} // namespace cnnc
