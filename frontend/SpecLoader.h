//===- SpecLoader.h - preset or spec file to effnet IR ----------*- C++ -*-===//
#ifndef CNNC_FRONTEND_SPECLOADER_H
#define CNNC_FRONTEND_SPECLOADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

namespace cnnc {

/// Loads `model`, a preset name or the path of a spec file (anything ending in
/// .yaml/.yml or containing a '/'), following its `base:` chain, into a module
/// holding one effnet.model. Errors go to `context`'s diagnostic handler,
/// located in the buffers this adds to `sourceMgr`; null on error.
mlir::OwningOpRef<mlir::ModuleOp> loadModelSpec(llvm::StringRef model, llvm::SourceMgr &sourceMgr,
                                                mlir::MLIRContext &context);

} // namespace cnnc

#endif // CNNC_FRONTEND_SPECLOADER_H
