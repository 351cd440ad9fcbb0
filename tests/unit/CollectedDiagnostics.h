//===- CollectedDiagnostics.h - a test's MLIR errors as strings -*- C++ -*-===//
#ifndef CNNC_TESTS_UNIT_COLLECTEDDIAGNOSTICS_H
#define CNNC_TESTS_UNIT_COLLECTEDDIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

/// A fixture with a context whose diagnostics are collected as
/// "file:line:col: message" (the file without its directory), for tests of
/// located errors.
class CollectedDiagnostics : public ::testing::Test {
protected:
  CollectedDiagnostics()
      : handler(&context, [this](mlir::Diagnostic &d) {
          std::string text;
          llvm::raw_string_ostream os(text);
          if (auto loc = llvm::dyn_cast<mlir::FileLineColLoc>(d.getLocation()))
            os << llvm::sys::path::filename(loc.getFilename().strref()) << ":" << loc.getLine()
               << ":" << loc.getColumn() << ": ";
          os << d.str();
          errors.push_back(os.str());
          return mlir::success();
        }) {}

  mlir::MLIRContext context;
  llvm::SourceMgr sources;
  std::vector<std::string> errors;
  mlir::ScopedDiagnosticHandler handler;
};

#endif // CNNC_TESTS_UNIT_COLLECTEDDIAGNOSTICS_H
