//===- SpecLoaderTest.cpp - presets and specs through the frontend --------===//
#include "frontend/SpecLoader.h"
#include "dialect/Effnet.h"
#include "frontend/Presets.h"
#include "passes/ModelStats.h"
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

/// Loads specs and collects the diagnostics they produce as "file:line:col: message".
class SpecLoaderTest : public CollectedDiagnostics {
protected:
  OwningOpRef<ModuleOp> load(StringRef model) {
    return cnnc::loadModelSpec(model, sources, context);
  }

  /// Writes `text` to a temporary spec file and returns its path.
  std::string writeSpec(StringRef name, StringRef text) {
    SmallString<128> dir;
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("cnnc-spec", dir));
    std::string path = (dir + "/" + name).str();
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << text;
    return path;
  }

  cnnc::ModelStats lowerAndMeasure(ModuleOp module) {
    PassManager pm(&context);
    cnnc::buildCnncFrontendPipeline(pm, cnnc::CnncPipelineOptions());
    EXPECT_TRUE(succeeded(pm.run(module)));
    return cnnc::computeModelStats(*module.getOps<func::FuncOp>().begin());
  }
};

TEST_F(SpecLoaderTest, EveryPresetLoadsAndLowers) {
  ASSERT_GE(cnnc::presetNames().size(), 19u);
  for (StringRef name : cnnc::presetNames()) {
    SCOPED_TRACE(name.str());
    OwningOpRef<ModuleOp> module = load(name);
    ASSERT_TRUE(module) << (errors.empty() ? "" : errors.front());
    EXPECT_GT(lowerAndMeasure(*module).params, 0);
  }
  EXPECT_TRUE(errors.empty());
}

TEST_F(SpecLoaderTest, OverridesMergeIntoTheBase) {
  std::string path = writeSpec("wide-stem.yaml", "base: efficientnet-b0\n"
                                                 "stem: {channels: 40}\n"
                                                 "num_classes: 10\n");
  OwningOpRef<ModuleOp> module = load(path);
  ASSERT_TRUE(module);
  auto model = *module->getOps<cnnc::effnet::ModelOp>().begin();
  EXPECT_EQ(model.getSymName(), "wide-stem"); // named after the spec, not its base
  EXPECT_EQ(model.getNumClasses(), 10u);
  auto stem = *model.getBody().getOps<cnnc::effnet::StemOp>().begin();
  EXPECT_EQ(stem.getChannels(), 40u);
  EXPECT_EQ(stem.getKernel(), 3u); // kept from the base's stem
  EXPECT_EQ(std::distance(model.getBody().getOps<cnnc::effnet::StageOp>().begin(),
                          model.getBody().getOps<cnnc::effnet::StageOp>().end()),
            7);
}

TEST_F(SpecLoaderTest, AttentionOverrideSwapsSeForCbam) {
  std::string se = writeSpec("se.yaml", "base: efficientnet-b0\n");
  std::string cbam = writeSpec("cbam.yaml", "base: efficientnet-b0\nattention: cbam\n");
  OwningOpRef<ModuleOp> seModule = load(se), cbamModule = load(cbam);
  ASSERT_TRUE(seModule && cbamModule);
  cnnc::ModelStats seStats = lowerAndMeasure(*seModule);
  cnnc::ModelStats cbamStats = lowerAndMeasure(*cbamModule);
  // CBAM's channel MLP has SE's weights; each block adds a 7×7 2→1 conv and its batch norm.
  EXPECT_EQ(cbamStats.params - seStats.params, 16 * (7 * 7 * 2 + 2));
}

TEST_F(SpecLoaderTest, BaseIsResolvedRelativeToTheSpec) {
  std::string base = writeSpec("parent.yaml", "base: mobilenet-v2\nnum_classes: 7\n");
  SmallString<128> dir = llvm::sys::path::parent_path(base);
  std::string child = (dir + "/child.yaml").str();
  std::error_code ec;
  llvm::raw_fd_ostream(child, ec) << "base: parent.yaml\nresolution: 160\n";
  OwningOpRef<ModuleOp> module = load(child);
  ASSERT_TRUE(module);
  auto model = *module->getOps<cnnc::effnet::ModelOp>().begin();
  EXPECT_EQ(model.getNumClasses(), 7u);
  EXPECT_EQ(model.getResolution(), 160u);
}

TEST_F(SpecLoaderTest, UnknownPresetIsNamed) {
  EXPECT_FALSE(load("efficientnet-b9"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unknown preset 'efficientnet-b9'"), std::string::npos);
  EXPECT_NE(errors[0].find("efficientnet-b0"), std::string::npos); // lists the known ones
}

TEST_F(SpecLoaderTest, EachMistakeIsReportedAtItsPlace) {
  std::string path = writeSpec("two-mistakes.yaml", "base: efficientnet-b0\n"
                                                    "stages:\n"
                                                    "  - {channels: 16, stride: 3}\n"
                                                    "  - {channels: 24, kernel: 4}\n");
  EXPECT_FALSE(load(path));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "two-mistakes.yaml:3:28: 'stride' must be a stride of 1 or 2, got '3'");
  EXPECT_EQ(errors[1],
            "two-mistakes.yaml:4:28: 'kernel' must be a kernel size of 3, 5 or 7, got '4'");
}

} // namespace
