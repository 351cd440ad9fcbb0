//===- CpuSchedule.cpp - applying a CPU schedule to a kernel --------------===//
//
// Two strategies, their parameters chosen beforehand (CpuBackend.cpp):
// - blocked: the output is cut into blocks of channelBlock channels ×
//   pixelBlock pixels; each block's accumulators live in registers across the
//   whole reduction, then the epilogue (bias, activation, residual) is applied
//   as the block is stored. Blocks never exceed the extents, and tails shift
//   inwards (recomputing a few outputs) rather than shrink, so a block's size
//   is constant and its storage is registers and stack, never heap. Rows
//   are the outer loop, or the channel blocks are (parallel=channels), and
//   the outer loop is the one spread over threads. A convolution by Winograd
//   (codegen/Winograd.h) is blocked too, its pixel blocks whole tiles and its
//   registers holding a tile's sums per channel vector
//   (scheduleWinogradConvolution); its larger stages go to the heap.
// - generic: each reduction computed at the root, vectorized over its
//   innermost dimension with the reduction outside; elementwise ops inlined
//   into their consumers. A kernel whose result is a feature vector may cut
//   its reductions over weights into slices over threads (parallel=slices).
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "codegen/KernelSignature.h"
#include "codegen/Winograd.h"
#include "codegen/cpu/CpuBackend.h"
#include "dialect/Cnn.h"

#include <functional>
#include <limits>

using namespace mlir;
using namespace Halide;

