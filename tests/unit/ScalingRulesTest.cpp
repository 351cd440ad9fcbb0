//===- ScalingRulesTest.cpp - reference rounding rules --------------------===//
#include "passes/ScalingRules.h"

#include <gtest/gtest.h>

using namespace cnnc;

TEST(ScalingRules, ChannelsRoundToNearestMultipleOfDivisor) {
  EXPECT_EQ(roundChannels(32 * 1.1, 8), 32);  // 35.2 → 32
  EXPECT_EQ(roundChannels(32 * 1.21, 8), 40); // 38.72 → 40
  EXPECT_EQ(roundChannels(1280 * 1.1, 8), 1408);
  EXPECT_EQ(roundChannels(12, 8), 16); // halves round up
}

TEST(ScalingRules, ChannelsNeverLoseMoreThanTenPercent) {
  // 19.36 rounds to 16, which is below 90% of 19.36, so one multiple is added.
  EXPECT_EQ(roundChannels(16 * 1.21, 8), 24);
  EXPECT_EQ(roundChannels(3, 8), 8); // never below the divisor
}

TEST(ScalingRules, RepeatsRoundUp) {
  EXPECT_EQ(roundRepeats(2, 1.1), 3);
  EXPECT_EQ(roundRepeats(4, 1.0), 4);
  EXPECT_EQ(roundRepeats(5, 1.2), 6); // exactly 6.0, as in Python
  EXPECT_EQ(roundRepeats(3, 1.4), 5); // 4.199999999999999
  EXPECT_EQ(roundRepeats(1, 3.1), 4);
}

TEST(ScalingRules, ResolutionRoundsToNearestInteger) {
  EXPECT_EQ(roundResolution(224, 1.0), 224);
  EXPECT_EQ(roundResolution(260, 1.0), 260);
  EXPECT_EQ(roundResolution(224, 1.15), 258); // 257.6
}

TEST(ScalingRules, AttentionChannels) {
  EXPECT_EQ(attentionChannels(16, 0.25, 1), 4);  // EfficientNet: input // 4
  EXPECT_EQ(attentionChannels(3, 0.25, 1), 1);   // never zero
  EXPECT_EQ(attentionChannels(30, 0.1, 1), 3);   // not 2 from 2.9999999999999996
  EXPECT_EQ(attentionChannels(72, 0.25, 8), 24); // MobileNetV3: 18 → 24 (90% rule)
  EXPECT_EQ(attentionChannels(16, 0.25, 8), 8);  // MobileNetV3-Small's first block
  EXPECT_EQ(attentionChannels(960, 0.25, 8), 240);
}
