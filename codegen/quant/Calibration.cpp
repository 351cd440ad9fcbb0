//===- Calibration.cpp - activation ranges for 8-bit quantization ---------===//
//
// Each activation's values go into a histogram over [-bound, bound] that
// doubles its bound (merging bin pairs) when a value falls outside, so one
// pass over the inputs suffices whatever their range.
//
//===----------------------------------------------------------------------===//
#include "codegen/quant/Calibration.h"
#include "codegen/ReferenceEvaluator.h"
#include "dialect/Cnn.h"
#include "passes/Quantization.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <limits>
#include <map>

namespace cnnc {
namespace {

constexpr size_t kBins = 4096; // over [-bound, bound]: kBins / 2 per side
constexpr size_t kMinEntropySamples = 1 << 16;

class Histogram {
public:
  void add(llvm::ArrayRef<float> values) {
    for (float v : values) {
      if (!std::isfinite(v))
        continue;
      min = std::min<double>(min, v);
      max = std::max<double>(max, v);
      double magnitude = std::abs(static_cast<double>(v));
      if (bound == 0 && magnitude > 0)
        bound = magnitude;
      while (magnitude > bound)
        grow();
      if (bound > 0)
        ++bins[bin(v)];
      ++count;
    }
  }

  double lo() const { return min; }
  size_t samples() const { return count; }
  double hi() const { return max; }

  /// The value below which `fraction` of the samples lie (bin edges).
  double quantile(double fraction) const {
    double total = 0;
    for (double c : bins)
      total += c;
    double seen = 0;
    for (size_t i = 0; i < kBins; ++i) {
      seen += bins[i];
      if (seen >= fraction * total)
        return edge(i + 1);
    }
    return bound;
  }

  /// The clip point of one side (positive: [0, hi]; negative: [lo, 0]) that
  /// minimizes KL(P ‖ Q), Q being P clipped there and quantized to `levels`.
  double entropyClip(bool positive, int levels) const {
    std::vector<double> side(kBins / 2);
    for (size_t i = 0; i < kBins / 2; ++i)
      side[i] = positive ? bins[kBins / 2 + i] : bins[kBins / 2 - 1 - i];
    size_t last = side.size();
    while (last > 0 && side[last - 1] == 0)
      --last;
    if (last <= static_cast<size_t>(levels))
      return positive ? max : min; // too few distinct bins to clip
    double best = std::numeric_limits<double>::infinity();
    size_t bestEnd = last;
    for (size_t end = static_cast<size_t>(levels); end <= last; ++end) {
      double kl = divergence(side, end, levels);
      if (kl < best)
        best = kl, bestEnd = end;
    }
    double clip = bound * static_cast<double>(bestEnd) / (kBins / 2);
    return positive ? std::min(clip, max) : std::max(-clip, min);
  }

private:
  size_t bin(double v) const {
    auto i = static_cast<int64_t>(std::floor((v + bound) / (2 * bound) * kBins));
    return static_cast<size_t>(std::clamp<int64_t>(i, 0, kBins - 1));
  }
  double edge(size_t i) const { return -bound + 2 * bound * static_cast<double>(i) / kBins; }

  /// Doubles the bound: bins 2k, 2k+1 of each half merge, toward the center.
  void grow() {
    std::vector<double> merged(kBins, 0.0);
    size_t half = kBins / 2;
    for (size_t i = 0; i < half; ++i) {
      merged[half + i / 2] += bins[half + i];
      merged[half - 1 - i / 2] += bins[half - 1 - i];
    }
    bins = std::move(merged);
    bound *= 2;
  }

  /// KL(P ‖ Q) over the first `end` bins of a side: P with everything beyond
  /// folded into its last bin, Q those bins without it, quantized to `levels`
  /// uniform steps (so what clipping loses counts against the clip).
  static double divergence(const std::vector<double> &side, size_t end, int levels) {
    std::vector<double> p(side.begin(), side.begin() + static_cast<long>(end));
    for (size_t i = end; i < side.size(); ++i)
      p[end - 1] += side[i];
    std::vector<double> q(end, 0.0);
    double perLevel = static_cast<double>(end) / levels;
    for (int l = 0; l < levels; ++l) {
      auto from = static_cast<size_t>(l * perLevel), to = static_cast<size_t>((l + 1) * perLevel);
      to = std::min(std::max(to, from + 1), end);
      double sum = 0;
      size_t nonzero = 0;
      for (size_t i = from; i < to; ++i)
        sum += side[i], nonzero += p[i] > 0;
      for (size_t i = from; i < to; ++i)
        if (p[i] > 0)
          q[i] = sum / static_cast<double>(nonzero);
    }
    double pTotal = 0, qTotal = 0;
    for (size_t i = 0; i < end; ++i)
      pTotal += p[i], qTotal += q[i];
    if (pTotal == 0 || qTotal == 0)
      return 0;
    double kl = 0;
    for (size_t i = 0; i < end; ++i)
      if (p[i] > 0)
        kl += p[i] / pTotal * std::log((p[i] / pTotal) / std::max(q[i] / qTotal, 1e-12));
    return kl;
  }