namespace cnnc {
namespace {

/// Vectorizes `stage` along `var` if `extent` fills a vector, else not at
/// all (nor where a vector is one lane: a scalar schedule).
void vectorizeIfWide(Stage stage, VarOrRVar var, int64_t extent, int vector) {
  if (vector > 1 && extent >= vector)
    stage.vectorize(var, vector, TailStrategy::GuardWithIf);
}

/// Intermediates up to this size live on the stack, not the heap: run allocates nothing.
constexpr int64_t kStackBytes = 64 * 1024;

void storeSmallOnStack(Func f, ArrayRef<int64_t> shape) {
  int64_t bytes = sizeof(float);
  for (int64_t extent : shape)
    bytes *= extent;
  if (bytes <= kStackBytes)
    f.store_in(MemoryType::Stack);
}

/// The channels of a dense integer convolution's input tile, whose reduction
/// groups input channels in `group`s: a last partial group reads channels
/// past the end.
int64_t stagedChannels(cnn::IntegerConv2DOp conv, int group) {
  return (shapeOf(conv.getInput())[1] + group - 1) / group * group;
}

/// Bytes of a dense integer convolution's input tile for one pixel block:
/// every input channel (`elementBytes` each), the columns and rows the block
/// reads.
int64_t stagedTileBytes(cnn::IntegerConv2DOp conv, int pixelBlock, int group, int elementBytes) {
  ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
  int64_t columns = (pixelBlock - 1) * conv.getStrides()[1] + filter[3];
  return elementBytes * stagedChannels(conv, group) * columns * filter[2];
}

/// A filter sum (KernelFuncs::filterSums), once per call, vectorized over
/// the output channels the filter holds, in the widest vectors up to
/// `lanes` that divide them: never past them, and never guarded (Halide 21's
/// Hexagon lowering fails on the predicated loads a guard becomes; an HVX
/// quad filter holds whole vectors). Not a group at a time: Halide 21
/// matches a sum of four i8 weights to a Hexagon instruction that does not
/// exist, vrmpy(Vu.b, Rt.b).
void scheduleFilterSum(const KernelFuncs::FilterSum &filterSum, int lanes) {
  Func sum = filterSum.sum;
  sum.compute_root();
  storeSmallOnStack(sum, {filterSum.heldChannels});
  while (filterSum.heldChannels % lanes)
    lanes /= 2;
  if (lanes > 1) {
    sum.vectorize(sum.args()[0], lanes);
    sum.update().vectorize(sum.args()[0], lanes);
  }
}

/// Pixels of one row a thread takes at a time, where a schedule spreads a
/// single row (a map seen as one) over threads, in at least kFewestRuns
/// runs. With 64, b0's 112×112 expansion (12544 pixels) took 196 tasks of
/// under a microsecond each, and the tuner found leading with its two
/// channel blocks (two tasks) 1.12× faster inside the model; with 256, side
/// by side on a 2-core Zen 5 in three runs, b0 0.966-0.990 of the time,
/// mobilenet-v2 0.964-0.988, mobilenet-v3-large 0.938-0.980, b0 INT8 0.992
/// (1024: another 0-1.5%, but fewer tasks for machines of many cores).
constexpr int64_t kPixelsPerTask = 256;
constexpr int64_t kFewestRuns = 8;

/// Tasks a blocked kernel's rows over threads make at least: bands of rows
/// where a map has at least twice as many rows, so that a task is not one
/// short row (a 112×112 depthwise convolution: 112 tasks of half a
/// microsecond). Side by side on a 2-core Zen 5, two runs: b0 0.996-0.997
/// of the time, mobilenet-v2 0.979-0.984, mobilenet-v3-large 0.991-0.992.
constexpr int64_t kRowTasks = 16;

/// The units (pixel blocks of `unitPixels`, or pixels) of a run, for a row
/// of `units` of them: about kPixelsPerTask pixels, and at least
/// kFewestRuns runs where the row has that many units.
int unitsPerRun(int64_t units, int64_t unitPixels) {
  int64_t perTask = (kPixelsPerTask + unitPixels - 1) / unitPixels;
  return static_cast<int>(std::max<int64_t>(1, std::min(perTask, units / kFewestRuns)));
}

/// Input channels of the per-image filter a thread scales at a time.
constexpr int kImageFilterRowsPerTask = 64;

/// The per-image filter W · diag(s), (out, in, batch): its output channels
/// in vectors, and where the kernel runs on threads its input channels in
/// runs over them too. It streams the whole filter (efficientnet-b0's SE
/// projections: 5.9 MB read and written an image), which one thread alone
/// would do while the other waits for the blocks.
void scheduleImageFilter(Func filter, int lanes, bool onThreads) {
  Var out = filter.args()[0], in = filter.args()[1];
  filter.vectorize(out, lanes, TailStrategy::GuardWithIf);
  if (onThreads) {
    Var run("run"), inRun("in_run");
    filter.split(in, run, inRun, kImageFilterRowsPerTask, TailStrategy::GuardWithIf).parallel(run);
  }
}

/// Bytes of a depthwise convolution's staged rows over tap pairs
/// (stageTapPairs) for a run of `pixels` output pixels of `channels`
/// channels: `kh` rows each of the pairs, (p, c) i16 at every column a pair
/// starts, and of the centered input they are read from.
int64_t tapPairRowsBytes(cnn::IntegerDepthwiseConv2DOp conv, int64_t pixels, int64_t channels) {
  ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
  int64_t kh = filter[2], kw = filter[3], stride = conv.getStrides()[1];
  int64_t pairColumns = stride % 2 == 0 ? (pixels - 1) * stride / 2 + (kw + 1) / 2
                                        : (pixels - 1) * stride + 2 * ((kw + 1) / 2 - 1) + 1;
  int64_t inputColumns = (pixels - 1) * stride + kw + 1;
  return kh * channels * static_cast<int64_t>(sizeof(int16_t)) * (2 * pairColumns + inputColumns);
}

/// Bands of rows an integer depthwise convolution sliding down its tap
/// pairs' rows cuts each channel block into, as tasks beside the channel
/// blocks: as many as make kFewestRuns tasks in all, none shorter than two
/// windows (each band stages the window's rows above its first again).
/// B0's INT8 kernels of 96 and 144 channels (3 and 5 blocks) used 1.1-1.5 of
/// 2 threads; in bands, 1.15-1.4× faster alone and the model 1.035-1.058×
/// side by side (2-core Zen 5). Float ones keep whole channel blocks: in
/// bands, b0 and mobilenet-v2 FP32 measured 0.985-0.997× side by side.
int64_t rowBandsFor(const KernelSignature &s) {
  ArrayRef<int64_t> out = s.anchorShape();
  int64_t channelBlocks = (out[1] + s.schedule.channelBlock - 1) / s.schedule.channelBlock;
  int64_t windowRows = s.operand(s.anchor(), 1).shape[2];
  return std::max<int64_t>(
      1, std::min((kFewestRuns + channelBlocks - 1) / channelBlocks, out[2] / (2 * windowRows)));
}

/// Splits the output's rows `y` into bands of `rowsPerBand`, the bands over
/// threads; the band's loop. The inner loop keeps y's name: what staged rows
/// are computed at.
Var parallelRowBands(Func output, Var y, int64_t rowsPerBand) {
  Var band("band");
  output.split(y, band, y, static_cast<int>(rowsPerBand), TailStrategy::GuardWithIf).parallel(band);
  return band;
}

/// Spreads the `rows` iterations of the output's loop `y` over threads: in
/// bands of rows where that still makes kRowTasks tasks, else a row a task.
void parallelRows(Func output, Var y, int64_t rows) {
  int64_t rowsPerTask = std::max<int64_t>(1, rows / kRowTasks);
  if (rowsPerTask > 1)
    parallelRowBands(output, y, rowsPerTask);
  else
    output.parallel(y);
}

/// The loop staged rows are stored at to slide down the rows of a channel
/// block (Halide's sliding window: computed at y, kept for the window's
/// rows): the channel blocks' loop `channelBlocks`; or `bands` bands of rows
/// within it, each a task sliding down its rows on its own; or, where a
/// whole row's staged rows (`rowsBytes` of a run of pixels) would not fit the
/// stack, runs of pixel blocks split off xo, each sliding down the rows on
/// its own.
Var slidingRowsLoop(Func output, const KernelSignature &s, int64_t bands, Var channelBlocks, Var xo,
                    Var y, const std::function<int64_t(int64_t)> &rowsBytes) {
  const ScheduleParams &p = s.schedule;
  Var storage = channelBlocks;
  if (bands > 1)
    storage = parallelRowBands(output, y, (s.anchorShape()[2] + bands - 1) / bands);
  int64_t blocks = (s.anchorShape()[3] + p.pixelBlock - 1) / p.pixelBlock, run = blocks;
  while (run > 1 && rowsBytes(run * p.pixelBlock) > kHalideStackBytes)
    run = (run + 1) / 2;
  if (run == blocks)
    return storage;
  Var runs("runs"); // the inner part keeps xo's name: the block's compute_at
  output.split(xo, runs, xo, static_cast<int>(run), TailStrategy::ShiftInwards)
      .reorder(xo, y, runs);
  return runs;
}

/// Stages `f`, staged rows of a window `kh` rows high, a row at a time at y
/// and keeps them at `rows` (slidingRowsLoop) for the window's rows, its
/// storage folded to them.
void slideDownRows(Func f, Func output, Var rows, Var y, int kh) {
  f.store_at(output, rows).compute_at(output, y).fold_storage(f.args()[f.dimensions() - 2], kh);
}

/// Bands of rows a depthwise convolution that computes its own expansion
/// (KernelSignature::computesExpansion) is cut into over threads: each band
/// computes the expansion rows its windows read, those above its first row
/// again. Two and four measured alike on mobilenet-v2 (2-core Zen 5).
constexpr int64_t kExpansionBands = 4;

/// Pixels of a register block of a row computed for a kernel's anchor (an
/// expansion's, a depthwise convolution's: blockStagedRow), where the
/// register file holds them.
constexpr int kStagedRowPixels = 8;

/// The op a kernel computes for its anchor, its first (a depthwise
/// convolution's expansion, a projection's depthwise convolution), and the
/// Func holding a row of what the anchor reads: the op's activation, or the
/// op itself through a wrapper that can hold its rows.
std::pair<Func, Func> stagedOp(KernelFuncs &funcs, const KernelSignature &s) {
  Func op = funcs.ops.front().second;
  size_t anchor = s.anchor();
  return {op, anchor > 1 ? funcs.ops[anchor - 1].second : op.in()};
}

/// `rows` (`op`'s result, or its activation), placed by the caller, computed
/// in register blocks of its own within a row (two vectors of `channels`
/// where they divide them, × kStagedRowPixels or as many as `registers`
/// vector registers hold), `op`'s sums in registers. With AVX2's 16
/// registers, blocks of 8 pixels (16 accumulators) spilled: mobilenet-v2's
/// fused 112×112 expansion took 356–383 µs in them against 184–204 µs apart,
/// 184–222 µs in blocks of 6 (its x86-64-avx2 build, 2-core Zen 5).
void blockStagedRow(Func rows, Func op, int64_t channels, int lanes, int registers) {
  int block = channels % (2 * lanes) == 0 ? 2 * lanes : lanes;
  int pixels = std::min(kStagedRowPixels, widestBlock(registers, block / lanes));
  Var c = rows.args()[0], x = rows.args()[1], co("co"), ci("ci"), xo("xo"), xi("xi");
  rows.split(c, co, ci, block, TailStrategy::ShiftInwards)
      .split(x, xo, xi, pixels, TailStrategy::ShiftInwards)
      .reorder(ci, xi, co, xo)
      .vectorize(ci, lanes)
      .unroll(ci)
      .unroll(xi);
  Var oc = op.args()[0], ox = op.args()[1];
  op.compute_at(rows, co).vectorize(oc, lanes).unroll(oc).unroll(ox);
  std::vector<VarOrRVar> order = {oc, ox};
  for (const Halide::Internal::ReductionVariable &r : op.update().get_schedule().rvars())
    order.push_back(RVar(r.var));
  op.update().reorder(order).vectorize(oc, lanes).unroll(oc).unroll(ox);
}

/// A depthwise convolution's 1×1 expansion (and its activation), computed in
/// its kernel: a row at a time as the output's rows reach it (Halide's
/// sliding window within each band of rows, the storage folded to the
/// window's height), in register blocks of its own (blockStagedRow), so that
/// the expanded tensor never leaves the cache. mobilenet-v2's 112×112 block
/// (16 → 96, 3×3 at stride 2) took 118 µs against 93 + 49 for the two
/// kernels apart.
void stageExpansionRows(KernelFuncs &funcs, const KernelSignature &s, Func output, Var band, Var y,
                        int lanes, int registers) {
  auto [expansion, rows] = stagedOp(funcs, s);
  int kh = static_cast<int>(s.operand(s.anchor(), 1).shape[2]);
  int fold = 1;
  while (fold < kh) // a power of two: the row index wraps around with a mask
    fold *= 2;
  slideDownRows(rows, output, band, y, fold);
  blockStagedRow(rows, expansion, s.ops.front().results[0].shape[1], lanes, registers);
}

/// A projection's 3×3 depthwise convolution (and its activation), computed in
/// its kernel (KernelSignature::computesDepthwiseInput): a row at a time,
/// every channel, on the stack, before the row's blocks of the projection, in
/// register blocks of its own (blockStagedRow), its padded input read
/// inline, so that the depthwise result never leaves the cache.
void stageDepthwiseRow(KernelFuncs &funcs, const KernelSignature &s, Func output, Var y, int lanes,
                       int registers) {
  auto [depthwise, rows] = stagedOp(funcs, s);
  rows.compute_at(output, y).store_in(MemoryType::Stack);
  blockStagedRow(rows, depthwise, s.ops.front().results[0].shape[1], lanes, registers);
}

/// The staging of a depthwise convolution over tap pairs (KernelFuncs::
/// TapPairs). With padded=rows (channel blocks leading), the rows of a
/// channel block are a serial loop: the centered input and its pairs are
/// computed a row at a time and kept for the window's kh rows (Halide's
/// sliding window; storage folded to kh rows), so that each input row is
/// widened, centered and paired once; a row too wide for the stack is cut
/// into runs of pixel blocks, each sliding down the rows on its own.
/// Otherwise each register block gathers its own (every input row staged kh
/// times over). Measured on Zen 3 against the per-block i32 products,
/// kernels alone: B0's 5×5 ones 1.4-2.4× faster, 3×3 ones 1.1-1.7×.
void stageTapPairs(const KernelFuncs::TapPairs &tapPairs, Func output, const KernelSignature &s,
                   Var co, Var xo, Var y, Var block) {
  const ScheduleParams &p = s.schedule;
  Func centered = tapPairs.centered, pairs = tapPairs.pairs;
  int lanes = p.vectorLanes;
  if (p.paddedInput != ScheduleParams::PaddedInput::rows) {
    pairs.compute_at(output, block);
    centered.compute_at(output, block);
  } else {
    auto conv = cast<cnn::IntegerDepthwiseConv2DOp>(tapPairs.conv);
    Var rows = slidingRowsLoop(output, s, rowBandsFor(s), co, xo, y, [&](int64_t pixels) {
      return tapPairRowsBytes(conv, pixels, p.channelBlock);
    });
    int kh = static_cast<int>(shapeOf(conv.getFilter())[2]);
    slideDownRows(pairs, output, rows, y, kh);
    slideDownRows(centered, output, rows, y, kh);
  }
  pairs.vectorize(pairs.args()[0]).vectorize(pairs.args()[1], lanes, TailStrategy::ShiftInwards);
  int centeredLanes = 2 * lanes;
  while (centeredLanes > p.channelBlock)
    centeredLanes /= 2;
  centered.vectorize(centered.args()[0], centeredLanes, TailStrategy::ShiftInwards);
}

/// Stages a dense convolution's padded input (the model's: stagesInputRows)
/// a row of output at a time, on the stack: every input channel of the rows
/// and columns the row reads, x innermost and vectorized along x, so that
/// its loads run along the rows of each channel's plane where the caller's
/// layout is NCHW (NHWC's become strided loads).
void stageInputRows(Func input, Func output, Var y, int lanes) {
  Var c = input.args()[0], x = input.args()[1], iy = input.args()[2], n = input.args()[3];
  input.compute_at(output, y).store_in(MemoryType::Stack).reorder_storage(x, c, iy, n);
  input.reorder(x, c, iy, n).vectorize(x, lanes, TailStrategy::GuardWithIf);
}

void scheduleBlockedConvolution(KernelFuncs &funcs, const KernelSignature &signature,
                                int fewestQuadLanes, int registers) {
  const ScheduleParams &p = signature.schedule;
  auto [anchor, conv] = funcs.ops[signature.anchor()];
  Func output = funcs.output;
  int lanes = p.vectorLanes;

  // A block wider than the output (a quad filter holds whole vectors of
  // output channels: Layout.h) is computed whole, and the output stores its
  // channels in the widest vectors that divide them.
  int64_t storedChannels = std::min<int64_t>(p.channelBlock, signature.anchorShape()[1]);
  int storeLanes = lanes;
  while (storedChannels % storeLanes)
    storeLanes /= 2;
  Var c = output.args()[0], x = output.args()[1], y = output.args()[2], n = output.args()[3];
  Var co("co"), ci("ci"), xo("xo"), xi("xi");
  output.split(c, co, ci, static_cast<int>(storedChannels), TailStrategy::ShiftInwards)
      .split(x, xo, xi, p.pixelBlock, TailStrategy::ShiftInwards)
      .vectorize(ci, storeLanes);
  bool channelBlocksLead = p.parallel == ScheduleParams::Parallel::channelBlocks;
  bool channelBlocksInRows = p.parallel == ScheduleParams::Parallel::rowChannelBlocks;
  if (channelBlocksLead)
    output.reorder(ci, xi, xo, y, co, n).parallel(co);
  else if (channelBlocksInRows)
    output.reorder(ci, xi, xo, co, y, n).parallel(y);
  else
    output.reorder(ci, xi, co, xo, y, n);
  // One row (a map seen as one: KernelPlan::flatPixels): runs of its pixel
  // blocks over threads, each run about as many pixels as a thread takes at
  // a time (kPixelsPerTask), and at least kFewestRuns runs.
  int64_t width = signature.anchorShape()[3];
  if (p.parallel == ScheduleParams::Parallel::rows && signature.anchorShape()[2] == 1) {
    int64_t blocks = (width + p.pixelBlock - 1) / p.pixelBlock;
    Var runs("runs"); // the inner part keeps xo's name: a dense integer tile's compute_at
    output.split(xo, runs, xo, unitsPerRun(blocks, p.pixelBlock), TailStrategy::GuardWithIf)
        .parallel(runs);
  } else if (p.parallel == ScheduleParams::Parallel::rows && signature.computesExpansion()) {
    int64_t rows = signature.anchorShape()[2];
    Var band = parallelRowBands(output, y, (rows + kExpansionBands - 1) / kExpansionBands);
    stageExpansionRows(funcs, signature, output, band, y, lanes, registers);
  } else if (p.parallel == ScheduleParams::Parallel::rows) {
    parallelRows(output, y, signature.anchorShape()[2]);
  }
  if (signature.computesDepthwiseInput())
    stageDepthwiseRow(funcs, signature, output, y, lanes, registers);
  if (p.unrollBlock)
    output.unroll(ci).unroll(xi);
  // The loop of one register block: whichever of co and xo is inner.
  Var block = channelBlocksLead || channelBlocksInRows ? xo : co;
  // Over pixel pairs (KernelPlan::pixelPairConvolution), each channel block
  // compiled apart, so that which of its lanes read which pixel is known.
  if (signature.overPixelPairs() && !channelBlocksLead && !channelBlocksInRows)
    output.unroll(co);

  Var cc = conv.args()[0], cx = conv.args()[1];
  conv.compute_at(output, block).vectorize(cc, lanes, TailStrategy::RoundUp);
  std::vector<Halide::Internal::ReductionVariable> rvars = conv.update().get_schedule().rvars();
  auto grouped = funcs.groupedReductions.find(anchor);
  int group = grouped != funcs.groupedReductions.end() ? grouped->second : 1;
  std::vector<VarOrRVar> order = {cc, cx};
  if (group > 1) // the group innermost: pmaddwd's, vpdpbusd's or vrmpy's products per i32 lane
    order.insert(order.begin(), RVar(rvars.front().var));
  for (size_t r = group > 1 ? 1 : 0; r < rvars.size(); ++r)
    order.push_back(RVar(rvars[r].var));
  Stage update = conv.update();
  update.reorder(order);
  if (p.inputUnroll > 1) { // the input channels (or their groups): after the group, if any
    RVar inputs(rvars[group > 1 ? 1 : 0].var), outer("inputs_outer"), inner("inputs_inner");
    update.split(inputs, outer, inner, p.inputUnroll).unroll(inner);
  }
  if (group == 2 || (group == 4 && lanes >= fewestQuadLanes))
    update.atomic().vectorize(RVar(rvars.front().var));
  update.vectorize(cc, lanes);
  if (p.unrollBlock) {
    conv.unroll(cc).unroll(cx);
    update.unroll(cc).unroll(cx);
  }

  // The input a block reads, where it is not a plain buffer (padded, gated
  // by an SE scale, or centered on an integer zero point), gathered once per
  // block (a constant-size tile on the stack) instead of at every tap. A
  // dense convolution's tile (every input channel, and whatever the group
  // applies before the convolution: an SE gate) is gathered once for all the
  // channel blocks of its pixels. An integer one's must fit the stack; if
  // not, its input is read and centered at every tap rather than allocated
  // in every call. A float one over the stack (a gated 1152-channel map's
  // 32 KB) is allocated once per task on the heap: gating at every tap
  // instead had made b0 0.93× as fast (design.md).
  // With padded=rows (a depthwise convolution whose channel blocks lead),
  // the tile is a channel block's padded rows instead, staged a row at a
  // time and kept for the window's rows (slidingRowsLoop).
  auto denseInteger = dyn_cast<cnn::IntegerConv2DOp>(anchor);
  bool denseFloat = isa<cnn::Conv2DOp>(anchor); // padded=rows: staged per output row
  bool dense = denseInteger || denseFloat;
  if (p.paddedInput != ScheduleParams::PaddedInput::inlined)
    for (auto &[op, input] : funcs.stagedInputs) {
      if (op != anchor ||
          (denseInteger && stagedTileBytes(denseInteger, p.pixelBlock, group,
                                           input.type().bytes()) > kHalideStackBytes))
        continue;
      if (p.paddedInput == ScheduleParams::PaddedInput::rows && denseFloat) {
        stageInputRows(input, output, y, lanes);
        continue;
      }
      if (p.paddedInput == ScheduleParams::PaddedInput::rows) {
        Var rows = slidingRowsLoop(output, signature, 1, co, xo, y, [&](int64_t pixels) {
          return paddedRowsBytes(signature, pixels, p.channelBlock);
        });
        slideDownRows(input, output, rows, y,
                      static_cast<int>(signature.operand(signature.anchor(), 1).shape[2]));
        input.store_in(MemoryType::Stack);
      } else {
        input.compute_at(output, dense ? xo : block).store_in(MemoryType::Stack);
      }
      // A full vector of its own type (i16 tiles take twice the lanes), or
      // as much of one as the tile's channels fill. Tails shift inwards
      // rather than being guarded: Halide 21's Hexagon lowering fails on the
      // predicated loads a guard becomes.
      int64_t channels = denseInteger ? stagedChannels(denseInteger, group)
                         : denseFloat ? signature.operand(signature.anchor(), 0).shape[1]
                                      : p.channelBlock;
      int tileLanes = lanes * static_cast<int>(sizeof(float)) / input.type().bytes();
      while (tileLanes > channels)
        tileLanes /= 2;
      if (tileLanes > 1)
        input.vectorize(input.args()[0], tileLanes, TailStrategy::ShiftInwards);
    }

  for (const KernelFuncs::TapPairs &tapPairs : funcs.tapPairs)
    if (tapPairs.conv == anchor)
      stageTapPairs(tapPairs, output, signature, co, xo, y, block);

  for (const KernelFuncs::FilterSum &sum : funcs.filterSums)
    scheduleFilterSum(sum, lanes);
  if (funcs.imageFilter) // an output: computed once per call, before the blocks
    scheduleImageFilter(*funcs.imageFilter, lanes, p.parallel != ScheduleParams::Parallel::none);
}

/// A convolution by Winograd (KernelFuncs::Winograd): the output in blocks
/// of channelBlock channels × pixelBlock pixels (whole tiles) × a row of
/// tiles (m rows). Per block of tiles (or, with parallel=row-channels, per
/// row of tiles, the channel blocks then passing outside its blocks of
/// tiles, so that a channel block's transformed filter stays in cache while
/// the row passes), every input channel's tiles are transformed once, for
/// all the channel blocks; per channel block, the sums at each tile
/// position are accumulated in registers (channelBlock / lanes vectors × the
/// block's tiles, as a blocked 1×1 convolution's pixels), transformed back
/// and stored through the epilogue. Rows of tiles go over threads, in bands.
void scheduleWinogradConvolution(KernelFuncs &funcs, const KernelFuncs::Winograd &w,
                                 const KernelSignature &signature) {
  const ScheduleParams &p = signature.schedule;
  int m = kWinogradOutputTile, lanes = p.vectorLanes;
  ArrayRef<int64_t> out = signature.anchorShape();
  Func output = funcs.output, conv = funcs.ops[signature.anchor()].second;
  Var c = output.args()[0], x = output.args()[1], y = output.args()[2];
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), yo("yo"), yi("yi");
  // Blocks start on whole tiles: a map whose rows or columns are not whole
  // tiles guards its last block's stores rather than shift it inwards off
  // the tiles' grid, and its last tiles compute outputs past the edge, from
  // the padding.
  auto tail = [&](int64_t extent) {
    return extent % m ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards;
  };
  // A block's channels are whole vectors, and no more than the output's
  // (the space's channel blocks; a Winograd convolution has 16 or more).
  output.split(c, co, ci, p.channelBlock, TailStrategy::ShiftInwards)
      .split(x, xo, xi, p.pixelBlock, tail(out[3]))
      .split(y, yo, yi, m, tail(out[2]))
      .vectorize(ci, lanes)
      .unroll(xi)
      .unroll(yi);
  bool channelBlocksOutside = p.parallel == ScheduleParams::Parallel::rowChannelBlocks;
  if (channelBlocksOutside)
    output.reorder(ci, xi, yi, xo, co, yo);
  else
    output.reorder(ci, xi, yi, co, xo, yo);
  if (p.parallel != ScheduleParams::Parallel::none) // rows of tiles
    parallelRows(output, yo, out[2] / m);
  // The loop of one block: whichever of co and xo is inner.
  Var block = channelBlocksOutside ? xo : co;

