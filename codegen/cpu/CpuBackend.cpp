//===- CpuBackend.cpp - what every CPU target family shares ---------------===//
//
// The default schedule is sized from the register file: channel blocks of up
// to two vectors (three for dense float convolutions with AVX2's 16
// registers or AVX-512's 16 lanes, where the channels allow:
// threeVectorChannelBlocks; four, five or seven for AVX-512's 1×1 ones whose
// channels those divide: wideChannelBlockVectors), and pixel
// blocks as wide as keeps the accumulators of a two-vector block within half
// the vector registers (8 pixels with 32 registers, as on AVX-512 and NEON;
// 4 with AVX2's 16), or a little narrower or wider where that leaves a
// shorter tail (pixelBlockFor; wider blocks take all the registers hold); output rows
// outermost and over threads, or blocks of output channels where that reads
// less (channelBlocksShouldLead); a padded input gathered per block unless
// few taps read each gathered element (narrowPaddedInput,
// readsPaddedInputInline), or, the model's input, a row of output at a
// time (stagesInputRows). The space around it is every block that fits the
// register file and the output, in either order.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuBackend.h"
#include "codegen/Autoschedule.h"
#include "codegen/KernelSignature.h"
#include "codegen/Winograd.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Program.h"

#include <Halide.h>

namespace cnnc {

bool reducesOverWeights(llvm::StringRef opName) {
  return opName == cnn::Conv2DOp::getOperationName() ||
         opName == cnn::FullyConnectedOp::getOperationName() ||
         opName == cnn::IntegerFullyConnectedOp::getOperationName();
}

bool poolsRowsInSlices(llvm::StringRef opName, int64_t inputRows) {
  return (opName == cnn::GlobalPoolOp::getOperationName() ||
          opName == cnn::IntegerGlobalPoolOp::getOperationName()) &&
         inputRows >= kReductionSlices;
}

namespace {

using Strategy = ScheduleParams::Strategy;
using PaddedInput = ScheduleParams::PaddedInput;
using Parallel = ScheduleParams::Parallel;

int floatLanes(const CpuBackend &backend, llvm::StringRef target) {
  return backend.registerFile(target).lanes(sizeof(float));
}

bool denseFloatConvolution(const KernelSignature &s) {
  return s.ops[s.anchor()].name == cnn::Conv2DOp::getOperationName();
}

bool floatDepthwise(const KernelSignature &s) {
  return s.ops[s.anchor()].name == cnn::DepthwiseConv2DOp::getOperationName();
}

/// A convolution of at least the narrowest of `lanes` output channels and
/// more than one output pixel is register-blocked: a float one whatever
/// its channel count, its last channel block shifting inwards
/// (vectorLanesFor), an integer one where its channels come in whole
/// vectors of the narrowest lanes. (A 48 → 20 projection on 16×16 maps took
/// the generic schedule: 70.8 µs inside the model against 12.1 for a
/// blocked one, a 2-core Zen 5.)
bool blockable(const KernelSignature &s, llvm::ArrayRef<int> lanes) {
  if (!s.isConvolution(s.anchor()))
    return false;
  llvm::ArrayRef<int64_t> out = s.anchorShape();
  bool shiftsChannelTail = denseFloatConvolution(s) || floatDepthwise(s);
  return out[1] >= lanes.back() && (shiftsChannelTail || out[1] % lanes.back() == 0) &&
         out[2] * out[3] > 1;
}

/// A result of more than one pixel: rows to spread over threads, or the
/// pixels of one row (a map seen as one: KernelPlan::flatPixels).
bool hasRows(const KernelSignature &s) {
  llvm::ArrayRef<int64_t> shape = s.resultShape();
  return shape.size() == 4 && shape[2] * shape[3] > 1;
}

/// Output rows over threads where there are rows, else one thread.
Parallel rowsIfAny(const KernelSignature &s) {
  return hasRows(s) ? Parallel::rows : Parallel::none;
}

/// A result of one vector of features per image (a classifier's logits, an
/// SE gate), at least two vectors of them.
bool featureVectorResult(const KernelSignature &s, int lanes) {
  llvm::ArrayRef<int64_t> shape = s.resultShape();
  bool onePixel = shape.size() == 2 || (shape.size() == 4 && shape[2] == 1 && shape[3] == 1);
  return onePixel && shape[1] >= 2 * lanes;
}

/// A feature-vector kernel cuts its reductions over weights into
/// slices over threads, each streaming its rows of weights: at batch 1 the
/// weights come from memory (a classifier's 5 MB, an SE gate's), and on the
/// 2-core Zen 3 one thread drew 12 GB/s, two 22. There, side by side
/// (2026-11-28): mobilenet-v3-large 1.13× (its head's two layers 0.75 ->
/// 0.57 ms), efficientnet-b0 1.04×, mobilenet-v2 1.02×. Its global pool
/// over a map of enough rows is cut into slices of rows likewise (an SE
/// gate's pool was one thread reading the whole map): on a 2-core Zen 5,
/// b0's SE kernels 1.7× faster alone.
bool reductionSlicesMayApply(const KernelSignature &s, int lanes) {
  if (!featureVectorResult(s, lanes))
    return false;
  for (size_t i = 0; i < s.ops.size(); ++i)
    if (reducesOverWeights(s.ops[i].name) ||
        (!s.ops[i].operands.empty() && poolsRowsInSlices(s.ops[i].name, s.operand(i, 0).shape[2])))
      return true;
  return false;
}

/// A kernel whose anchor convolves by Winograd, its filter transformed
/// (Layout.h).
bool winogradConvolution(const KernelSignature &s) {
  return s.ops[s.anchor()].operands.size() > 1 &&
         s.operandRole(s.anchor(), 1) == TensorRole::winogradFilter;
}

/// Pixels (or tiles) of computing a row `width` wide in blocks of `pixels`:
/// tails shift inwards, so a last partial block recomputes pixels of the one
/// before.
int64_t pixelsComputed(int64_t width, int64_t pixels) {
  return (width + pixels - 1) / pixels * pixels;
}

/// Whether blocks of `candidate` along a row `width` wide beat blocks of
/// `best`: fewer computed, then nearer `preferred`, then wider.
bool betterBlock(int64_t width, int64_t candidate, int64_t best, int64_t preferred) {
  int64_t computed = pixelsComputed(width, candidate), bestComputed = pixelsComputed(width, best);
  int64_t distance = std::abs(candidate - preferred), bestDistance = std::abs(best - preferred);
  return computed < bestComputed ||
         (computed == bestComputed &&
          (distance < bestDistance || (distance == bestDistance && candidate > best)));
}

/// Output tiles a Winograd convolution's block takes by default, with two
/// vectors of channels: 12 accumulators, as many as three-vector blocks of
/// 4 pixels keep on AVX2 (kFewestNarrowBlockAccumulators).
constexpr int kWinogradTilesPerBlock = 6;

/// The pixel blocks of a Winograd convolution: whole output tiles, from one
/// to twice kWinogradTilesPerBlock, none starting its last tile past the
/// row's end.
std::vector<int> winogradPixelBlocks(int64_t width) {
  std::vector<int> blocks;
  for (int tiles = 1; tiles <= 2 * kWinogradTilesPerBlock; ++tiles)
    if ((tiles - 1) * kWinogradOutputTile < width)
      blocks.push_back(tiles * kWinogradOutputTile);
  return blocks;
}

/// The default pixel block of a Winograd convolution over rows `width`
/// wide, `channelVectors` vectors of channels a block: the best block of
/// tiles (betterBlock) from half kWinogradTilesPerBlock up to what the
/// registers hold. Unlike a direct convolution's (pixelBlockFor), a narrower
/// block need not keep kFewestNarrowBlockAccumulators, since the blocks
/// that would are the wider tails: a 32-wide row (8 tiles)
/// in blocks of 6 computed 12 tiles; in blocks of 8 (AVX-512) or 4 (AVX2's
/// 16 registers), 8.
int winogradPixelBlock(int64_t width, int channelVectors, int registers) {
  int64_t tiles = (width + kWinogradOutputTile - 1) / kWinogradOutputTile;
  int64_t most = std::min<int64_t>(
      {tiles, widestBlock(registers, channelVectors), 2 * kWinogradTilesPerBlock});
  int64_t best = std::min<int64_t>(most, kWinogradTilesPerBlock);
  for (int64_t block = kWinogradTilesPerBlock / 2; block <= most; ++block)
    if (betterBlock(tiles, block, best, kWinogradTilesPerBlock))
      best = block;
  return static_cast<int>(best * kWinogradOutputTile);
}

/// Whether one of the kernel's arguments is laid out as `role` (Layout.h).
bool hasArgumentIn(const KernelSignature &s, TensorRole role) {
  return llvm::any_of(s.args, [&](const SignatureArg &arg) { return arg.role == role; });
}

/// A depthwise integer convolution whose filter pairs its taps (Layout.h).
bool depthwiseOverTapPairs(const KernelSignature &s) {
  return hasArgumentIn(s, TensorRole::pairedDepthwiseFilter);
}

/// Pairs of pixels in a block of a convolution over pixel pairs: 4 pairs of
/// three or five vectors (12 or 20 accumulators) ran faster than 2, 3 or 5
/// pairs, and 6 or 7 pairs of three vectors (a prototype on a 2-core Zen 5).
constexpr int kPixelPairsPerBlock = 4;

/// A float convolution may put its channel blocks outermost (dense integer
/// ones stage their input per pixel block, for every channel block). A
/// depthwise one reads only its own channels either way; on
/// efficientnet-b0's 7×7 maps, whose 7 rows split 4 : 3 over two threads,
/// channel blocks leading took its 5×5 float kernel from 0.54 to 0.36 ms
/// timed alone but moved the whole model by 1% at most (2-core EPYC): the
/// tuner's to try, not a default. One over tap pairs stages its rows once
/// per channel block where channel blocks lead (stageTapPairs).
bool channelBlocksMayLead(const KernelSignature &s) {
  return denseFloatConvolution(s) || floatDepthwise(s) || depthwiseOverTapPairs(s);
}

/// Channel blocks outermost read the weights once and the input activations
/// once per channel block; rows outermost read the input once and the
/// weights once per pixel block. The first is chosen where the weights are
/// the larger (B0's 7×7 expansions: 884 KB of weights, 37 KB of input) and
/// there are enough channel blocks to share among threads.
bool channelBlocksShouldLead(const KernelSignature &s, int channelBlock) {
  constexpr int64_t kFewestChannelBlocks = 8;
  return channelBlocksMayLead(s) && s.anchorShape()[1] / channelBlock >= kFewestChannelBlocks &&
         s.operand(s.anchor(), 1).bytes() > s.operand(s.anchor(), 0).bytes();
}

/// A dense float convolution over maps of several rows may pass its channel
/// blocks within each row (parallel=row-channels).
bool channelBlocksMayPassInRows(const KernelSignature &s) {
  return denseFloatConvolution(s) && s.anchorShape()[2] > 1;
}

/// Weights beyond which a pixel block, passing every channel block, could
/// not keep them in cache (twice a 32 KiB L1).
constexpr int64_t kRowChannelBlockWeightBytes = 64 * 1024;

/// Channel blocks pass within each row, each block's weights staying in
/// cache while the row's pixels pass, where the weights are more than
/// kRowChannelBlockWeightBytes over at least two channel blocks. Measured on
/// the shared 2-core Zen 3: efficientnetv2-s, whose Fused-MBConv expansions
/// (3×3, 83–590 KB of weights) passed every channel block per pixel block
/// before, 0.92–1.02 of the time side by side over seven runs (median
/// 0.976); its 3×3 expansion at 96×96 about 1.1× faster alone. B0's and
/// MobileNet's stems (a few KB) keep rows.
bool channelBlocksShouldPassInRows(const KernelSignature &s, int channelBlock) {
  return channelBlocksMayPassInRows(s) && s.anchorShape()[1] / channelBlock >= 2 &&
         s.operand(s.anchor(), 1).bytes() > kRowChannelBlockWeightBytes;
}

/// The unroll factors of a dense convolution's reduction over input channels
/// (over channel pairs or quads where its filter groups them) that divide
/// it: 1, and 2, 4 and 8 where they divide it and leave it a loop.
std::vector<int> inputUnrollsFor(const KernelSignature &s) {
  if (!denseFloatConvolution(s) &&
      s.ops[s.anchor()].name != cnn::IntegerConv2DOp::getOperationName())
    return {1};
  int64_t group = 1; // its filter's (Layout.h); other arguments group nothing
  for (const SignatureArg &arg : s.args)
    group = std::max(group, inputChannelGroup(arg.role));
  int64_t extent = (s.operand(s.anchor(), 0).shape[1] + group - 1) / group;
  std::vector<int> factors = {1};
  for (int factor : {2, 4, 8})
    if (extent % factor == 0 && extent > factor)
      factors.push_back(factor);
  return factors;
}

/// A dense convolution's reduction over input channels unrolled by 4 where
/// that divides it (else 2): each step's loop counter and address updates
/// are shared by four steps' FMAs (or pmaddwd's). Measured on Zen 3 side by
/// side, over two runs each: b0 FP32 0.920 and 0.938 of the time,
/// mobilenet-v2 0.830 and 0.936, b0 INT8 0.968 and 0.931; by 8, 1.03×
/// slower than by 4; by 2, within 3% of 4 either way.
constexpr int kPreferredInputUnroll = 4;

int defaultInputUnroll(const KernelSignature &s) {
  std::vector<int> legal = inputUnrollsFor(s);
  for (int factor : {kPreferredInputUnroll, kPreferredInputUnroll / 2})
    if (llvm::is_contained(legal, factor))
      return factor;
  return 1;
}

/// The vectors a blocked kernel computes in: the widest of `lanes` that
/// divides the output channels; for a float convolution, dense or
/// depthwise, the widest no wider than them, the last block shifting
/// inwards over channels the block before computed. AVX-512's 16 lanes for
/// B0's 40-channel projections (3 vectors a pixel, 8 channels computed
/// twice, instead of 5 8-lane ones) made them 1.5× faster alone, the
/// tuner's choice on a 2-core Zen 5; for mobilenet-v3-large's depthwise
/// convolutions of 72, 120, 200 and 184 channels, 1.004-1.020× side by side
/// (its 5×5 ones of 72 and 120 channels 1.3-1.4× faster in the model).
int vectorLanesFor(const KernelSignature &s, llvm::ArrayRef<int> lanes) {
  int64_t channels = s.anchorShape()[1];
  if (denseFloatConvolution(s) || floatDepthwise(s))
    return *llvm::find_if(lanes, [&](int l) { return l <= channels; });
  return *llvm::find_if(lanes, [&](int l) { return channels % l == 0; });
}

/// Whether blocks of `channelBlock` channels, the last shifted inwards,
/// compute more than a quarter more than the `channels` there are (40
/// channels in blocks of 32: 64): a one-vector block then wastes less.
bool overcomputesTail(int64_t channels, int channelBlock) {
  int64_t computed = (channels + channelBlock - 1) / channelBlock * channelBlock;
  return 4 * computed > 5 * channels;
}

/// With 16 vector registers (AVX2) or 16-lane vectors (AVX-512), a dense
/// float convolution whose output
/// channels divide into blocks of three vectors computes them so: 12
/// accumulators (3 vectors × 4 pixels) instead of 8 give the two FMA pipes
/// more independent chains than their latency needs (Zen 3: 4 cycles, so 8
/// chains only just keep both busy). Measured on Zen 3 against two-vector
/// blocks, side by side in three runs: b0 1.015–1.029×, mobilenet-v2
/// 1.022–1.040×; B0's 1×1 convolutions at 14×14 and 7×7 7–13% faster.
/// With AVX-512's 16-lane vectors (32 registers: 3 vectors × 7 or 8 pixels,
/// 21–24 accumulators), where the tuner chose three vectors for most of b0's
/// 1×1 kernels on a 2-core Zen 5: b0 1.006–1.012×, mobilenet-v2
/// 1.015–1.016× side by side. So does an integer one over quads on AVX-512
/// (VNNI), the tuner's choice for most of INT8 mobilenet-v2's 1×1 kernels on
/// a 2-core Zen 5: INT8 b0 1.012× (two runs), mobilenet-v2 1.004–1.006×,
/// mobilenet-v3-large 0.998–1.002× side by side; in half vectors where its
/// channels are no whole number of AVX-512's (24: one block of three 8-lane
/// vectors instead of three blocks of one, those kernels 1.09× faster, the
/// models 0.997–1.0). And an integer depthwise one of a 3×3 window over tap
/// pairs with AVX-512's 16-lane vectors, the second INT8 tune's choice for
/// 8 of mobilenet-v2's 11 such kernels (1.06–1.42× alone): mobilenet-v2
/// INT8 1.015–1.022×, b0 1.011–1.017×, v3-large 1.001–1.006× side by side
/// (b0's 5×5 ones were up to 1.33× slower so, and keep two vectors).
bool threeVectorChannelBlocks(const KernelSignature &s, int lanes, int registers) {
  bool floatBlocks = (registers == 16 || lanes == 16) && denseFloatConvolution(s);
  // Quads: AVX-512 VNNI's vpdpbusd sums four products into each i32 lane.
  bool quadBlocks = hasArgumentIn(s, TensorRole::quadConvFilter);
  bool pairBlocks =
      lanes == 16 && depthwiseOverTapPairs(s) && s.operand(s.anchor(), 1).shape[3] <= 3;
  return (floatBlocks || quadBlocks || pairBlocks) && s.anchorShape()[1] % (3 * lanes) == 0;
}

/// Whether a dense float convolution's two-vector channel blocks on 16
/// registers take 6 pixels (12 accumulators, as three-vector blocks of 4)
/// rather than 4 (8, too few to cover the FMAs' latency): where its rows (a
/// flattened map's one row) are long enough that blocks of 6 compute at most
/// 1/32 more pixels. AVX2 code on a 2-core Zen 5: mobilenet-v2's 1×1
/// convolutions on 28×28 and 14×14 maps ran 1.10–1.13× faster, its stem
/// 1.04×; on 7×7 maps (54 pixels for 49) they ran 0.96–0.97× as fast, and
/// depthwise convolutions in such blocks 0.69–0.89×. Integer convolutions
/// over channel pairs (AVX2's pmaddwd) likewise: the choice of a 10-minute
/// INT8 tune for most of mobilenet-v2's 1×1 kernels (with inputs unrolled
/// by 2, defaultSchedule), 1.04–1.09× each inside the model.
bool sixPixelBlocks(const KernelSignature &s, int registers, int channelVectors) {
  int64_t width = s.anchorShape()[3];
  return registers == 16 && channelVectors == 2 &&
         (denseFloatConvolution(s) || hasArgumentIn(s, TensorRole::pairedConvFilter)) &&
         (width + 5) / 6 * 6 - width <= width / 32;
}

/// The vectors of a channel block for a 1×1 float convolution with
/// AVX-512's 32 registers of 16 lanes whose output channels come in whole
/// vectors, but not in threes (threeVectorChannelBlocks): the block of 4, 5
/// or 7 vectors that divides them and keeps the most accumulators (4 × 6
/// pixels, 5 × 5, 7 × 3); 0 where none does. Two-vector blocks keep 14
/// (× 7 pixels), and 112 channels in them compute 128. On a 2-core Zen 5,
/// mobilenet-v3-large's projections (80, 112 and 160 channels) ran
/// 1.07–1.22× faster alone in blocks of 5 and 7 vectors, the model
/// 1.014–1.019× side by side.
int wideChannelBlockVectors(const KernelSignature &s, int lanes, int registers) {
  llvm::ArrayRef<int64_t> filter = s.operand(s.anchor(), 1).shape;
  int64_t channels = s.anchorShape()[1];
  if (registers != 32 || lanes != 16 || !denseFloatConvolution(s) || filter[2] * filter[3] != 1 ||
      channels % lanes != 0)
    return 0;
  int best = 0;
  for (int vectors : {4, 5, 7})
    if (channels / lanes % vectors == 0 &&
        (!best || vectors * widestBlock(registers, vectors) > best * widestBlock(registers, best)))
      best = vectors;
  return best;
}

/// A dense float convolution's padded input of fewer channels than a vector
/// (an RGB stem's): a tile gathered per block would be mostly lanes of no
/// channel, so each tap tests its borders instead (1.2-1.6× faster on B0's
/// and MobileNet-V2's stems, Zen 3). Integer ones keep their tiles.
bool narrowPaddedInput(const KernelSignature &s, int lanes) {
  return denseFloatConvolution(s) && s.ops[s.anchor()].padsInput &&
         s.operand(s.anchor(), 0).shape[1] < lanes;
}

/// Whether a dense float convolution reads the model's input, padded, in
/// rows that fit the stack (an RGB stem): it may stage them a row of output
/// at a time (padded=rows, stageInputRows in CpuSchedule.cpp), and does by
/// default. The model's input comes in the caller's layout, NCHW unless told
/// otherwise: a stem reading it tap by tap (padded=inline) reads three
/// planes far apart, and from memory the previous run left cold it ran 1.7-4×
/// slower than from NHWC (b0's, 2-core Zen 5: 141-339 µs against 78-83).
/// Staged a row of output at a time, x innermost, its loads run along the
/// planes' rows: NCHW 107 µs, NHWC 107; b0 0.981, mobilenet-v2 0.975 and
/// -v3 0.989 of the time side by side.
bool stagesInputRows(const KernelSignature &s) {
  bool readsModelInput = llvm::any_of(
      s.args, [](const SignatureArg &arg) { return arg.kind == KernelArg::Kind::modelInput; });
  if (!readsModelInput || !denseFloatConvolution(s) || !s.ops[s.anchor()].padsInput)
    return false;
  auto inputChannels = static_cast<int>(s.operand(s.anchor(), 0).shape[1]);
  return paddedRowsBytes(s, s.anchorShape()[3], inputChannels) <= kHalideStackBytes;
}

/// A float depthwise convolution at stride 2, or of a 3×3 window, tests
/// borders at each tap rather than gather a tile per block: few taps read
/// each gathered element (in AVX2's blocks of 4 pixels, 2 or fewer; a 5×5
/// window at stride 1 reads each 2.5 times). Measured on Zen 3, reading
/// inline made stride-2 ones 1.2–1.8× faster and 3×3 ones at stride 1 up to
/// 1.2×, and 5×5 ones at stride 1 up to 1.2× slower. In AVX-512's blocks of
/// 7 or 8 pixels the same kernels read each element 2.06–2.4 times and
/// inline still won (a 2-core Zen 5: b0 1.008–1.015× for its 5×5 stride-2
/// kernels; the tuner chose inline for 3×3 ones on 112×112 maps, 1.2–1.5×).
bool readsPaddedInputInline(const KernelSignature &s) {
  const SignatureOp &op = s.ops[s.anchor()];
  return floatDepthwise(s) && op.padsInput &&
         (op.strideX >= 2 || s.operand(s.anchor(), 1).shape[3] <= 3);
}

/// Whether a float depthwise convolution at stride 1 would slide down its
/// padded rows (slidesPaddedRows) in blocks of one vector of channels but
/// not of `channelBlock`: AVX-512's blocks of 32 channels on 56-wide maps
/// take 22 KB of rows, over the stack's 16. Such a kernel takes one-vector
/// blocks (the tuner's choice on a 2-core Zen 5, where they made the 3×3
/// kernel of 144 channels on 56×56 maps 1.5–1.9× faster in the model). Only
/// vectors of 16 lanes or more: AVX2's one-vector blocks (8 channels) were
/// not measured.
bool slidesRowsInOneVector(const KernelSignature &s, int channelBlock, int lanes) {
  const SignatureOp &op = s.ops[s.anchor()];
  int64_t width = s.anchorShape()[3];
  return floatDepthwise(s) && op.padsInput && op.strideX == 1 && lanes >= 16 &&
         channelBlock > lanes && s.anchorShape()[1] / lanes >= 2 &&
         paddedRowsBytes(s, width, channelBlock) > kHalideStackBytes &&
         paddedRowsBytes(s, width, lanes) <= kHalideStackBytes;
}

/// A float depthwise convolution at stride 1 whose padded rows, a whole
/// row's for a channel block, fit the stack stages them a row at a time,
/// sliding down a channel block's rows (padded=rows, parallel=channels):
/// each input element is then gathered once per channel block, not once
/// per pixel block or tested at every tap. Measured on Zen 3, B0's kernels
/// alone: 5×5 ones 1.6–2× faster, 3×3 ones at 56, 14 and 7 pixels
/// 1.2–1.3×; at stride 2, and on 112-wide rows cut into runs, they were
/// slower (0.6–0.9×).
/// A float one needs at least two channel blocks to share among threads.
/// One over tap pairs always does, at any stride and width (cut into runs
/// of pixel blocks where a whole row's would not fit; stageTapPairs), even
/// with a single channel block, whose rows it cuts into bands over the
/// threads (rowBandsFor): the first 3×3 kernel of INT8 mobilenet-v2 (32
/// channels on 112×112 maps), which had staged its pairs per register
/// block, the tuner's choice, 1.5× faster alone on a 2-core Zen 5.
bool slidesPaddedRows(const KernelSignature &s, const ScheduleParams &p) {
  const SignatureOp &op = s.ops[s.anchor()];
  if (depthwiseOverTapPairs(s))
    return true;
  return floatDepthwise(s) && s.anchorShape()[1] / p.channelBlock >= 2 && op.padsInput &&
         op.strideX == 1 &&
         paddedRowsBytes(s, s.anchorShape()[3], p.channelBlock) <= kHalideStackBytes;
}

/// The pixel blocks a space offers (those no wider than the row).
constexpr int kPixelBlocks[] = {1, 2, 3, 4, 5, 6, 7, 8, 12, 16};

/// Accumulators a block narrower than the preferred one must keep: fewer
/// leave the FMA pipes waiting on their latency (three-vector blocks of 4
/// pixels, 12 accumulators, ran 7–13% faster than two-vector ones of 4 on
/// Zen 3).
constexpr int kFewestNarrowBlockAccumulators = 12;

/// The pixel block for rows `width` wide, of `channelVectors` vectors of
/// channels: `preferred`, unless one of the space's blocks from just over
/// half of it up to `widest` computes fewer pixels (B0's 14-wide rows: 15 in
/// blocks of 5, 16 in blocks of 4; 7-wide rows on AVX-512: 7 in blocks of 7,
/// 8 in blocks of 8) and, if narrower than `preferred`, still has
/// kFewestNarrowBlockAccumulators (a 49-pixel row of three-vector blocks on
/// AVX2 keeps blocks of 4, 52 pixels, not 3, 51); on a tie the one nearer
/// `preferred`, then the wider.
int pixelBlockFor(int64_t width, int preferred, int widest, int channelVectors) {
  if (width <= preferred)
    return static_cast<int>(width);
  int best = preferred;
  for (int pixels : kPixelBlocks) {
    if (pixels <= preferred / 2 || pixels > std::min<int64_t>(widest, width) ||
        (pixels < preferred && pixels * channelVectors < kFewestNarrowBlockAccumulators))
      continue;
    if (betterBlock(width, pixels, best, preferred))
      best = pixels;
  }
  return best;
}

/// Halide's target features that select instructions, on any CPU family.
constexpr Halide::Target::Feature kInstructionSetFeatures[] = {
    Halide::Target::SSE41,
    Halide::Target::AVX,
    Halide::Target::AVX2,
    Halide::Target::AVXVNNI,
    Halide::Target::FMA,
    Halide::Target::FMA4,
    Halide::Target::F16C,
    Halide::Target::AVX512,
    Halide::Target::AVX512_KNL,
    Halide::Target::AVX512_Skylake,
    Halide::Target::AVX512_Cannonlake,
    Halide::Target::AVX512_SapphireRapids,
    Halide::Target::AVX512_Zen4,
    Halide::Target::AVX512_Zen5,
    Halide::Target::AVX10_1,
    Halide::Target::X86APX,
    Halide::Target::SVE,
    Halide::Target::SVE2,
    Halide::Target::ARMDotProd,
    Halide::Target::ARMFp16,
};

} // namespace

int widestBlock(int registers, int channelVectors) {
  return (registers - channelVectors - 1) / channelVectors;
}

Launcher nativeLauncher(llvm::ArrayRef<CpuFeature> required) {
  Halide::Target host = Halide::get_host_target();
  std::vector<std::string> missing;
  for (const CpuFeature &feature : required)
    if (!host.has_feature(static_cast<Halide::Target::Feature>(feature.halideFeature)))
      missing.push_back(feature.name);
  Launcher launcher;
  launcher.inProcess = missing.empty();
  if (!missing.empty())
    launcher.unavailable = "this CPU lacks " + llvm::join(missing, ", ");
  return launcher;
}

Launcher emulatorLauncher(llvm::ArrayRef<const char *> emulator, llvm::StringRef processor,
                          llvm::StringRef countedUnit, llvm::StringRef countedVectorUnit) {
  Launcher launcher;
  launcher.prefix.assign(emulator.begin(), emulator.end());
  if (!llvm::sys::findProgramByName(emulator[0]))
    launcher.unavailable = std::string("it runs here under ") + emulator[0] +
                           ", which is not on PATH (install qemu-user; scripts/setup.sh "
                           "does), or give --launcher";
  launcher.timingNote =
      (llvm::Twine("run under ") + emulator[0] +
       " on this x86 machine: these are the emulator's times, not " + processor + "'s speed")
          .str();
  launcher.countedUnit = countedUnit.str();
  launcher.countedVectorUnit = countedVectorUnit.str();
  return launcher;
}

std::vector<CpuFeature> CpuBackend::requiredFeatures(llvm::StringRef halideTarget) const {
  Halide::Target target(halideTarget.str());
  std::vector<CpuFeature> required;
  for (Halide::Target::Feature feature : kInstructionSetFeatures)
    if (target.has_feature(feature))
      required.push_back({feature, Halide::Target::feature_to_name(feature)});
  return required;
}

llvm::Error CpuBackend::checkTarget(llvm::StringRef halideTarget) const {
  if (Halide::Target(halideTarget.str()).os != Halide::Target::Linux)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "target '%s': cnnc builds %s libraries for Linux only",
                                   halideTarget.str().c_str(), name().str().c_str());
  return llvm::Error::success();
}