  std::vector<double> bins = std::vector<double>(kBins, 0.0);
  double bound = 0;
  size_t count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
};

std::pair<double, double> chooseRange(const Histogram &h, const CalibrationOptions &options) {
  switch (options.method) {
  case CalibrationMethod::minmax:
    return {h.lo(), h.hi()};
  case CalibrationMethod::percentile: {
    double tail = (100.0 - options.percentile) / 100.0;
    return {std::max(h.lo(), std::min(0.0, h.quantile(tail))),
            std::min(h.hi(), std::max(0.0, h.quantile(1.0 - tail)))};
  }
  case CalibrationMethod::entropy: {
    // KL needs a well-filled histogram; a pooled vector has a few thousand values.
    if (h.samples() < kMinEntropySamples)
      return {h.lo(), h.hi()};
    // ui8 has 255 steps; each side gets them in proportion to its extent.
    double negative = std::max(0.0, -h.lo()), positive = std::max(0.0, h.hi());
    double total = negative + positive;
    auto levels = [&](double extent) {
      return std::max(16, static_cast<int>(std::lround(255.0 * extent / total)));
    };
    if (total == 0)
      return {0.0, 0.0};
    return {negative > 0 ? h.entropyClip(false, levels(negative)) : 0.0,
            positive > 0 ? h.entropyClip(true, levels(positive)) : 0.0};
  }
  }
  return {h.lo(), h.hi()};
}

/// Per-channel means (dimension 1) of the values that feed a convolution or
/// fully connected layer, over every calibration input.
class ChannelMeans {
public:
  void add(mlir::Value v, const HostTensor &t) {
    bool feedsLayer = llvm::any_of(v.getUsers(), [&](mlir::Operation *user) {
      return llvm::isa<cnn::Conv2DOp, cnn::DepthwiseConv2DOp, cnn::FullyConnectedOp>(user) &&
             user->getOperand(0) == v;
    });
    if (!feedsLayer)
      return;
    int64_t channels = t.shape[1], inner = t.numElements() / t.shape[0] / channels;
    Sum &sum = sums[v.getAsOpaquePointer()];
    sum.total.resize(static_cast<size_t>(channels), 0.0);
    for (int64_t i = 0; i < t.numElements(); ++i)
      sum.total[static_cast<size_t>((i / inner) % channels)] += t.f32()[i];
    sum.perChannel += t.numElements() / channels;
  }

