//===- TargetBackend.h - one interface for every target family -*- C++ -*-===//
//
// Everything cnnc knows about a target lives behind this interface, one
// implementation per target family (codegen/<family>/), registered by name:
// which Halide targets it compiles for, which element types it has kernels
// for, the default schedule of a kernel and the legal space of schedules (what
// the autotuner searches), applying a schedule, the toolchain that packages
// the kernels with the runtime, and how a compiled model runs from this
// machine. The model compiler and the tools ask the backend; nothing else
// tests which target it is.
//
// This header stays free of Halide.h (which takes long to parse and needs
// exceptions): Halide targets cross it as their canonical strings.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_TARGETBACKEND_H
#define CNNC_CODEGEN_TARGETBACKEND_H

#include "codegen/ElementType.h"
#include "codegen/Layout.h"
#include "codegen/Schedule.h"
#include "support/FixedPoint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace Halide {
struct Target;
} // namespace Halide

namespace cnnc {

struct KernelFuncs;
struct KernelSignature;

/// How C sources are compiled and packaged for a target.
struct Toolchain {
  /// Each tool is a program (an absolute path, or looked up on PATH) and
  /// the arguments that come before any others (`zig cc -target ...`).
  std::vector<std::string> cCompiler;
  std::vector<std::string> archiver;
  std::vector<std::string> cFlags;        // for every C source
  std::vector<std::string> linkLibraries; // what lib<name>.so and programs link with
  /// Sources of runtime/ compiled into cnnc-runner only: what the library
  /// leaves to the program that contains it.
  std::vector<std::string> runnerSources;
  /// Whether lib<name>.so is built beside lib<name>.a (not where programs
  /// are only ever linked statically).
  bool sharedLibrary = true;
  std::string installHint; // what to install when a tool is missing
};

/// How a compiled model runs from this machine.
struct Launcher {
  /// cnnc loads the shared library into its own process.
  bool inProcess = false;
  /// Otherwise the target's runner is started behind this command prefix
  /// (an emulator, `ssh board`, `adb shell`); empty: started directly.
  std::vector<std::string> prefix;
  /// Why the model cannot run here at all; empty if it can.
  std::string unavailable;
  /// Said beside timings when they are not the target's own speed.
  std::string timingNote;
  /// Where the runner runs under QEMU, what its instructions are called
  /// ("packets" on Hexagon) and its vector instructions ("HVX packets"):
  /// `cnnc bench` counts them per inference with cnnc's QEMU plugin. Empty:
  /// nothing is counted.
  std::string countedUnit, countedVectorUnit;
};

/// What the runtime needs of a target whose tensors live in device memory.
struct DeviceRuntime {
  /// The Halide runtime function returning the device interface
  /// ("halide_cuda_device_interface"); empty: tensors live in host memory.
  std::string interfaceFunction;
  /// The runtime's cnnc_stream_api for the GPU API (launches on a caller's
  /// stream, runs recorded as graphs), and the runtime source (runtime/)
  /// that defines it; empty: the API has no streams.
  std::string streamApi;
  std::string streamApiSource;
};

/// An instruction-set feature a compiled model needs of the CPU it runs on:
/// Halide's halide_target_feature_t value and name.
struct CpuFeature {
  int halideFeature;
  std::string name;
};

/// A target as the user named it, resolved to its backend.
struct TargetSelection {
  const class TargetBackend *backend = nullptr;
  std::string requested;    // as given: host, arm64, x86-64-linux-avx2, ...
  std::string halideTarget; // the full Halide target string it means
};

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// The family's name ("x86-64", "arm64") and the names users may give for
  /// it, each with the Halide target it stands for.
  virtual llvm::StringRef name() const = 0;
  virtual std::vector<std::pair<std::string, std::string>> aliases() const = 0;

  /// Whether this family compiles for the Halide target `halideTarget`; an
  /// error says why not when the architecture is ours but something else
  /// (operating system, bits, features) is not supported.
  virtual bool handles(llvm::StringRef halideTarget) const = 0;
  virtual llvm::Error checkTarget(llvm::StringRef halideTarget) const = 0;

