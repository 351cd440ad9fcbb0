//===- SpecReader.h - spec tree to effnet IR --------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_SPECREADER_H
#define CNNC_FRONTEND_SPECREADER_H

#include "frontend/SpecTree.h"
#include "mlir/IR/BuiltinOps.h"

namespace cnnc::spec {

/// Keys whose mappings a spec merges into its base's instead of replacing.
llvm::ArrayRef<llvm::StringRef> mergedSectionKeys();

/// Reads a (merged) spec tree into an effnet.model appended to `module`.
/// `defaultName` names the model when the spec has no `name`. Every error is
/// reported at the key or value it concerns; fails if there was any.
mlir::LogicalResult readModelSpec(const Node &root, llvm::StringRef defaultName,
                                  const Diagnostics &diag, mlir::ModuleOp module);

} // namespace cnnc::spec

#endif // CNNC_FRONTEND_SPECREADER_H
