//===- CalibrationTest.cpp - what calibration records for cnn-quantize ----===//
//
// Ranges by each method, filter magnitudes and bias corrections on small
// models whose values are worked out by hand.
//
//===----------------------------------------------------------------------===//
#include "codegen/quant/Calibration.h"
#include "dialect/Cnn.h"
#include "passes/Quantization.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

namespace cnnc {
namespace {

class CalibrationTest : public ::testing::Test {
protected:
  CalibrationTest() { context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>(); }

  mlir::func::FuncOp parse(llvm::StringRef source) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    return *module->getOps<mlir::func::FuncOp>().begin();
  }

  static HostTensor constantChannels(std::vector<int64_t> shape, std::vector<float> perChannel) {
    HostTensor t(std::move(shape));
    int64_t inner = t.numElements() / static_cast<int64_t>(perChannel.size());
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.f32()[i] = perChannel[static_cast<size_t>(i / inner)];
    return t;
  }

  static std::vector<double> rangeOf(mlir::Operation *op, llvm::StringRef attr) {
    auto range = op->getAttrOfType<mlir::DenseF64ArrayAttr>(attr);
    EXPECT_TRUE(range);
    return range ? std::vector<double>(range.asArrayRef()) : std::vector<double>{};
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

// A 1×1 convolution then ReLU6. Inputs: channels (1, 2), then (-1, 4).
// conv: o0 = 0.5·x0 − 0.25·x1 + 0.1 → 0.1, −1.4; o1 = x0 + 0.3·x1 − 0.2 → 1.4, 0.
constexpr const char *kConvRelu6 = R"(
func.func @m(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.weight "conv.weight" : tensor<2x2x1x1xf32>
  %b = cnn.weight "conv.bias" : tensor<2xf32>
  %0 = cnn.conv2d %x, %w, %b {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.activation relu6 %0 : tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
})";

TEST_F(CalibrationTest, RangesMagnitudesAndBiasCorrection) {
  mlir::func::FuncOp model = parse(kConvRelu6);
  WeightSet weights;
  weights["conv.weight"] = {0.5f, -0.25f, 1.0f, 0.3f};
  weights["conv.bias"] = {0.1f, -0.2f};
  std::vector<HostTensor> inputs = {constantChannels({1, 2, 2, 2}, {1, 2}),
                                    constantChannels({1, 2, 2, 2}, {-1, 4})};
  ASSERT_FALSE(bool(calibrate(model, weights, inputs, {CalibrationMethod::minmax, 0})));

  EXPECT_EQ(rangeOf(model, kInputRangeAttr), (std::vector<double>{-1, 4}));
  std::vector<mlir::Operation *> ops;
  for (mlir::Operation &op : model.getBody().front())
    ops.push_back(&op);
  mlir::Operation *conv = ops[2], *relu6 = ops[3];
  std::vector<double> convRange = rangeOf(conv, kCalibratedRangeAttr);
  ASSERT_EQ(convRange.size(), 2u);
  EXPECT_NEAR(convRange[0], -1.4, 1e-6);
  EXPECT_NEAR(convRange[1], 1.4, 1e-6);
  EXPECT_NEAR(rangeOf(relu6, kCalibratedRangeAttr)[1], 1.4, 1e-6);
  EXPECT_EQ(rangeOf(conv, kFilterAbsMaxAttr), (std::vector<double>{0.5, 1.0}));

  // Channel means (0, 3). Quantized: −0.25 at scale 0.5/127 rounds (half
  // away from zero) to −64 steps; 0.3 at scale 1/127 to 38 steps.
  auto name = conv->getAttrOfType<mlir::StringAttr>(kBiasCorrectionAttr);
  ASSERT_TRUE(name);
  EXPECT_EQ(name.getValue(), "conv.bias_correction");
  const std::vector<float> &correction = weights[name.getValue()];
  ASSERT_EQ(correction.size(), 2u);
  EXPECT_NEAR(correction[0], (-0.25 + 64 * 0.5 / 127) * 3, 1e-6);
  EXPECT_NEAR(correction[1], (0.3 - 38.0 / 127) * 3, 1e-6);
}

// A SiLU of 1024 values spread over [0, 1) and one outlier at 100.
constexpr const char *kSilu = R"(
func.func @m(%x: tensor<1x1x32x33xf32>) -> tensor<1x1x32x33xf32> {
  %0 = cnn.activation silu %x : tensor<1x1x32x33xf32>
  return %0 : tensor<1x1x32x33xf32>
})";

std::vector<double> siluRange(CalibrationTest &test, mlir::func::FuncOp model,
                              CalibrationOptions options) {
  HostTensor x({1, 1, 32, 33});
  for (int64_t i = 0; i < x.numElements(); ++i)
    x.f32()[i] = static_cast<float>(i % 1024) / 1024.0f;
  x.f32()[0] = 100.0f;
  WeightSet weights;
  EXPECT_FALSE(bool(calibrate(model, weights, {x}, options)));
  auto range =
      model.getBody().front().front().getAttrOfType<mlir::DenseF64ArrayAttr>(kCalibratedRangeAttr);
  return std::vector<double>(range.asArrayRef());
}

TEST_F(CalibrationTest, PercentileClipsOutliersAndEntropyNeedsManyValues) {
  std::vector<double> minmax = siluRange(*this, parse(kSilu), {CalibrationMethod::minmax, 0});
  EXPECT_NEAR(minmax[1], 100.0, 1e-3);
  std::vector<double> percentile =
      siluRange(*this, parse(kSilu), {CalibrationMethod::percentile, 99.0});
  EXPECT_LT(percentile[1], 2.0);
  EXPECT_GT(percentile[1], 0.5);
  // 1056 values are too few for KL: entropy keeps the observed range.
  std::vector<double> entropy = siluRange(*this, parse(kSilu), {CalibrationMethod::entropy, 0});
  EXPECT_NEAR(entropy[1], 100.0, 1e-3);
}

TEST(CalibrationMethod, Parses) {
  EXPECT_EQ(parseCalibrationMethod("minmax")->method, CalibrationMethod::minmax);
  EXPECT_EQ(parseCalibrationMethod("entropy")->method, CalibrationMethod::entropy);
  llvm::Expected<CalibrationOptions> p = parseCalibrationMethod("percentile:99.9");
  ASSERT_TRUE(bool(p));
  EXPECT_EQ(p->method, CalibrationMethod::percentile);
  EXPECT_DOUBLE_EQ(p->percentile, 99.9);
  for (const char *bad : {"kl", "percentile:40", "percentile:abc", "minmax:3"}) {
    llvm::Expected<CalibrationOptions> parsed = parseCalibrationMethod(bad);
    EXPECT_FALSE(bool(parsed)) << bad;
    llvm::consumeError(parsed.takeError());
  }
}

TEST(Quantization, Arithmetic) {
  // Half away from zero, then the clamp.
  EXPECT_EQ(quantizeValue(-0.25, 0.5 / 127, 0, -127, 127), -64);
  EXPECT_EQ(quantizeValue(0.25, 0.5 / 127, 0, -127, 127), 64);
  EXPECT_EQ(quantizeValue(9.0, 0.01, 0, -127, 127), 127);
  // Ranges widen to hold 0; the zero point puts 0 on an integer.
  ActivationQuant q = activationQuant(0.5, 2.0);
  EXPECT_DOUBLE_EQ(q.scale, 2.0 / 255);
  EXPECT_EQ(q.zeroPoint, 0);
  q = activationQuant(-1.0, 1.0);
  EXPECT_EQ(q.zeroPoint, 128);
  EXPECT_DOUBLE_EQ(filterScale(0.0), 1.0);
}

} // namespace
} // namespace cnnc
