//===- Versions.cpp - the versions a compiled artifact depends on ---------===//
#include "codegen/Versions.h"

#include "Halide.h"

namespace cnnc {

llvm::StringRef cnncVersion() { return CNNC_VERSION; }

std::string halideVersion() {
  return std::to_string(HALIDE_VERSION_MAJOR) + "." + std::to_string(HALIDE_VERSION_MINOR) + "." +
         std::to_string(HALIDE_VERSION_PATCH);
}

} // namespace cnnc
