//===- CostModelTest.cpp - the cost model against SCALE-Sim and by hand ---===//
#include "cost/CostModel.h"
#include "frontend/SpecLoader.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "CollectedDiagnostics.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

/// A layer as SCALE-Sim was given it, and the compute cycles it reported.
struct ScaleSimFigure {
  const char *layer;
  int64_t pixels, filters, reduction; // Sr, Sc, T
  int64_t arraySide;
  int64_t cycles;
};

// SCALE-Sim 3.0.0, output-stationary dataflow, stall-free compute cycles
// ("Total Cycles" of COMPUTE_REPORT.csv), from tools/scalesim/figures.py:
// convolutions given their padded inputs, the fully connected layer as a GEMM
// (M 1, N 1000, K 1280; as a 1x1 convolution it gives the same), a depthwise
// channel as a one-channel, one-filter convolution (SCALE-Sim's own depthwise
// runs, "DP" layers, are exactly C of them).
const ScaleSimFigure kFigures[] = {
    {"B0 stem: 225x225 padded, 3x3/2, 3 -> 32", 12544, 32, 27, 32, 34887},
    {"pointwise 56x56, 24 -> 144", 3136, 144, 24, 32, 42139},
    {"pointwise 14x14, 672 -> 112", 196, 112, 672, 32, 20551},
    {"conv 30x30, 3x3, 40 -> 80", 784, 80, 360, 32, 31649},
    {"fully connected 1280 -> 1000", 1, 1000, 1280, 32, 42943},
    {"depthwise 3x3 channel, 114x114 padded", 12544, 1, 9, 32, 27831},
    {"depthwise 5x5/2 channel, 31x31 padded", 196, 1, 25, 32, 608},
    {"B0 stem on 128x128", 12544, 32, 27, 128, 27537},
    {"pointwise 56x56, 24 -> 144 on 128x128", 3136, 144, 24, 128, 13899},
    {"pointwise 14x14, 672 -> 112 on 128x128", 196, 112, 672, 128, 1851},
    {"conv 30x30 on 128x128", 784, 80, 360, 128, 4297},
    {"fully connected on 128x128", 1, 1000, 1280, 128, 12271},
    {"depthwise 3x3 channel on 128x128", 12544, 1, 9, 128, 25773},
    {"depthwise 5x5/2 channel on 128x128", 196, 1, 25, 128, 557},
};

TEST(CostModelTest, OutputStationaryCyclesAreScaleSims) {
  for (const ScaleSimFigure &f : kFigures)
    EXPECT_EQ(
        cnnc::outputStationaryCycles(f.pixels, f.filters, f.reduction, f.arraySide, f.arraySide),
        f.cycles)
        << f.layer;
}

/// SCALE-Sim's depthwise runs ("DP_" layers: C one-channel convolutions one
/// after another) gave 890,592 cycles for 32 channels of 3x3 over 112x112 and
/// 145,920 for 240 channels of 5x5/2 over 14x14: the per-channel mapping.
TEST(CostModelTest, PerChannelDepthwiseIsScaleSimsDepthwise) {
  EXPECT_EQ(32 * cnnc::outputStationaryCycles(12544, 1, 9, 32, 32), 890592);
  EXPECT_EQ(240 * cnnc::outputStationaryCycles(196, 1, 25, 32, 32), 145920);
}

/// Loads profiles and specs, collecting diagnostics as "file:line:col: message".
class CostModelSpecTest : public CollectedDiagnostics {
protected:
  FailureOr<cnnc::HardwareProfile> profile(StringRef text) {
    return cnnc::parseHardwareProfile(text, "test.yaml", sources, context);
  }
};

// An 8x8 array at 1 GHz with round numbers, to price a small spec by hand.
constexpr const char *kSmallArray = R"(kind: systolic
clock_hz: 1.0e9
static_power_w: 0.5
array: {rows: 8, columns: 8, depthwise: channel_parallel}
buffers: {ifmap_bytes: 4096, filter_bytes: 4096, ofmap_bytes: 1024}
dram_bytes_per_cycle: 4
energy:
  mac_pj: {int8: 1, fp32: 4}
  sram_byte_pj: 2
  dram_byte_pj: 100
)";

// A stem, one depthwise-separable block and a head: 8x8 pixels throughout.
constexpr const char *kSmallSpec = R"(name: small
resolution: 8
num_classes: 4
activation: relu
stem: {channels: 8, stride: 1}
stages:
  - {expand_ratio: 1, kernel: 3, stride: 1, channels: 8, repeats: 1}
head: {channels: 16}
)";

