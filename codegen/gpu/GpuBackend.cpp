//===- GpuBackend.cpp - GPUs through Halide's CUDA and OpenCL targets -----===//
//
// The host side of a GPU model is x86-64 Linux code that launches kernels;
// the device side is PTX (CUDA, sm_80 and later: the driver compiles it for
// the GPU at hand) or OpenCL C. Weights and activations live in device memory
// (the runtime allocates them at create, through the target's Halide device
// interface), so every stage of every kernel is scheduled on the GPU.
//
// The default schedule: a convolution over more than one pixel is register
// blocked, 4 channels (one vector) × 4 pixels per thread: a warp's filter
// loads are 512 contiguous bytes, its inputs broadcasts, 16 multiply-adds
// per 5 loads (on an H100, 4 × 4 made efficientnet-b0 at batch 256 8.5% and
// mobilenet-v2 21% faster than 4 × 2). Smaller blocks for small outputs, to
// fill the GPU at batch 1, lost more than they won (an H200: efficientnet-b0
// 2.0 -> 3.0 ms, efficientnetv2-s 14.4 -> 13.7 ms). 8 × 4 for a dense k × k
// convolution, which loads few operands per multiply-add (efficientnetv2-s at
// batch 256: 2.6% faster); 32 threads along the channels and enough along x
// for 128 threads a block. A dense k × k convolution gathers its padded input
// into shared memory per thread block where the tile fits, and one of at
// least 128 output channels takes 16 × 16 threads (denseWindowDefaults).
// Everything else is generic, with a thread per channel (up to 256) for
// vectors and pooled maps, 32 × 8 threads for maps. The space around it is
// what the autotuner searches.
//
//===----------------------------------------------------------------------===//
#include "codegen/gpu/GpuBackend.h"
#include "codegen/Autoschedule.h"
#include "codegen/KernelSignature.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/STLExtras.h"

#include <Halide.h>

namespace cnnc {
namespace {

using Strategy = ScheduleParams::Strategy;
using PaddedInput = ScheduleParams::PaddedInput;

/// Accumulators (plus a filter value per channel and an input) a GPU thread's
/// register block may take: a quarter of the 255 registers a thread can have.
constexpr int kBlockRegisters = 64;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int powerOfTwoAtLeast(int64_t n) {
  int p = 1;
  while (p < n && p < kMaxThreadsPerBlock)
    p *= 2;
  return p;
}

/// A convolution with an output map of more than one pixel is register blocked.
bool blockable(const KernelSignature &s) {
  if (!s.isConvolution(s.anchor()))
    return false;
  llvm::ArrayRef<int64_t> out = s.anchorShape();
  return out[2] * out[3] > 1;
}

/// A convolution over a k × k window of every input channel (a stem, a
/// Fused-MBConv expansion): many multiply-adds per operand loaded, so a bigger
/// register block pays. Its filter is operand 1.
bool denseWindowConvolution(const KernelSignature &s) {
  const SignatureOp &op = s.ops[s.anchor()];
  if (op.name != cnn::Conv2DOp::getOperationName() || op.operands.size() < 2)
    return false;
  const std::vector<int64_t> &filter = s.operand(s.anchor(), 1).shape;
  return filter.size() == 4 && filter[2] * filter[3] > 1;
}

/// Shared memory a thread block's input tile may take: what a CUDA kernel
/// gets without asking for more, and at most what OpenCL devices offer.
constexpr int64_t kSharedTileBytes = 48 * 1024;

/// The bytes of the padded input tile a thread block of `p` gathers: every
/// input channel of a dense convolution (the block's own of a depthwise one)
/// × the columns its pixels' windows span × the window's rows (a block is
/// one output row).
int64_t sharedTileBytes(const KernelSignature &s, const ScheduleParams &p) {
  const SignatureOp &op = s.ops[s.anchor()];
  llvm::ArrayRef<int64_t> input = s.operand(s.anchor(), 0).shape;
  llvm::ArrayRef<int64_t> filter = s.operand(s.anchor(), 1).shape; // (out, in, rows, columns)
  int64_t channels = op.name == cnn::DepthwiseConv2DOp::getOperationName()
                         ? std::min<int64_t>(input[1], p.gpuThreadsChannels * p.channelBlock)
                         : input[1];
  int64_t columns = (p.gpuThreadsPixels * p.pixelBlock - 1) * op.strideX + filter[3];
  return channels * columns * filter[2] * static_cast<int64_t>(sizeof(float));
}

/// Thread blocks at least this many are enough to fill a GPU several times
/// (an H100 or H200 has 132 multiprocessors).
constexpr int64_t kManyThreadBlocks = 2048;

/// The thread blocks a blocked schedule `p` launches for output `out`.
int64_t threadBlocks(llvm::ArrayRef<int64_t> out, const ScheduleParams &p) {
  return out[0] * out[2] * ceilDiv(out[3], p.gpuThreadsPixels * p.pixelBlock) *
         ceilDiv(out[1], p.gpuThreadsChannels * p.channelBlock);
}

/// The largest of `candidates` that is at most `limit`, else the smallest.
int largestUpTo(std::initializer_list<int> candidates, int64_t limit) {
  int best = *candidates.begin();
  for (int c : candidates)
    if (c <= limit)
      best = std::max(best, c);
  return best;
}

/// Threads for a generic kernel: one per channel of a vector or pooled map,
/// 32 × 8 over the channels and x of a map.
std::pair<int, int> genericThreads(const KernelSignature &s) {
  llvm::ArrayRef<int64_t> out = s.resultShape();
  if (out.size() == 2 || out[3] == 1)
    return {std::max(32, powerOfTwoAtLeast(out[1])), 1};
  return {32, 8};
}

/// A dense k × k convolution's input and threads, measured on an H200
/// (efficientnetv2-s, whose Fused-MBConv stages are such convolutions, and
/// the stems). One of at least 128 output channels takes 16 × 16 threads,
/// 128 channels × 64 pixels a block instead of 256 × 16, so that each filter
/// value loaded serves four times the pixels (at batch 256, 48 -> 192
/// channels: 52.6 -> 34.3 ms; 64 -> 256: 22.7 -> 15.2 ms), gathering its
/// padded input into shared memory where the tile fits; where it does not,
/// only if the grid has many blocks: at batch 1, 96 blocks of 256 threads
/// left the GPU idle (64 -> 256 channels: 0.23 -> 0.35 ms), and gathered
/// with the default threads it lost too (0.23 -> 0.25 ms). (Blocks of 8 × 8
/// outputs a thread, to load fewer operands per multiply-add still, took
/// 136 to 144 registers and 2.5 times as long.) A narrower one
/// (a stem, efficientnetv2-s's first stage) gathers its input where the tile
/// fits: efficientnet-b0's stem at batch 256 0.57 -> 0.46 ms, the first
/// Fused-MBConv convolution at batch 1 0.121 -> 0.084 ms. (Depthwise
/// convolutions lost, 0.32 -> 0.49 ms, and read inline.)
void denseWindowDefaults(const KernelSignature &s, ScheduleParams &p) {
  if (!s.ops[s.anchor()].padsInput)
    return;
  ScheduleParams gathered = p;
  gathered.paddedInput = PaddedInput::perBlock;
  if (s.anchorShape()[1] < 128) {
    if (sharedTileBytes(s, gathered) <= kSharedTileBytes)
      p = gathered;
    return;
  }
  gathered.gpuThreadsChannels = gathered.gpuThreadsPixels = 16;
  bool fits = sharedTileBytes(s, gathered) <= kSharedTileBytes;
  if (!fits && threadBlocks(s.anchorShape(), gathered) < kManyThreadBlocks)
    return;
  p = gathered;
  p.paddedInput = fits ? PaddedInput::perBlock : PaddedInput::inlined;
}

class GpuBackend final : public TargetBackend {
public:
  llvm::StringRef name() const override { return "gpu"; }

