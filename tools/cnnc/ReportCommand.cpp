//===- ReportCommand.cpp - cnnc report ------------------------------------===//
//
// The characterization report for a set of specs on a set of devices: each
// model's size and FLOPs against a baseline model, and its estimated latency,
// throughput and energy on each hardware profile (cost/CostModel.h), as
// Markdown and JSON, with SVG plots: a roofline per profile with every
// layer placed on it, and latency and energy per model. Compiled models given
// with --measured are timed, and their latency is shown beside the host's
// estimate.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Commands.h"
#include "CompiledModel.h"
#include "ModelSession.h"
#include "SvgPlot.h"
#include "cost/CostModel.h"
#include "passes/ModelStats.h"
#include "support/Format.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <algorithm>

using namespace mlir;

namespace cnnc {
namespace {

struct ModelEntry {
  std::string name;
  ModelStats stats;
  std::vector<ModelCost> costs; // one per profile, in the report's order
  std::optional<double> measuredS;
};

/// Runs of a compiled model timed for the report.
constexpr int kMeasuredRuns = 10, kMeasuredWarmup = 2;

/// The median latency of the model compiled into `dir`, and its name.
llvm::Expected<std::pair<std::string, double>> measure(llvm::StringRef dir) {
  cnnc_options options{0, CNNC_LAYOUT_NCHW};
  llvm::Expected<std::unique_ptr<CompiledModel>> model = CompiledModel::open(dir, options);
  if (!model)
    return model.takeError();
  if (!(*model)->timingNote().empty())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--measured %s: %s; only a model that runs on this machine "
                                   "is measured",
                                   dir.str().c_str(), (*model)->timingNote().c_str());
  if ((*model)->info().input_shape[0] != 1)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--measured %s: compiled for batch %lld; the estimates are "
                                   "for batch 1",
                                   dir.str().c_str(),
                                   static_cast<long long>((*model)->info().input_shape[0]));
  llvm::Expected<Timings> timings = (*model)->time(kMeasuredRuns, kMeasuredWarmup);
  if (!timings)
    return timings.takeError();
  return std::make_pair((*model)->manifest().name, timings->medianMs() / 1e3);
}

double peakOps(const HardwareProfile &profile, Precision precision) {
  if (const auto *array = std::get_if<SystolicArray>(&profile.device))
    return 2.0 * static_cast<double>(array->rows * array->columns) * profile.clockHz;
  return std::get<RooflineDevice>(profile.device).peakOpsPerSecond[precision];
}

double bandwidth(const HardwareProfile &profile) {
  if (const auto *array = std::get_if<SystolicArray>(&profile.device))
    return array->dramBytesPerCycle * profile.clockHz;
  return std::get<RooflineDevice>(profile.device).memoryBytesPerSecond;
}

/// The roofline of `profile` over the layers' intensities, and each model's
/// layers placed at (FLOP per byte, FLOP/s attained).
std::string rooflinePlot(const HardwareProfile &profile, size_t index, Precision precision,
                         const std::vector<ModelEntry> &models) {
  double peak = peakOps(profile, precision), bytesPerSecond = bandwidth(profile);
  double ridge = peak / bytesPerSecond, lo = ridge, hi = ridge;
  std::vector<PlotSeries> series;
  for (const ModelEntry &model : models) {
    PlotSeries layers{model.name, {}, false};
    for (const LayerCost &layer : model.costs[index].layers)
      if (layer.intensity() > 0 && layer.latencyS > 0) {
        layers.points.push_back({layer.intensity(), layer.ops / layer.latencyS});
        lo = std::min(lo, layer.intensity());
        hi = std::max(hi, layer.intensity());
      }
    series.push_back(std::move(layers));
  }
  series.push_back(PlotSeries{
      "roofline", {{lo / 2, bytesPerSecond * lo / 2}, {ridge, peak}, {hi * 2, peak}}, true});
  return logLogPlot(fmt::format("{} roofline, {} (each dot a layer)", profile.name,
                                precisionName(precision).str()),
                    "arithmetic intensity (FLOP per DRAM byte)", "FLOP/s", series);
}

