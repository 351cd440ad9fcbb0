//===- Schedule.cpp - a kernel's schedule, as data ------------------------===//
#include "codegen/Schedule.h"

#include <tuple>

#include "llvm/ADT/STLExtras.h"

namespace cnnc {
namespace {

llvm::Error illegal(const ScheduleParams &params, const llvm::Twine &why) {
  return llvm::createStringError(std::errc::invalid_argument, "illegal schedule '%s': %s",
                                 params.str().c_str(), why.str().c_str());
}

/// Registers a block needs: its accumulators, one per channel vector and
/// `pixelsPerAccumulator` pixels, one weight vector per channel vector and
/// one broadcast input.
int registersNeeded(const ScheduleParams &p, int pixelsPerAccumulator) {
  int channelVectors = p.channelBlock / p.vectorLanes;
  return channelVectors * (p.pixelBlock / pixelsPerAccumulator) + channelVectors + 1;
}

const char *parallelName(ScheduleParams::Parallel parallel) {
  switch (parallel) {
  case ScheduleParams::Parallel::none:
    return "none";
  case ScheduleParams::Parallel::rows:
    return "rows";
  case ScheduleParams::Parallel::channelBlocks:
    return "channels";
  case ScheduleParams::Parallel::rowChannelBlocks:
    return "row-channels";
  case ScheduleParams::Parallel::reductionSlices:
    return "slices";
  }
  llvm_unreachable("every Parallel is named");
}

const char *paddedName(ScheduleParams::PaddedInput padded) {
  switch (padded) {
  case ScheduleParams::PaddedInput::perBlock:
    return "block";
  case ScheduleParams::PaddedInput::inlined:
    return "inline";
  case ScheduleParams::PaddedInput::rows:
    return "rows";
  }
  llvm_unreachable("every PaddedInput is named");
}

} // namespace

const char *autoschedulerName(ScheduleParams::Autoscheduler autoscheduler) {
  switch (autoscheduler) {
  case ScheduleParams::Autoscheduler::adams2019:
    return "adams2019";
  case ScheduleParams::Autoscheduler::li2018:
    return "li2018";
  case ScheduleParams::Autoscheduler::anderson2021:
    return "anderson2021";
  }
  llvm_unreachable("every Autoscheduler is named");
}

namespace {

std::string toText(int value) { return std::to_string(value); }
std::string toText(ScheduleParams::Autoscheduler value) { return autoschedulerName(value); }
std::string toText(ScheduleParams::Parallel value) { return parallelName(value); }

template <typename T> std::string listOf(const std::vector<T> &values) {
  std::string text;
  for (const T &v : values)
    text += (text.empty() ? "" : ", ") + toText(v);
  return "{" + text + "}";
}

} // namespace

std::string ScheduleParams::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (strategy == Strategy::autoscheduled)
    return std::string("autoscheduled ") + autoschedulerName(autoscheduler);
  bool blocked = strategy == Strategy::blockedConvolution;
  os << (blocked ? "blocked" : "generic") << " lanes=" << vectorLanes;
  if (blocked)
    os << " channels=" << channelBlock << " pixels=" << pixelBlock
       << (unrollBlock ? " unroll" : " no-unroll");
  os << " parallel=" << parallelName(parallel);
  if (blocked)
    os << " padded=" << paddedName(paddedInput);
  if (blocked && inputUnroll > 1)
    os << " unroll-inputs=" << inputUnroll;
  if (onGpu())
    os << " threads=" << gpuThreadsChannels << "x" << gpuThreadsPixels;
  if (gpuWarp == Warp::pixels)
    os << " warp=pixels";
  return text;
}

