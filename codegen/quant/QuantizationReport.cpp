//===- QuantizationReport.cpp - what quantization costs, per layer --------===//
#include "codegen/quant/QuantizationReport.h"
#include "codegen/ReferenceEvaluator.h"
#include "dialect/Cnn.h"
#include "passes/KernelGroups.h"
#include "passes/Quantization.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <limits>

namespace cnnc {
namespace {

/// The activation-path ops of a model in order, quantize/dequantize pairs left out:
/// the same sequence for a model before and after cnn-quantize.
std::vector<mlir::Operation *> computeOps(mlir::func::FuncOp model) {
  std::vector<mlir::Operation *> ops;
  for (mlir::Operation &op : model.getBody().front())
    if (!isWeightOnly(&op) &&
        !llvm::isa<cnn::QuantizeOp, cnn::DequantizeOp, mlir::func::ReturnOp>(op))
      ops.push_back(&op);
  return ops;
}

/// The quantize op that reads `v`, if it is quantized.
cnn::QuantizeOp quantizerOf(mlir::Value v) {
  for (mlir::Operation *user : v.getUsers())
    if (auto q = llvm::dyn_cast<cnn::QuantizeOp>(user))
      return q;
  return {};
}

/// The location name an op was lowered under ("stages.2.blocks.0"), if any.
std::string locationOf(mlir::Operation *op) {
  if (auto loc = llvm::dyn_cast<mlir::NameLoc>(op->getLoc()))
    return loc.getName().str();
  return "";
}

std::string layerName(mlir::Operation *op) {
  std::string name = locationOf(op);
  if (!name.empty())
    name += " ";
  name += op->getName().stripDialect().str();
  if (auto act = llvm::dyn_cast<cnn::ActivationOp>(op))
    name += " " + cnn::stringifyActivation(act.getKind()).str();
  return name;
}

} // namespace

void SqnrAccumulator::add(llvm::ArrayRef<float> exact, llvm::ArrayRef<float> approximate) {
  for (size_t i = 0; i < exact.size(); ++i) {
    double x = exact[i], e = x - approximate[i];
    signal += x * x;
    noise += e * e;
  }
}

double SqnrAccumulator::db() const {
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

llvm::Expected<QuantizationReport> measureQuantization(mlir::func::FuncOp reference,
                                                       mlir::func::FuncOp quantized,
                                                       const WeightSet &weights,
                                                       const std::vector<HostTensor> &inputs) {
  std::vector<mlir::Operation *> floatOps = computeOps(reference), quantOps = computeOps(quantized);
  if (floatOps.size() != quantOps.size())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "the quantized model's ops do not match the float model's");
  // Each quantized tensor: its float twin, and the dequantize that gives its value.
  struct Site {
    mlir::Value exact;
    cnn::QuantizeOp quantize;
    mlir::Value dequantized;
    std::string layer, location;
    SqnrAccumulator sqnr;
  };
  std::vector<Site> sites;
  auto addSite = [&](mlir::Value exact, mlir::Value quantizedValue, std::string layer,
                     std::string location) {
    if (cnn::QuantizeOp q = quantizerOf(quantizedValue))
      sites.push_back({exact,
                       q,
                       *q->getUsers().begin()->getResults().begin(),
                       std::move(layer),
                       std::move(location),
                       {}});
  };
  addSite(reference.getArgument(0), quantized.getArgument(0), "input", "");
  for (size_t i = 0; i < floatOps.size(); ++i)
    addSite(floatOps[i]->getResult(0), quantOps[i]->getResult(0), layerName(quantOps[i]),
            locationOf(quantOps[i]));

  QuantizationReport report;
  report.inputs = inputs.size();
  llvm::DenseSet<mlir::Value> wantedExact, wantedApproximate;
  for (const Site &site : sites) {
    wantedExact.insert(site.exact);
    wantedApproximate.insert(site.dequantized);
  }
  // Runs `model`, keeping the values of `wanted` it computes.
  auto run = [&](mlir::func::FuncOp model, const HostTensor &input,
                 const llvm::DenseSet<mlir::Value> &wanted,
                 llvm::DenseMap<mlir::Value, HostTensor> &kept) {
    return evaluateReference(model, weights, input, [&](mlir::Value v, const HostTensor &t) {
      if (wanted.contains(v))
        kept[v] = t;
    });
  };
  SqnrAccumulator logits;
  for (const HostTensor &input : inputs) {
    llvm::DenseMap<mlir::Value, HostTensor> exact, approximate;
    exact[reference.getArgument(0)] = input;
    llvm::Expected<HostTensor> floatOut = run(reference, input, wantedExact, exact);
    if (!floatOut)
      return floatOut.takeError();
    llvm::Expected<HostTensor> quantOut = run(quantized, input, wantedApproximate, approximate);
    if (!quantOut)
      return quantOut.takeError();
    for (Site &site : sites)
      if (exact.count(site.exact) && approximate.count(site.dequantized))
        site.sqnr.add(exact[site.exact].f32(), approximate[site.dequantized].f32());
    logits.add(floatOut->f32(), quantOut->f32());
  }
  for (Site &site : sites) {
    // The calibrated range sits on the quantized tensor's producer, or on the function.
    mlir::Operation *producer = site.quantize.getInput().getDefiningOp();
    auto range = producer ? producer->getAttrOfType<mlir::DenseF64ArrayAttr>(kCalibratedRangeAttr)
                          : quantized->getAttrOfType<mlir::DenseF64ArrayAttr>(kInputRangeAttr);
    report.tensors.push_back({site.layer, site.location, site.sqnr.db(),
                              site.quantize.getScale()[0], site.quantize.getZeroPoint()[0],
                              range ? range[0] : 0.0, range ? range[1] : 0.0});
  }
  std::stable_sort(
      report.tensors.begin(), report.tensors.end(),
      [](const QuantizedTensor &a, const QuantizedTensor &b) { return a.sqnrDb < b.sqnrDb; });
  report.logitSqnrDb = logits.db();
  return report;
}

llvm::Error measureIntegerModel(llvm::ArrayRef<HostTensor> referenceLogits,
                                mlir::func::FuncOp integer, const WeightSet &weights,
                                const std::vector<HostTensor> &inputs, QuantizationReport &report) {
  report.integerOps = report.floatOps = 0;
  for (mlir::Operation *op : computeOps(integer)) {
    if (llvm::isa<cnn::FlattenOp>(op))
      continue;
    bool onIntegers = llvm::all_of(op->getOperandTypes(), [](mlir::Type t) {
      return llvm::isa<mlir::IntegerType>(llvm::cast<mlir::RankedTensorType>(t).getElementType());
    });
    ++(onIntegers ? report.integerOps : report.floatOps);
  }
  SqnrAccumulator logits;
  for (size_t i = 0; i < inputs.size(); ++i) {
    llvm::Expected<HostTensor> approximate = evaluateReference(integer, weights, inputs[i]);
    if (!approximate)
      return approximate.takeError();
    logits.add(referenceLogits[i].f32(), approximate->f32());
  }
  report.integerLogitSqnrDb = logits.db();
  return llvm::Error::success();
}

void printQuantizationReport(llvm::raw_ostream &os, const QuantizationReport &report,
                             size_t worst) {
  if (report.integerLogitSqnrDb)
    os << llvm::format("integer model: logit SQNR %.1f dB against float; ",
                       *report.integerLogitSqnrDb)
       << report.integerOps << " ops on integers, " << report.floatOps
       << " left in float between a dequantize and a quantize\n";
  if (!report.keptFloat.empty())
    os << "kept in float: " << llvm::join(report.keptFloat, ", ") << "\n";
  os << llvm::format("simulated quantization: logit SQNR %.1f dB against float, over %zu "
                     "calibration inputs; ",
                     report.logitSqnrDb, report.inputs)
     << report.tensors.size() << " tensors quantized, the worst:\n";
  for (size_t i = 0; i < report.tensors.size() && i < worst; ++i) {
    const QuantizedTensor &t = report.tensors[i];
    os << llvm::format("  %6.1f dB  %-44s range [%.4g, %.4g]  scale %.4g  zero point %lld\n",
                       t.sqnrDb, t.layer.c_str(), t.lo, t.hi, t.scale,
                       static_cast<long long>(t.zeroPoint));
  }
}

llvm::json::Value quantizationReportJson(const QuantizationReport &report) {
  llvm::json::Array tensors;
  for (const QuantizedTensor &t : report.tensors)
    tensors.push_back(llvm::json::Object{{"layer", t.layer},
                                         {"sqnr_db", t.sqnrDb},
                                         {"scale", t.scale},
                                         {"zero_point", t.zeroPoint},
                                         {"range", llvm::json::Array{t.lo, t.hi}}});
  llvm::json::Object json{{"logit_sqnr_db", report.logitSqnrDb},
                          {"calibration_inputs", static_cast<int64_t>(report.inputs)},
                          {"tensors", std::move(tensors)}};
  llvm::json::Array kept;
  for (const std::string &glob : report.keptFloat)
    kept.push_back(glob);
  json["kept_float"] = std::move(kept);
  if (report.integerLogitSqnrDb)
    json["integer_model"] =
        llvm::json::Object{{"logit_sqnr_db", *report.integerLogitSqnrDb},
                           {"integer_ops", static_cast<int64_t>(report.integerOps)},
                           {"float_ops", static_cast<int64_t>(report.floatOps)}};
  return json;
}

} // namespace cnnc
