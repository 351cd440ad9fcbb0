//===- GpuSchedule.cpp - applying a GPU schedule to a kernel --------------===//
//
// The CPU strategies (CpuSchedule.cpp), mapped onto a GPU's threads instead of
// vector lanes; the parameters are chosen beforehand (GpuBackend.cpp):
// - blocked: each GPU thread computes a register block of channelBlock
//   channels × pixelBlock pixels, whose accumulators stay in registers across
//   the whole reduction (the block is unrolled, its channels one vector: a
//   thread loads a filter row and stores an output pixel's channels 16 bytes
//   at a time); a thread block holds
//   gpuThreadsChannels × gpuThreadsPixels such threads, channels fastest, so
//   that a warp reads filters and writes outputs in contiguous runs (channels
//   are innermost in memory); with warp=pixels (a dense convolution), pixels
//   fastest, so that a warp's threads share each filter value. Rows and
//   images are the GPU's block grid.
//   With padded=block, the zero-padded input a thread block reads is first
//   gathered into shared memory by all its threads together (borders tested
//   once an element, the loads contiguous), instead of being read at every
//   tap through L1.
// - generic: every reduction computed at the root, its pure loops spread over
//   threads (the innermost dimension fastest) and blocks, its reduction loops
//   serial within a thread; elementwise ops inlined into their consumers.
//
// Every stage runs on the GPU: a compiled GPU model keeps its activations in
// device memory only, so a stage left on the host would have nothing to read.
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "codegen/KernelSignature.h"
#include "codegen/gpu/GpuBackend.h"

using namespace Halide;

