//===- CpuBackend.h - what every CPU target family shares -------*- C++ -*-===//
//
// x86-64 and ARM64 kernels are the same schedules sized by different register
// files: this base class chooses, bounds and applies them (CpuSchedule.cpp),
// and a family supplies its Halide targets, register file, toolchain and
// launcher.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CPUBACKEND_H
#define CNNC_CODEGEN_CPU_CPUBACKEND_H

#include "codegen/TargetBackend.h"

namespace cnnc {

class CpuBackend : public TargetBackend {
public:
  /// Linux is the one operating system cnnc packages CPU libraries for.
  llvm::Error checkTarget(llvm::StringRef halideTarget) const override;
  llvm::ArrayRef<ElementType> elementTypes() const override;
  bool flattensPointwiseKernels() const override { return true; }
  bool keepsKernelAssertions() const override { return false; }
  bool usesThreadPool() const override { return true; }
  bool gatesConvolutionInput() const override { return true; }
  bool fusesExpansions() const override { return hasFloatVectors(); }
  bool fusesProjections() const override { return hasFloatVectors(); }
  /// Winograd's transforms are float vector arithmetic: a CPU without float
  /// vectors (Hexagon's HVX) keeps direct sums.
  bool convolvesByWinograd() const override { return hasFloatVectors(); }
  ScheduleParams defaultSchedule(const KernelSignature &signature,
                                 llvm::StringRef halideTarget) const override;
  ScheduleSpace scheduleSpace(const KernelSignature &signature,
                              llvm::StringRef halideTarget) const override;
  void applySchedule(KernelFuncs &funcs, const KernelSignature &signature,
                     const Halide::Target &target) const override;
  std::vector<CpuFeature> requiredFeatures(llvm::StringRef halideTarget) const override;

  /// The vector widths (i32 lanes, widest first) a register block's channels
  /// may come in: a whole vector or half of one. A convolution whose output
  /// channels are a multiple of none is not blocked.
  virtual std::vector<int> blockLanes(llvm::StringRef halideTarget) const;

  /// The fewest i32 lanes in which a dense integer convolution sums each
  /// quad of products in one instruction (dotProductChannels); narrower
  /// blocks multiply in i32 lanes, a quad's products one after another.
  /// (Pairs are summed in any vector.)
  virtual int fewestQuadLanes() const { return 1; }
};

/// How a model runs on a machine of its own architecture: in cnnc's process,
/// unless this CPU lacks one of `required` (code using it would die with
/// SIGILL), which the refusal names.
Launcher nativeLauncher(llvm::ArrayRef<CpuFeature> required);

/// How a model for another architecture runs here: its runner under QEMU's
/// Linux-user `emulator` (program and arguments), which `cnnc bench` can
/// count in; `processor` names what the timings are not ("an ARM64 CPU").
Launcher emulatorLauncher(llvm::ArrayRef<const char *> emulator, llvm::StringRef processor,
                          llvm::StringRef countedUnit, llvm::StringRef countedVectorUnit);

/// Applies a CPU schedule to a kernel's Halide pipeline (CpuSchedule.cpp),
/// summing quads of products in one instruction in `fewestQuadLanes` i32
/// lanes or more (CpuBackend::fewestQuadLanes), its own register blocks (a
/// fused expansion's or depthwise convolution's) sized for
/// `vectorRegisters`.
void applyCpuSchedule(KernelFuncs &funcs, const KernelSignature &signature, int fewestQuadLanes,
                      int vectorRegisters);

/// The widest block of `channelVectors` vectors of channels whose
/// accumulators and operands fit `registers` (ScheduleSpace::check's bound).
int widestBlock(int registers, int channelVectors);

/// Slices a reduction over threads is cut into (parallel=slices): several
/// per thread of a small machine, so that a thread that finishes early takes
/// another.
inline constexpr int64_t kReductionSlices = 8;

/// Whether the op named `opName` reduces over weights that reduction slices
/// cut (parallel=slices): a float convolution or a fully connected layer,
/// float or integer (integer sums are exact in any order).
bool reducesOverWeights(llvm::StringRef opName);

/// Whether the op named `opName`, reading a map of `inputRows` rows, is a
/// global pool that reduction slices cut along its rows, float or integer: a
/// row at least per slice. (Sliced along x instead, B0's were up to 30×
/// slower.)
bool poolsRowsInSlices(llvm::StringRef opName, int64_t inputRows);

/// Halide keeps a stack allocation above this size on the heap (its
/// pseudostack), allocated again in every call: a tile that must cost a run
/// no allocation must fit in it.
inline constexpr int64_t kHalideStackBytes = 16 * 1024;

/// Bytes of a float convolution's padded rows staged for a run of `pixels`
/// output pixels of `channelBlock` channels (padded=rows): the window's rows
/// of the columns the run reads. For a depthwise convolution the channels
/// are a channel block's; for a dense one (a stem), every input channel.
int64_t paddedRowsBytes(const KernelSignature &signature, int64_t pixels, int channelBlock);

} // namespace cnnc

#endif // CNNC_CODEGEN_CPU_CPUBACKEND_H
