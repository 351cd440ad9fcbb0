//===- Presets.cpp - the preset specs shipped with cnnc -------------------===//
#include "frontend/Presets.h"

#include "llvm/ADT/STLExtras.h"

namespace cnnc {

std::vector<llvm::StringRef> presetNames() {
  std::vector<llvm::StringRef> names;
  for (size_t i = 0; i < kNumEmbeddedPresets; ++i)
    names.push_back(kEmbeddedPresets[i].name);
  llvm::sort(names);
  return names;
}

std::optional<llvm::StringRef> presetText(llvm::StringRef name) {
  for (size_t i = 0; i < kNumEmbeddedPresets; ++i)
    if (name == kEmbeddedPresets[i].name)
      return llvm::StringRef(kEmbeddedPresets[i].text);
  return std::nullopt;
}

} // namespace cnnc
