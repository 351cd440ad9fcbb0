//===- SpecReader.cpp - spec tree to effnet IR ----------------------------===//
//
// The spec schema. Each section is read by a FieldReader that knows the
// section's keys, so unknown keys, wrong types and out-of-range values are
// reported where they were written. Reading goes on after an error so that one
// run reports every independent mistake.
//
//===----------------------------------------------------------------------===//
#include "frontend/SpecReader.h"
#include "dialect/Effnet.h"
#include "dialect/EffnetRules.h"
#include "frontend/FieldReader.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <functional>

using namespace mlir;
using cnnc::cnn::Activation;

namespace cnnc::spec {
namespace {

const Activation kBlockActivations[] = {Activation::silu, Activation::relu, Activation::relu6,
                                        Activation::hardswish};
const Activation kGateActivations[] = {Activation::sigmoid, Activation::hardsigmoid};

/// One of the activations `allowed`, by name.
Activation readActivation(FieldReader &fields, StringRef key, Activation fallback,
                          ArrayRef<Activation> allowed) {
  SmallVector<std::pair<StringRef, Activation>> choices;
  for (Activation a : allowed)
    choices.push_back({cnn::stringifyActivation(a), a});
  return fields.optionalChoice<Activation>(key, choices).value_or(fallback);
}

/// Which attention a block has.
struct Attention {
  bool se = false;
  bool cbam = false;
};

std::optional<Attention> readAttention(FieldReader &fields, StringRef key) {
  static const std::pair<StringRef, int> choices[] = {
      {"none", 0}, {"se", 1}, {"cbam", 2}, {"se+cbam", 3}};
  std::optional<int> kind = fields.optionalChoice<int>(key, choices);
  if (!kind)
    return std::nullopt;
  return Attention{(*kind & 1) != 0, (*kind & 2) != 0};
}

const std::pair<StringRef, effnet::SqueezeBase> kSqueezeBases[] = {
    {"input", effnet::SqueezeBase::input}, {"expanded", effnet::SqueezeBase::expanded}};

std::string describeKernels() {
  return std::string("a kernel size of ") + effnet::kSupportedKernels;
}
std::string describeStrides() { return std::string("a stride of ") + effnet::kSupportedStrides; }

/// Reads the whole spec while building the effnet ops.
class ModelReader {
public:
  ModelReader(const Diagnostics &diag, ModuleOp module)
      : diag(diag), ctx(diag.getContext()), b(ctx) {
    b.setInsertionPointToEnd(module.getBody());
  }

  LogicalResult read(const Node &root, StringRef defaultName);

private:
  NamedAttribute attr(StringRef name, Attribute value) { return b.getNamedAttr(name, value); }
  IntegerAttr i64(int64_t v) { return b.getI64IntegerAttr(v); }
  FloatAttr f64(double v) { return b.getF64FloatAttr(v); }
  Attribute act(Activation a) { return cnn::ActivationAttr::get(ctx, a); }

  void readScaling(const Node &node, NamedAttrList &attrs);
  void readInput(const Node *node, int64_t channels, NamedAttrList &attrs);
  bool requireSection(const Node *node, StringRef name, SMLoc fallbackLoc);
  NamedAttrList readWidth(FieldReader &fields);
  void readStem(const Node *node, SMLoc fallbackLoc, Activation defaultAct);
  void readStage(const Node &node, size_t index, Activation defaultAct, Attention defaultAttention);
  void readHead(const Node *node, SMLoc fallbackLoc, Activation defaultAct);
  void readAttentionSettings(const Node *se, const Node *cbam, Activation defaultAct);