  // The output transform and the epilogue, a block at a time; unrolled
  // along the tile's positions, so that each output's transform is one row
  // of Aᵀ's additions.
  Var oc = conv.args()[0];
  conv.compute_at(output, block)
      .align_bounds(conv.args()[1], m)
      .align_bounds(conv.args()[2], m)
      .bound_extent(conv.args()[1], p.pixelBlock)
      .bound_extent(conv.args()[2], m)
      .vectorize(oc, lanes, TailStrategy::RoundUp)
      .unroll(conv.args()[1])
      .unroll(conv.args()[2]);
  Func rows = w.outputRows;
  rows.compute_at(output, block).vectorize(rows.args()[0], lanes, TailStrategy::RoundUp);
  for (int d = 1; d <= 3; ++d) // b, r, tx
    rows.unroll(rows.args()[d]);

  // The products: the block's accumulators (channel vectors × tiles) in
  // registers across the input channels, one tile position after another.
  Func products = w.products;
  Var po = products.args()[0], pb = products.args()[1], pa = products.args()[2],
      ptx = products.args()[3];
  products.compute_at(output, block).vectorize(po, lanes, TailStrategy::RoundUp);
  RVar channels(products.update().get_schedule().rvars().front().var);
  Stage update = products.update();
  update.reorder(po, ptx, channels, pb, pa).vectorize(po, lanes);
  if (p.unrollBlock)
    update.unroll(po).unroll(ptx);
  if (p.inputUnroll > 1) {
    RVar outer("inputs_outer"), inner("inputs_inner");
    update.split(channels, outer, inner, p.inputUnroll).unroll(inner);
  }