llvm::Expected<ScheduleParams> ScheduleParams::parse(llvm::StringRef text) {
  auto fail = [&](llvm::StringRef word) {
    return llvm::createStringError(std::errc::invalid_argument, "schedule '%s': cannot read '%s'",
                                   text.str().c_str(), word.str().c_str());
  };
  llvm::SmallVector<llvm::StringRef> words;
  text.split(words, ' ', -1, /*KeepEmpty=*/false);
  if (words.empty() ||
      (words[0] != "blocked" && words[0] != "generic" && words[0] != "autoscheduled"))
    return fail(words.empty() ? "" : words[0]);
  ScheduleParams p;
  if (words[0] == "autoscheduled") {
    if (words.size() != 2)
      return fail(words.size() > 1 ? words[2] : words[0]);
    p.strategy = Strategy::autoscheduled;
    for (Autoscheduler which :
         {Autoscheduler::adams2019, Autoscheduler::li2018, Autoscheduler::anderson2021})
      if (words[1] == autoschedulerName(which)) {
        p.autoscheduler = which;
        return p;
      }
    return fail(words[1]);
  }
  p.strategy = words[0] == "blocked" ? Strategy::blockedConvolution : Strategy::generic;
  for (llvm::StringRef word : llvm::ArrayRef(words).drop_front()) {
    // Named, not bound: a lambda below reads `value` (C++17 cannot capture bindings).
    llvm::StringRef key, value;
    std::tie(key, value) = word.split('=');
    auto number = [&](int &into) { return !value.getAsInteger(10, into) && into > 0; };
    bool ok = true;
    if (word == "unroll" || word == "no-unroll")
      p.unrollBlock = word == "unroll";
    else if (key == "lanes")
      ok = number(p.vectorLanes);
    else if (key == "channels")
      ok = number(p.channelBlock);
    else if (key == "pixels")
      ok = number(p.pixelBlock);
    else if (key == "unroll-inputs")
      ok = number(p.inputUnroll);
    else if (key == "parallel" && value == "rows")
      p.parallel = Parallel::rows;
    else if (key == "parallel" && value == "channels")
      p.parallel = Parallel::channelBlocks;
    else if (key == "parallel" && value == "row-channels")
      p.parallel = Parallel::rowChannelBlocks;
    else if (key == "parallel" && value == "slices")
      p.parallel = Parallel::reductionSlices;
    else if (key == "parallel" && value == "none")
      p.parallel = Parallel::none;
    else if (key == "padded" && value == "block")
      p.paddedInput = PaddedInput::perBlock;
    else if (key == "padded" && value == "inline")
      p.paddedInput = PaddedInput::inlined;
    else if (key == "padded" && value == "rows")
      p.paddedInput = PaddedInput::rows;
    else if (key == "threads") {
      auto [channels, pixels] = value.split('x');
      ok = !channels.getAsInteger(10, p.gpuThreadsChannels) &&
           !pixels.getAsInteger(10, p.gpuThreadsPixels) && p.gpuThreadsChannels > 0 &&
           p.gpuThreadsPixels > 0;
    } else if (word == "warp=pixels")
      p.gpuWarp = Warp::pixels;
    else
      ok = false;
    if (!ok)
      return fail(word);
  }
  if (p.str() != text.trim())
    return fail(text);
  return p;
}

llvm::raw_ostream &operator<<(llvm::raw_ostream &os, const ScheduleParams &params) {
  return os << params.str();
}

std::vector<ScheduleParams> ScheduleSpace::enumerate() const {
  // A CPU space has one (absent) thread block.
  std::vector<std::pair<int, int>> threadBlocks = gpuThreadBlocks;
  if (threadBlocks.empty())
    threadBlocks.push_back({0, 0});
  std::vector<ScheduleParams> points;
  if (llvm::is_contained(strategies, ScheduleParams::Strategy::autoscheduled))
    for (ScheduleParams::Autoscheduler which : autoschedulers) {
      ScheduleParams p;
      p.strategy = ScheduleParams::Strategy::autoscheduled;
      p.autoscheduler = which;
      points.push_back(p);
    }
  for (auto [threadsChannels, threadsPixels] : threadBlocks)
    for (ScheduleParams::Strategy strategy : strategies)
      for (int lanes : vectorLanes)
        for (ScheduleParams::Parallel spread : parallel) {
          ScheduleParams p;
          p.gpuThreadsChannels = threadsChannels;
          p.gpuThreadsPixels = threadsPixels;
          p.strategy = strategy;
          p.vectorLanes = lanes;
          p.parallel = spread;
          if (strategy == ScheduleParams::Strategy::autoscheduled)
            continue; // its points are above
          if (strategy == ScheduleParams::Strategy::generic) {
            if (llvm::Error error = check(p))
              llvm::consumeError(std::move(error)); // channel blocks, or slices of nothing
            else
              points.push_back(p);
            continue;
          }
          for (int channels : channelBlocks)
            for (int pixels : pixelBlocks)
              for (ScheduleParams::PaddedInput padded : paddedInputs)
                for (bool unroll : {true, false})
                  for (int inputs : inputUnrolls)
                    for (ScheduleParams::Warp warp : gpuWarps) {
                      p.channelBlock = channels;
                      p.pixelBlock = pixels;
                      p.paddedInput = padded;
                      p.unrollBlock = unroll;
                      p.inputUnroll = inputs;
                      p.gpuWarp = warp;
                      if (llvm::Error error = check(p))
                        llvm::consumeError(std::move(error)); // over the register file
                      else
                        points.push_back(p);
                    }
        }
  return points;
}

