//===- Presets.cpp - the preset specs shipped with cnnc -------------------===//
#include "frontend/Presets.h"

#include "support/EmbeddedFile.h"

#include "llvm/ADT/STLExtras.h"

#include <cstring>

namespace cnnc {

/// frontend/presets/*.yaml, embedded at build time (PresetData.cpp).
extern const EmbeddedFile kEmbeddedPresets[];
extern const size_t kEmbeddedPresetsCount;

/// "efficientnet-b0.yaml" → "efficientnet-b0".
static llvm::StringRef presetName(const EmbeddedFile &file) {
  return llvm::StringRef(file.name).drop_back(strlen(".yaml"));
}

std::vector<llvm::StringRef> presetNames() {
  std::vector<llvm::StringRef> names;
  for (size_t i = 0; i < kEmbeddedPresetsCount; ++i)
    names.push_back(presetName(kEmbeddedPresets[i]));
  llvm::sort(names);
  return names;
}

std::optional<llvm::StringRef> presetText(llvm::StringRef name) {
  for (size_t i = 0; i < kEmbeddedPresetsCount; ++i)
    if (name == presetName(kEmbeddedPresets[i]))
      return llvm::StringRef(kEmbeddedPresets[i].text);
  return std::nullopt;
}

} // namespace cnnc
