//===- Versions.h - the versions a compiled artifact depends on -*- C++ -*-===//
//
// A package names cnnc's version; a tuning record names cnnc's and Halide's,
// because a measured time holds only for the code both generate.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_VERSIONS_H
#define CNNC_CODEGEN_VERSIONS_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc {

/// cnnc's version, the project's ("0.1.0").
llvm::StringRef cnncVersion();

/// The version of the Halide cnnc generates kernels with ("21.0.0").
std::string halideVersion();

} // namespace cnnc

#endif // CNNC_CODEGEN_VERSIONS_H
