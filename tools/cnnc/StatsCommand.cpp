//===- StatsCommand.cpp - cnnc stats --------------------------------------===//
//
// Per-stage architecture (from the scaled effnet IR) next to per-stage cost
// (from the lowered cnn IR), and the totals.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Commands.h"
#include "HardwareStats.h"
#include "ModelSession.h"
#include "passes/ModelStats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

using namespace mlir;

namespace cnnc {
namespace {

/// What the scaled spec says about one stage.
struct StageShape {
  std::string block;     // "mbconv" or "fused_mbconv"
  std::string expansion; // "×6" or "→960"
  std::string attention; // "se", "cbam", "se+cbam" or "-"
  int64_t kernel = 0, stride = 0, repeats = 0, channels = 0;
};

struct ScaledModel {
  std::string name;
  int64_t resolution = 0, inChannels = 0, numClasses = 0;
  std::vector<StageShape> stages;
};

ScaledModel describe(effnet::ModelOp model) {
  ScaledModel scaled{model.getSymName().str(),
                     static_cast<int64_t>(model.getResolution()),
                     static_cast<int64_t>(model.getInChannels()),
                     static_cast<int64_t>(model.getNumClasses()),
                     {}};
  for (auto stage : model.getBody().getOps<effnet::StageOp>()) {
    effnet::BlockOpInterface block = stage.getBlock();
    StageShape shape;
    shape.block = block->getName().stripDialect().str();
    if (std::optional<APFloat> ratio = block.getExpandRatio())
      shape.expansion = fmt::format("x{:g}", ratio->convertToDouble());
    else
      shape.expansion = fmt::format("->{}", *block.getExpandChannels());
    bool se = static_cast<bool>(block.getSeAttr()), cbam = static_cast<bool>(block.getCbamAttr());
    shape.attention = se && cbam ? "se+cbam" : se ? "se" : cbam ? "cbam" : "-";
    shape.kernel = block.getKernel();
    shape.stride = block.getStride();
    shape.repeats = stage.getRepeats();
    shape.channels = block.getOutChannels();
    scaled.stages.push_back(shape);
  }
  return scaled;
}

/// What an imported model (ONNX), which has no spec, says about itself: its
/// input and output, read from the lowered function.
ScaledModel describe(func::FuncOp model) {
  ArrayRef<int64_t> input = cast<RankedTensorType>(model.getArgumentTypes()[0]).getShape();
  ArrayRef<int64_t> output = cast<RankedTensorType>(model.getResultTypes()[0]).getShape();
  return ScaledModel{
      model.getSymName().str(), input[2], input[1], output.size() == 2 ? output[1] : 0, {}};
}

/// The scaled stage a part of the lowered model came from ("stages.N"), if any.
const StageShape *stageOf(const ScaledModel &model, const PartStats &part) {
  StringRef name = part.part;
  size_t number;
  if (!name.consume_front("stages.") || name.getAsInteger(10, number) || number < 1 ||
      number > model.stages.size())
    return nullptr;
  return &model.stages[number - 1];
}

/// 5288548 → "5,288,548".
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string megabytes(int64_t bytes) { return fmt::format("{:.2f} MiB", bytes / 1048576.0); }

std::string spatial(const PartStats &part) {
  if (part.outputShape.size() == 4)
    return fmt::format("{}x{}", part.outputShape[2], part.outputShape[3]);
  return "-";
}

void printTable(const ScaledModel &model, const ModelStats &stats) {
  fmt::print("{}: {}x{}x{} input, {} classes\n\n", model.name, model.inChannels, model.resolution,
             model.resolution, model.numClasses);
  fmt::print("{:<9} {:<13} {:>7} {:>3} {:>3} {:>7} {:>8} {:>9} {:>13} {:>15} {:<8}\n", "part",
             "block", "expand", "k", "s", "repeats", "channels", "output", "params", "MACs",
             "attention");
  for (const PartStats &part : stats.parts) {
    std::string label = part.part, block = "conv", expand = "-", k = "-", s = "-", repeats = "-",
                channels = "-", attention = "-";
    if (const StageShape *stage = stageOf(model, part)) {
      const StageShape &shape = *stage;
      label = fmt::format("stage {}", stage - model.stages.data() + 1);
      block = shape.block;
      expand = shape.expansion;
      k = std::to_string(shape.kernel);
      s = std::to_string(shape.stride);
      repeats = std::to_string(shape.repeats);
      channels = std::to_string(shape.channels);
      attention = shape.attention;
    } else if (part.part == "head") {
      block = "conv+pool+fc";
    }
    if (part.part != "head" && part.outputShape.size() == 4)
      channels = std::to_string(part.outputShape[1]);
    fmt::print("{:<9} {:<13} {:>7} {:>3} {:>3} {:>7} {:>8} {:>9} {:>13} {:>15} {:<8}\n", label,
               block, expand, k, s, repeats, channels, spatial(part), grouped(part.params),
               grouped(part.macs), attention);
  }
  fmt::print("\nparameters       {}  (plus {} batch-norm running statistics)\n",
             grouped(stats.params), grouped(stats.buffers));
  fmt::print("MACs             {}  ({:.3f} G)\n", grouped(stats.macs), stats.macs / 1e9);
  fmt::print("activations      {} in all, {} peak live with buffer reuse (batch 1, fp32)\n",
             megabytes(stats.activationBytesTotal), megabytes(stats.activationBytesPeak));
}

void printJson(const ScaledModel &model, const ModelStats &stats) {
  llvm::json::Array stages;
  for (const PartStats &part : stats.parts) {
    llvm::json::Object entry{{"part", part.part},
                             {"params", part.params},
                             {"macs", part.macs},
                             {"output_shape", llvm::json::Array(part.outputShape)}};
    if (const StageShape *stage = stageOf(model, part)) {
      const StageShape &shape = *stage;
      entry["block"] = shape.block;
      entry["expansion"] = shape.expansion;
      entry["kernel"] = shape.kernel;
      entry["stride"] = shape.stride;
      entry["repeats"] = shape.repeats;
      entry["channels"] = shape.channels;
      entry["attention"] = shape.attention;
    }
    stages.push_back(std::move(entry));
  }
  llvm::json::Object root{
      {"name", model.name},
      {"resolution", model.resolution},
      {"in_channels", model.inChannels},
      {"num_classes", model.numClasses},
      {"params", stats.params},
      {"buffers", stats.buffers},
      {"macs", stats.macs},
      {"activation_bytes", llvm::json::Object{{"total", stats.activationBytesTotal},
                                              {"peak", stats.activationBytesPeak}}},
      {"parts", std::move(stages)},
  };
  llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

} // namespace

int runStatsCommand(ArrayRef<StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc stats MODEL [--hardware PROFILE [--precision f32|int8]] [--json] "
      "[--limit NAME=N,...]\n"
      "  MODEL: a preset name, a spec path or an ONNX file; PROFILE: a shipped hardware profile's "
      "name or the "
      "path of one\n";
  std::optional<Args> args =
      parseCommandArgs("stats", rawArgs, {"limit", "hardware", "precision"}, {"json"}, usage);
  if (!args)
    return kUsageError;
  if (args->positional.size() != 1 ||
      (args->values.count("precision") && !args->values.count("hardware"))) {
    llvm::errs() << usage;
    return kUsageError;
  }
  std::optional<Precision> precision = precisionOption("stats", *args);
  if (!precision)
    return kUsageError;

  ModelSession session;
  ScaledModel scaled;
  std::optional<HardwareProfile> profile;
  if (args->values.count("hardware")) {
    FailureOr<HardwareProfile> loaded = session.loadHardware(args->value("hardware"));
    if (failed(loaded))
      return 1;
    profile = std::move(*loaded);
  }
  if (failed(session.load(args->positional[0], args->value("limit"))) ||
      failed(session.lower(ModelSession::Pipeline::frontend,
                           [&](effnet::ModelOp model) { scaled = describe(model); })))
    return 1;
  if (session.isOnnx())
    scaled = describe(session.loweredModel());
  if (profile) {
    ModelCost cost = estimateCost(modelLayers(session.loweredModel()), *profile, *precision);
    if (args->flag("json"))
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(
                                                 costJson(scaled.name, *profile, *precision, cost)))
                   << "\n";
    else
      printCostTable(scaled.name, *profile, *precision, cost);
    return 0;
  }
  ModelStats stats = computeModelStats(session.loweredModel());
  if (args->flag("json"))
    printJson(scaled, stats);
  else
    printTable(scaled, stats);
  return 0;
}

} // namespace cnnc
