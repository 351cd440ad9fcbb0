//===- ScalingRules.h - compound-scaling arithmetic -------------*- C++ -*-===//
//
// The reference rounding rules of EfficientNet/MobileNet, in the same double
// arithmetic as torchvision's Python so that scaled models match it exactly.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_SCALINGRULES_H
#define CNNC_PASSES_SCALINGRULES_H

#include <cstdint>

namespace cnnc {

/// `channels` rounded to the nearest multiple of `divisor` (at least `divisor`),
/// bumped up by one multiple if that left less than `roundLimit` of it
/// (torchvision and timm: 0.9; timm's EfficientNetV2-B*: 0, never bumped).
int64_t roundChannels(double channels, int64_t divisor, double roundLimit = 0.9);

/// `repeats · depthMult`, rounded up.
int64_t roundRepeats(int64_t repeats, double depthMult);

/// `resolution · resolutionMult`, rounded to the nearest integer. (Not to a
/// multiple of 8: the published B-series resolutions, 260 or 380, are not.)
int64_t roundResolution(int64_t resolution, double resolutionMult);

/// Hidden width of an attention MLP: max(1, floor(base · ratio)), then
/// roundChannels(·, divisor) when divisor > 1 (MobileNetV3's SE).
int64_t attentionChannels(int64_t base, double ratio, int64_t divisor);

} // namespace cnnc

#endif // CNNC_PASSES_SCALINGRULES_H
