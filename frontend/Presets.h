//===- Presets.h - the preset specs shipped with cnnc -----------*- C++ -*-===//
#ifndef CNNC_FRONTEND_PRESETS_H
#define CNNC_FRONTEND_PRESETS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace cnnc {

/// Preset names, sorted.
std::vector<llvm::StringRef> presetNames();

/// The spec text of preset `name`, if there is one.
std::optional<llvm::StringRef> presetText(llvm::StringRef name);

} // namespace cnnc

#endif // CNNC_FRONTEND_PRESETS_H
