//===- HalideMlirCoexistTest.cpp - Halide 21 and MLIR 19 in one process ---===//
//
// libHalide carries its own LLVM with its symbols hidden; MLIR links Debian's
// libLLVM-19. This builds an MLIR module and JIT-compiles a Halide pipeline in
// the same binary, which is what codegen will do.
//
//===----------------------------------------------------------------------===//
#include "frontend/SpecLoader.h"
#include "passes/ModelStats.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

#include <Halide.h>
#include <gtest/gtest.h>

#include <cmath>

TEST(HalideMlirCoexist, BuildMlirThenJitHalide) {
  mlir::MLIRContext context;
  llvm::SourceMgr sources;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      cnnc::loadModelSpec("mobilenet-v3-small", sources, context);
  ASSERT_TRUE(module);
  mlir::PassManager pm(&context);
  cnnc::buildCnncFrontendPipeline(pm, cnnc::CnncPipelineOptions());
  ASSERT_TRUE(mlir::succeeded(pm.run(*module)));
  auto model = *module->getOps<mlir::func::FuncOp>().begin();
  EXPECT_EQ(cnnc::computeModelStats(model).params, 2542856);

  // A SiLU over a 2-D buffer, JIT-compiled for the host.
  Halide::Func silu("silu");
  Halide::Var x("x"), y("y");
  Halide::Buffer<float> input(16, 4);
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 16; ++i)
      input(i, j) = static_cast<float>(i - 8) * 0.5f + static_cast<float>(j);
  Halide::Expr v = input(x, y);
  silu(x, y) = v / (1.0f + Halide::exp(-v));
  silu.vectorize(x, 8);
  Halide::Buffer<float> output = silu.realize({16, 4});
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 16; ++i) {
      float in = input(i, j);
      EXPECT_NEAR(output(i, j), in / (1.0f + std::exp(-in)), 1e-5f);
    }
}