  /// The means of `v`, if it feeds a layer.
  const std::vector<double> *of(mlir::Value v) {
    auto it = sums.find(v.getAsOpaquePointer());
    if (it == sums.end())
      return nullptr;
    if (it->second.mean.empty())
      for (double total : it->second.total)
        it->second.mean.push_back(total / static_cast<double>(it->second.perChannel));
    return &it->second.mean;
  }

private:
  struct Sum {
    std::vector<double> total, mean;
    int64_t perChannel = 0;
  };
  std::map<void *, Sum> sums;
};

/// Σ (W − Wq)[o, i, k] · mean[i] for each output channel o (a depthwise
/// filter's channel o reads input channel o).
std::vector<float> biasCorrection(const HostTensor &filter, const std::vector<double> &absMax,
                                  const std::vector<double> &mean, bool depthwise) {
  int64_t channels = filter.shape[0], perChannel = filter.numElements() / channels;
  int64_t inputs = depthwise ? 1 : filter.shape[1], window = perChannel / inputs;
  std::vector<float> correction(static_cast<size_t>(channels), 0.0f);
  for (int64_t o = 0; o < channels; ++o) {
    double scale = filterScale(absMax[o]), sum = 0;
    for (int64_t k = 0; k < perChannel; ++k) {
      double w = filter.f32()[o * perChannel + k];
      double error = w - scale * quantizeValue(w, scale, 0, -127, 127);
      sum += error * mean[static_cast<size_t>(depthwise ? o : k / window)];
    }
    correction[o] = static_cast<float>(sum);
  }
  return correction;
}

/// The name of the weight a layer's filter comes from (through batch-norm folding).
std::string filterName(mlir::Operation *layer) {
  mlir::Value filter = layer->getOperand(1);
  if (auto fold = filter.getDefiningOp<cnn::FoldBatchNormOp>())
    filter = fold.getFilter();
  auto weight = filter.getDefiningOp<cnn::WeightOp>();
  llvm::StringRef name = weight ? weight.getName() : "layer";
  name.consume_back(".weight");
  return name.str();
}

/// Whether `op` makes values within fixed bounds.
bool bounded(mlir::Operation *op) {
  auto act = llvm::dyn_cast<cnn::ActivationOp>(op);
  return act &&
         (act.getKind() == cnn::Activation::relu6 || act.getKind() == cnn::Activation::sigmoid ||
          act.getKind() == cnn::Activation::hardsigmoid);
}

/// Largest |w| of each output channel (dimension 0) of a filter.
std::vector<double> channelAbsMax(const HostTensor &filter) {
  int64_t channels = filter.shape[0], perChannel = filter.numElements() / channels;
  std::vector<double> result(static_cast<size_t>(channels), 0.0);
  for (int64_t o = 0; o < channels; ++o)
    for (int64_t k = 0; k < perChannel; ++k)
      result[o] = std::max<double>(result[o], std::abs(filter.f32()[o * perChannel + k]));
  return result;
}

} // namespace

llvm::Expected<CalibrationOptions> parseCalibrationMethod(llvm::StringRef text) {
  CalibrationOptions options;
  auto [name, value] = text.split(':');
  if (name == "minmax" && value.empty())
    options.method = CalibrationMethod::minmax;
  else if (name == "entropy" && value.empty())
    options.method = CalibrationMethod::entropy;
  else if (name == "percentile") {
    options.method = CalibrationMethod::percentile;
    if (!value.empty() && (value.getAsDouble(options.percentile) || !(options.percentile > 50) ||
                           !(options.percentile <= 100)))
      return llvm::createStringError(std::errc::invalid_argument,
                                     "percentile:P takes 50 < P <= 100, got '%s'",
                                     value.str().c_str());
  } else
    return llvm::createStringError(std::errc::invalid_argument,
                                   "calibration method must be minmax, percentile[:P] or "
                                   "entropy, got '%s'",
                                   text.str().c_str());
  return options;
}

llvm::Error calibrate(mlir::func::FuncOp model, WeightSet &weights,
                      const std::vector<HostTensor> &inputs, const CalibrationOptions &options) {
  if (inputs.empty())
    return llvm::createStringError(std::errc::invalid_argument, "no calibration inputs");
  // A std::map: DenseMap would move histograms (and invalidate references) as it grows.
  std::map<mlir::Operation *, Histogram> histograms;
  Histogram input;
  ChannelMeans means;
  for (const HostTensor &x : inputs) {
    input.add(x.f32());
    means.add(model.getArgument(0), x);
    auto observe = [&](mlir::Value v, const HostTensor &t) {
      if (t.elementType() != ElementType::f32 || !v.getDefiningOp())
        return;
      histograms[v.getDefiningOp()].add(t.f32());
      means.add(v, t);
    };
    if (llvm::Expected<HostTensor> out = evaluateReference(model, weights, x, observe); !out)
      return out.takeError();
  }
  mlir::Builder b(model.getContext());
  auto range = [&](const Histogram &h, const CalibrationOptions &how) {
    auto [lo, hi] = chooseRange(h, how);
    return b.getDenseF64ArrayAttr({lo, hi});
  };
  // Normalized pixels and bounded activations (ReLU6, the sigmoids) keep their
  // whole observed range: clipping them only loses, while their values crowd
  // the bounds (a ReLU6 saturates at 6), which misleads percentiles and KL.
  CalibrationOptions observed;
  observed.method = CalibrationMethod::minmax;
  model->setAttr(kInputRangeAttr, range(input, observed));
  for (auto &[op, histogram] : histograms)
    op->setAttr(kCalibratedRangeAttr, range(histogram, bounded(op) ? observed : options));

  llvm::Expected<WeightValues> folded = evaluateWeightValues(model, weights);
  if (!folded)
    return folded.takeError();
  model.walk([&](mlir::Operation *op) {
    if (!llvm::isa<cnn::Conv2DOp, cnn::DepthwiseConv2DOp, cnn::FullyConnectedOp>(op))
      return;
    auto it = folded->find(op->getOperand(1));
    if (it == folded->end())
      return;
    std::vector<double> absMax = channelAbsMax(it->second);
    op->setAttr(kFilterAbsMaxAttr, b.getDenseF64ArrayAttr(absMax));
    const std::vector<double> *mean = means.of(op->getOperand(0));
    if (op->getNumOperands() < 3 || !mean)
      return;
    std::string name = filterName(op) + ".bias_correction";
    weights[name] =
        biasCorrection(it->second, absMax, *mean, llvm::isa<cnn::DepthwiseConv2DOp>(op));
    op->setAttr(kBiasCorrectionAttr, b.getStringAttr(name));
  });
  return llvm::Error::success();
}

} // namespace cnnc