  /// PTX for sm_80 runs on Ampere, Ada and Hopper (the driver compiles it for
  /// the GPU at hand; Halide 21 names nothing newer than sm_86).
  std::vector<std::pair<std::string, std::string>> aliases() const override {
    return {{"cuda", "x86-64-linux-cuda-cuda_capability_80"}, {"opencl", "x86-64-linux-opencl"}};
  }

  bool handles(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    return t.has_feature(Halide::Target::CUDA) || t.has_feature(Halide::Target::OpenCL);
  }

  llvm::Error checkTarget(llvm::StringRef halideTarget) const override {
    Halide::Target t(halideTarget.str());
    auto fail = [&](const char *why) {
      return llvm::createStringError(std::errc::invalid_argument, "target '%s': %s",
                                     halideTarget.str().c_str(), why);
    };
    if (t.os != Halide::Target::Linux || t.arch != Halide::Target::X86 || t.bits != 64)
      return fail("cnnc builds GPU libraries for x86-64 Linux hosts only");
    if (t.has_feature(Halide::Target::CUDA) && t.has_feature(Halide::Target::OpenCL))
      return fail("a model is compiled for one GPU API: cuda or opencl, not both");
    if (t.features_any_of({Halide::Target::Metal, Halide::Target::Vulkan,
                           Halide::Target::D3D12Compute, Halide::Target::WebGPU}))
      return fail("cnnc's GPU runtime supports CUDA and OpenCL only");
    return llvm::Error::success();
  }

  llvm::ArrayRef<ElementType> elementTypes() const override {
    static const ElementType types[] = {ElementType::f32};
    return types;
  }

  /// Scalar lanes; the "registers" are what a thread's register block may take.
  RegisterFile registerFile(llvm::StringRef) const override { return {32, kBlockRegisters}; }

