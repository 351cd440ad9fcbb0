//===- WeightImport.cpp - weights for a lowered model ---------------------===//
#include "frontend/WeightImport.h"
#include "dialect/Cnn.h"
#include "support/Format.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

namespace cnnc {

static std::string shapeOf(llvm::ArrayRef<int64_t> shape) { return formatShape(shape, "[]"); }

llvm::Expected<WeightSet> importWeightsFile(mlir::func::FuncOp model, llvm::StringRef path) {
  llvm::Expected<SafetensorsFile> file = SafetensorsFile::open(path);
  if (!file)
    return file.takeError();
  return importWeights(model, *file);
}

llvm::Expected<WeightSet> importWeights(mlir::func::FuncOp model, const SafetensorsFile &file) {
  constexpr size_t kMaxListed = 20;
  std::vector<std::string> problems;
  llvm::StringSet<> wanted;
  WeightSet weights;
  model.walk([&](cnn::WeightOp op) {
    llvm::StringRef name = op.getName();
    if (!wanted.insert(name).second)
      return; // a weight used twice (CBAM's shared MLP) is read once
    auto expected = llvm::cast<mlir::RankedTensorType>(op.getType()).getShape();
    auto it = file.tensors().find(name);
    if (it == file.tensors().end()) {
      problems.push_back("missing tensor '" + name.str() + "' " + shapeOf(expected));
      return;
    }
    if (llvm::ArrayRef<int64_t>(it->second.shape) != expected) {
      problems.push_back("tensor '" + name.str() + "' has shape " + shapeOf(it->second.shape) +
                         ", the model needs " + shapeOf(expected));
      return;
    }
    llvm::Expected<std::vector<float>> values = file.readFloat32(name);
    if (!values) {
      problems.push_back(llvm::toString(values.takeError()));
      return;
    }
    weights[name] = std::move(*values);
  });
  for (const auto &entry : file.tensors())
    if (!wanted.contains(entry.getKey()) && !entry.getKey().ends_with(".num_batches_tracked"))
      problems.push_back("extra tensor '" + entry.getKey().str() + "' " +
                         shapeOf(entry.getValue().shape) + " is not in the model");
  if (problems.empty())
    return weights;

  std::string message;
  llvm::raw_string_ostream os(message);
  os << file.path() << ": " << problems.size() << " weight problem"
     << (problems.size() == 1 ? "" : "s") << " for model '" << model.getSymName() << "':";
  for (size_t i = 0; i < problems.size() && i < kMaxListed; ++i)
    os << "\n  " << problems[i];
  if (problems.size() > kMaxListed)
    os << "\n  ... and " << problems.size() - kMaxListed << " more";
  return llvm::createStringError(std::errc::invalid_argument, "%s", os.str().c_str());
}

WeightSet randomWeights(mlir::func::FuncOp model, uint64_t seed) {
  std::mt19937_64 rng(seed);
  WeightSet weights;
  model.walk([&](cnn::WeightOp op) {
    llvm::StringRef name = op.getName();
    if (weights.count(name))
      return;
    auto shape = llvm::cast<mlir::RankedTensorType>(op.getType()).getShape();
    std::vector<float> values(llvm::cast<mlir::RankedTensorType>(op.getType()).getNumElements());
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 0.1f);
    float fanIn = 1;
    for (size_t d = 1; d < shape.size(); ++d)
      fanIn *= static_cast<float>(shape[d]);
    float bound = std::sqrt(3.0f / fanIn);
    for (float &v : values) {
      if (shape.size() > 1)
        v = (2 * uniform(rng) - 1) * bound;
      else if (name.ends_with("running_var"))
        v = 0.5f + 1.5f * uniform(rng);
      else if (name.ends_with(".weight"))
        v = 0.5f + uniform(rng);
      else
        v = normal(rng);
    }
    weights[name] = std::move(values);
  });
  return weights;
}

} // namespace cnnc
