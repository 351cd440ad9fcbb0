//===- ScalingRules.cpp - compound-scaling arithmetic ---------------------===//
#include "passes/ScalingRules.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

int64_t roundChannels(double channels, int64_t divisor, double roundLimit) {
  double d = static_cast<double>(divisor);
  int64_t rounded = std::max(divisor, static_cast<int64_t>(channels + d / 2) / divisor * divisor);
  if (static_cast<double>(rounded) < roundLimit * channels)
    rounded += divisor;
  return rounded;
}

int64_t roundRepeats(int64_t repeats, double depthMult) {
  return static_cast<int64_t>(std::ceil(static_cast<double>(repeats) * depthMult));
}

int64_t roundResolution(int64_t resolution, double resolutionMult) {
  return std::max<int64_t>(1, std::lround(static_cast<double>(resolution) * resolutionMult));
}

int64_t attentionChannels(int64_t base, double ratio, int64_t divisor) {
  // The epsilon keeps floor(30 · 0.1) at 3 despite 30 · 0.1 = 2.9999999999999996.
  int64_t channels = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(static_cast<double>(base) * ratio + 1e-9)));
  return divisor > 1 ? roundChannels(static_cast<double>(channels), divisor) : channels;
}

} // namespace cnnc