  /// The element types this family has kernels for.
  virtual llvm::ArrayRef<ElementType> elementTypes() const = 0;

  /// How kernels compute the fixed-point rule's high products.
  virtual ProductWidth productWidth() const { return ProductWidth::wide64; }

  /// The layout of the filter of a dense integer convolution computing
  /// `outputPixels` pixels an image, for `halideTarget` (Layout.h), which
  /// says how many input channels' products one instruction sums into an i32
  /// lane: pairs (pmaddwd, i16 products of inputs centered on their zero
  /// point) or quads (vpdpbusd, vrmpy: products of raw u8 inputs and i8
  /// weights, the zero point's share, −zp·Σw, taken from the accumulator's
  /// start, which is packed with the weights: Layout.h's quadConvStart).
  virtual TensorRole integerConvFilter(llvm::StringRef /*halideTarget*/,
                                       int64_t /*outputPixels*/) const {
    return TensorRole::pairedConvFilter;
  }

  /// Whether a depthwise integer convolution sums the products of two
  /// horizontally adjacent taps in one i32 lane (x86's pmaddwd, as the dense
  /// ones sum two input channels): its filter is then paired (Layout.h).
  virtual bool pairsDepthwiseTaps() const { return false; }

  /// Whether float 3×3 convolutions that qualify (Winograd.h's
  /// winogradApplies) compute by Winograd's F(m×m, 3×3), their filters
  /// transformed when packed (Layout.h's winogradFilter).
  virtual bool convolvesByWinograd() const { return false; }

  /// Whether a 1×1 convolution may read its input through an SE gate,
  /// gated as its kernel reads it (KernelPlan::gatedConvolution), rather than
  /// always fold the gate into a per-image copy of its filter: what the CPU
  /// schedules stage a block of pixels at a time, once for all the block's
  /// output channels.
  virtual bool gatesConvolutionInput() const { return false; }

  /// Whether cnn-fuse takes a large 1×1 expansion into the 3×3 depthwise
  /// convolution that reads it (fuse-expansions): what the CPU schedules
  /// compute a few rows at a time (CpuSchedule.cpp, stageExpansionRows).
  virtual bool fusesExpansions() const { return false; }

  /// Whether cnn-fuse takes a large 3×3 depthwise convolution into the 1×1
  /// projection that reads it (fuse-projections): what the CPU schedules
  /// compute a row at a time (CpuSchedule.cpp, stageDepthwiseRow).
  virtual bool fusesProjections() const { return false; }

  /// Whether kernels pointwise in space see their maps as one row
  /// (KernelPlan::flatPixels): what the CPU schedules block across rows.
  virtual bool flattensPointwiseKernels() const { return false; }

  /// The float vector lanes for which a 1×1 convolution whose output
  /// channels end in half a vector computes two pixels' channels side by
  /// side in whole vectors (KernelPlan::pixelPairConvolution) for
  /// `halideTarget`; 0 where it never does.
  virtual int pixelPairLanes(llvm::StringRef /*halideTarget*/) const { return 0; }

  /// Whether kernels keep Halide's runtime assertions: every call checking
  /// each buffer's type, extents, strides and alignment, and each allocation.
  /// The CPU runtime builds every buffer itself from the model's description
  /// (the caller's input is checked by cnnc_run), so there they check only
  /// cnnc's own work, and cost: on a 2-core Zen 5, side by side,
  /// mobilenet-v3-large ran 1.027–1.032× and efficientnet-b0 1.027× faster
  /// without them, mobilenet-v2 1.013–1.021× (2026-11-29). Kernels that call
  /// a device or offload runtime keep them: those checks are how a failed
  /// copy or launch becomes an error rather than a wrong answer.
  virtual bool keepsKernelAssertions() const { return true; }