/// `numerator / value`, or "-" where the value is 0 (a profile without
/// energies, say).
std::string rate(double numerator, double value) {
  return value > 0 ? fmt::format("{:.4g}", numerator / value) : "-";
}

llvm::json::Value jsonRate(double numerator, double value) {
  return value > 0 ? llvm::json::Value(numerator / value) : llvm::json::Value(nullptr);
}

/// Two decimals, or two significant digits below 0.1.
std::string score(double value) {
  return value >= 0.1 ? fmt::format("{:.2f}", value) : fmt::format("{:.2g}", value);
}

std::string mebibytes(int64_t bytes) { return fmt::format("{:.1f} MiB", bytes / 1048576.0); }

/// The seed report's efficiency score: (baseline FLOPs / FLOPs) x
/// (baseline parameters / parameters).
double efficiencyScore(const ModelEntry &model, const ModelEntry &baseline) {
  return static_cast<double>(baseline.stats.macs) / static_cast<double>(model.stats.macs) *
         static_cast<double>(baseline.stats.params) / static_cast<double>(model.stats.params);
}

std::string markdown(const std::vector<ModelEntry> &models, const ModelEntry &baseline,
                     const std::vector<HardwareProfile> &profiles, Precision precision) {
  std::string md = "# Characterization: " + std::to_string(models.size()) + " models on " +
                   std::to_string(profiles.size()) + " devices\n\n";
  md += fmt::format("Estimated by cnnc's cost model (docs/cost-model.md) at {}, batch 1. FLOPs "
                    "are 2 per multiply-accumulate. Ratios are against {}.\n\n",
                    precisionName(precision).str(), baseline.name);
  md += "## Model complexity\n\n| model | parameters | GFLOPs | parameter ratio | FLOP ratio | "
        "efficiency score | activations, all | activations, peak live |\n| --- | ---: | ---: | "
        "---: | ---: | ---: | ---: | ---: |\n";
  for (const ModelEntry &m : models)
    md += fmt::format("| {} | {:.2f} M | {:.3f} | {:.2f}x | {:.2f}x | {} | {} | {} |\n", m.name,
                      m.stats.params / 1e6, 2.0 * m.stats.macs / 1e9,
                      static_cast<double>(m.stats.params) / baseline.stats.params,
                      static_cast<double>(m.stats.macs) / baseline.stats.macs,
                      score(efficiencyScore(m, baseline)), mebibytes(m.stats.activationBytesTotal),
                      mebibytes(m.stats.activationBytesPeak));
  md += "\nEfficiency score: (baseline FLOPs / FLOPs) x (baseline parameters / parameters), as "
        "the seed report defines it. Activations at fp32.\n";
  size_t baselineIndex = static_cast<size_t>(&baseline - models.data());
  for (size_t p = 0; p < profiles.size(); ++p) {
    const HardwareProfile &profile = profiles[p];
    bool measured = llvm::any_of(models, [](const ModelEntry &m) { return m.measuredS; }) &&
                    profile.name == kHostProfile;
    md += fmt::format("\n## {}\n\n{}\n\n| model | latency | inferences/s | energy per inference | "
                      "inferences per Wh | energy ratio |{}\n| --- | ---: | ---: | ---: | ---: | "
                      "---: |{}\n",
                      profile.name, profile.description, measured ? " measured latency |" : "",
                      measured ? " ---: |" : "");
    for (const ModelEntry &m : models) {
      const ModelCost &c = m.costs[p];
      double baselineEnergy = models[baselineIndex].costs[p].energyJ;
      md += fmt::format(
          "| {} | {} | {} | {} | {} | {} |", m.name, formatWithPrefix(c.latencyS, "s"),
          rate(1, c.latencyS), formatWithPrefix(c.energyJ, "J"), rate(3600, c.energyJ),
          baselineEnergy > 0 ? fmt::format("{:.2f}x", c.energyJ / baselineEnergy) : "-");
      if (measured)
        md += m.measuredS ? " " + formatWithPrefix(*m.measuredS, "s") + " |" : " - |";
      md += "\n";
    }
    md += fmt::format("\n![{} roofline](roofline-{}.svg)\n", profile.name, profile.name);
  }
  md += "\n## Latency and energy\n\n![latency](latency.svg)\n\n![energy](energy.svg)\n";
  return md;
}