  ScheduleParams defaultSchedule(const KernelSignature &s, llvm::StringRef) const override {
    ScheduleParams p;
    p.paddedInput = PaddedInput::inlined;
    if (!blockable(s)) {
      std::tie(p.gpuThreadsChannels, p.gpuThreadsPixels) = genericThreads(s);
      return p;
    }
    llvm::ArrayRef<int64_t> out = s.anchorShape();
    p.strategy = Strategy::blockedConvolution;
    bool dense = denseWindowConvolution(s);
    p.channelBlock = largestUpTo({1, 2, 4, dense ? 8 : 4}, out[1]);
    p.pixelBlock = largestUpTo({1, 2, 4}, out[3]);
    p.gpuThreadsChannels = std::min(32, powerOfTwoAtLeast(ceilDiv(out[1], p.channelBlock)));
    p.gpuThreadsPixels =
        std::min(128 / p.gpuThreadsChannels, powerOfTwoAtLeast(ceilDiv(out[3], p.pixelBlock)));
    if (dense)
      denseWindowDefaults(s, p);
    return p;
  }

  ScheduleSpace scheduleSpace(const KernelSignature &s, llvm::StringRef target) const override {
    ScheduleParams chosen = defaultSchedule(s, target);
    ScheduleSpace space;
    space.vectorRegisters = kBlockRegisters;
    space.strategies = {Strategy::generic};
    space.vectorLanes = {1};
    space.parallel = {ScheduleParams::Parallel::none};
    space.paddedInputs = {PaddedInput::inlined};
    space.gpuThreadBlocks = {{chosen.gpuThreadsChannels, chosen.gpuThreadsPixels}};
    for (std::pair<int, int> block :
         {std::pair{32, 8}, {32, 4}, {64, 4}, {16, 16}, {8, 32}, {128, 1}, {256, 1}})
      if (!llvm::is_contained(space.gpuThreadBlocks, block))
        space.gpuThreadBlocks.push_back(block);
    space.autoschedulers = autoschedulersFor(
        s, {ScheduleParams::Autoscheduler::li2018, ScheduleParams::Autoscheduler::anderson2021});
    if (!space.autoschedulers.empty())
      space.strategies.push_back(Strategy::autoscheduled);
    if (!blockable(s))
      return space;
    space.strategies.insert(space.strategies.begin(), Strategy::blockedConvolution);
    llvm::ArrayRef<int64_t> out = s.anchorShape();
    for (int channels : {1, 2, 4, 8})
      if (channels <= out[1])
        space.channelBlocks.push_back(channels);
    for (int pixels : {1, 2, 4})
      if (pixels <= out[3])
        space.pixelBlocks.push_back(pixels);
    if (s.ops[s.anchor()].padsInput) {
      space.paddedInputs.push_back(PaddedInput::perBlock);
      space.targetRefusal = [s](const ScheduleParams &p) -> std::string {
        if (p.paddedInput != PaddedInput::perBlock)
          return "";
        int64_t bytes = sharedTileBytes(s, p);
        if (bytes <= kSharedTileBytes)
          return "";
        return "its input tile takes " + std::to_string(bytes) +
               " bytes of shared memory, over the " + std::to_string(kSharedTileBytes) +
               " a thread block may take";
      };
    }
    // A dense convolution's filter loads are what its warps spend L1's
    // throughput on (docs/gpu.md): its warps may run along pixels instead,
    // sharing each filter value. Not measured on a GPU yet, so not a default.
    if (denseWindowConvolution(s))
      space.gpuWarps.push_back(ScheduleParams::Warp::pixels);
    return space;
  }

  void applySchedule(KernelFuncs &funcs, const KernelSignature &signature,
                     const Halide::Target &target) const override {
    if (signature.schedule.strategy == Strategy::autoscheduled)
      autoscheduleKernel(funcs, signature, target);
    else
      applyGpuSchedule(funcs, signature);
  }

  /// The host side is plain C; Halide's GPU runtimes load the driver
  /// (libcuda.so, libOpenCL.so) with dlopen when a model is created.
  Toolchain toolchain(llvm::StringRef) const override { return nativeToolchain(); }

  /// The host code is baseline x86-64: it needs nothing of the CPU.
  std::vector<CpuFeature> requiredFeatures(llvm::StringRef) const override { return {}; }

  DeviceRuntime deviceRuntime(llvm::StringRef halideTarget) const override {
    if (Halide::Target(halideTarget.str()).has_feature(Halide::Target::CUDA))
      return {"halide_cuda_device_interface", "cnnc_cuda_streams", "cnnc_runtime_cuda.c"};
    return {"halide_opencl_device_interface", "", ""};
  }

  /// In cnnc's own process: the runtime finds the GPU (or says that there is
  /// none) when the model is created.
  Launcher launcher(llvm::StringRef halideTarget) const override {
    Launcher launcher;
    if (Halide::get_host_target().arch != Halide::Target::X86) {
      launcher.unavailable = "this machine is not an x86-64 one (give --launcher)";
      return launcher;
    }
    launcher.inProcess = true;
    if (Halide::Target(halideTarget.str()).has_feature(Halide::Target::OpenCL))
      launcher.timingNote = "OpenCL runs on the device the OpenCL loader offers (PoCL: this "
                            "CPU): not a GPU's speed unless that device is a GPU";
    return launcher;
  }
};

} // namespace

const TargetBackend &gpuBackend() {
  static const GpuBackend backend;
  return backend;
}

} // namespace cnnc
