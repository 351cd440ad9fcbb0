//===- Presets.cpp - the preset specs shipped with cnnc -------------------===//
#include "frontend/Presets.h"

#include "support/EmbeddedFile.h"

namespace cnnc {

/// frontend/presets/*.yaml, embedded at build time (PresetData.cpp).
extern const EmbeddedFile kEmbeddedPresets[];
extern const size_t kEmbeddedPresetsCount;

static const EmbeddedTable kPresets{kEmbeddedPresets, kEmbeddedPresetsCount, ".yaml"};

std::vector<llvm::StringRef> presetNames() { return kPresets.names(); }

std::optional<llvm::StringRef> presetText(llvm::StringRef name) { return kPresets.text(name); }

} // namespace cnnc
