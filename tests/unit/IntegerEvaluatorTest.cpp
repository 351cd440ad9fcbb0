//===- IntegerEvaluatorTest.cpp - the reference's integer ops -------------===//
//
// Each integer op of the reference evaluator on values worked out by hand
// from the ops' definitions (dialect/CnnIntegerOps.td): the oracle the
// integer kernels will be held to must itself be right.
//
//===----------------------------------------------------------------------===//
#include "codegen/ReferenceEvaluator.h"
#include "dialect/Cnn.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

namespace cnnc {
namespace {

class IntegerEvaluatorTest : public ::testing::Test {
protected:
  IntegerEvaluatorTest() { context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>(); }

  std::vector<float> run(llvm::StringRef source, std::vector<int64_t> shape,
                         std::vector<float> values, const WeightSet &weights = {}) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    HostTensor input(std::move(shape));
    llvm::copy(values, input.f32().begin());
    llvm::Expected<HostTensor> out =
        evaluateReference(*module->getOps<mlir::func::FuncOp>().begin(), weights, input);
    if (!out) {
      ADD_FAILURE() << llvm::toString(out.takeError());
      return {};
    }
    return std::vector<float>(out->f32().begin(), out->f32().end());
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

void expectValues(const std::vector<float> &got, const std::vector<float> &expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], 1e-6) << "at " << i;
}

// x = (0, 0.1, 0.2, 0.3) at scale 0.1, zero point 10: q = 10..13. A 3×3 filter
// of q = 1..9 (scale 0.5), padded by 1; bias 0.3 = 6 at s_x·s_w = 0.05. The
// accumulators Σ (q − 10)·w + 6: 55, 49, 37, 31. Times 0.1·0.5/0.2 = 0.25 in
// fixed point (Q31 2^30, shift 1): the high multiply halves and rounds, the
// shift halves and rounds again, TFLite's double rounding: 55 → 28 → 14,
// 49 → 25 → 13 (not 12.25 → 12), 37 → 19 → 10, 31 → 16 → 8. Plus 5, clamped
// to [5, 18]: 18, 18, 15, 13, which dequantize (0.2, 5) to 2.6, 2.6, 2, 1.6.
TEST_F(IntegerEvaluatorTest, ConvolutionPaddedWithZeroPointRequantizedAndClamped) {
  WeightSet weights;
  weights["w"] = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f};
  weights["b"] = {0.3f};
  std::vector<float> y = run(R"(
func.func @m(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %xq = cnn.quantize %x {scale = array<f64: 0.1>, zero_point = array<i64: 10>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xui8>
  %w = cnn.weight "w" : tensor<1x1x3x3xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xi8>
  %b = cnn.weight "b" : tensor<1xf32>
  %bq = cnn.quantize %b {axis = 0 : i64, scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1xf32> -> tensor<1xi32>
  %acc = cnn.int_conv2d %xq, %wq, %bq {input_zero_point = 10 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xui8>, tensor<1x1x3x3xi8>, tensor<1xi32>) -> tensor<1x1x2x2xi32>
  %y = cnn.requantize %acc {multiplier = array<f64: 0.25>, zero_point = 5 : i64, min = 5 : i64, max = 18 : i64} : tensor<1x1x2x2xi32> -> tensor<1x1x2x2xui8>
  %yd = cnn.dequantize %y {scale = array<f64: 0.2>, zero_point = array<i64: 5>} : tensor<1x1x2x2xui8> -> tensor<1x1x2x2xf32>
  return %yd : tensor<1x1x2x2xf32>
})",
                             {1, 1, 2, 2}, {0.0f, 0.1f, 0.2f, 0.3f}, weights);
  expectValues(y, {2.6f, 2.6f, 2.0f, 1.6f});
}

/// Depthwise: each channel its own filter. Channel 0 (q − 10 = 0..3) by a 1×1
/// filter of 1, channel 1 (q − 10 = 4..7) by −1; no bias; multiplier 0.5 (an
/// exact Q31 value, so the halves are true ties), zero point 100, under the
/// requantization rule `rule` ("" for the default), dequantized at scale 1.
std::string depthwiseTies(const std::string &rule) {
  return R"(
func.func @m(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %xq = cnn.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 10>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xui8>
  %w = cnn.weight "w" : tensor<2x1x1x1xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 1.0, 1.0>, zero_point = array<i64: 0, 0>} : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xi8>
  %acc = cnn.int_depthwise_conv2d %xq, %wq {input_zero_point = 10 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xui8>, tensor<2x1x1x1xi8>) -> tensor<1x2x2x2xi32>
  %y = cnn.requantize %acc {multiplier = array<f64: 0.5>, zero_point = 100 : i64, min = 0 : i64, max = 255 : i64)" +
         rule + R"(} : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xui8>
  %yd = cnn.dequantize %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<1x2x2x2xui8> -> tensor<1x2x2x2xf32>
  return %yd : tensor<1x2x2x2xf32>
})";
}