  /// Whether the kernels' parallel loops run on cnnc's thread pool
  /// (runtime/cnnc_thread_pool.c, compiled into the library) rather than on
  /// Halide's: CPUs whose programs have POSIX threads. Its workers take a
  /// loop's iterations without a lock and spin between loops: side by side
  /// on a 2-core Zen 5, mobilenet-v2 and -v3-large ran ~1.02-1.03× faster.
  virtual bool usesThreadPool() const { return false; }

  /// Whether kernels may compute in float vectors (INT8 kernels under the
  /// float32 requantization rule do).
  virtual bool hasFloatVectors() const { return true; }

  /// Whether this family runs INT8 models only (an NPU): an FP32 model is
  /// refused before anything is compiled.
  virtual bool quantizedOnly() const { return false; }

  /// The bytes a runner of this family can address (4 GiB for a 32-bit
  /// program); a model that needs more at once is refused at compile. 0:
  /// nothing cnnc checks (64-bit hosts, devices with their own allocators).
  virtual uint64_t addressSpaceBytes() const { return 0; }

  /// The vector register file kernels are blocked for.
  virtual RegisterFile registerFile(llvm::StringRef halideTarget) const = 0;

  /// The schedule a kernel gets when nothing was tuned, and every schedule it may get.
  virtual ScheduleParams defaultSchedule(const KernelSignature &signature,
                                         llvm::StringRef halideTarget) const = 0;
  virtual ScheduleSpace scheduleSpace(const KernelSignature &signature,
                                      llvm::StringRef halideTarget) const = 0;

  /// Applies a schedule (already checked against scheduleSpace) to the
  /// kernel's Halide pipeline, to be compiled for `target`. Throws
  /// Halide::CompileError on failure.
  virtual void applySchedule(KernelFuncs &funcs, const KernelSignature &signature,
                             const Halide::Target &target) const = 0;

  virtual Toolchain toolchain(llvm::StringRef halideTarget) const = 0;

  /// The CPU features code for `halideTarget` uses: the runtime refuses, at
  /// create, to run on a CPU that lacks one.
  virtual std::vector<CpuFeature> requiredFeatures(llvm::StringRef halideTarget) const = 0;

  /// How a model compiled for `halideTarget` runs from this machine.
  virtual Launcher launcher(llvm::StringRef halideTarget) const = 0;

  /// Where a model's weights and activations live; host memory by default.
  virtual DeviceRuntime deviceRuntime(llvm::StringRef) const { return {}; }
};

/// The families, one per folder under codegen/; targetBackends() lists them.
const TargetBackend &x86Backend();
const TargetBackend &arm64Backend();
const TargetBackend &gpuBackend();
const TargetBackend &hexagonBackend();

/// Every registered backend, in a fixed order.
llvm::ArrayRef<const TargetBackend *> targetBackends();

/// Resolves what a user named (`host`, an alias such as `arm64`, or a full
/// Halide target string) to its backend, or says what is wrong and what
/// cnnc accepts.
llvm::Expected<TargetSelection> selectTarget(llvm::StringRef requested);

/// Why this machine cannot run `target`'s kernels at their own speed (an
/// emulator, a CPU feature it lacks, OpenCL on whatever device the loader
/// offers, CUDA without an NVIDIA GPU); empty if it can: the only times a
/// tuner may measure here.
std::string whyNotNativeHere(const TargetSelection &target);
inline bool runsNativelyHere(const TargetSelection &target) {
  return whyNotNativeHere(target).empty();
}

/// The Halide target the kernels of `target` are compiled for, into a
/// library or JIT-compiled for the tuner alike: its Halide target string,
/// less Halide's runtime assertions where the backend drops them
/// (keepsKernelAssertions).
Halide::Target kernelTarget(const TargetSelection &target);

/// This machine's own C compiler and archiver (x86-64 libraries, and the
/// host side of GPU ones).
Toolchain nativeToolchain();

/// Success if every tool of `toolchain` is on PATH, else one error naming
/// the missing tool, the target that needs it and what to install.
llvm::Error checkToolchain(const Toolchain &toolchain, llvm::StringRef target);

} // namespace cnnc

#endif // CNNC_CODEGEN_TARGETBACKEND_H