llvm::ArrayRef<ElementType> CpuBackend::elementTypes() const {
  // The integer types of INT8 models (u8 activations, i8 filters, i32
  // accumulators and biases): plain Halide integer arithmetic, correct on
  // every CPU; fast integer schedules (VNNI, widening on AVX2) are later work.
  static const ElementType types[] = {ElementType::f32, ElementType::u8, ElementType::i8,
                                      ElementType::i32};
  return types;
}

std::vector<int> CpuBackend::blockLanes(llvm::StringRef target) const {
  int vector = floatLanes(*this, target);
  return {vector, vector / 2};
}

ScheduleParams CpuBackend::defaultSchedule(const KernelSignature &s, llvm::StringRef target) const {
  int vector = floatLanes(*this, target);
  std::vector<int> lanes = blockLanes(target);
  ScheduleParams p;
  p.parallel = rowsIfAny(s);
  p.vectorLanes = vector;
  if (!blockable(s, lanes)) {
    if (reductionSlicesMayApply(s, vector))
      p.parallel = Parallel::reductionSlices;
    return p;
  }
  llvm::ArrayRef<int64_t> out = s.anchorShape();
  int64_t channels = out[1];
  p.strategy = Strategy::blockedConvolution;
  p.inputUnroll = defaultInputUnroll(s);
  p.vectorLanes = vectorLanesFor(s, lanes);
  p.channelBlock = channels >= 2 * p.vectorLanes ? 2 * p.vectorLanes : p.vectorLanes;
  if (overcomputesTail(channels, p.channelBlock))
    p.channelBlock = p.vectorLanes;
  if (winogradConvolution(s)) {
    p.pixelBlock = winogradPixelBlock(out[3], p.channelBlock / p.vectorLanes,
                                      registerFile(target).vectorRegisters);
    return p;
  }
  int registers = registerFile(target).vectorRegisters;
  // On 16 registers an integer convolution over channel pairs unrolls its
  // pairs by 2, not 4: with six-pixel blocks (sixPixelBlocks), the INT8
  // tune's choice; together, side by side on a 2-core Zen 5 (AVX2 code),
  // mobilenet-v2 INT8 1.025–1.030× and b0 INT8 1.015–1.027× faster.
  if (registers == 16 && hasArgumentIn(s, TensorRole::pairedConvFilter) &&
      llvm::is_contained(inputUnrollsFor(s), 2))
    p.inputUnroll = 2;
  if (s.overPixelPairs()) {
    int vectors = pixelPairBlockVectors(channels / p.vectorLanes);
    p.channelBlock = vectors * p.vectorLanes;
    p.pixelBlock = std::min(kPixelPairsPerBlock, widestBlock(registers, vectors));
    return p;
  }
  if (threeVectorChannelBlocks(s, p.vectorLanes, registers))
    p.channelBlock = 3 * p.vectorLanes;
  else if (int vectors = wideChannelBlockVectors(s, p.vectorLanes, registers))
    p.channelBlock = vectors * p.vectorLanes;
  int channelVectors = p.channelBlock / p.vectorLanes;
  int widest = widestBlock(registers, channelVectors);
  // Three-vector blocks on 32 registers prefer 6 pixels (18 accumulators),
  // which pixelBlockFor makes 7 where rows divide by 7: B0's 112×112 and
  // 56×56 expansions took 7 instead of 8 (24 accumulators; 5-8% slower
  // alone, the tuner's choice on a 2-core Zen 5), b0 0.984-0.990 of the
  // time side by side, mobilenet-v2 and -v3 within 0.5%.
  int pixels = 2 * 8 <= registers / 2                         ? (channelVectors == 3 ? 6 : 8)
               : sixPixelBlocks(s, registers, channelVectors) ? 6
                                                              : 4;
  if (slidesRowsInOneVector(s, p.channelBlock, p.vectorLanes)) {
    p.channelBlock = p.vectorLanes;
    channelVectors = 1;
    widest = registers - 2;
  }
  // Wider blocks (wideChannelBlockVectors) take as many pixels as the
  // registers hold: a shorter tail in fewer (112 channels: 2 pixels, not 3,
  // for 196) had left them no faster than two-vector blocks.
  p.pixelBlock = channelVectors > 3 ? static_cast<int>(std::min<int64_t>(widest, out[3]))
                                    : pixelBlockFor(out[3], pixels, widest, channelVectors);
  p.paddedInput = narrowPaddedInput(s, p.vectorLanes) || readsPaddedInputInline(s)
                      ? PaddedInput::inlined
                      : PaddedInput::perBlock;
  if (stagesInputRows(s))
    p.paddedInput = PaddedInput::rows;
  if (channelBlocksShouldLead(s, p.channelBlock))
    p.parallel = Parallel::channelBlocks;
  else if (channelBlocksShouldPassInRows(s, p.channelBlock))
    p.parallel = Parallel::rowChannelBlocks;
  if (slidesPaddedRows(s, p)) {
    p.parallel = Parallel::channelBlocks;
    p.paddedInput = PaddedInput::rows;
  }
  if (s.computesExpansion()) { // the expansion's rows, once per band of rows
    p.parallel = Parallel::rows;
    p.paddedInput = PaddedInput::inlined;
  }
  if (s.computesDepthwiseInput()) // the depthwise rows, once per row
    p.parallel = Parallel::rows;
  return p;
}