  // The transformed input tiles, once for every channel block: a vector of
  // input channels at a time, its n×n tile transformed by columns, then
  // rows, in registers.
  Func input = w.input, columns = w.inputColumns;
  Var vc = input.args()[0], vb = input.args()[1], va = input.args()[2], vtx = input.args()[3];
  Var vco("vco"), vci("vci");
  input.compute_at(output, channelBlocksOutside ? yo : xo)
      .split(vc, vco, vci, lanes, TailStrategy::ShiftInwards)
      .reorder(vci, vb, va, vco, vtx)
      .vectorize(vci)
      .unroll(vb)
      .unroll(va);
  columns.compute_at(input, vco)
      .vectorize(columns.args()[0], lanes, TailStrategy::ShiftInwards)
      .unroll(columns.args()[1])
      .unroll(columns.args()[2]);
}

/// The reduction dimension reduction slices cut (its index in the
/// reduction domain, HalideAlgorithm.cpp): a convolution's or a fully
/// connected layer's input features (the first), a global pool's rows (the
/// last, after the columns); none (-1) for any other op.
int slicedDimension(Operation *op, Func f) {
  llvm::StringRef name = op->getName().getStringRef();
  if (reducesOverWeights(name))
    return 0;
  if (poolsRowsInSlices(name, shapeOf(op->getOperand(0))[2]))
    return static_cast<int>(f.update().get_schedule().rvars().size()) - 1;
  return -1;
}

/// Bytes of weights a slice of a reduction over weights streams at least:
/// with fewer, starting its task costs more than sharing the work saves. An
/// SE gate's MLP of 72 → 24 → 72 features (7 KB a layer) had been cut into 8
/// slices of 3 rows. Side by side kernel by kernel (`cnnc bench --against
/// --per-kernel`, 2-core Zen 5, 2026-11-29), b0's SE kernels ran 1.05–1.77×
/// faster, v3-large's smallest 1.13–1.24×, the rest within 2%; b0
/// 1.006–1.018× in all. Pools keep their slices of rows: in slices of 64 KB
/// too, mobilenet-v2's classifier (its pool 250 KB) ran 0.95–0.98× as fast.
constexpr int64_t kSliceBytes = 64 << 10;

/// The slices of a reduction of result `shape` that streams `streamedBytes`
/// of weights: kReductionSlices, or as many (halving) as keep all their
/// partial sums within Halide's stack allocations, so that a run allocates
/// nothing (B0's classifier: 4 slices of 1000 sums; its last SE pools: 2 of
/// 1152), and stream kSliceBytes each; 1 where even two would not.
int64_t slicesFor(ArrayRef<int64_t> shape, int64_t streamedBytes) {
  int64_t bytes = sizeof(float);
  for (int64_t extent : shape)
    bytes *= extent;
  int64_t slices = kReductionSlices;
  while (slices > 1 && (slices * bytes > kHalideStackBytes || slices * kSliceBytes > streamedBytes))
    slices /= 2;
  return slices;
}

/// Vectors of a slice's partial sums kept in registers while it streams its
/// rows (12 fit AVX2's 16 registers). Loaded and stored at every row
/// instead, a classifier of 1280 → 1000 alone ran at 63 GB/s, half ONNX
/// Runtime's rate on the same layer. Side by side on a 2-core Zen 5, over two
/// spells: mobilenet-v3-large (a 10 MB head, SE gates) 1.030–1.092× faster,
/// b0 1.018–1.040×, mobilenet-v2 1.014–1.031×; sums bit-identical (each
/// output's rows in the same order); 8 or 24 vectors ran as fast as 12.
constexpr int64_t kSliceBlockVectors = 12;

/// Cuts the reduction `f` (of result `shape`) along its reduction dimension
/// `cutIndex` (over weights, or not: a pool's rows) into slices (rfactor),
/// unless one slice would take it all:
/// each slice's partial sums, for every output element, are computed by one
/// thread streaming its share (rows of weights, or rows of a pooled map), a
/// block of outputs at a time (kSliceBlockVectors); `f` then adds the
/// slices' partial sums, and is scheduled as any other reduction.
void sliceReduction(Func f, ArrayRef<int64_t> shape, int lanes, int cutIndex, bool overWeights) {
  std::vector<Halide::Internal::ReductionVariable> rvars = f.update().get_schedule().rvars();
  // Over weights, each output reads a weight at every point of the
  // reduction domain: a float, or an integer one of a byte.
  int64_t streamed = f.type().is_float() ? sizeof(float) : 1;
  for (int64_t extent : shape)
    streamed *= extent;
  for (const Halide::Internal::ReductionVariable &r : rvars)
    streamed *= Halide::Internal::as_const_int(r.extent).value_or(1);
  int64_t slices = slicesFor(shape, overWeights ? streamed : std::numeric_limits<int64_t>::max());
  if (slices < 2)
    return;
  const Halide::Internal::ReductionVariable &cut = rvars[cutIndex];
  int64_t extent = Halide::Internal::as_const_int(cut.extent).value_or(slices);
  int sliceLength = static_cast<int>((extent + slices - 1) / slices);
  RVar sliceIndex("slice_index"), inSlice("in_slice");
  Var slice("slice");
  Func partial =
      f.update().split(RVar(cut.var), sliceIndex, inSlice, sliceLength).rfactor(sliceIndex, slice);
  Var inner = partial.args()[0];
  partial.compute_root();
  partial.store_in(MemoryType::Stack);
  partial.vectorize(inner, lanes, TailStrategy::GuardWithIf);
  // rfactor puts `slice` where the slice index was, inside the pure loops;
  // each slice must be outermost, one task streaming all its share (inside
  // the rows, a parallel loop would start a task per row). Within it, each
  // block of outputs streams the slice's rows with its sums in registers.
  int64_t vectors = std::min(kSliceBlockVectors, (shape[1] + lanes - 1) / lanes);
  Var block("block"), inBlock("in_block");
  std::vector<VarOrRVar> order = {inBlock};
  for (const Halide::Internal::ReductionVariable &r : partial.update().get_schedule().rvars())
    order.push_back(RVar(r.var));
  order.push_back(block);
  order.push_back(slice);
  partial.update()
      .split(inner, block, inBlock, static_cast<int>(vectors) * lanes, TailStrategy::GuardWithIf)
      .reorder(order)
      .vectorize(inBlock, lanes)
      .unroll(inBlock)
      .parallel(slice);
}

void scheduleGeneric(KernelFuncs &funcs, const KernelSignature &signature) {
  const ScheduleParams &p = signature.schedule;
  int vector = p.vectorLanes;
  for (const KernelFuncs::Winograd &w : funcs.winograd) {      // every stage whole, in turn
    ArrayRef<int64_t> filter = shapeOf(w.conv->getOperand(1)); // O×I×3×3
    std::pair<Func, int64_t> stages[] = {{w.inputColumns, filter[1]},
                                         {w.input, filter[1]},
                                         {w.products, filter[0]},
                                         {w.outputRows, filter[0]}};
    for (auto [stage, channels] : stages) {
      stage.compute_root();
      vectorizeIfWide(stage, stage.args()[0], channels, vector);
      if (stage.has_update_definition())
        vectorizeIfWide(stage.update(), stage.args()[0], channels, vector);
    }
  }
  for (const KernelFuncs::FilterSum &sum : funcs.filterSums)
    scheduleFilterSum(sum, vector);
  for (auto &[op, f] : funcs.ops) {
    if (!f.has_update_definition())
      continue; // elementwise: inlined into its consumer
    ArrayRef<int64_t> shape = shapeOf(op->getResult(0));
    if (int cut = slicedDimension(op, f);
        p.parallel == ScheduleParams::Parallel::reductionSlices && cut >= 0)
      sliceReduction(f, shape, vector, cut, reducesOverWeights(op->getName().getStringRef()));
    // Vectorize over channels (or features); over x for one-channel maps (CBAM).
    bool narrow = shape.size() == 4 && shape[1] < vector;
    Var inner = f.args()[narrow ? 1 : 0];
    int64_t extent = narrow ? shape[3] : shape[1];
    f.compute_root();
    storeSmallOnStack(f, shape);
    vectorizeIfWide(f, inner, extent, vector);
    std::vector<VarOrRVar> order = {inner};
    for (const Halide::Internal::ReductionVariable &r : f.update().get_schedule().rvars())
      order.push_back(RVar(r.var));
    f.update().reorder(order);
    vectorizeIfWide(f.update(), inner, extent, vector);
  }
  Func output = funcs.output;
  ArrayRef<int64_t> shape = signature.resultShape();
  Var x = output.args()[1];
  int64_t width = shape.size() == 4 ? shape[3] : 1;
  if (p.parallel == ScheduleParams::Parallel::rows && shape.size() == 4 && shape[2] == 1) {
    // One row (a map seen as one: KernelPlan::flatPixels): runs of its
    // pixels over threads, in whole vectors of pixels (what a map of few
    // channels is vectorized along), none longer than the row.
    Var runs("runs"), inRun("in_run");
    int64_t vectors = (width + vector - 1) / vector;
    int run = static_cast<int>(std::min<int64_t>(width, unitsPerRun(vectors, vector) * vector));
    output.split(x, runs, inRun, run, TailStrategy::ShiftInwards).parallel(runs);
    x = inRun;
    width = run;
  } else if (p.parallel == ScheduleParams::Parallel::rows) {
    output.parallel(output.args()[2]);
  }
  if (shape.size() == 4 && shape[1] < vector) { // few channels (an image, CBAM's maps): along x
    // Each channel's vector of pixels is stored strided; with the channels
    // unrolled, Halide interleaves them into dense stores.
    output.bound(output.args()[0], 0, static_cast<int>(shape[1])).unroll(output.args()[0]);
    vectorizeIfWide(output, x, width, vector);
    // A model input's strides are the caller's (NCHW or NHWC): a copy of the
    // kernel for NCHW, the default, loads its rows of pixels densely.
    for (size_t i = 0; i < signature.args.size(); ++i)
      if (signature.args[i].kind == KernelArg::Kind::modelInput &&
          funcs.params[i].dimensions() == 4)
        output.specialize(funcs.params[i].dim(1).stride() == 1);
  } else
    vectorizeIfWide(output, output.args()[0], shape[1], vector);
}

} // namespace