// The fixed-point rule's high multiply rounds ties upward (gemmlowp's and
// TFLite's nudge): 0.5 → 1, 1.5 → 2, but −2.5 → −2 and −3.5 → −3. So 100,
// 101, 101, 102 and 98, 98, 97, 97.
TEST_F(IntegerEvaluatorTest, DepthwiseTiesRoundUpward) {
  WeightSet weights;
  weights["w"] = {1.0f, -1.0f};
  std::vector<float> y = run(depthwiseTies(""), {1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, weights);
  expectValues(y, {100, 101, 101, 102, 98, 98, 97, 97});
}

// The float32 rule's binary32 products round half to even: 0.5 → 0, 1.5 → 2,
// −2.5 → −2, −3.5 → −4. So 100, 100, 101, 102 and 98, 98, 97, 96.
TEST_F(IntegerEvaluatorTest, Float32RequantizationTiesToEven) {
  WeightSet weights;
  weights["w"] = {1.0f, -1.0f};
  std::vector<float> y = run(depthwiseTies(", requantization = #cnn<requantization float32>"),
                             {1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, weights);
  expectValues(y, {100, 100, 101, 102, 98, 98, 97, 96});
}

// int_add as TFLite adds. x = (1.0, 1.5): lhs q = 20, 30 (scale 0.05), rhs
// q = 20, 25 (scale 0.1, zero point 10). Common scale 0.2: lhs · 2^20 · 0.25
// plus (rhs − 10) · 2^20 · 0.5, times 0.2 / (2^20 · 0.1), plus 10: 2.0 → 30
// and 3.0 → 40 at scale 0.1.
TEST_F(IntegerEvaluatorTest, AddRescalesBothSides) {
  std::vector<float> y = run(R"(
func.func @m(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = cnn.quantize %x {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<2xf32> -> tensor<2xui8>
  %b = cnn.quantize %x {scale = array<f64: 0.1>, zero_point = array<i64: 10>} : tensor<2xf32> -> tensor<2xui8>
  %s = cnn.int_add %a, %b {scales = array<f64: 0.05, 0.1, 0.1>, zero_points = array<i64: 0, 10, 10>} : tensor<2xui8>
  %y = cnn.dequantize %s {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2xui8> -> tensor<2xf32>
  return %y : tensor<2xf32>
})",
                             {2}, {1.0f, 1.5f});
  expectValues(y, {30, 40});
}

// int_add under the float32 rule: (q − z) · s / s_y per side in binary32,
// summed, rounded half to even. x = 0.5, 1.5, 2.5 at scale 0.5 are q = 1, 3,
// 5; the other side is 0 (a huge scale), so the sums are the ties 0.5, 1.5
// and 2.5 at result scale 1: 0, 2, 2 (the fixed-point rule rounds ties up).
TEST_F(IntegerEvaluatorTest, Float32AddTiesToEven) {
  std::vector<float> y = run(R"(
func.func @m(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<3xf32> -> tensor<3xui8>
  %b = cnn.quantize %x {scale = array<f64: 1000.0>, zero_point = array<i64: 0>} : tensor<3xf32> -> tensor<3xui8>
  %s = cnn.int_add %a, %b {scales = array<f64: 0.5, 1000.0, 1.0>, zero_points = array<i64: 0, 0, 0>, requantization = #cnn<requantization float32>} : tensor<3xui8>
  %y = cnn.dequantize %s {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<3xui8> -> tensor<3xf32>
  return %y : tensor<3xf32>
})",
                             {3}, {0.5f, 1.5f, 2.5f});
  expectValues(y, {0, 2, 2});
}

// int_mul with a per-channel gate, then int_global_pool avg. x: channel 0
// q = 10..13, channel 1 q = 14..17 (scale 0.1, zero point 10); the gate is
// the pooled map (scale 0.05, zero point 0): channel 0 Σ (q − 10) = 6, times
// 0.1 / (4 · 0.05) = 3; channel 1 Σ = 22 → 11. Products (q − 10) · gate times
// 0.1 · 0.05 / 0.01 = 0.5: channel 0 0, 1.5 → 2, 3, 4.5 → 5; channel 1 22,
// 27.5 → 28, 33, 38.5 → 39 (at scale 1).
TEST_F(IntegerEvaluatorTest, GateByPooledMap) {
  std::vector<float> y = run(R"(
func.func @m(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = cnn.quantize %x {scale = array<f64: 0.1>, zero_point = array<i64: 10>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xui8>
  %g = cnn.int_global_pool avg %q {scales = array<f64: 0.1, 0.05>, zero_points = array<i64: 10, 0>} : tensor<1x2x2x2xui8> -> tensor<1x2x1x1xui8>
  %m = cnn.int_mul %q, %g {scales = array<f64: 0.1, 0.05, 0.01>, zero_points = array<i64: 10, 0, 0>} : tensor<1x2x2x2xui8>, tensor<1x2x1x1xui8>
  %y = cnn.dequantize %m {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<1x2x2x2xui8> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
})",
                             {1, 2, 2, 2}, {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f});
  expectValues(y, {0, 2, 3, 5, 22, 28, 33, 39});
}

// The classifier: a flatten of ui8 values, an i8 weight, an i32 bias, the
// accumulator dequantized per output at s_x · s_w[o]. x q = 12, 14 (zero
// point 10: 2, 4); rows (1, 2) and (−3, 1); bias 10 and −4 (at s_x·s_w);
// accumulators 20 and −6, at scales 0.5 and 0.25: 10, −1.5.
TEST_F(IntegerEvaluatorTest, ClassifierAccumulatorDequantized) {
  WeightSet weights;
  weights["fc"] = {1.0f, 2.0f, -1.5f, 0.5f};
  weights["bias"] = {5.0f, -1.0f};
  std::vector<float> y = run(R"(
func.func @m(%x: tensor<1x2x1x1xf32>) -> tensor<1x2xf32> {
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 10>} : tensor<1x2x1x1xf32> -> tensor<1x2x1x1xui8>
  %f = cnn.flatten %q : tensor<1x2x1x1xui8> -> tensor<1x2xui8>
  %w = cnn.weight "fc" : tensor<2x2xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 1.0, 0.5>, zero_point = array<i64: 0, 0>} : tensor<2x2xf32> -> tensor<2x2xi8>
  %b = cnn.weight "bias" : tensor<2xf32>
  %bq = cnn.quantize %b {axis = 0 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 0>} : tensor<2xf32> -> tensor<2xi32>
  %acc = cnn.int_fully_connected %f, %wq, %bq {input_zero_point = 10 : i64} : (tensor<1x2xui8>, tensor<2x2xi8>, tensor<2xi32>) -> tensor<1x2xi32>
  %y = cnn.dequantize %acc {axis = 1 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 0>} : tensor<1x2xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
})",
                             {1, 2, 1, 1}, {1.0f, 2.0f}, weights);
  expectValues(y, {10.0f, -1.5f});
}

// CBAM's spatial branch: channel pools over x = (0, 3 | 2, 1), q = 10 + 2x
// (scale 0.5, zero point 10). avg at (0.25, 0): Σ (q − 10) = 4, 8 times
// 0.5 / (2 · 0.25) = 1 → 4, 8 (1.0, 2.0). max at the input's parameters:
// 14, 16 (2.0, 3.0). Their concat at (0.25, 0) rescales the max map by
// 0.5 / 0.25: (14 − 10)·2, (16 − 10)·2 = 8, 12, so 4, 8, 8, 12 → 1, 2, 2, 3.
// The global max of each channel: 16 and 14 → 3.0 and 2.0.
TEST_F(IntegerEvaluatorTest, ChannelPoolsConcatAndGlobalMax) {
  constexpr const char *kSpatial = R"(
func.func @m(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> {
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 10>} : tensor<1x2x1x2xf32> -> tensor<1x2x1x2xui8>
  %avg = cnn.int_channel_pool avg %q {scales = array<f64: 0.5, 0.25>, zero_points = array<i64: 10, 0>} : tensor<1x2x1x2xui8> -> tensor<1x1x1x2xui8>
  %max = cnn.int_channel_pool max %q {scales = array<f64: 0.5, 0.5>, zero_points = array<i64: 10, 10>} : tensor<1x2x1x2xui8> -> tensor<1x1x1x2xui8>
  %c = cnn.int_concat %avg, %max {scales = array<f64: 0.25, 0.5, 0.25>, zero_points = array<i64: 0, 10, 0>} : (tensor<1x1x1x2xui8>, tensor<1x1x1x2xui8>) -> tensor<1x2x1x2xui8>
  %y = cnn.dequantize %c {scale = array<f64: 0.25>, zero_point = array<i64: 0>} : tensor<1x2x1x2xui8> -> tensor<1x2x1x2xf32>
  return %y : tensor<1x2x1x2xf32>
})";
  expectValues(run(kSpatial, {1, 2, 1, 2}, {0, 3, 2, 1}), {1, 2, 2, 3});
  constexpr const char *kGlobalMax = R"(
func.func @m(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x1xf32> {
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 10>} : tensor<1x2x1x2xf32> -> tensor<1x2x1x2xui8>
  %m = cnn.int_global_pool max %q {scales = array<f64: 0.5, 0.5>, zero_points = array<i64: 10, 10>} : tensor<1x2x1x2xui8> -> tensor<1x2x1x1xui8>
  %y = cnn.dequantize %m {scale = array<f64: 0.5>, zero_point = array<i64: 10>} : tensor<1x2x1x1xui8> -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
})";
  expectValues(run(kGlobalMax, {1, 2, 1, 2}, {0, 3, 2, 1}), {3, 2});
}

} // namespace
} // namespace cnnc