TEST_F(CostModelSpecTest, SmallSpecByHand) {
  FailureOr<cnnc::HardwareProfile> array = profile(kSmallArray);
  ASSERT_TRUE(succeeded(array)) << (errors.empty() ? "" : errors.front());
  SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("cnnc-cost", dir));
  std::string path = (dir + "/small.yaml").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << kSmallSpec;
  }
  OwningOpRef<ModuleOp> module = cnnc::loadModelSpec(path, sources, context);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  cnnc::buildCnncFrontendPipeline(pm, cnnc::CnncPipelineOptions());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  std::vector<cnnc::Layer> layers = cnnc::modelLayers(*module->getOps<func::FuncOp>().begin());
  cnnc::ModelCost cost = cnnc::estimateCost(layers, *array, cnnc::Precision::int8);
  ASSERT_EQ(cost.layers.size(), 5u);
  // Layer by layer (Sr pixels, Sc filters, T products; folds = ceil(Sr/8) x
  // ceil(Sc/8); compute cycles = folds x (T + 8 + 8 - 2) - 1; bytes at 1 each).
  // stem: 3 -> 8, 3x3: Sr 64, Sc 8, T 27: 8 folds x 41 - 1 = 327 cycles.
  //   DRAM: weights 216 + input 192 + output 512 = 920 bytes: 230 cycles.
  // depthwise 3x3 on 8 channels: Sr 64, Sc 8, T 9: 8 x 23 - 1 = 183.
  //   DRAM: 72 + 512 + 512 = 1096 bytes: 274 cycles (memory-bound).
  // projection 8 -> 8: Sr 64, Sc 8, T 8: 8 x 22 - 1 = 175; DRAM 64 + 512 +
  //   512 = 1088: 272 cycles (memory-bound).
  // head 8 -> 16: Sr 64, Sc 16, T 8: 16 x 22 - 1 = 351; DRAM 128 + 512 + 1024
  //   = 1664: 416 cycles (memory-bound).
  // classifier 16 -> 4: Sr 1, Sc 4, T 16: 1 x 30 - 1 = 29; DRAM 64 + 16 + 4
  //   = 84: 21 cycles.
  const double compute[] = {327, 183, 175, 351, 29}, dram[] = {920, 1096, 1088, 1664, 84},
               cycles[] = {327, 274, 272, 416, 29};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(cost.layers[i].computeCycles, compute[i]) << cost.layers[i].layer.name;
    EXPECT_EQ(cost.layers[i].dramBytes, dram[i]) << cost.layers[i].layer.name;
    EXPECT_EQ(cost.layers[i].cycles, cycles[i]) << cost.layers[i].layer.name;
  }
  // 1,318 cycles at 1 GHz.
  EXPECT_EQ(cost.cycles, 1318);
  EXPECT_DOUBLE_EQ(cost.latencyS, 1318e-9);
  // Energy of the stem, by its parts: 64 x 8 x 27 = 13824 MACs x 1 pJ; SRAM:
  // operand reads 27 x (64 x 1 + 8 x 8) = 3456, outputs 512, DRAM fills 920:
  // 4888 bytes x 2 pJ; DRAM 920 x 100 pJ; static 0.5 W x 327 ns.
  double stem = 13824e-12 + 4888 * 2e-12 + 920 * 100e-12 + 0.5 * 327e-9;
  EXPECT_NEAR(cost.layers[0].energyJ, stem, 1e-18);
  // The depthwise layer reads every input for its own column: 9 x 64 x 8
  // operands, and its filters once per row fold: 9 x 8 x 8.
  double depthwise = 4608e-12 + (4608 + 576 + 512 + 1096) * 2e-12 + 1096 * 100e-12 + 0.5 * 274e-9;
  EXPECT_NEAR(cost.layers[1].energyJ, depthwise, 1e-18);
  EXPECT_TRUE(cost.layers[1].otherDepthwiseCycles.has_value());
  // Per channel instead: 8 x (8 folds x 23 - 1) = 1464 cycles.
  EXPECT_EQ(*cost.layers[1].otherDepthwiseCycles, 1464);
}

TEST_F(CostModelSpecTest, MissingFieldIsOneLocatedError) {
  EXPECT_TRUE(failed(profile("kind: roofline\nclock_hz: 1e9\nstatic_power_w: 1\n"
                             "peak_ops_per_s: {int8: 1e12, fp32: 1e11}\n"
                             "energy: {op_pj: {int8: 1, fp32: 2}, memory_byte_pj: 3}\n")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "test.yaml:1:1: the hardware profile needs 'memory_bytes_per_s' (a "
                       "positive number of bytes per second)");
}

TEST_F(CostModelSpecTest, NegativeFieldIsOneLocatedError) {
  std::string text = kSmallArray;
  text.replace(text.find("dram_bytes_per_cycle: 4"), 23, "dram_bytes_per_cycle: -4");
  EXPECT_TRUE(failed(profile(text)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "test.yaml:6:23: 'dram_bytes_per_cycle' must be a positive number of "
                       "bytes, got '-4'");
}

TEST_F(CostModelSpecTest, UnknownProfileNameIsOneError) {
  EXPECT_TRUE(failed(cnnc::loadHardwareProfile("npu-64x64", sources, context)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unknown hardware profile 'npu-64x64'; shipped: h100-pcie, npu-32x32, "
                           "tpu-v4; host"),
            std::string::npos)
      << errors[0];
}

TEST_F(CostModelSpecTest, ShippedProfilesLoad) {
  for (StringRef name : cnnc::hardwareProfileNames())
    EXPECT_TRUE(succeeded(cnnc::loadHardwareProfile(name, sources, context))) << name.str();
  EXPECT_TRUE(errors.empty());
}

} // namespace
