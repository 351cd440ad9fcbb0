//===- Schedule.h - a kernel's schedule, as data ----------------*- C++ -*-===//
//
// A schedule is chosen (the target's defaults, later the tuning database),
// printed, checked against the target's legal space, and only then applied
// to the Halide pipeline. Keeping it as plain data is what lets the autotuner
// search it, the tuning database store it and `cnnc ir --level kernels` show
// it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_SCHEDULE_H
#define CNNC_CODEGEN_SCHEDULE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace cnnc {

/// The vector registers a target's kernels have: what register blocks must fit.
struct RegisterFile {
  int vectorBits = 0;
  int vectorRegisters = 0;
  /// Elements of `elementBytes` bytes per vector.
  int lanes(int elementBytes) const { return vectorBits / 8 / elementBytes; }
};

/// How one kernel runs: on a CPU (vectors, register blocks, threads over rows)
/// or on a GPU (register blocks per GPU thread, GPU threads per block).
struct ScheduleParams {
  enum class Strategy {
    /// A register-blocked direct convolution: the output is cut into blocks of
    /// channelBlock channels × pixelBlock pixels whose accumulators live in
    /// registers across the whole reduction (on a GPU: one block per GPU
    /// thread); the epilogue is applied as the block is stored.
    blockedConvolution,
    /// Every reduction computed at the root, vectorized (on a GPU: spread over
    /// GPU threads) over its innermost dimension; elementwise ops inlined into
    /// their consumers.
    generic,
    /// Whatever one of Halide's autoschedulers (shipped in the Halide wheel)
    /// chooses for the kernel's pipeline on the target: the autotuner's seeds.
    /// It has no parameters of cnnc's (lanes 1, parallel none, as parsed)
    /// but which autoscheduler.
    autoscheduled,
  };
  /// Halide's autoschedulers: Adams2019 for CPUs; Li2018 and Anderson2021
  /// for GPUs.
  enum class Autoscheduler { adams2019, li2018, anderson2021 };
  /// Which loop spreads over threads, and so which loop is outermost.
  enum class Parallel {
    none, // one thread, output rows outermost
    rows, // output rows outermost, spread over threads
    /// Blocks of output channels outermost, spread over threads; blocked
    /// only. Each block's weights stay in cache while every pixel passes,
    /// instead of all the weights passing once per pixel block: what pays
    /// where the weights outweigh the activations (late 1×1 convolutions).
    channelBlocks,
    /// Output rows outermost, spread over threads; within a row, blocks of
    /// output channels outside its pixel blocks; blocked only, a map of
    /// several rows. A channel block's weights stay in cache while the row's
    /// pixels pass, and the row's input window is read once per channel
    /// block: what pays for a dense k×k convolution whose weights a pixel
    /// block could not keep in cache (EfficientNetV2's Fused-MBConv
    /// expansions).
    rowChannelBlocks,
    /// The reductions over weights (float convolutions, fully connected
    /// layers, float or integer) of a kernel whose result is one vector of
    /// features per image (a classifier, an SE gate) cut into slices of their
    /// input features, each
    /// slice's partial sums computed by one thread and then added; generic
    /// only. Each thread streams whole rows of weights, which is what such a
    /// kernel's time is.
    reductionSlices,
  };
  /// Where a convolution reads its zero-padded input from.
  enum class PaddedInput {
    /// Gathered once per block, borders tested once: on a CPU per register
    /// block (a tile on the stack), on a GPU per thread block (a tile in
    /// shared memory, loaded by all its threads together).
    perBlock,
    inlined, // borders tested at every tap
    /// CPU, a depthwise convolution whose channel blocks lead: a channel
    /// block's padded rows staged a row at a time and kept for the window's
    /// rows as its rows are computed in turn (Halide's sliding window).
    rows,
  };

