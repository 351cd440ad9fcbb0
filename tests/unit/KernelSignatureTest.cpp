//===- KernelSignatureTest.cpp - kernel signatures, schedules, targets ----===//
//
// Which groups share a compiled kernel: only those whose every code-changing
// attribute, type and schedule agree. Which schedules a target allows: blocks
// that fit its register file. Which targets cnnc accepts.
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelSignature.h"
#include "codegen/ModelCompiler.h"
#include "codegen/TargetBackend.h"
#include "dialect/Cnn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <Halide.h>
#include <gtest/gtest.h>

namespace cnnc {
namespace {

/// Three kernel groups: a ReLU of the input, then twice a 3×3 convolution
/// with a SiLU on the same shapes; `secondConvAttrs` and `secondActivation`
/// say how the last differs from the one before.
std::string convolutionGroups(llvm::StringRef secondConvAttrs, llvm::StringRef secondActivation) {
  return (R"(
func.func @m(%x: tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32> {
  %w = cnn.weight "w" : tensor<64x64x3x3xf32>
  %b = cnn.weight "b" : tensor<64xf32>
  %a = cnn.activation relu %x {cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : tensor<1x64x8x8xf32>
  %0 = cnn.conv2d %a, %w, %b {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, cnn.group = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %1 = cnn.activation silu %0 {cnn.group = 1 : i64, cnn.arena_offset = 16384 : i64} : tensor<1x64x8x8xf32>
  %2 = cnn.conv2d %1, %w, %b {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, cnn.group = 2 : i64)" +
          secondConvAttrs +
          R"(} : (tensor<1x64x8x8xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %3 = cnn.activation )" +
          secondActivation +
          R"( %2 {cnn.group = 2 : i64, cnn.arena_offset = 0 : i64} : tensor<1x64x8x8xf32>
  return %3 : tensor<1x64x8x8xf32>
})")
      .str();
}

/// One group: a `window`×`window` convolution (zero-padded to keep the size)
/// of `in` channels to `out` on a `size`×`size` map.
std::string convolution(int in, int out, int size, int window) {
  auto map = [&](int channels) {
    return "1x" + std::to_string(channels) + "x" + std::to_string(size) + "x" +
           std::to_string(size) + "xf32";
  };
  std::string input = map(in), output = map(out), pad = std::to_string(window / 2);
  std::string filter = std::to_string(out) + "x" + std::to_string(in) + "x" +
                       std::to_string(window) + "x" + std::to_string(window) + "xf32";
  return "func.func @m(%x: tensor<" + input + ">) -> tensor<" + output + "> {\n" +
         "  %w = cnn.weight \"w\" : tensor<" + filter + ">\n" +
         "  %y = cnn.conv2d %x, %w {padding = array<i64: " + pad + ", " + pad + ", " + pad + ", " +
         pad +
         ">, strides = array<i64: 1, 1>, cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} "
         ": (tensor<" +
         input + ">, tensor<" + filter + ">) -> tensor<" + output + ">\n" +
         "  return %y : tensor<" + output + ">\n}";
}

/// One group: a `window`×`window` depthwise convolution of `channels`
/// channels at `stride` on a `size`×`size` map, zero-padded by window / 2.
std::string depthwiseConvolution(int channels, int size, int window, int stride) {
  auto map = [&](int extent) {
    return "1x" + std::to_string(channels) + "x" + std::to_string(extent) + "x" +
           std::to_string(extent) + "xf32";
  };
  std::string input = map(size), output = map((size - 1) / stride + 1);
  std::string pad = std::to_string(window / 2), step = std::to_string(stride);
  std::string filter = std::to_string(channels) + "x1x" + std::to_string(window) + "x" +
                       std::to_string(window) + "xf32";
  return "func.func @m(%x: tensor<" + input + ">) -> tensor<" + output + "> {\n" +
         "  %w = cnn.weight \"w\" : tensor<" + filter + ">\n" +
         "  %y = cnn.depthwise_conv2d %x, %w {padding = array<i64: " + pad + ", " + pad + ", " +
         pad + ", " + pad + ">, strides = array<i64: " + step + ", " + step +
         ">, cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : (tensor<" + input + ">, tensor<" +
         filter + ">) -> tensor<" + output + ">\n" + "  return %y : tensor<" + output + ">\n}";
}

/// Two groups: a ReLU of the input, then a `window`×`window` convolution
/// (zero-padded to keep the size) of `in` channels to `out` on a
/// `size`×`size` map that reads it from the arena.
std::string convolutionAfterActivation(int in, int out, int size, int window) {
  auto map = [&](int channels) {
    return "tensor<1x" + std::to_string(channels) + "x" + std::to_string(size) + "x" +
           std::to_string(size) + "xf32>";
  };
  std::string filter = "tensor<" + std::to_string(out) + "x" + std::to_string(in) + "x" +
                       std::to_string(window) + "x" + std::to_string(window) + "xf32>";
  std::string pad = std::to_string(window / 2);
  return "func.func @m(%x: " + map(in) + ") -> " + map(out) + " {\n" +
         "  %w = cnn.weight \"w\" : " + filter + "\n" +
         "  %a = cnn.activation relu %x {cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : " +
         map(in) + "\n" + "  %y = cnn.conv2d %a, %w {padding = array<i64: " + pad + ", " + pad +
         ", " + pad + ", " + pad +
         ">, strides = array<i64: 1, 1>, cnn.group = 1 : i64, cnn.arena_offset = 1048576 : i64} : "
         "(" +
         map(in) + ", " + filter + ") -> " + map(out) + "\n" + "  return %y : " + map(out) + "\n}";
}

/// One group: a fully connected layer of `in` features to `out`.
std::string fullyConnected(int in, int out) {
  std::string input = "1x" + std::to_string(in) + "xf32",
              output = "1x" + std::to_string(out) + "xf32";
  std::string weights = std::to_string(out) + "x" + std::to_string(in) + "xf32";
  return "func.func @m(%x: tensor<" + input + ">) -> tensor<" + output + "> {\n" +
         "  %w = cnn.weight \"w\" : tensor<" + weights + ">\n" +
         "  %y = cnn.fully_connected %x, %w {cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : "
         "(tensor<" +
         input + ">, tensor<" + weights + ">) -> tensor<" + output + ">\n" +
         "  return %y : tensor<" + output + ">\n}";
}

/// One group: the average of each of `channels` maps `size`×`size`.
std::string globalPool(int channels, int size) {
  std::string input = "1x" + std::to_string(channels) + "x" + std::to_string(size) + "x" +
                      std::to_string(size) + "xf32",
              output = "1x" + std::to_string(channels) + "x1x1xf32";
  return "func.func @m(%x: tensor<" + input + ">) -> tensor<" + output + "> {\n" +
         "  %y = cnn.global_pool avg %x {cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : "
         "tensor<" +
         input + "> -> tensor<" + output + ">\n" + "  return %y : tensor<" + output + ">\n}";
}

/// One group: the SE gate of `in` channels scaling a `size`×`size` map that
/// a 1×1 convolution projects to `out` channels (an MBConv projection).
std::string gatedProjection(int in, int out, int size) {
  auto map = [&](int channels, int extent) {
    return "tensor<1x" + std::to_string(channels) + "x" + std::to_string(extent) + "x" +
           std::to_string(extent) + "xf32>";
  };
  std::string filter = "tensor<" + std::to_string(out) + "x" + std::to_string(in) + "x1x1xf32>";
  return "func.func @m(%x: " + map(in, size) + ", %g: " + map(in, 1) + ") -> " + map(out, size) +
         " {\n  %w = cnn.weight \"w\" : " + filter +
         "\n  %s = cnn.mul %x, %g {cnn.group = 0 : i64} : " + map(in, size) + ", " + map(in, 1) +
         "\n  %y = cnn.conv2d %s, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, "
         "1>, "
         "cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : (" +
         map(in, size) + ", " + filter + ") -> " + map(out, size) +
         "\n  return %y : " + map(out, size) + "\n}";
}

class KernelSignatureTest : public ::testing::Test {
protected:
  KernelSignatureTest() { context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>(); }

  /// The signatures of the two convolution groups of convolutionGroups(...).
  std::pair<std::string, std::string> signatures(llvm::StringRef attrs, llvm::StringRef act) {
    module = mlir::parseSourceString<mlir::ModuleOp>(convolutionGroups(attrs, act), &context);
    EXPECT_TRUE(module);
    auto func = *module->getOps<mlir::func::FuncOp>().begin();
    groups = collectKernelGroups(func);
    plans = planKernels(groups, x86);
    EXPECT_EQ(plans.size(), 3u);
    llvm::Expected<KernelSignature> first = signatureOf(plans[1]);
    llvm::Expected<KernelSignature> second = signatureOf(plans[2]);
    EXPECT_TRUE(bool(first) && bool(second));
    return {first->str(), second->str()};
  }

  /// The signature of convolution(in, out, size, window)'s one group.
  KernelSignature convolutionSignature(int in, int out, int size, int window = 1) {
    return onlySignature(convolution(in, out, size, window));
  }

  /// The default schedule of `signature` for `target`, and its space, in
  /// which it is expected to be legal.
  static std::pair<ScheduleParams, ScheduleSpace> legalDefault(const KernelSignature &signature,
                                                               const TargetSelection &target) {
    ScheduleParams p = target.backend->defaultSchedule(signature, target.halideTarget);
    ScheduleSpace space = target.backend->scheduleSpace(signature, target.halideTarget);
    EXPECT_FALSE(bool(space.check(p))) << p.str();
    return {p, space};
  }

  /// Expects `accepts` of every blocked schedule in `space`.
  template <typename Accepts>
  static void expectEveryBlockedSchedule(const ScheduleSpace &space, Accepts accepts) {
    for (const ScheduleParams &legal : space.enumerate())
      EXPECT_TRUE(legal.strategy != ScheduleParams::Strategy::blockedConvolution || accepts(legal))
          << legal.str();
  }

  /// The signature of the one group of `source`.
  KernelSignature onlySignature(const std::string &source) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    groups = collectKernelGroups(*module->getOps<mlir::func::FuncOp>().begin());
    plans = planKernels(groups, x86);
    EXPECT_EQ(plans.size(), 1u);
    return *signatureOf(plans[0]);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<KernelGroup> groups;
  std::vector<KernelPlan> plans;
  const TargetSelection x86 = {&x86Backend(), "x86-64", "x86-64-linux-sse41"};
};

TEST_F(KernelSignatureTest, SameComputationElsewhereSharesAKernel) {
  // The convolutions differ in their group number and arena offsets: placement only.
  auto [a, b] = signatures("", "silu");
  EXPECT_EQ(a, b);
}

TEST_F(KernelSignatureTest, AnActivationMakesAnotherKernel) {
  auto [a, b] = signatures("", "relu");
  EXPECT_NE(a, b);
}

TEST_F(KernelSignatureTest, NoAttributeIsLeftOut) {
  // An attribute cnnc does not know, even in the cnn namespace, may change
  // the code of a later pass (a quantization scale): it separates kernels.
  auto [a, b] = signatures(", cnn.requant_scale = 0.5 : f32", "silu");
  EXPECT_NE(a, b);
  EXPECT_NE(b.find("cnn.requant_scale"), std::string::npos);
}

TEST_F(KernelSignatureTest, SchedulesSeparateKernels) {
  signatures("", "silu");
  KernelSignature first = *signatureOf(plans[1]), second = *signatureOf(plans[2]);
  EXPECT_EQ(first, second);
  second.schedule.parallel = ScheduleParams::Parallel::rows;
  EXPECT_NE(first, second);
  EXPECT_EQ(first.computation(), second.computation()); // one tuning-database key
}

TEST_F(KernelSignatureTest, TargetsBlockForTheirRegisterFiles) {
  // Reading the model's input, the convolution is direct (not Winograd's).
  KernelSignature signature = convolutionSignature(64, 64, 8, 3);
  struct Case {
    const char *target;
    int lanes, pixels;
  } cases[] = {{"x86-64-avx2", 8, 4}, {"x86-64-avx512", 16, 8}, {"arm64", 4, 8}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    const TargetBackend &backend = *target->backend;
    ScheduleParams p = backend.defaultSchedule(signature, target->halideTarget);
    ScheduleSpace space = backend.scheduleSpace(signature, target->halideTarget);
    EXPECT_EQ(p.strategy, ScheduleParams::Strategy::blockedConvolution) << c.target;
    EXPECT_EQ(p.vectorLanes, c.lanes) << c.target;
    EXPECT_EQ(p.pixelBlock, c.pixels) << c.target;
    EXPECT_FALSE(bool(space.check(p))) << c.target << ": " << p.str();
    EXPECT_GT(space.enumerate().size(), 1u) << c.target;
    for (const ScheduleParams &legal : space.enumerate()) {
      int channelVectors = legal.channelBlock / legal.vectorLanes;
      int accumulators = channelVectors * (legal.pixelBlock / space.pixelsPerAccumulator);
      EXPECT_LE(accumulators + channelVectors + 1, space.vectorRegisters);
    }
    // A block of 16 accumulators and its operands overflows AVX2's 16 registers.
    ScheduleParams wide = p;
    wide.channelBlock = 2 * p.vectorLanes;
    wide.pixelBlock = 8;
    llvm::Error error = space.check(wide);
    EXPECT_EQ(bool(error), space.vectorRegisters == 16) << c.target;
    if (error)
      EXPECT_NE(llvm::toString(std::move(error)).find("vector registers"), std::string::npos);
  }
}

// A dense integer convolution's filter groups the input channels whose
// products one instruction sums: quads where vpdpbusd or vrmpy sums four u8 ×
// i8 products (AVX-512 with VNNI, as Halide names such CPUs; HVX, whose quad
// filters hold whole vectors of output channels), pairs for pmaddwd
// elsewhere (AVX-VNNI alone: Halide 21 widens its quads to pairs). On x86,
// a convolution of one pixel (an SE gate's) keeps pairs: quads measured no
// faster there.
TEST_F(KernelSignatureTest, IntegerFiltersGroupWhatOneInstructionSums) {
  struct Case {
    const char *target;
    TensorRole maps, gates;
  } cases[] = {
      {"x86-64-avx2", TensorRole::pairedConvFilter, TensorRole::pairedConvFilter},
      {"x86-64-avx512", TensorRole::pairedConvFilter, TensorRole::pairedConvFilter},
      {"x86-64-linux-avx-avx2-avxvnni-f16c-fma-sse41", TensorRole::pairedConvFilter,
       TensorRole::pairedConvFilter},
      {"x86-64-linux-avx-avx2-avx512-avx512_skylake-avx512_cannonlake-avx512_zen4-f16c-fma-sse41",
       TensorRole::quadConvFilter, TensorRole::pairedConvFilter},
      {"x86-64-linux-avx-avx2-avx512-avx512_skylake-avx512_cannonlake-avx512_sapphirerapids-f16c-"
       "fma-sse41",
       TensorRole::quadConvFilter, TensorRole::pairedConvFilter},
      {"arm64", TensorRole::pairedConvFilter, TensorRole::pairedConvFilter},
      {"hexagon", TensorRole::hvxQuadConvFilter, TensorRole::hvxQuadConvFilter},
  };
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target << ": " << llvm::toString(target.takeError());
    const TargetBackend &backend = *target->backend;
    EXPECT_EQ(backend.integerConvFilter(target->halideTarget, 14 * 14), c.maps) << c.target;
    EXPECT_EQ(backend.integerConvFilter(target->halideTarget, 1), c.gates) << c.target;
  }
}

// Channel blocks lead where the weights outweigh the input (B0's 7×7
// expansion: 884 KB against 37 KB); rows lead where the input is the larger.
TEST_F(KernelSignatureTest, ChannelBlocksLeadWhereWeightsOutweighTheInput) {
  struct Case {
    int in, out, size;
    ScheduleParams::Parallel expected;
  } cases[] = {{192, 1152, 7, ScheduleParams::Parallel::channelBlocks},
               {16, 96, 56, ScheduleParams::Parallel::rows}};
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  for (const Case &c : cases) {
    KernelSignature signature = convolutionSignature(c.in, c.out, c.size);
    auto [p, space] = legalDefault(signature, *target);
    EXPECT_EQ(p.parallel, c.expected) << p.str();
    // Both orders are in the space; a generic schedule has no channel blocks.
    EXPECT_TRUE(llvm::is_contained(space.parallel, ScheduleParams::Parallel::channelBlocks));
    EXPECT_TRUE(llvm::is_contained(space.parallel, ScheduleParams::Parallel::rows));
    ScheduleParams generic = p;
    generic.strategy = ScheduleParams::Strategy::generic;
    generic.parallel = ScheduleParams::Parallel::channelBlocks;
    llvm::Error error = space.check(generic);
    ASSERT_TRUE(bool(error));
    EXPECT_NE(llvm::toString(std::move(error)).find("channel blocks"), std::string::npos);
  }
  // A depthwise convolution may lead with its channel blocks too, though its
  // weights seldom outweigh its input: at stride 2 rows lead by default; at
  // stride 1 channel blocks lead where its padded rows slide down them.
  KernelSignature depthwise = onlySignature(depthwiseConvolution(1152, 7, 5, 2));
  ScheduleSpace space = target->backend->scheduleSpace(depthwise, target->halideTarget);
  EXPECT_TRUE(llvm::is_contained(space.parallel, ScheduleParams::Parallel::channelBlocks));
  EXPECT_EQ(target->backend->defaultSchedule(depthwise, target->halideTarget).parallel,
            ScheduleParams::Parallel::rows);
}

// A float 3×3 convolution at stride 1 that reads an activation, over maps
// of a tile or more and of 16 channels or more in and out,
// computes by Winograd: its filter is transformed when packed, its pixel
// blocks are whole tiles (6 of them by default, or as many as leave no
// tail), and its register blocks
// keep an accumulator per tile, not per pixel. Others stay direct.
TEST_F(KernelSignatureTest, ThreeByThreeConvolutionsTakeWinograd) {
  auto filterRole = [&](const std::string &source) {
    onlySignature(source);
    return plans[0].inputs.size() > 1 ? plans[0].inputs[1].role : TensorRole::activation;
  };
  auto afterActivation = [&](int in, int out, int size, int window) {
    module = mlir::parseSourceString<mlir::ModuleOp>(
        convolutionAfterActivation(in, out, size, window), &context);
    groups = collectKernelGroups(*module->getOps<mlir::func::FuncOp>().begin());
    plans = planKernels(groups, x86);
    EXPECT_EQ(plans.size(), 2u);
    return plans[1];
  };
  EXPECT_EQ(afterActivation(48, 192, 96, 3).inputs[1].role, TensorRole::winogradFilter);
  EXPECT_EQ(afterActivation(48, 192, 96, 5).inputs[1].role, TensorRole::convFilter);
  EXPECT_EQ(afterActivation(8, 192, 96, 3).inputs[1].role, TensorRole::convFilter);
  EXPECT_EQ(afterActivation(48, 192, 30, 3).inputs[1].role, TensorRole::winogradFilter);
  EXPECT_EQ(afterActivation(48, 192, 3, 3).inputs[1].role, TensorRole::convFilter);
  EXPECT_EQ(filterRole(convolution(48, 192, 96, 3)), TensorRole::convFilter); // the model input
  llvm::Expected<TargetSelection> hexagon = selectTarget("hexagon");          // no float vectors
  ASSERT_TRUE(bool(hexagon));
  afterActivation(48, 192, 96, 3);
  EXPECT_EQ(planKernels(groups, *hexagon)[1].inputs[1].role, TensorRole::convFilter);

  KernelSignature signature = *signatureOf(afterActivation(48, 192, 96, 3));
  for (const char *name : {"x86-64-avx2", "x86-64-avx512", "arm64"}) {
    llvm::Expected<TargetSelection> target = selectTarget(name);
    ASSERT_TRUE(bool(target));
    ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
    ScheduleSpace space = target->backend->scheduleSpace(signature, target->halideTarget);
    EXPECT_EQ(p.strategy, ScheduleParams::Strategy::blockedConvolution) << name;
    EXPECT_EQ(p.pixelBlock, 24) << name << " " << p.str();
    EXPECT_EQ(space.pixelsPerAccumulator, 4);
    EXPECT_FALSE(bool(space.check(p))) << name << " " << p.str();
    for (const ScheduleParams &legal : space.enumerate())
      if (legal.strategy == ScheduleParams::Strategy::blockedConvolution)
        EXPECT_EQ(legal.pixelBlock % 4, 0) << legal.str();
    ScheduleParams leading = p;
    leading.parallel = ScheduleParams::Parallel::channelBlocks;
    llvm::Error refused = space.check(leading); // blocks of tiles pass every channel block
    EXPECT_TRUE(bool(refused)) << name;
    llvm::consumeError(std::move(refused));
  }
  // A 32-wide row is 8 tiles: blocks of 8 where the registers hold them (two
  // vectors × 8 tiles on AVX-512), of 4 on AVX2, never 6 (12 tiles computed);
  // a 30-wide one is 8 tiles too, its last two columns past the edge.
  for (int width : {32, 30}) {
    KernelSignature narrow = *signatureOf(afterActivation(48, 192, width, 3));
    for (auto [name, pixels] : {std::pair{"x86-64-avx512", 32}, std::pair{"x86-64-avx2", 16}}) {
      llvm::Expected<TargetSelection> target = selectTarget(name);
      ASSERT_TRUE(bool(target));
      ScheduleParams p = target->backend->defaultSchedule(narrow, target->halideTarget);
      EXPECT_EQ(p.pixelBlock, pixels) << name << " " << width << ": " << p.str();
      EXPECT_FALSE(bool(target->backend->scheduleSpace(narrow, target->halideTarget).check(p)));
    }
  }
}

// A dense k×k convolution whose weights a pixel block could not keep in
// cache (EfficientNetV2's Fused-MBConv expansions) passes its channel blocks
// within each row; small filters (a stem's) keep every channel block per
// pixel block, and the order is in every dense convolution's space over rows.
TEST_F(KernelSignatureTest, LargeFiltersPassChannelBlocksWithinRows) {
  struct Case {
    int in, out, size, window;
    ScheduleParams::Parallel expected;
  } cases[] = {{48, 192, 96, 3, ScheduleParams::Parallel::rowChannelBlocks},
               {64, 256, 48, 3, ScheduleParams::Parallel::rowChannelBlocks},
               {16, 48, 48, 3, ScheduleParams::Parallel::rows},
               {3, 32, 112, 3, ScheduleParams::Parallel::rows}};
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  for (const Case &c : cases) {
    KernelSignature signature = convolutionSignature(c.in, c.out, c.size, c.window);
    auto [p, space] = legalDefault(signature, *target);
    EXPECT_EQ(p.parallel, c.expected) << p.str();
    EXPECT_TRUE(llvm::is_contained(space.parallel, ScheduleParams::Parallel::rowChannelBlocks));
  }
  ScheduleParams p =
      target->backend->defaultSchedule(convolutionSignature(48, 192, 96, 3), target->halideTarget);
  EXPECT_NE(p.str().find("parallel=row-channels"), std::string::npos) << p.str();
  p.strategy = ScheduleParams::Strategy::generic;
  llvm::Error error =
      target->backend->scheduleSpace(convolutionSignature(48, 192, 96, 3), target->halideTarget)
          .check(p);
  ASSERT_TRUE(bool(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("channel blocks"), std::string::npos);
}

// A dense convolution unrolls its reduction over input channels by 4 where
// that divides it, else by 2, else not at all (an RGB stem); the space holds
// every factor that divides it, and a generic schedule none.
TEST_F(KernelSignatureTest, DenseConvolutionsUnrollTheirInputs) {
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  for (auto [in, expected] :
       {std::pair{3, 1}, std::pair{6, 2}, std::pair{24, 4}, std::pair{96, 4}}) {
    KernelSignature signature = convolutionSignature(in, 32, 16, in == 3 ? 3 : 1);
    auto [p, space] = legalDefault(signature, *target);
    EXPECT_EQ(p.inputUnroll, expected) << in << ": " << p.str();
    for (int factor : space.inputUnrolls)
      EXPECT_EQ(in % factor, 0) << in << " unrolled by " << factor;
    ScheduleParams generic = p;
    generic.strategy = ScheduleParams::Strategy::generic;
    generic.parallel = ScheduleParams::Parallel::rows;
    if (expected > 1) {
      llvm::Error error = space.check(generic);
      ASSERT_TRUE(bool(error));
      EXPECT_NE(llvm::toString(std::move(error)).find("unrolls its inputs"), std::string::npos);
    }
  }
}

// With AVX2's 16 registers a dense float convolution takes blocks of three
// vectors where its channels divide into them (12 accumulators), and with
// AVX-512's 16-lane vectors (of 7 pixels where rows divide by 7, else 8: 21
// or 24 of its 32 registers; two-vector blocks keep 8 pixels); on NEON (32
// registers of 4 lanes), and for a depthwise convolution, blocks stay at two
// vectors.
TEST_F(KernelSignatureTest, ThreeVectorBlocksWhereChannelsAllow) {
  struct Case {
    const char *target;
    bool depthwise;
    int channels, expectedBlock, expectedPixels, size = 32;
  } cases[] = {{"x86-64-avx2", false, 96, 24, 4},       {"x86-64-avx2", false, 64, 16, 4},
               {"x86-64-avx2", true, 96, 16, 4},        {"x86-64-avx512", false, 96, 48, 8},
               {"x86-64-avx512", false, 96, 48, 7, 56}, {"x86-64-avx512", false, 32, 32, 8},
               {"x86-64-avx512", false, 32, 32, 8, 56}, {"arm64", false, 96, 8, 8}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    KernelSignature signature = c.depthwise
                                    ? onlySignature(depthwiseConvolution(c.channels, c.size, 3, 1))
                                    : convolutionSignature(c.channels / 2, c.channels, c.size);
    ScheduleParams p = legalDefault(signature, *target).first;
    EXPECT_EQ(p.channelBlock, c.expectedBlock) << c.target << " " << p.str();
    EXPECT_EQ(p.pixelBlock, c.expectedPixels) << c.target << " " << p.str();
  }
}

// With AVX-512's 32 registers, a 1×1 float convolution whose output channels
// come in whole vectors, but not in threes, takes blocks of 4, 5 or 7 vectors
// where they divide them (the most accumulators: 4 × 6 pixels, 5 × 5,
// 7 × 3; 160 and 320 in fives), as many pixels as the registers hold: no
// block computes channels twice (112 in two-vector blocks computed 128).
// Other windows, AVX2, and channel counts none of them divides keep
// two-vector blocks.
TEST_F(KernelSignatureTest, WideBlocksWhereChannelsDivideIntoThem) {
  struct Case {
    const char *target;
    int window, channels, expectedBlock, expectedPixels;
  } cases[] = {{"x86-64-avx512", 1, 64, 64, 6},   {"x86-64-avx512", 1, 80, 80, 5},
               {"x86-64-avx512", 1, 112, 112, 3}, {"x86-64-avx512", 1, 160, 80, 5},
               {"x86-64-avx512", 1, 320, 80, 5},  {"x86-64-avx512", 1, 128, 64, 6},
               {"x86-64-avx512", 1, 176, 32, 7},  {"x86-64-avx512", 3, 80, 32, 7},
               {"x86-64-avx2", 1, 80, 16, 5}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    KernelSignature signature = convolutionSignature(32, c.channels, 14, c.window);
    ScheduleParams p = legalDefault(signature, *target).first;
    EXPECT_EQ(p.channelBlock, c.expectedBlock) << c.target << " " << c.channels << " " << p.str();
    EXPECT_EQ(p.pixelBlock, c.expectedPixels) << c.target << " " << c.channels << " " << p.str();
  }
}

// With AVX2's 16 registers, a dense float convolution in two-vector blocks
// takes 6 pixels (12 accumulators) where blocks of 6 compute at most 1/32 more
// pixels than its row holds (112: 114), else 4 or the block of the shortest
// tail (14: 5). Depthwise convolutions and AVX-512's blocks keep theirs.
TEST_F(KernelSignatureTest, SixPixelTwoVectorBlocksOnSixteenRegistersWhereRowsAreLong) {
  struct Case {
    const char *target;
    bool depthwise;
    int size, expectedPixels;
  } cases[] = {{"x86-64-avx2", false, 112, 6},
               {"x86-64-avx2", false, 14, 5},
               {"x86-64-avx2", true, 112, 4},
               {"x86-64-avx512", false, 112, 8}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    KernelSignature signature = c.depthwise ? onlySignature(depthwiseConvolution(32, c.size, 3, 1))
                                            : convolutionSignature(32, 32, c.size);
    ScheduleParams p = legalDefault(signature, *target).first;
    EXPECT_EQ(p.pixelBlock, c.expectedPixels) << c.target << " " << c.size << " " << p.str();
  }
}

// A dense float convolution computes in the widest vectors no wider than its
// output channels, the last block shifted inwards (AVX-512: B0's 40-channel
// projections in 16 lanes, 48 computed, not 8-lane vectors), and in
// one-vector blocks where two-vector ones would compute over a quarter more
// (40 in blocks of 32: 64). Channels that no vector width divides (20, 12)
// are register-blocked all the same, the last block shifted inwards. A
// float depthwise convolution takes the widest vectors too (40 channels:
// 16 lanes).
TEST_F(KernelSignatureTest, DenseFloatConvolutionsTakeTheWidestVectors) {
  struct Case {
    const char *target;
    bool depthwise;
    int channels, expectedLanes, expectedBlock;
  } cases[] = {{"x86-64-avx512", false, 40, 16, 16},  {"x86-64-avx512", false, 24, 16, 16},
               {"x86-64-avx512", false, 104, 16, 32}, {"x86-64-avx512", false, 72, 16, 16},
               {"x86-64-avx512", true, 40, 16, 16},   {"x86-64-avx2", false, 40, 8, 16},
               {"x86-64-avx512", false, 20, 16, 16},  {"x86-64-avx2", false, 20, 8, 8},
               {"x86-64-avx2", false, 12, 8, 8},      {"x86-64-avx512", true, 20, 16, 16}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    KernelSignature signature = c.depthwise
                                    ? onlySignature(depthwiseConvolution(c.channels, 32, 3, 1))
                                    : convolutionSignature(c.channels * 4, c.channels, 32);
    ScheduleParams p = legalDefault(signature, *target).first;
    EXPECT_EQ(p.strategy, ScheduleParams::Strategy::blockedConvolution) << p.str();
    EXPECT_EQ(p.vectorLanes, c.expectedLanes) << c.target << " " << c.channels << " " << p.str();
    EXPECT_EQ(p.channelBlock, c.expectedBlock) << c.target << " " << c.channels << " " << p.str();
  }
}

// A kernel pointwise in space that reads and writes the arena (B0's 7×7
// expansion) sees its maps as one row of 49 pixels on a CPU, in blocks that
// run across the ends of rows (three vectors of 4 pixels on AVX2: 52 pixels
// computed, not 56 in rows of 7; not 3, which would leave the FMA latency
// exposed). A 3×3 convolution, a GPU, or a kernel that reads the model's
// input keep their rows.
TEST_F(KernelSignatureTest, PointwiseKernelsSeeTheirMapsAsOneRow) {
  llvm::Expected<TargetSelection> avx2 = selectTarget("x86-64-avx2");
  llvm::Expected<TargetSelection> cuda = selectTarget("cuda");
  ASSERT_TRUE(bool(avx2) && bool(cuda));
  auto plansFor = [&](const std::string &source, const TargetSelection &target) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    groups = collectKernelGroups(*module->getOps<mlir::func::FuncOp>().begin());
    return planKernels(groups, target);
  };
  std::vector<KernelPlan> pointwise = plansFor(convolutionAfterActivation(192, 1152, 7, 1), *avx2);
  ASSERT_EQ(pointwise.size(), 2u);
  EXPECT_FALSE(pointwise[0].flatPixels); // it reads the model's input
  ASSERT_TRUE(pointwise[1].flatPixels);
  KernelSignature signature = *signatureOf(pointwise[1]);
  EXPECT_EQ(signature.args[0].tensor.shape, (std::vector<int64_t>{1, 192, 1, 49}));
  EXPECT_EQ(signature.resultShape(), (llvm::ArrayRef<int64_t>{1, 1152, 1, 49}));
  ScheduleParams p = avx2->backend->defaultSchedule(signature, avx2->halideTarget);
  EXPECT_EQ(p.str(), "blocked lanes=8 channels=24 pixels=4 unroll parallel=channels padded=block "
                     "unroll-inputs=4");
  EXPECT_FALSE(bool(avx2->backend->scheduleSpace(signature, avx2->halideTarget).check(p)));
  // Its rows over threads: the one row's pixel blocks, in runs.
  p.parallel = ScheduleParams::Parallel::rows;
  EXPECT_FALSE(bool(avx2->backend->scheduleSpace(signature, avx2->halideTarget).check(p)));

  EXPECT_FALSE(plansFor(convolutionAfterActivation(32, 64, 7, 3), *avx2)[1].flatPixels);
  EXPECT_FALSE(plansFor(convolutionAfterActivation(192, 1152, 7, 1), *cuda)[1].flatPixels);
}

// A 1×1 convolution of a pointwise kernel whose output channels end in half a
// vector (24 and 40 in AVX-512's 16 lanes, 20 in AVX2's 8) computes two
// pixels' channels side by side in whole vectors: it sees its result as 2·C
// channels of H·W/2 pixels and its input as H·W, reads its filter twice
// over, and takes one block of every channel, 4 pairs (2 with AVX2's 16
// registers and five vectors); past five vectors a pair, in blocks of three
// (72 channels: nine vectors a pair). Not where the channels are whole
// vectors, where a pair's vectors past five are no multiple of three (56
// channels: seven), on an odd number of pixels, on ARM64 (not measured) or on
// a GPU.
TEST_F(KernelSignatureTest, HalfVectorChannelsComputeOverPixelPairs) {
  struct Case {
    const char *target;
    int in, out, size;
    std::string schedule; // empty: not over pairs
  } cases[] = {
      {"x86-64-avx512", 96, 24, 56,
       "blocked lanes=16 channels=48 pixels=4 unroll parallel=rows padded=block unroll-inputs=4"},
      {"x86-64-avx512", 120, 40, 28,
       "blocked lanes=16 channels=80 pixels=4 unroll parallel=rows padded=block unroll-inputs=4"},
      {"x86-64-avx512", 24, 72, 56,
       "blocked lanes=16 channels=48 pixels=4 unroll parallel=rows padded=block unroll-inputs=4"},
      {"x86-64-avx2", 40, 20, 14,
       "blocked lanes=8 channels=40 pixels=2 unroll parallel=rows padded=block unroll-inputs=4"},
      {"x86-64-avx512", 96, 48, 56, ""},
      {"x86-64-avx512", 96, 56, 56, ""},
      {"x86-64-avx512", 96, 24, 7, ""},
      {"arm64", 40, 6, 14, ""},
      {"cuda", 96, 24, 56, ""}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target)) << c.target;
    module = mlir::parseSourceString<mlir::ModuleOp>(
        convolutionAfterActivation(c.in, c.out, c.size, 1), &context);
    ASSERT_TRUE(module);
    groups = collectKernelGroups(*module->getOps<mlir::func::FuncOp>().begin());
    plans = planKernels(groups, *target);
    ASSERT_EQ(plans.size(), 2u);
    std::string where = std::string(c.target) + " " + std::to_string(c.out);
    if (c.schedule.empty()) {
      EXPECT_EQ(plans[1].pixelPairConvolution, nullptr) << where;
      EXPECT_FALSE(signatureOf(plans[1])->overPixelPairs()) << where;
      continue;
    }
    ASSERT_EQ(plans[1].pixelPairConvolution, plans[1].ops[0]) << where;
    KernelSignature signature = *signatureOf(plans[1]);
    int64_t pixels = c.size * c.size;
    EXPECT_EQ(signature.args[0].tensor.shape, (std::vector<int64_t>{1, c.in, 1, pixels}));
    EXPECT_EQ(signature.args[1].role, TensorRole::pixelPairConvFilter);
    EXPECT_TRUE(signature.overPixelPairs());
    EXPECT_EQ(signature.resultShape(), (llvm::ArrayRef<int64_t>{1, 2 * c.out, 1, pixels / 2}));
    ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
    EXPECT_EQ(p.str(), c.schedule) << where;
    ScheduleSpace space = target->backend->scheduleSpace(signature, target->halideTarget);
    EXPECT_FALSE(bool(space.check(p))) << where;
    EXPECT_TRUE(llvm::is_contained(space.channelBlocks, p.channelBlock)) << where;
  }
}

// An SE gate before a 1×1 convolution scales whichever is smaller: the
// filter, per image (folded: W · diag(s), written by the kernel), where the
// map has at least as many pixels as the convolution has output channels
// (b0's 28×28 projection, 240 → 40); the input, staged by the kernel, where
// it has fewer (mobilenet-v3-large's 7×7 projection, 960 → 160). A GPU
// always folds.
TEST_F(KernelSignatureTest, SeGatesScaleTheSmallerOfFilterAndMap) {
  llvm::Expected<TargetSelection> cuda = selectTarget("cuda");
  ASSERT_TRUE(bool(cuda));
  auto plan = [&](int in, int out, int size, const TargetSelection &target) {
    module = mlir::parseSourceString<mlir::ModuleOp>(gatedProjection(in, out, size), &context);
    EXPECT_TRUE(module);
    groups = collectKernelGroups(*module->getOps<mlir::func::FuncOp>().begin());
    plans = planKernels(groups, target);
    EXPECT_EQ(plans.size(), 1u);
    return plans[0];
  };
  KernelPlan folded = plan(240, 40, 28, x86);
  ASSERT_NE(folded.foldingConvolution, nullptr);
  EXPECT_EQ(folded.gatedConvolution, nullptr);
  EXPECT_EQ(folded.imageFilterExtents, (llvm::SmallVector<int64_t, 3>{40, 240, 1}));
  KernelPlan gated = plan(960, 160, 7, x86);
  EXPECT_EQ(gated.foldingConvolution, nullptr);
  EXPECT_EQ(gated.gatedConvolution, gated.ops[1]);
  EXPECT_TRUE(gated.imageFilterExtents.empty());
  EXPECT_EQ(plan(49, 49, 7, x86).gatedConvolution, nullptr); // as many channels as pixels
  EXPECT_EQ(plan(960, 160, 7, *cuda).gatedConvolution, nullptr);
}

// A 1×1 expansion fused into the depthwise convolution that reads it (cnn-fuse's
// fuse-expansions: mobilenet-v2's 112×112 block) is computed by that
// convolution's kernel: the depthwise convolution is the anchor, and the rows
// go over threads in bands, its padded input read inline; channel blocks
// leading would compute the expansion once per block, so the space has none.
TEST_F(KernelSignatureTest, ExpansionsComputedByTheirDepthwiseConvolution) {
  KernelSignature signature = onlySignature(R"(
func.func @m(%x: tensor<1x16x112x112xf32>) -> tensor<1x96x56x56xf32> {
  %we = cnn.weight "we" : tensor<96x16x1x1xf32>
  %wd = cnn.weight "wd" : tensor<96x1x3x3xf32>
  %0 = cnn.conv2d %x, %we {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, cnn.group = 0 : i64} : (tensor<1x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x112x112xf32>
  %1 = cnn.activation relu6 %0 {cnn.group = 0 : i64} : tensor<1x96x112x112xf32>
  %2 = cnn.depthwise_conv2d %1, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, cnn.group = 0 : i64} : (tensor<1x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32>
  %3 = cnn.activation relu6 %2 {cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : tensor<1x96x56x56xf32>
  return %3 : tensor<1x96x56x56xf32>
})");
  EXPECT_TRUE(signature.computesExpansion());
  EXPECT_EQ(signature.anchor(), 2u);
  EXPECT_EQ(signature.anchorShape(), (llvm::ArrayRef<int64_t>{1, 96, 56, 56}));
  auto [p, space] = legalDefault(signature, x86);
  EXPECT_EQ(p.parallel, ScheduleParams::Parallel::rows);
  EXPECT_EQ(p.paddedInput, ScheduleParams::PaddedInput::inlined);
  expectEveryBlockedSchedule(space, [](const ScheduleParams &legal) {
    return legal.parallel == ScheduleParams::Parallel::rows &&
           legal.paddedInput == ScheduleParams::PaddedInput::inlined;
  });
  EXPECT_FALSE(convolutionSignature(16, 96, 112).computesExpansion()); // a 1×1 convolution alone
}

// A 3×3 depthwise convolution fused into the 1×1 projection that reads it
// (cnn-fuse's fuse-projections: mobilenet-v2's first block) is computed by
// that projection's kernel, a row at a time: the projection is the anchor, and
// the rows go over threads; channel blocks leading would compute the
// depthwise rows once per block, so the space has none.
TEST_F(KernelSignatureTest, DepthwiseConvolutionsComputedByTheirProjection) {
  KernelSignature signature = onlySignature(R"(
func.func @m(%x: tensor<1x32x112x112xf32>) -> tensor<1x16x112x112xf32> {
  %wd = cnn.weight "wd" : tensor<32x1x3x3xf32>
  %wp = cnn.weight "wp" : tensor<16x32x1x1xf32>
  %0 = cnn.depthwise_conv2d %x, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, cnn.group = 0 : i64} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  %1 = cnn.activation relu6 %0 {cnn.group = 0 : i64} : tensor<1x32x112x112xf32>
  %2 = cnn.conv2d %1, %wp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, cnn.group = 0 : i64, cnn.arena_offset = 0 : i64} : (tensor<1x32x112x112xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x112x112xf32>
  return %2 : tensor<1x16x112x112xf32>
})");
  EXPECT_TRUE(signature.computesDepthwiseInput());
  EXPECT_FALSE(signature.computesExpansion());
  EXPECT_EQ(signature.anchor(), 2u);
  EXPECT_EQ(signature.anchorShape(), (llvm::ArrayRef<int64_t>{1, 16, 112, 112}));
  auto [p, space] = legalDefault(signature, x86);
  EXPECT_EQ(p.strategy, ScheduleParams::Strategy::blockedConvolution);
  EXPECT_EQ(p.parallel, ScheduleParams::Parallel::rows);
  expectEveryBlockedSchedule(space, [](const ScheduleParams &legal) {
    return legal.parallel == ScheduleParams::Parallel::rows ||
           legal.parallel == ScheduleParams::Parallel::none;
  });
  EXPECT_FALSE(onlySignature(depthwiseConvolution(32, 112, 3, 1)).computesDepthwiseInput());
}

// A fully connected layer's reduction (B0's classifier: 1280 features to
// 1000; an SE gate's 1152 to 48) is cut into slices over threads by
// default, each thread streaming its rows of weights. Only a generic
// schedule has slices, and only for a kernel whose result is a feature
// vector.
TEST_F(KernelSignatureTest, FullyConnectedLayersReduceInSlices) {
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  for (auto [in, out] : {std::pair(1280, 1000), std::pair(1152, 48)}) {
    KernelSignature signature = onlySignature(fullyConnected(in, out));
    auto [p, space] = legalDefault(signature, *target);
    EXPECT_EQ(p.str(), "generic lanes=8 parallel=slices");
    llvm::Expected<ScheduleParams> read = ScheduleParams::parse(p.str());
    ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
    EXPECT_EQ(*read, p);
    EXPECT_EQ(llvm::count_if(space.enumerate(),
                             [](const ScheduleParams &legal) {
                               return legal.str() == "generic lanes=8 parallel=slices";
                             }),
              1);
  }
  // A convolution's output has rows: its space has no slices.
  KernelSignature convolution = convolutionSignature(192, 1152, 7);
  ScheduleSpace space = target->backend->scheduleSpace(convolution, target->halideTarget);
  EXPECT_FALSE(llvm::is_contained(space.parallel, ScheduleParams::Parallel::reductionSlices));
  // Even where slices are listed, a blocked schedule has none, nor a generic
  // one of a kernel without a feature vector to slice for.
  space.parallel.push_back(ScheduleParams::Parallel::reductionSlices);
  ScheduleParams p = target->backend->defaultSchedule(convolution, target->halideTarget);
  p.parallel = ScheduleParams::Parallel::reductionSlices;
  for (ScheduleParams::Strategy strategy :
       {ScheduleParams::Strategy::blockedConvolution, ScheduleParams::Strategy::generic}) {
    p.strategy = strategy;
    llvm::Error error = space.check(p);
    ASSERT_TRUE(bool(error)) << p.str();
    EXPECT_NE(llvm::toString(std::move(error)).find("reduction slices"), std::string::npos);
  }
}

// A global pool (an SE gate's) over a map of at least one row per slice is
// cut into slices of rows over threads by default; over fewer rows (B0's
// head, 7×7) it stays on one thread.
TEST_F(KernelSignatureTest, GlobalPoolsReduceRowsInSlices) {
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  for (auto [size, parallel] :
       {std::pair(112, "slices"), std::pair(8, "slices"), std::pair(7, "none")}) {
    KernelSignature signature = onlySignature(globalPool(32, size));
    ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
    EXPECT_EQ(p.str(), std::string("generic lanes=8 parallel=") + parallel) << size;
    EXPECT_FALSE(bool(target->backend->scheduleSpace(signature, target->halideTarget).check(p)));
  }
}

// Pixel blocks leave short tails: 14-wide rows in blocks of 5 on AVX2 (15
// pixels computed, not 16); 7- and 14-wide rows in blocks of 7 on AVX-512.
TEST_F(KernelSignatureTest, PixelBlocksLeaveShortTails) {
  struct Case {
    const char *target;
    int size, pixels;
  } cases[] = {{"x86-64-avx2", 14, 5},   {"x86-64-avx2", 7, 4},   {"x86-64-avx2", 56, 4},
               {"x86-64-avx512", 14, 7}, {"x86-64-avx512", 7, 7}, {"x86-64-avx512", 56, 8}};
  for (const Case &c : cases) {
    llvm::Expected<TargetSelection> target = selectTarget(c.target);
    ASSERT_TRUE(bool(target));
    KernelSignature signature = convolutionSignature(32, 32, c.size);
    ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
    EXPECT_EQ(p.pixelBlock, c.pixels) << c.target << " " << c.size;
    EXPECT_FALSE(bool(target->backend->scheduleSpace(signature, target->halideTarget).check(p)))
        << p.str();
  }
  // Whatever the width, the default is a point of the space.
  for (const char *name : {"x86-64-avx2", "x86-64-avx512", "arm64"})
    for (int size = 2; size <= 40; ++size) {
      llvm::Expected<TargetSelection> target = selectTarget(name);
      ASSERT_TRUE(bool(target));
      KernelSignature signature = convolutionSignature(32, 64, size);
      ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
      llvm::Error error = target->backend->scheduleSpace(signature, target->halideTarget).check(p);
      EXPECT_FALSE(bool(error)) << name << " " << size << ": " << llvm::toString(std::move(error));
    }
}

// An RGB stem, reading the model's input (in the caller's layout: NCHW by
// default), stages the padded rows each output row reads, whatever loop runs
// over threads; where they would not fit the stack (rows 600 wide), it tests
// its borders at each tap: a tile gathered per block would be mostly lanes of
// no channel. A wider model input stages its rows too: it comes in the
// caller's layout alike.
TEST_F(KernelSignatureTest, StemsStageTheirInputRows) {
  using PaddedInput = ScheduleParams::PaddedInput;
  struct Case {
    int in, size;
    PaddedInput expected;
  } cases[] = {
      {3, 16, PaddedInput::rows}, {3, 600, PaddedInput::inlined}, {16, 16, PaddedInput::rows}};
  for (const char *name : {"x86-64-avx2", "x86-64-avx512"})
    for (const Case &c : cases) {
      llvm::Expected<TargetSelection> target = selectTarget(name);
      ASSERT_TRUE(bool(target));
      KernelSignature signature = convolutionSignature(c.in, 32, c.size, 3);
      ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
      EXPECT_EQ(p.paddedInput, c.expected) << name << " " << p.str();
      ScheduleSpace space = target->backend->scheduleSpace(signature, target->halideTarget);
      EXPECT_FALSE(bool(space.check(p))) << p.str();
      if (c.expected != PaddedInput::rows)
        continue;
      for (ScheduleParams::Parallel parallel : space.parallel) {
        ScheduleParams other = p;
        other.parallel = parallel;
        EXPECT_FALSE(bool(space.check(other))) << other.str();
      }
    }
}

// A depthwise convolution at stride 1 whose channel block's padded rows fit
// the stack (not 5×5 at 56 pixels, nor 112-pixel rows) slides them down its
// rows (padded=rows, channel blocks leading); otherwise it gathers a tile per block only where each
// of its elements is read by more than two taps (5×5 at stride 1); 3×3 ones at stride 1 and any at
// stride 2 (whatever the pixel block) test borders at each tap.
TEST_F(KernelSignatureTest, DepthwiseTilesOnlyWhereTheyAreReadOften) {
  llvm::Expected<TargetSelection> target = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(target));
  using PaddedInput = ScheduleParams::PaddedInput;
  struct Case {
    int size, window, stride;
    PaddedInput expected;
  } cases[] = {{56, 3, 1, PaddedInput::rows},    {56, 3, 2, PaddedInput::inlined},
               {28, 5, 1, PaddedInput::rows},    {56, 5, 1, PaddedInput::perBlock},
               {56, 5, 2, PaddedInput::inlined}, {112, 3, 1, PaddedInput::inlined}};
  for (const Case &c : cases) {
    KernelSignature signature = onlySignature(depthwiseConvolution(32, c.size, c.window, c.stride));
    ScheduleParams p = target->backend->defaultSchedule(signature, target->halideTarget);
    EXPECT_EQ(p.paddedInput, c.expected)
        << c.size << ": " << c.window << "x" << c.window << " /" << c.stride;
    ScheduleSpace space = target->backend->scheduleSpace(signature, target->halideTarget);
    EXPECT_FALSE(bool(space.check(p))) << p.str();
    // Sliding down rows needs the channel blocks' loop outside the rows'.
    p.paddedInput = PaddedInput::rows;
    p.parallel = ScheduleParams::Parallel::rows;
    llvm::Error error = space.check(p);
    ASSERT_TRUE(bool(error));
    EXPECT_NE(llvm::toString(std::move(error)).find("parallel=channels"), std::string::npos);
  }
  // In AVX-512's blocks of 7 pixels a 5×5 window at stride 2 would read each
  // tile element 2.06 times: at stride 2 it still tests borders.
  llvm::Expected<TargetSelection> avx512 = selectTarget("x86-64-avx512");
  ASSERT_TRUE(bool(avx512));
  KernelSignature strided = onlySignature(depthwiseConvolution(144, 56, 5, 2));
  ScheduleParams wide = avx512->backend->defaultSchedule(strided, avx512->halideTarget);
  EXPECT_EQ(wide.pixelBlock, 7) << wide.str();
  EXPECT_EQ(wide.paddedInput, PaddedInput::inlined) << wide.str();
  // There a 3×3 one at stride 1 on 56-wide maps would need 22 KB of padded
  // rows in blocks of two vectors: it slides down them in blocks of one.
  KernelSignature narrowed = onlySignature(depthwiseConvolution(144, 56, 3, 1));
  ScheduleParams slid = avx512->backend->defaultSchedule(narrowed, avx512->halideTarget);
  EXPECT_EQ(slid.str(),
            "blocked lanes=16 channels=16 pixels=8 unroll parallel=channels padded=rows");
  EXPECT_FALSE(bool(avx512->backend->scheduleSpace(narrowed, avx512->halideTarget).check(slid)));
  // On 112-wide maps not even one vector's rows fit: it reads inline.
  KernelSignature wider = onlySignature(depthwiseConvolution(32, 112, 3, 1));
  EXPECT_EQ(avx512->backend->defaultSchedule(wider, avx512->halideTarget).paddedInput,
            PaddedInput::inlined);
  llvm::Expected<ScheduleParams> read =
      ScheduleParams::parse("blocked lanes=8 channels=16 pixels=4 unroll parallel=channels "
                            "padded=rows");
  ASSERT_TRUE(bool(read));
  EXPECT_EQ(read->paddedInput, PaddedInput::rows);
  EXPECT_EQ(read->str(),
            "blocked lanes=8 channels=16 pixels=4 unroll parallel=channels padded=rows");
}

TEST_F(KernelSignatureTest, GpuSchedulesBlockPerThread) {
  signatures("", "silu");
  KernelSignature signature = *signatureOf(plans[1]);
  for (const char *name : {"cuda", "opencl"}) {
    llvm::Expected<TargetSelection> target = selectTarget(name);
    ASSERT_TRUE(bool(target)) << name;
    EXPECT_EQ(target->backend->name(), "gpu");
    const TargetBackend &backend = *target->backend;
    ScheduleParams p = backend.defaultSchedule(signature, target->halideTarget);
    ScheduleSpace space = backend.scheduleSpace(signature, target->halideTarget);
    EXPECT_EQ(p.strategy, ScheduleParams::Strategy::blockedConvolution) << name;
    EXPECT_TRUE(p.onGpu()) << name;
    EXPECT_EQ(p.vectorLanes, 1);
    EXPECT_EQ(p.parallel, ScheduleParams::Parallel::none);
    EXPECT_LE(p.gpuThreadsChannels * p.gpuThreadsPixels, 256);
    EXPECT_FALSE(bool(space.check(p))) << name << ": " << p.str();
    EXPECT_NE(p.str().find(" threads="), std::string::npos);
    std::vector<ScheduleParams> legal = space.enumerate();
    EXPECT_GT(legal.size(), 1u);
    // Every point maps blocks onto GPU threads, but the GPU autoschedulers'
    // (Li2018, Anderson2021: the tuner's seeds), which do their own mapping.
    std::vector<std::string> autoscheduled;
    for (const ScheduleParams &point : legal)
      if (point.strategy == ScheduleParams::Strategy::autoscheduled)
        autoscheduled.push_back(point.str());
      else
        EXPECT_TRUE(point.onGpu()) << point.str();
    EXPECT_EQ(autoscheduled,
              (std::vector<std::string>{"autoscheduled li2018", "autoscheduled anderson2021"}))
        << name;
    // A CPU schedule is not a GPU one, nor the reverse.
    ScheduleParams cpu = p;
    cpu.gpuThreadsChannels = cpu.gpuThreadsPixels = 0;
    llvm::Error cpuOnGpu = space.check(cpu);
    EXPECT_TRUE(bool(cpuOnGpu));
    llvm::consumeError(std::move(cpuOnGpu));
    ScheduleParams odd = p;
    odd.gpuThreadsChannels = 3;
    llvm::Error error = space.check(odd);
    ASSERT_TRUE(bool(error));
    EXPECT_NE(llvm::toString(std::move(error)).find("threads must be one of"), std::string::npos);
    llvm::Expected<TargetSelection> host = selectTarget("host");
    ScheduleSpace cpuSpace = host->backend->scheduleSpace(signature, host->halideTarget);
    llvm::Error onCpu = cpuSpace.check(p);
    ASSERT_TRUE(bool(onCpu));
    llvm::consumeError(std::move(onCpu));
  }
}

// A dense k × k convolution's default on a GPU: a narrow one gathers its
// input into shared memory; one of 128 output channels or more takes 16 × 16
// threads, gathering where the tile fits, and keeps the default threads
// inline where neither the tile fits nor the grid has many blocks.
TEST_F(KernelSignatureTest, GpuDenseConvolutionsWidenAndGather) {
  llvm::Expected<TargetSelection> target = selectTarget("cuda");
  ASSERT_TRUE(bool(target));
  const TargetBackend &backend = *target->backend;
  struct Case {
    int in, out, size;
    const char *expected;
  } cases[] = {
      {24, 24, 192, "channels=8 pixels=4 unroll parallel=none padded=block threads=4x32"},
      {48, 192, 96, "channels=8 pixels=4 unroll parallel=none padded=block threads=16x16"},
      {64, 256, 48, "channels=8 pixels=4 unroll parallel=none padded=inline threads=32x4"},
  };
  for (const Case &c : cases) {
    KernelSignature signature = convolutionSignature(c.in, c.out, c.size, 3);
    ScheduleParams p = backend.defaultSchedule(signature, target->halideTarget);
    EXPECT_EQ(p.str(), std::string("blocked lanes=1 ") + c.expected) << c.in << " -> " << c.out;
    EXPECT_FALSE(bool(backend.scheduleSpace(signature, target->halideTarget).check(p))) << p.str();
  }
}

// A GPU's dense convolution may run its warps along pixels (warp=pixels),
// sharing each filter value: its space offers that, a depthwise
// convolution's and a generic kernel's do not, and the text reads back.
TEST_F(KernelSignatureTest, GpuDenseConvolutionsMayRunWarpsAlongPixels) {
  llvm::Expected<TargetSelection> target = selectTarget("cuda");
  ASSERT_TRUE(bool(target));
  const TargetBackend &backend = *target->backend;
  auto alongPixels = [&](const KernelSignature &signature) {
    ScheduleParams p = backend.defaultSchedule(signature, target->halideTarget);
    p.gpuWarp = ScheduleParams::Warp::pixels;
    llvm::Error error = backend.scheduleSpace(signature, target->halideTarget).check(p);
    return std::pair{p.str(), error ? llvm::toString(std::move(error)) : std::string()};
  };
  auto [dense, denseError] = alongPixels(convolutionSignature(48, 192, 96, 3));
  EXPECT_EQ(dense, "blocked lanes=1 channels=8 pixels=4 unroll parallel=none padded=block "
                   "threads=16x16 warp=pixels");
  EXPECT_EQ(denseError, "");
  llvm::Expected<ScheduleParams> read = ScheduleParams::parse(dense);
  ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
  EXPECT_EQ(read->gpuWarp, ScheduleParams::Warp::pixels);
  auto [depthwise, depthwiseError] =
      alongPixels(onlySignature(depthwiseConvolution(1152, 7, 5, 1)));
  EXPECT_NE(depthwiseError.find("warp=pixels is for a GPU's dense convolutions"), std::string::npos)
      << depthwise;
  auto [pointwise, pointwiseError] = alongPixels(convolutionSignature(64, 64, 16, 1));
  EXPECT_NE(pointwiseError, "") << pointwise;
}

// On a GPU, padded=block gathers a thread block's padded input into shared
// memory: only a convolution that pads has such an input, and only a tile
// within 48 KiB fits (every input channel of a dense convolution × the
// block's window columns × its rows).
TEST_F(KernelSignatureTest, GpuThreadBlocksGatherPaddedInputsInSharedMemory) {
  llvm::Expected<TargetSelection> target = selectTarget("cuda");
  ASSERT_TRUE(bool(target));
  const TargetBackend &backend = *target->backend;
  auto gathered = [&](const KernelSignature &signature) {
    ScheduleParams p = backend.defaultSchedule(signature, target->halideTarget);
    p.paddedInput = ScheduleParams::PaddedInput::perBlock;
    return std::pair{p, backend.scheduleSpace(signature, target->halideTarget).check(p)};
  };
  auto refusal = [](llvm::Error error) {
    return error ? llvm::toString(std::move(error)) : std::string();
  };

  // 64 channels, 32 × 4 threads of 8 × 4 outputs: 64 × 18 columns × 3 rows.
  auto [fits, fitsError] = gathered(convolutionSignature(64, 256, 48, 3));
  EXPECT_EQ(fits.str(),
            "blocked lanes=1 channels=8 pixels=4 unroll parallel=none padded=block threads=32x4");
  EXPECT_EQ(refusal(std::move(fitsError)), "");
  // 256 channels, 8 × 8 threads of 8 × 4 outputs: 256 × 34 columns × 3 rows.
  auto [tooWide, tooWideError] = gathered(convolutionSignature(256, 64, 32, 3));
  EXPECT_NE(refusal(std::move(tooWideError))
                .find("its input tile takes 104448 bytes of shared memory, over the 49152"),
            std::string::npos)
      << tooWide.str();
  auto [pointwise, pointwiseError] = gathered(convolutionSignature(64, 64, 16, 1));
  EXPECT_NE(refusal(std::move(pointwiseError)).find("no padded input to place"), std::string::npos)
      << pointwise.str();
  // A depthwise tile holds the block's channels only.
  auto [depthwise, depthwiseError] = gathered(onlySignature(depthwiseConvolution(1152, 7, 5, 1)));
  EXPECT_EQ(refusal(std::move(depthwiseError)), "") << depthwise.str();
}
// A tuning database stores schedules as text: every legal schedule of every
// target reads back as itself, and anything else is refused by word.

TEST_F(KernelSignatureTest, SchedulesReadBackFromText) {
  signatures("", "silu");
  KernelSignature signature = *signatureOf(plans[1]);
  for (const char *name : {"x86-64-avx2", "x86-64-avx512", "arm64", "cuda"}) {
    llvm::Expected<TargetSelection> target = selectTarget(name);
    ASSERT_TRUE(bool(target)) << name;
    for (const ScheduleParams &legal :
         target->backend->scheduleSpace(signature, target->halideTarget).enumerate()) {
      llvm::Expected<ScheduleParams> read = ScheduleParams::parse(legal.str());
      ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
      EXPECT_EQ(*read, legal) << legal.str();
    }
  }
  // A float kernel on a CPU also has Adams2019's schedule, without parameters.
  llvm::Expected<TargetSelection> avx2 = selectTarget("x86-64-avx2");
  ASSERT_TRUE(bool(avx2));
  std::vector<ScheduleParams> points =
      avx2->backend->scheduleSpace(signature, avx2->halideTarget).enumerate();
  EXPECT_EQ(
      llvm::count_if(points,
                     [](const ScheduleParams &p) { return p.str() == "autoscheduled adams2019"; }),
      1);
  for (const char *bad : {"", "tiled lanes=8", "blocked lanes=eight", "generic lanes=8 fast",
                          "blocked lanes=8 channels=0 pixels=4 unroll parallel=rows padded=block",
                          "generic parallel=rows lanes=8", "autoscheduled",
                          "autoscheduled mullapudi2016", "autoscheduled adams2019 lanes=8"}) {
    llvm::Expected<ScheduleParams> read = ScheduleParams::parse(bad);
    EXPECT_FALSE(bool(read)) << bad;
    if (!read)
      EXPECT_NE(llvm::toString(read.takeError()).find("cannot read"), std::string::npos);
  }
}

TEST(TargetSelection, NamesAndErrors) {
  llvm::Expected<TargetSelection> arm = selectTarget("arm64");
  ASSERT_TRUE(bool(arm));
  EXPECT_EQ(arm->backend->name(), "arm64");
  llvm::Expected<TargetSelection> full = selectTarget("arm-64-linux-arm_dot_prod");
  ASSERT_TRUE(bool(full));
  EXPECT_EQ(full->backend->name(), "arm64");
  llvm::Expected<TargetSelection> host = selectTarget("host");
  ASSERT_TRUE(bool(host)); // whatever this machine is, cnnc has a backend for it

  auto message = [](llvm::Expected<TargetSelection> selection) {
    EXPECT_FALSE(bool(selection));
    return selection ? std::string() : llvm::toString(selection.takeError());
  };
  EXPECT_NE(message(selectTarget("x86-65-linux")).find("unknown target 'x86-65-linux'"),
            std::string::npos);
  EXPECT_NE(message(selectTarget("riscv-64-linux")).find("no cnnc backend"), std::string::npos);
  EXPECT_NE(message(selectTarget("hexagon-32-noos-hvx_128")).find("for HVX v66"),
            std::string::npos);
  EXPECT_NE(message(selectTarget("hexagon-32-qurt-hvx_128-hvx_v66")).find("noos target"),
            std::string::npos);
  EXPECT_NE(message(selectTarget("x86-64-windows")).find("Linux only"), std::string::npos);
}

// CPU kernels run on buffers the runtime builds itself and drop Halide's
// assertions; kernels that call a device runtime keep them, so that a
// failed copy or launch is an error, not a wrong answer.
TEST(TargetSelection, CpuKernelsDropAssertionsDeviceKernelsKeepThem) {
  for (const char *name : {"x86-64-linux-avx2", "arm64", "cuda", "opencl"}) {
    llvm::Expected<TargetSelection> target = selectTarget(name);
    ASSERT_TRUE(bool(target)) << name;
    bool device = target->backend->name() == gpuBackend().name();
    EXPECT_EQ(target->backend->keepsKernelAssertions(), device) << name;
    Halide::Target compiled = kernelTarget(*target);
    EXPECT_EQ(compiled.has_feature(Halide::Target::NoAsserts), !device) << name;
    EXPECT_EQ(compiled.without_feature(Halide::Target::NoAsserts),
              Halide::Target(target->halideTarget))
        << name; // nothing else changes
  }
}

} // namespace
} // namespace cnnc