int64_t paddedRowsBytes(const KernelSignature &signature, int64_t pixels, int channelBlock) {
  llvm::ArrayRef<int64_t> filter = signature.operand(signature.anchor(), 1).shape;
  int64_t columns = (pixels - 1) * signature.ops[signature.anchor()].strideX + filter[3];
  return static_cast<int64_t>(sizeof(float)) * channelBlock * filter[2] * columns;
}

/// A kernel that reads the model's input (a stem) knows its extents but not
/// its strides, which the caller's layout sets (cnnc_options.input_layout):
/// compiled for strides unknown, it gathered a row's pixels one element at
/// a time (a stem's staged rows: 16 scalar loads a vector). It is compiled
/// for each of the two layouts instead, NCHW (a row's pixels dense) and NHWC
/// (a pixel's channels dense, then the row's pixels), and fails on any other
/// strides: 1.2-1.3× faster stems (b0's, mobilenet-v2's and -v3's, 2-core
/// Zen 5), the models 1.00-1.01× side by side.
void specializeModelInputLayouts(KernelFuncs &funcs, const KernelSignature &signature) {
  for (size_t i = 0; i < signature.args.size(); ++i) {
    if (signature.args[i].kind != KernelArg::Kind::modelInput || funcs.params[i].dimensions() != 4)
      continue;
    const ImageParam &input = funcs.params[i];
    funcs.output.specialize(input.dim(1).stride() == 1);
    funcs.output.specialize(input.dim(0).stride() == 1 &&
                            input.dim(1).stride() == input.dim(0).extent());
    funcs.output.specialize_fail("cnnc: the model's input is neither NCHW nor NHWC");
  }
}

void applyCpuSchedule(KernelFuncs &funcs, const KernelSignature &signature, int fewestQuadLanes,
                      int vectorRegisters) {
  bool blocked = signature.schedule.strategy == ScheduleParams::Strategy::blockedConvolution;
  Operation *anchor = funcs.ops[signature.anchor()].first;
  auto winograd = llvm::find_if(funcs.winograd,
                                [&](const KernelFuncs::Winograd &w) { return w.conv == anchor; });
  if (blocked && winograd != funcs.winograd.end())
    scheduleWinogradConvolution(funcs, *winograd, signature);
  else if (blocked)
    scheduleBlockedConvolution(funcs, signature, fewestQuadLanes, vectorRegisters);
  else
    scheduleGeneric(funcs, signature);
  specializeModelInputLayouts(funcs, signature);
}

} // namespace cnnc