  Strategy strategy = Strategy::generic;
  int vectorLanes = 1;     // elements per vector instruction
  int channelBlock = 0;    // output channels per block (a multiple of vectorLanes); blocked only
  int pixelBlock = 0;      // output pixels along x per block; blocked only
  bool unrollBlock = true; // unroll the block's channel vectors and pixels; blocked only
  /// A dense convolution's reduction over input channels (over channel pairs
  /// or quads where the filter groups them) unrolled by this; blocked only.
  /// The products are summed in the same order whatever it is.
  int inputUnroll = 1;
  Parallel parallel = Parallel::none;
  PaddedInput paddedInput = PaddedInput::perBlock; // blocked only
  /// GPU only (0 on a CPU): GPU threads per thread block along the output's
  /// channels (its innermost dimension) and along x.
  int gpuThreadsChannels = 0;
  int gpuThreadsPixels = 0;
  /// GPU only: the output dimension a thread block's innermost threads (a
  /// warp's) run along; blocked only.
  enum class Warp {
    /// A warp's filter loads are one contiguous run, its inputs broadcasts.
    channels,
    /// A warp's threads share each filter value (a broadcast) and read a
    /// run of pixels; a gathered input tile is stored pixels innermost, so
    /// that those reads fall in distinct shared-memory banks.
    pixels,
  };
  Warp gpuWarp = Warp::channels;
  Autoscheduler autoscheduler = Autoscheduler::adams2019; // autoscheduled only

  bool onGpu() const { return gpuThreadsChannels > 0; }

  bool operator==(const ScheduleParams &o) const { return str() == o.str(); }
  bool operator!=(const ScheduleParams &o) const { return !(*this == o); }

  /// One line: "blocked lanes=8 channels=16 pixels=4 unroll parallel=rows
  /// padded=block" (with " unroll-inputs=4" where inputUnroll is over 1) (parallel=channels for
  /// channel blocks, parallel=row-channels for channel blocks within rows), "generic lanes=8
  /// parallel=rows" (parallel=slices for reduction slices) or "autoscheduled adams2019" (li2018,
  /// anderson2021); a GPU
  /// schedule adds "threads=32x4" (and " warp=pixels" where its warps run along pixels).
  std::string str() const;

  /// Reads what str() writes (a tuning database's schedules); an error names
  /// the word it does not understand.
  static llvm::Expected<ScheduleParams> parse(llvm::StringRef text);
};

/// The schedules a target allows for one kernel: what the autotuner searches.
struct ScheduleSpace {
  std::vector<ScheduleParams::Strategy> strategies;
  /// Where `strategies` holds autoscheduled: each its own point.
  std::vector<ScheduleParams::Autoscheduler> autoschedulers = {
      ScheduleParams::Autoscheduler::adams2019};
  std::vector<int> vectorLanes;
  std::vector<int> channelBlocks; // candidate values; each must also be a multiple of the lanes
  std::vector<int> pixelBlocks;
  std::vector<ScheduleParams::Parallel> parallel;
  std::vector<ScheduleParams::PaddedInput> paddedInputs;
  std::vector<int> inputUnrolls = {1}; // blocked only
  /// GPU thread blocks (channels, pixels); empty on a CPU.
  std::vector<std::pair<int, int>> gpuThreadBlocks;
  std::vector<ScheduleParams::Warp> gpuWarps = {ScheduleParams::Warp::channels}; // blocked only
  /// Register blocks must leave this many vector registers for operands.
  int vectorRegisters = 0;
  /// Pixels along x one accumulator per channel vector serves: a Winograd
  /// convolution's block keeps one per output tile of this width (pixel
  /// blocks are whole tiles), any other one per pixel.
  int pixelsPerAccumulator = 1;
  /// The kernel's result is a vector of features per image and it reduces
  /// over float weights: a generic schedule may cut them into slices.
  bool reductionSlices = false;
  /// padded=rows stages the input rows each output row reads, whatever loop
  /// runs over threads (a CPU stem reading the model's input), rather than
  /// sliding down a channel block's rows, which needs channel blocks
  /// leading.
  bool rowsStagedPerOutputRow = false;
  /// Why the target refuses a point for what it alone knows (a GPU: a
  /// thread block's input tile over its shared memory); empty, or unset,
  /// where it does not.
  std::function<std::string(const ScheduleParams &)> targetRefusal;

  /// Every legal point of the space, in a fixed order.
  std::vector<ScheduleParams> enumerate() const;

  /// Success if `params` is legal here, else an error saying which parameter
  /// is not and what the space allows.
  llvm::Error check(const ScheduleParams &params) const;
};

llvm::raw_ostream &operator<<(llvm::raw_ostream &os, const ScheduleParams &params);

/// "adams2019", "li2018", "anderson2021": as schedules name them.
const char *autoschedulerName(ScheduleParams::Autoscheduler autoscheduler);

} // namespace cnnc

#endif // CNNC_CODEGEN_SCHEDULE_H