  const Diagnostics &diag;
  MLIRContext *ctx;
  OpBuilder b;
  bool ok = true;
  // Model-wide attention settings, used by every block that has attention.
  double seRatio = 0.25;
  effnet::SqueezeBase seBase = effnet::SqueezeBase::input;
  int64_t seDivisor = 1;
  Activation seActivation = Activation::silu;
  Activation seGate = Activation::sigmoid;
  effnet::CbamAttr cbamAttr;
};

LogicalResult ModelReader::read(const Node &root, StringRef defaultName) {
  static const StringRef keys[] = {"name",
                                   "resolution",
                                   "in_channels",
                                   "num_classes",
                                   "activation",
                                   "attention",
                                   "se",
                                   "cbam",
                                   "batch_norm_eps",
                                   "channel_divisor",
                                   "stem",
                                   "stages",
                                   "head",
                                   "scaling",
                                   "weight_names",
                                   "padding",
                                   "input",
                                   "channel_round_limit"};
  FieldReader fields(root, "the spec", keys, diag, ok);
  std::string name = fields.optionalString("name").value_or(defaultName.str());
  if (!isFileSafeName(name))
    fields.fail(fields.has("name") ? fields.find("name")->loc : root.loc)
        << "a model's name ('" << name << "') names its library, header, package and weights "
        << "files: a letter or digit, then letters, digits, '.', '_' and '-'"
        << (fields.has("name") ? "" : "; give the spec a 'name:'");
  Activation defaultAct = readActivation(fields, "activation", Activation::silu, kBlockActivations);
  Attention defaultAttention = readAttention(fields, "attention").value_or(Attention{});

  NamedAttrList attrs;
  attrs.append(SymbolTable::getSymbolAttrName(), b.getStringAttr(name));
  attrs.append("resolution",
               i64(fields.integer("resolution", 224, isPositive, "a positive number of pixels")));
  int64_t inChannels = fields.integer("in_channels", 3, isPositive, "a positive integer");
  attrs.append("in_channels", i64(inChannels));
  attrs.append("num_classes",
               i64(fields.integer("num_classes", 1000, isPositive, "a positive integer")));
  attrs.append("batch_norm_eps",
               f64(fields.number("batch_norm_eps", 1e-5, isPositiveNumber, "a positive number")));
  attrs.append("channel_divisor",
               i64(fields.integer("channel_divisor", 8, isPositive, "a positive integer")));
  static const std::pair<StringRef, effnet::WeightNaming> namings[] = {
      {"efficientnet", effnet::WeightNaming::efficientnet},
      {"mobilenet-v2", effnet::WeightNaming::mobilenet_v2},
      {"mobilenet-v3", effnet::WeightNaming::mobilenet_v3}};
  if (std::optional<effnet::WeightNaming> naming =
          fields.optionalChoice<effnet::WeightNaming>("weight_names", namings))
    attrs.append("weight_names", effnet::WeightNamingAttr::get(ctx, *naming));
  if (std::optional<double> roundLimit = fields.optionalNumber(
          "channel_round_limit", [](double v) { return v >= 0 && v <= 1; }, "a number in [0, 1]"))
    attrs.append("channel_round_limit", f64(*roundLimit));
  static const std::pair<StringRef, effnet::Padding> paddings[] = {
      {"symmetric", effnet::Padding::symmetric}, {"same", effnet::Padding::same}};
  if (std::optional<effnet::Padding> padding =
          fields.optionalChoice<effnet::Padding>("padding", paddings))
    attrs.append("padding", effnet::PaddingAttr::get(ctx, *padding));
  readInput(fields.find("input"), inChannels, attrs);
  if (const Node *scaling = fields.find("scaling"))
    readScaling(*scaling, attrs);

  auto model = b.create<effnet::ModelOp>(diag.location(root.loc), TypeRange{}, ValueRange{},
                                         attrs.getAttrs());
  b.setInsertionPointToStart(&model.getBody().emplaceBlock());

  readAttentionSettings(fields.find("se"), fields.find("cbam"), defaultAct);
  readStem(fields.find("stem"), root.loc, defaultAct);
  const Node *stages = fields.find("stages");
  if (!stages)
    fields.fail(root.loc) << "the spec needs 'stages', a list of stages";
  else if (stages->kind != Node::Kind::Sequence || stages->items.empty())
    fields.fail(stages->loc) << "'stages' must be a non-empty list of stages";
  else
    for (size_t i = 0; i < stages->items.size(); ++i)
      readStage(stages->items[i], i + 1, defaultAct, defaultAttention);
  readHead(fields.find("head"), root.loc, defaultAct);

  if (!ok)
    return failure();
  // The spec checks mirror the verifiers; this catches anything they missed.
  return verify(model);
}

void ModelReader::readScaling(const Node &node, NamedAttrList &attrs) {
  static const StringRef keys[] = {"phi", "alpha", "beta", "gamma", "width", "depth", "resolution"};
  FieldReader fields(node, "scaling", keys, diag, ok);
  auto nonNegative = [](double v) { return v >= 0; };
  std::optional<double> phi = fields.optionalNumber("phi", nonNegative, "a number ≥ 0");
  bool multipliers = fields.has("width") || fields.has("depth") || fields.has("resolution");
  if (fields.has("phi") && multipliers) {
    fields.fail(fields.keyLoc("phi"))
        << "scaling takes either 'phi' (with alpha, beta, gamma) or width/depth/resolution "
           "multipliers, not both";
    return;
  }
  for (StringRef coefficient : {"alpha", "beta", "gamma"})
    if (fields.has(coefficient) && !fields.has("phi"))
      fields.fail(fields.keyLoc(coefficient)) << "'" << coefficient << "' needs 'phi'";

  auto multiplier = [&](StringRef key, StringRef attrName, double fallback) {
    double v = fields.number(key, fallback, isPositiveNumber, "a positive number");
    attrs.append(attrName, f64(v));
  };
  if (phi) {
    attrs.append("phi", f64(*phi));
    multiplier("alpha", "alpha", 1.2);
    multiplier("beta", "beta", 1.1);
    multiplier("gamma", "gamma", 1.15);
  } else if (multipliers) {
    multiplier("width", "width_mult", 1.0);
    multiplier("depth", "depth_mult", 1.0);
    multiplier("resolution", "resolution_mult", 1.0);
  }
}

/// `input: {mean, std}`, one value per input channel on pixels scaled to
/// 0..1; without it a 3-channel model expects torchvision's ImageNet values.
void ModelReader::readInput(const Node *node, int64_t channels, NamedAttrList &attrs) {
  SmallVector<double> mean, deviation;
  if (!node) {
    if (channels != 3)
      return;
    mean = {0.485, 0.456, 0.406};
    deviation = {0.229, 0.224, 0.225};
  } else {
    static const StringRef keys[] = {"mean", "std"};
    FieldReader fields(*node, "input", keys, diag, ok);
    if (node->kind != Node::Kind::Mapping)
      return;
    for (StringRef key : keys)
      if (!fields.has(key))
        fields.fail(node->loc) << "input needs '" << key << "', a list of one number per input "
                               << "channel (" << channels << ")";
    auto any = [](double) { return true; }; // finite, as every number read
    std::optional<SmallVector<double>> m =
        fields.numberList("mean", channels, any, "numbers (one per input channel)");
    std::optional<SmallVector<double>> d = fields.numberList(
        "std", channels, isPositiveNumber, "positive numbers (one per input channel)");
    if (!m || !d)
      return;
    mean = std::move(*m);
    deviation = std::move(*d);
  }
  attrs.append("input_mean", b.getDenseF64ArrayAttr(mean));
  attrs.append("input_std", b.getDenseF64ArrayAttr(deviation));
}

void ModelReader::readAttentionSettings(const Node *se, const Node *cbam, Activation defaultAct) {
  seActivation = defaultAct;
  if (se) {
    static const StringRef keys[] = {"ratio", "base", "divisor", "activation", "gate"};
    FieldReader fields(*se, "se", keys, diag, ok);
    auto ratio = [](double v) { return v > 0 && v <= 1; };
    seRatio = fields.number("ratio", seRatio, ratio, "a ratio in (0, 1]");
    seBase = fields.optionalChoice<effnet::SqueezeBase>("base", kSqueezeBases).value_or(seBase);
    seDivisor = fields.integer("divisor", seDivisor, isPositive, "a positive integer");
    seActivation = readActivation(fields, "activation", seActivation, kBlockActivations);
    seGate = readActivation(fields, "gate", seGate, kGateActivations);
  }
  // CBAM's MLP is sized like SE's unless told otherwise.
  double ratio = seRatio;
  effnet::SqueezeBase base = seBase;
  int64_t divisor = seDivisor, kernel = 7;
  if (cbam) {
    static const StringRef keys[] = {"ratio", "base", "divisor", "kernel"};
    FieldReader fields(*cbam, "cbam", keys, diag, ok);
    auto isRatio = [](double v) { return v > 0 && v <= 1; };
    ratio = fields.number("ratio", ratio, isRatio, "a ratio in (0, 1]");
    base = fields.optionalChoice<effnet::SqueezeBase>("base", kSqueezeBases).value_or(base);
    divisor = fields.integer("divisor", divisor, isPositive, "a positive integer");
    kernel = fields.integer("kernel", kernel, effnet::isSupportedCbamKernel,
                            effnet::kSupportedCbamKernels);
  }
  cbamAttr = effnet::CbamAttr::get(ctx, APFloat(ratio), base, divisor, kernel);
}

/// Stem and head are required sections.
bool ModelReader::requireSection(const Node *node, StringRef name, SMLoc fallbackLoc) {
  if (node)
    return true;
  ok = false;
  diag.error(fallbackLoc) << "the spec needs a '" << name << "' with its 'channels'";
  return false;
}

/// `channels` and `scale` of the stem or head, as op attributes.
NamedAttrList ModelReader::readWidth(FieldReader &fields) {
  NamedAttrList attrs;
  attrs.append("channels", i64(fields.requiredInteger("channels", isPositive,
                                                      "a positive number of channels")));
  if (!fields.flag("scale", true))
    attrs.append("fixed_width", b.getUnitAttr());
  return attrs;
}

void ModelReader::readStem(const Node *node, SMLoc fallbackLoc, Activation defaultAct) {
  static const StringRef keys[] = {"channels", "kernel", "stride", "activation", "scale"};
  if (!requireSection(node, "stem", fallbackLoc))
    return;
  FieldReader fields(*node, "stem", keys, diag, ok);
  NamedAttrList attrs = readWidth(fields);
  attrs.append("kernel",
               i64(fields.integer("kernel", 3, effnet::isSupportedKernel, describeKernels())));
  attrs.append("stride",
               i64(fields.integer("stride", 2, effnet::isSupportedStride, describeStrides())));
  attrs.append("activation",
               act(readActivation(fields, "activation", defaultAct, kBlockActivations)));
  b.create<effnet::StemOp>(diag.location(node->loc), TypeRange{}, ValueRange{}, attrs.getAttrs());
}

void ModelReader::readStage(const Node &node, size_t index, Activation defaultAct,
                            Attention defaultAttention) {
  static const StringRef keys[] = {"block",    "expand_ratio", "expand_channels", "kernel",
                                   "stride",   "channels",     "repeats",         "attention",
                                   "se_ratio", "activation",   "scale_depth"};
  std::string what = "stage " + std::to_string(index);
  FieldReader fields(node, what, keys, diag, ok);
  enum class Kind { mbconv, fused };
  static const std::pair<StringRef, Kind> kinds[] = {{"mbconv", Kind::mbconv},
                                                     {"fused_mbconv", Kind::fused}};
  Kind kind = fields.optionalChoice<Kind>("block", kinds).value_or(Kind::mbconv);

  NamedAttrList blockAttrs;
  blockAttrs.append("out_channels", i64(fields.requiredInteger("channels", isPositive,
                                                               "a positive number of channels")));
  blockAttrs.append("kernel",
                    i64(fields.integer("kernel", 3, effnet::isSupportedKernel, describeKernels())));
  blockAttrs.append("stride",
                    i64(fields.integer("stride", 1, effnet::isSupportedStride, describeStrides())));
  blockAttrs.append("activation",
                    act(readActivation(fields, "activation", defaultAct, kBlockActivations)));
  if (fields.has("expand_ratio") && fields.has("expand_channels"))
    fields.fail(fields.keyLoc("expand_channels"))
        << what << " takes 'expand_ratio' or 'expand_channels', not both";
  if (std::optional<int64_t> channels =
          fields.optionalInteger("expand_channels", isPositive, "a positive number of channels"))
    blockAttrs.append("expand_channels", i64(*channels));
  else
    blockAttrs.append("expand_ratio",
                      f64(fields.number(
                          "expand_ratio", 1.0, [](double v) { return v >= 1; }, "a number ≥ 1")));

  Attention attention = readAttention(fields, "attention").value_or(defaultAttention);
  double ratio = fields.number(
      "se_ratio", seRatio, [](double v) { return v > 0 && v <= 1; }, "a ratio in (0, 1]");
  if (fields.has("se_ratio") && !attention.se)
    fields.fail(fields.keyLoc("se_ratio")) << what << " sets 'se_ratio' but has no SE attention";
  if (attention.se)
    blockAttrs.append("se", effnet::SqueezeExciteAttr::get(ctx, APFloat(ratio), seBase, seDivisor,
                                                           seActivation, seGate));
  if (attention.cbam)
    blockAttrs.append("cbam", cbamAttr);

  NamedAttrList stageAttrs;
  stageAttrs.append("repeats",
                    i64(fields.integer("repeats", 1, isPositive, "a positive number of blocks")));
  if (!fields.flag("scale_depth", true))
    stageAttrs.append("fixed_depth", b.getUnitAttr());

  Location loc = diag.location(node.loc);
  auto stage = b.create<effnet::StageOp>(loc, TypeRange{}, ValueRange{}, stageAttrs.getAttrs());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&stage.getBody().emplaceBlock());
  if (kind == Kind::fused)
    b.create<effnet::FusedMBConvOp>(loc, TypeRange{}, ValueRange{}, blockAttrs.getAttrs());
  else
    b.create<effnet::MBConvOp>(loc, TypeRange{}, ValueRange{}, blockAttrs.getAttrs());
}

void ModelReader::readHead(const Node *node, SMLoc fallbackLoc, Activation defaultAct) {
  static const StringRef keys[] = {"channels",          "activation", "hidden_channels",
                                   "hidden_activation", "dropout",    "scale"};
  if (!requireSection(node, "head", fallbackLoc))
    return;
  FieldReader fields(*node, "head", keys, diag, ok);
  NamedAttrList attrs = readWidth(fields);
  attrs.append("activation",
               act(readActivation(fields, "activation", defaultAct, kBlockActivations)));
  if (std::optional<int64_t> hidden =
          fields.optionalInteger("hidden_channels", isPositive, "a positive number of channels")) {
    attrs.append("hidden_channels", i64(*hidden));
    attrs.append("hidden_activation",
                 act(readActivation(fields, "hidden_activation", defaultAct, kBlockActivations)));
  } else if (fields.has("hidden_activation")) {
    fields.fail(fields.keyLoc("hidden_activation"))
        << "'hidden_activation' needs 'hidden_channels'";
  }
  attrs.append("dropout", f64(fields.number(
                              "dropout", 0.2, [](double v) { return v >= 0 && v < 1; },
                              "a probability in [0, 1)")));
  b.create<effnet::HeadOp>(diag.location(node->loc), TypeRange{}, ValueRange{}, attrs.getAttrs());
}

} // namespace

ArrayRef<StringRef> mergedSectionKeys() {
  static const StringRef keys[] = {"stem", "head", "se", "cbam", "input"};
  return keys;
}

LogicalResult readModelSpec(const Node &root, StringRef defaultName, const Diagnostics &diag,
                            ModuleOp module) {
  return ModelReader(diag, module).read(root, defaultName);
}

} // namespace cnnc::spec