namespace cnnc {
namespace {

/// Spreads the pure loops `dims` (innermost first) of `stage` over the GPU:
/// the first two over threadsInner × threadsSecond threads of each block and
/// over blocks, the rest fused into one more block dimension. Block x is the
/// fused dimension, the only one that can be large (rows × images).
void spreadOverGpu(Stage stage, const std::vector<Var> &dims, int threadsInner, int threadsSecond) {
  Var innerBlock(dims[0].name() + "_block"), innerThread(dims[0].name() + "_thread");
  if (dims.size() == 2) { // (k, n): a vector per image
    stage
        .split(dims[0], innerBlock, innerThread, threadsInner * threadsSecond,
               TailStrategy::GuardWithIf)
        .reorder(innerThread, dims[1], innerBlock)
        .gpu_threads(innerThread)
        .gpu_blocks(dims[1], innerBlock);
    return;
  }
  Var secondBlock(dims[1].name() + "_block"), secondThread(dims[1].name() + "_thread");
  Var rest = dims[2];
  for (size_t d = 3; d < dims.size(); ++d) {
    Var fused(rest.name() + "_" + dims[d].name());
    stage.fuse(rest, dims[d], fused);
    rest = fused;
  }
  stage.split(dims[0], innerBlock, innerThread, threadsInner, TailStrategy::GuardWithIf)
      .split(dims[1], secondBlock, secondThread, threadsSecond, TailStrategy::GuardWithIf)
      .reorder(innerThread, secondThread, rest, innerBlock, secondBlock)
      .gpu_threads(innerThread, secondThread)
      .gpu_blocks(rest, innerBlock, secondBlock);
}

/// A Func's pure dimensions, innermost first.
std::vector<Var> dimsOf(const Func &f) { return f.args(); }

/// `f` computed at the root, its pure definition and every update spread over
/// the GPU alike (`dims` in the order spreadOverGpu takes them).
void rootOnGpu(Func f, const std::vector<Var> &dims, int threadsInner, int threadsSecond) {
  f.compute_root();
  spreadOverGpu(f, dims, threadsInner, threadsSecond);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    spreadOverGpu(f.update(u), dims, threadsInner, threadsSecond);
}

/// A one-channel map (CBAM's spatial attention) spreads over x and y instead.
std::vector<Var> threadOrder(const Func &f, llvm::ArrayRef<int64_t> shape) {
  std::vector<Var> dims = dimsOf(f);
  if (shape.size() == 4 && shape[1] == 1)
    return {dims[1], dims[2], dims[0], dims[3]}; // (x, y) over threads, (c, n) over blocks
  return dims;
}

/// A global pool (a reduction over a whole map into one value a channel)
/// first sums each row in a thread of its own, then the rows: one thread a
/// channel would walk a whole 112 × 112 map alone.
void poolByRows(Func pool, const ScheduleParams &p) {
  std::vector<Internal::ReductionVariable> rvars = pool.update().get_schedule().rvars();
  Var row("row");
  Func rowSums = pool.update().rfactor(RVar(rvars[1].var), row);
  std::vector<Var> dims = dimsOf(rowSums); // (c, x, y, n, row)
  rootOnGpu(rowSums, {dims[0], dims[4], dims[1], dims[2], dims[3]}, p.gpuThreadsChannels, 1);
}

/// Reductions at least this long into one value a channel are split over
/// kReductionLanes threads an output.
constexpr int kLongReduction = 64;
constexpr int kReductionLanes = 16;

/// A long reduction into few outputs (an SE convolution, the classifier:
/// hundreds of inputs for each of a few dozen outputs) is split over
/// kReductionLanes threads an output, each summing every kReductionLanes-th
/// input, then the lanes are summed: one thread an output would leave most of
/// the GPU idle.
void splitLongReduction(Func f) {
  std::vector<Internal::ReductionVariable> rvars = f.update().get_schedule().rvars();
  RVar reduction(rvars[0].var), outer("r_outer"), inner("r_lane");
  Var lane("lane");
  f.update().split(reduction, outer, inner, kReductionLanes);
  Func lanes = f.update().rfactor(inner, lane);
  std::vector<Var> dims = dimsOf(lanes); // f's dimensions, then the lane
  std::vector<Var> order = {dims[0], dims.back()};
  order.insert(order.end(), dims.begin() + 1, dims.end() - 1);
  rootOnGpu(lanes, order, kMaxThreadsPerBlock / kReductionLanes, kReductionLanes);
}

/// The constant extent of a reduction variable.
int64_t extentOf(const Internal::ReductionVariable &r) {
  return Internal::as_const_int(r.extent).value_or(0);
}

/// A reduction computed at the root, each of its stages spread over the GPU.
void computeRootOnGpu(Func f, llvm::ArrayRef<int64_t> shape, const ScheduleParams &p) {
  std::vector<Var> dims = threadOrder(f, shape);
  std::vector<Internal::ReductionVariable> rvars = f.update().get_schedule().rvars();
  bool onePerChannel = shape.size() == 2 || (shape[2] == 1 && shape[3] == 1);
  if (onePerChannel && rvars.size() == 2) // a global pool over (x, y)
    poolByRows(f, p);
  else if (onePerChannel && extentOf(rvars[0]) >= kLongReduction)
    splitLongReduction(f);
  rootOnGpu(f, dims, p.gpuThreadsChannels, p.gpuThreadsPixels);
}

/// `tile` (a convolution's padded input) computed once per thread block, at
/// `consumer`'s innermost block loop, into shared memory: its channels and
/// columns as one run (contiguous in the NHWC source when the tile holds
/// every channel) spread over the block's threads, channel threads fastest,
/// so that the whole block loads it together before any thread reads it.
void gatherIntoSharedMemory(Func tile, Func consumer, Var blockLoop, const ScheduleParams &p) {
  Var c = tile.args()[0], x = tile.args()[1];
  Var run("tile_run"), step("tile_step"), lane("tile_lane");
  Var innerLane("tile_inner_lane"), outerLane("tile_outer_lane");
  bool pixelWarps = p.gpuWarp == ScheduleParams::Warp::pixels;
  if (pixelWarps) { // stored pixels innermost: a warp's threads read distinct banks
    std::vector<Var> storage = tile.args();
    std::swap(storage[0], storage[1]);
    tile.reorder_storage(storage);
  }
  tile.compute_at(consumer, blockLoop)
      .store_in(MemoryType::GPUShared)
      .fuse(c, x, run)
      .split(run, step, lane, p.gpuThreadsChannels * p.gpuThreadsPixels, TailStrategy::GuardWithIf)
      .split(lane, outerLane, innerLane, pixelWarps ? p.gpuThreadsPixels : p.gpuThreadsChannels)
      .gpu_threads(innerLane, outerLane);
}

void scheduleBlockedConvolution(KernelFuncs &funcs, size_t anchorIndex, const ScheduleParams &p) {
  auto [anchor, conv] = funcs.ops[anchorIndex];
  Func output = funcs.output;
  Var c = output.args()[0], x = output.args()[1], y = output.args()[2], n = output.args()[3];
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), yn("yn");
  Var channelBlock("channel_block"), channelThread("channel_thread");
  Var pixelBlock("pixel_block"), pixelThread("pixel_thread");
  // Register blocks never exceed the extents and shift inwards at the tails,
  // so every thread's block has a constant size; surplus threads are guarded.
  output.split(c, co, ci, p.channelBlock, TailStrategy::ShiftInwards)
      .split(x, xo, xi, p.pixelBlock, TailStrategy::ShiftInwards)
      .split(co, channelBlock, channelThread, p.gpuThreadsChannels, TailStrategy::GuardWithIf)
      .split(xo, pixelBlock, pixelThread, p.gpuThreadsPixels, TailStrategy::GuardWithIf)
      .fuse(y, n, yn);
  // The innermost thread loop is a warp's; the accumulators live inside it.
  bool pixelWarps = p.gpuWarp == ScheduleParams::Warp::pixels;
  Var warpThread = pixelWarps ? pixelThread : channelThread;
  Var otherThread = pixelWarps ? channelThread : pixelThread;
  output.reorder(ci, xi, warpThread, otherThread, yn, channelBlock, pixelBlock)
      .gpu_threads(warpThread, otherThread)
      .gpu_blocks(yn, channelBlock, pixelBlock);
  // Halide would split the thread loops at the shifted tail, and in the
  // split-off part it indexes the register block through the tail's shift
  // instead of by constants: the block then lives in local memory, which
  // Halide 21 declares 4-byte aligned yet reads as 16-byte vectors
  // (CUDA_ERROR_MISALIGNED_ADDRESS on an H100). Unsplit, the tail costs a
  // min() per thread and the block stays in registers.
  output.never_partition_all();
  if (p.unrollBlock)
    output.vectorize(ci).unroll(xi);