llvm::json::Object json(const std::vector<ModelEntry> &models, const ModelEntry &baseline,
                        const std::vector<HardwareProfile> &profiles, Precision precision) {
  llvm::json::Array entries;
  for (const ModelEntry &m : models) {
    llvm::json::Object devices;
    for (size_t p = 0; p < profiles.size(); ++p) {
      const ModelCost &c = m.costs[p];
      llvm::json::Object device{{"latency_s", c.latencyS},
                                {"inferences_per_s", jsonRate(1, c.latencyS)},
                                {"cycles", c.cycles},
                                {"energy_j", c.energyJ},
                                {"inferences_per_wh", jsonRate(3600, c.energyJ)},
                                {"dram_bytes", c.dramBytes}};
      if (m.measuredS && profiles[p].name == kHostProfile)
        device["measured_latency_s"] = *m.measuredS;
      devices[profiles[p].name] = std::move(device);
    }
    entries.push_back(llvm::json::Object{
        {"name", m.name},
        {"params", m.stats.params},
        {"macs", m.stats.macs},
        {"flops", 2 * m.stats.macs},
        {"activation_bytes", llvm::json::Object{{"total", m.stats.activationBytesTotal},
                                                {"peak", m.stats.activationBytesPeak}}},
        {"param_ratio", static_cast<double>(m.stats.params) / baseline.stats.params},
        {"flop_ratio", static_cast<double>(m.stats.macs) / baseline.stats.macs},
        {"efficiency_score", efficiencyScore(m, baseline)},
        {"devices", std::move(devices)}});
  }
  llvm::json::Array hardware;
  for (const HardwareProfile &p : profiles)
    hardware.push_back(llvm::json::Object{{"name", p.name}, {"description", p.description}});
  return llvm::json::Object{{"precision", precisionName(precision)},
                            {"baseline", baseline.name},
                            {"hardware", std::move(hardware)},
                            {"models", std::move(entries)}};
}

llvm::Error writeFile(llvm::StringRef dir, llvm::StringRef name, llvm::StringRef text) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s", path.c_str(), ec.message().c_str());
  os << text;
  return llvm::Error::success();
}

} // namespace

