//===- WeightSchemes.h - checkpoint naming schemes --------------*- C++ -*-===//
//
// The same trained network is saved under different tensor names by the
// libraries that train or port it. A cnn.weight is named as torchvision names
// it (the canonical name, used in weights files and signatures); its `aliases`
// dictionary gives its name under each other scheme that can express it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECT_WEIGHTSCHEMES_H
#define CNNC_DIALECT_WEIGHTSCHEMES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <iterator>
#include <optional>

namespace cnnc {

enum class WeightScheme { torchvision, timm, efficientnetPytorch };

struct WeightSchemeInfo {
  WeightScheme scheme;
  llvm::StringRef name;     // as users write it (--weight-scheme, messages)
  llvm::StringRef aliasKey; // its key in a cnn.weight's aliases; empty for the canonical scheme
};

/// Every scheme, in the order import tries them; indexed by WeightScheme.
inline constexpr WeightSchemeInfo kWeightSchemes[] = {
    {WeightScheme::torchvision, "torchvision", ""},
    {WeightScheme::timm, "timm", "timm"},
    {WeightScheme::efficientnetPytorch, "efficientnet-pytorch", "efficientnet_pytorch"}};

constexpr size_t kNumWeightSchemes = std::size(kWeightSchemes);

inline llvm::ArrayRef<WeightSchemeInfo> weightSchemes() { return kWeightSchemes; }

inline const WeightSchemeInfo &weightSchemeInfo(WeightScheme scheme) {
  return kWeightSchemes[static_cast<size_t>(scheme)];
}

inline std::optional<WeightScheme> parseWeightScheme(llvm::StringRef name) {
  for (const WeightSchemeInfo &info : kWeightSchemes)
    if (info.name == name)
      return info.scheme;
  return std::nullopt;
}

} // namespace cnnc

#endif // CNNC_DIALECT_WEIGHTSCHEMES_H