  Var cc = conv.args()[0], cx = conv.args()[1];
  conv.compute_at(output, warpThread);
  std::vector<VarOrRVar> order = {cc, cx};
  for (const Internal::ReductionVariable &r : conv.update().get_schedule().rvars())
    order.push_back(RVar(r.var));
  conv.update().reorder(order);
  if (p.unrollBlock) {
    conv.vectorize(cc).unroll(cx);
    conv.update().vectorize(cc).unroll(cx);
  }
  if (p.paddedInput == ScheduleParams::PaddedInput::perBlock)
    for (auto &[op, input] : funcs.stagedInputs)
      if (op == anchor)
        gatherIntoSharedMemory(input, output, yn, p);

  // Any other reduction of the group (none in the groups fusion forms today)
  // and the per-image filter, an output of its own, run at the root.
  for (size_t i = 0; i < funcs.ops.size(); ++i)
    if (i != anchorIndex && funcs.ops[i].second.has_update_definition())
      computeRootOnGpu(funcs.ops[i].second, shapeOf(funcs.ops[i].first->getResult(0)), p);
  if (funcs.imageFilter)
    spreadOverGpu(*funcs.imageFilter, dimsOf(*funcs.imageFilter), p.gpuThreadsChannels,
                  p.gpuThreadsPixels);
}

void scheduleGeneric(KernelFuncs &funcs, const ScheduleParams &p) {
  for (auto &[op, f] : funcs.ops)
    if (f.has_update_definition()) // elementwise ops are inlined into their consumer
      computeRootOnGpu(f, shapeOf(op->getResult(0)), p);
  Func output = funcs.output;
  llvm::ArrayRef<int64_t> shape = shapeOf(funcs.ops.back().first->getResult(0));
  spreadOverGpu(output, threadOrder(output, shape), p.gpuThreadsChannels, p.gpuThreadsPixels);
}

} // namespace

void applyGpuSchedule(KernelFuncs &funcs, const KernelSignature &signature) {
  if (signature.schedule.strategy == ScheduleParams::Strategy::blockedConvolution)
    scheduleBlockedConvolution(funcs, signature.anchor(), signature.schedule);
  else
    scheduleGeneric(funcs, signature.schedule);
}

} // namespace cnnc
