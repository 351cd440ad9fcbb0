//===- WeightImport.cpp - weights for a lowered model ---------------------===//
#include "frontend/WeightImport.h"
#include "dialect/Cnn.h"
#include "support/Format.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

namespace cnnc {
namespace {

std::string shapeOf(llvm::ArrayRef<int64_t> shape) { return formatShape(shape, "[]"); }

/// How well one naming scheme fits a file.
struct SchemeFit {
  WeightScheme scheme;
  size_t found = 0, wanted = 0;
  std::string uncovered; // a tensor the scheme has no name for; the scheme cannot apply
  std::vector<std::string> problems;
  llvm::StringMap<std::string> fileNames; // cnn.weight name → the file's name for it

  bool fits() const { return uncovered.empty() && problems.empty(); }
};

SchemeFit fitScheme(mlir::func::FuncOp model, const SafetensorsFile &file, WeightScheme scheme) {
  SchemeFit fit{scheme};
  llvm::StringSet<> named; // the file names this scheme gives the model's tensors
  model.walk([&](cnn::WeightOp op) {
    if (!fit.uncovered.empty() || fit.fileNames.count(op.getName()))
      return; // a weight used twice (CBAM's shared MLP) is read once
    std::optional<llvm::StringRef> name = op.getNameIn(scheme);
    if (!name) {
      fit.uncovered = op.getName().str();
      return;
    }
    ++fit.wanted;
    named.insert(*name);
    fit.fileNames[op.getName()] = name->str();
    auto expected = llvm::cast<mlir::RankedTensorType>(op.getType()).getShape();
    auto it = file.tensors().find(*name);
    if (it == file.tensors().end()) {
      fit.problems.push_back("missing tensor '" + name->str() + "' " + shapeOf(expected));
      return;
    }
    ++fit.found;
    if (llvm::ArrayRef<int64_t>(it->second.shape) != expected)
      fit.problems.push_back("tensor '" + name->str() + "' has shape " + shapeOf(it->second.shape) +
                             ", the model needs " + shapeOf(expected));
  });
  if (!fit.uncovered.empty())
    return fit;
  for (const auto &entry : file.tensors())
    if (!named.contains(entry.getKey()) && !entry.getKey().ends_with(".num_batches_tracked"))
      fit.problems.push_back("extra tensor '" + entry.getKey().str() + "' " +
                             shapeOf(entry.getValue().shape) + " is not in the model");
  return fit;
}

/// The prefix before the file's first tensor name when the rest is a name
/// some scheme gives the model ("module." from DataParallel, "model.", ...).
std::optional<std::string> wrapperPrefix(const SafetensorsFile &file,
                                         llvm::ArrayRef<SchemeFit> fits) {
  if (file.tensors().empty())
    return std::nullopt;
  llvm::StringRef first = file.tensors().begin()->getKey();
  for (const SchemeFit &fit : fits)
    for (const auto &entry : fit.fileNames) {
      llvm::StringRef name = entry.getValue();
      if (first.size() > name.size() && first.ends_with(name) &&
          first[first.size() - name.size() - 1] == '.')
        return first.drop_back(name.size()).str();
    }
  return std::nullopt;
}

llvm::Error schemeError(mlir::func::FuncOp model, const SafetensorsFile &file,
                        llvm::ArrayRef<SchemeFit> fits) {
  constexpr size_t kMaxListed = 20;
  std::string message;
  llvm::raw_string_ostream os(message);
  os << file.path() << ": ";
  std::vector<const SchemeFit *> covering;
  for (const SchemeFit &fit : fits)
    if (fit.uncovered.empty())
      covering.push_back(&fit);
  auto problems = [&](const SchemeFit &fit) {
    os << fit.problems.size() << " weight problem" << (fit.problems.size() == 1 ? "" : "s")
       << " for model '" << model.getSymName() << "' (" << weightSchemeInfo(fit.scheme).name
       << " names):";
    for (size_t i = 0; i < fit.problems.size() && i < kMaxListed; ++i)
      os << "\n  " << fit.problems[i];
    if (fit.problems.size() > kMaxListed)
      os << "\n  ... and " << fit.problems.size() - kMaxListed << " more";
  };
  if (covering.empty()) {
    // Only a named scheme can fail so: torchvision's names cover every model.
    os << "model '" << model.getSymName() << "' has no " << weightSchemeInfo(fits[0].scheme).name
       << " names: that scheme does not build tensor '" << fits[0].uncovered
       << "' (cnnc's CBAM, or a layout it lacks)";
  } else if (covering.size() == 1) {
    problems(*covering.front());
  } else {
    const SchemeFit *closest = covering.front();
    for (const SchemeFit *fit : covering)
      if (fit->found > closest->found)
        closest = fit;
    os << "its tensor names fit no naming scheme of model '" << model.getSymName() << "'; tried:";
    for (const SchemeFit &fit : fits) {
      os << "\n  " << weightSchemeInfo(fit.scheme).name << ": ";
      if (!fit.uncovered.empty())
        os << "cannot name this model (it has no name for '" << fit.uncovered << "')";
      else
        os << fit.found << " of " << fit.wanted << " tensors found";
    }
    if (closest->found == 0) {
      os << "\nno tensor of the file has a name any scheme gives this model";
      if (!file.tensors().empty())
        os << " (the file has '" << file.tensors().begin()->getKey() << "', ...)";
      if (std::optional<std::string> prefix = wrapperPrefix(file, fits))
        os << ": its names are the model's after a prefix '" << *prefix
           << "' (saved from a wrapper module?); save the checkpoint without it";
      else
        os << ": is it a checkpoint of this network?";
    } else {
      os << "\nthe closest: ";
      problems(*closest);
    }
  }
  return llvm::createStringError(std::errc::invalid_argument, "%s", os.str().c_str());
}

} // namespace

llvm::Expected<ImportedWeights> importWeightsFile(mlir::func::FuncOp model, llvm::StringRef path,
                                                  std::optional<WeightScheme> scheme) {
  llvm::Expected<SafetensorsFile> file = SafetensorsFile::open(path);
  if (!file)
    return file.takeError();
  return importWeights(model, *file, scheme);
}

llvm::Expected<ImportedWeights> importWeights(mlir::func::FuncOp model, const SafetensorsFile &file,
                                              std::optional<WeightScheme> scheme) {
  std::vector<SchemeFit> fits;
  for (const WeightSchemeInfo &info : weightSchemes()) {
    if (scheme && *scheme != info.scheme)
      continue;
    fits.push_back(fitScheme(model, file, info.scheme));
    if (!fits.back().fits())
      continue;
    ImportedWeights imported{{}, info.scheme};
    for (const auto &entry : fits.back().fileNames) {
      llvm::Expected<std::vector<float>> values = file.readFloat32(entry.getValue());
      if (!values)
        return values.takeError();
      imported.weights[entry.getKey()] = std::move(*values);
    }
    return imported;
  }
  return schemeError(model, file, fits);
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