ScheduleSpace CpuBackend::scheduleSpace(const KernelSignature &s, llvm::StringRef target) const {
  std::vector<int> lanes = blockLanes(target);
  ScheduleSpace space;
  space.vectorRegisters = registerFile(target).vectorRegisters;
  space.strategies = {Strategy::generic};
  space.vectorLanes = lanes;
  space.parallel = {rowsIfAny(s)};
  if (hasRows(s))
    space.parallel.push_back(Parallel::none);
  space.reductionSlices = reductionSlicesMayApply(s, floatLanes(*this, target));
  if (space.reductionSlices)
    space.parallel.push_back(Parallel::reductionSlices);
  space.paddedInputs = {PaddedInput::perBlock};
  space.autoschedulers = autoschedulersFor(s, {ScheduleParams::Autoscheduler::adams2019});
  if (!space.autoschedulers.empty())
    space.strategies.push_back(Strategy::autoscheduled);
  if (!blockable(s, lanes))
    return space;
  space.strategies.insert(space.strategies.begin(), Strategy::blockedConvolution);
  space.inputUnrolls = inputUnrollsFor(s);
  if (channelBlocksMayLead(s))
    space.parallel.push_back(Parallel::channelBlocks);
  if (channelBlocksMayPassInRows(s))
    space.parallel.push_back(Parallel::rowChannelBlocks);
  llvm::ArrayRef<int64_t> out = s.anchorShape();
  for (int multiple = 1; multiple <= 4; ++multiple)
    for (int width : lanes)
      if (multiple * width <= out[1] && !llvm::is_contained(space.channelBlocks, multiple * width))
        space.channelBlocks.push_back(multiple * width);
  // The default's wider blocks, of five or seven vectors too.
  std::vector<int> widerBlocks = {wideChannelBlockVectors(s, lanes.front(), space.vectorRegisters),
                                  s.overPixelPairs() ? pixelPairBlockVectors(out[1] / lanes.front())
                                                     : 0};
  for (int vectors : widerBlocks)
    if (vectors && !llvm::is_contained(space.channelBlocks, vectors * lanes.front()))
      space.channelBlocks.push_back(vectors * lanes.front());
  llvm::sort(space.channelBlocks);
  if (winogradConvolution(s)) {
    // Channel blocks pass within each block of tiles or each row of tiles,
    // which every input channel's transformed tiles are computed for once;
    // none is padded.
    space.parallel = {Parallel::rows, Parallel::rowChannelBlocks, Parallel::none};
    space.pixelBlocks = winogradPixelBlocks(out[3]);
    space.pixelsPerAccumulator = kWinogradOutputTile;
    return space;
  }
  for (int pixels : kPixelBlocks)
    if (pixels <= out[3])
      space.pixelBlocks.push_back(pixels);
  if (s.ops[s.anchor()].padsInput && !depthwiseOverTapPairs(s)) // tap pairs are always staged
    space.paddedInputs.push_back(PaddedInput::inlined);
  space.rowsStagedPerOutputRow = stagesInputRows(s);
  if ((s.ops[s.anchor()].padsInput && floatDepthwise(s)) || depthwiseOverTapPairs(s) ||
      space.rowsStagedPerOutputRow)
    space.paddedInputs.push_back(PaddedInput::rows);
  if (s.computesExpansion()) { // its rows are staged per band of rows, read inline
    space.parallel = {Parallel::rows};
    space.paddedInputs = {PaddedInput::inlined};
  }
  if (s.computesDepthwiseInput()) // its rows are staged per output row
    space.parallel = {Parallel::rows, Parallel::none};
  return space;
}

void CpuBackend::applySchedule(KernelFuncs &funcs, const KernelSignature &signature,
                               const Halide::Target &target) const {
  if (signature.schedule.strategy == ScheduleParams::Strategy::autoscheduled)
    autoscheduleKernel(funcs, signature, target);
  else
    applyCpuSchedule(funcs, signature, fewestQuadLanes(),
                     registerFile(target.to_string()).vectorRegisters);
}

} // namespace cnnc