llvm::Error ScheduleSpace::check(const ScheduleParams &p) const {
  if (!llvm::is_contained(strategies, p.strategy))
    return illegal(p, "this kernel cannot use that strategy");
  if (p.strategy == ScheduleParams::Strategy::autoscheduled)
    return llvm::is_contained(autoschedulers, p.autoscheduler)
               ? llvm::Error::success() // no parameters of cnnc's
               : illegal(p, "the autoscheduler must be one of " + listOf(autoschedulers));
  if (!llvm::is_contained(vectorLanes, p.vectorLanes))
    return illegal(p, "lanes must be one of " + listOf(vectorLanes));
  if (!llvm::is_contained(parallel, p.parallel))
    return illegal(p, "parallel must be one of " + listOf(parallel));
  std::pair<int, int> threads = {p.gpuThreadsChannels, p.gpuThreadsPixels};
  if (gpuThreadBlocks.empty() && p.onGpu())
    return illegal(p, "GPU threads on a CPU target");
  if (!gpuThreadBlocks.empty() && !llvm::is_contained(gpuThreadBlocks, threads)) {
    std::string blocks;
    for (auto [channels, pixels] : gpuThreadBlocks)
      blocks +=
          (blocks.empty() ? "" : ", ") + std::to_string(channels) + "x" + std::to_string(pixels);
    return illegal(p, "threads must be one of {" + blocks + "}");
  }
  if (p.strategy == ScheduleParams::Strategy::generic) {
    if (p.parallel == ScheduleParams::Parallel::channelBlocks ||
        p.parallel == ScheduleParams::Parallel::rowChannelBlocks)
      return illegal(p, "only a blocked schedule has channel blocks");
    if (p.parallel == ScheduleParams::Parallel::reductionSlices && !reductionSlices)
      return illegal(p, "only a feature-vector kernel that reduces over weights has reduction "
                        "slices");
    if (p.inputUnroll != 1)
      return illegal(p, "only a blocked schedule unrolls its inputs");
    if (p.gpuWarp != ScheduleParams::Warp::channels)
      return illegal(p, "only a blocked schedule's warps run along pixels");
    return llvm::Error::success();
  }
  if (p.parallel == ScheduleParams::Parallel::reductionSlices)
    return illegal(p, "only a generic schedule has reduction slices");
  if (!llvm::is_contained(channelBlocks, p.channelBlock) || p.channelBlock % p.vectorLanes)
    return illegal(p, "channels must be a multiple of the lanes among " + listOf(channelBlocks));
  if (!llvm::is_contained(pixelBlocks, p.pixelBlock))
    return illegal(p, "pixels must be one of " + listOf(pixelBlocks));
  if (!llvm::is_contained(paddedInputs, p.paddedInput))
    return illegal(p, "this kernel has no padded input to place");
  if (!llvm::is_contained(inputUnrolls, p.inputUnroll))
    return illegal(p, "unroll-inputs must be one of " + listOf(inputUnrolls));
  if (!llvm::is_contained(gpuWarps, p.gpuWarp))
    return illegal(p, "warp=pixels is for a GPU's dense convolutions");
  if (p.paddedInput == ScheduleParams::PaddedInput::rows && !rowsStagedPerOutputRow &&
      p.parallel != ScheduleParams::Parallel::channelBlocks)
    return illegal(p, "padded=rows slides down a channel block's rows: it needs parallel=channels");
  if (int needed = registersNeeded(p, pixelsPerAccumulator); needed > vectorRegisters)
    return illegal(p, "the block needs " + llvm::Twine(needed) +
                          " vector registers and the target has " + llvm::Twine(vectorRegisters));
  if (std::string why = targetRefusal ? targetRefusal(p) : ""; !why.empty())
    return illegal(p, why);
  return llvm::Error::success();
}

} // namespace cnnc