int runReportCommand(ArrayRef<StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc report MODEL... --hardware PROFILE[,PROFILE...] -o DIR [--precision "
      "f32|int8] [--baseline MODEL] [--measured DIR[,DIR...]]\n";
  std::optional<Args> args = parseCommandArgs(
      "report", rawArgs, {"hardware", "o", "precision", "baseline", "measured"}, {}, usage);
  if (!args)
    return kUsageError;
  if (args->positional.empty() || !args->values.count("hardware") || !args->values.count("o")) {
    llvm::errs() << usage;
    return kUsageError;
  }
  std::optional<Precision> precision = precisionOption("report", *args);
  if (!precision)
    return kUsageError;

  ModelSession profiles;
  std::vector<HardwareProfile> hardware;
  llvm::SmallVector<StringRef> names;
  StringRef(args->values["hardware"]).split(names, ',', -1, false);
  for (StringRef name : names) {
    FailureOr<HardwareProfile> profile = profiles.loadHardware(name);
    if (failed(profile))
      return 1;
    if (llvm::any_of(hardware, [&](const HardwareProfile &p) { return p.name == profile->name; }))
      return reportError("report", llvm::createStringError(
                                       std::errc::invalid_argument,
                                       "--hardware names the profile %s twice: each is a column "
                                       "of the report and a file of its own",
                                       profile->name.c_str()));
    hardware.push_back(std::move(*profile));
  }

  std::vector<ModelEntry> models;
  for (const std::string &spec : args->positional) {
    ModelSession session;
    ModelEntry entry;
    if (failed(session.load(spec)) ||
        failed(session.lower(ModelSession::Pipeline::frontend, [&](effnet::ModelOp model) {
          entry.name = model.getSymName().str();
        })))
      return 1;
    if (llvm::any_of(models, [&](const ModelEntry &m) { return m.name == entry.name; }))
      return reportError("report", llvm::createStringError(std::errc::invalid_argument,
                                                           "the model %s is given twice",
                                                           entry.name.c_str()));
    entry.stats = computeModelStats(session.loweredModel());
    std::vector<Layer> layers = modelLayers(session.loweredModel());
    for (const HardwareProfile &profile : hardware)
      entry.costs.push_back(estimateCost(layers, profile, *precision));
    models.push_back(std::move(entry));
  }
  std::string baselineName = args->value("baseline", models.front().name);
  auto baseline =
      llvm::find_if(models, [&](const ModelEntry &m) { return m.name == baselineName; });
  if (baseline == models.end()) {
    llvm::errs() << "cnnc report: error: --baseline " << baselineName
                 << " is not one of the report's models\n";
    return kUsageError;
  }

  if (args->values.count("measured")) {
    if (llvm::none_of(hardware, [](const HardwareProfile &p) { return p.name == kHostProfile; }))
      return reportError(
          "report", llvm::createStringError(std::errc::invalid_argument,
                                            "--measured times models on this machine: add host to "
                                            "--hardware, beside whose estimates they are shown"));
    llvm::SmallVector<StringRef> dirs;
    StringRef(args->values["measured"]).split(dirs, ',', -1, false);
    for (StringRef dir : dirs) {
      llvm::Expected<std::pair<std::string, double>> measured = measure(dir);
      if (!measured)
        return reportError("report", measured.takeError());
      auto model =
          llvm::find_if(models, [&](const ModelEntry &m) { return m.name == measured->first; });
      if (model == models.end())
        return reportError(
            "report", llvm::createStringError(std::errc::invalid_argument,
                                              "--measured %s holds %s, which the report has not",
                                              dir.str().c_str(), measured->first.c_str()));
      if (model->measuredS)
        return reportError("report", llvm::createStringError(std::errc::invalid_argument,
                                                             "--measured holds %s twice",
                                                             measured->first.c_str()));
      model->measuredS = measured->second;
    }
  }

  std::string dir = args->values["o"];
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return reportError("report", llvm::createStringError(ec, "cannot create %s: %s", dir.c_str(),
                                                         ec.message().c_str()));
  std::vector<std::string> modelNames, profileNames;
  for (const ModelEntry &m : models)
    modelNames.push_back(m.name);
  for (const HardwareProfile &p : hardware)
    profileNames.push_back(p.name);
  std::vector<std::vector<double>> latency, energy;
  for (size_t p = 0; p < hardware.size(); ++p) {
    latency.emplace_back();
    energy.emplace_back();
    for (const ModelEntry &m : models) {
      latency.back().push_back(m.costs[p].latencyS);
      energy.back().push_back(m.costs[p].energyJ);
    }
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"report.md", markdown(models, *baseline, hardware, *precision)},
      {"report.json",
       llvm::formatv("{0:2}", llvm::json::Value(json(models, *baseline, hardware, *precision)))
               .str() +
           "\n"},
      {"latency.svg", logBarChart("Latency per inference (estimated)", "seconds", modelNames,
                                  profileNames, latency)},
      {"energy.svg",
       logBarChart("Energy per inference (estimated)", "joules", modelNames, profileNames, energy)},
  };
  for (size_t p = 0; p < hardware.size(); ++p)
    files.push_back({"roofline-" + hardware[p].name + ".svg",
                     rooflinePlot(hardware[p], p, *precision, models)});
  for (const auto &[name, text] : files)
    if (llvm::Error error = writeFile(dir, name, text))
      return reportError("report", std::move(error));
  llvm::outs() << "wrote " << files.size() << " files to " << dir << ": report.md, report.json, "
               << "latency.svg, energy.svg and a roofline per profile\n";
  return 0;
}

} // namespace cnnc
