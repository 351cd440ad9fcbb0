//===- SpecTree.h - a spec file as a located tree ---------------*- C++ -*-===//
//
// YAML is read into a small tree whose every node remembers where it was
// written, so that the reader can point at the offending key or value and so
// that a spec can be merged over its `base:` before it is read.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_SPECTREE_H
#define CNNC_FRONTEND_SPECTREE_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <string>
#include <vector>

namespace cnnc::spec {

/// Turns source positions into MLIR locations and errors, so spec errors and
/// IR errors reach the user through the same handler, as file:line:col.
class Diagnostics {
public:
  Diagnostics(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context)
      : sourceMgr(sourceMgr), context(context) {}

  mlir::Location location(llvm::SMLoc loc) const;
  mlir::InFlightDiagnostic error(llvm::SMLoc loc) const { return mlir::emitError(location(loc)); }
  llvm::SourceMgr &getSourceMgr() const { return sourceMgr; }
  mlir::MLIRContext *getContext() const { return context; }

private:
  llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext *context;
};

struct Node {
  enum class Kind { Null, Scalar, Mapping, Sequence };
  struct Entry;

  Kind kind = Kind::Null;
  llvm::SMLoc loc;
  std::string scalar;
  std::vector<Entry> entries; // Mapping, in file order.
  std::vector<Node> items;    // Sequence.

  const Node *find(llvm::StringRef key) const;
  const Entry *findEntry(llvm::StringRef key) const;
};

struct Node::Entry {
  std::string key;
  llvm::SMLoc keyLoc;
  Node value;
};

/// Parses buffer `bufferId` of the diagnostics' SourceMgr. Fails, after an
/// error, on malformed YAML, aliases, tags, duplicate keys or an empty document.
mlir::FailureOr<Node> parseSpecTree(unsigned bufferId, const Diagnostics &diag);

/// `over` laid over `base`: keys of `over` win; for the keys in `mergedKeys`
/// whose values are mappings on both sides, the mappings are merged one level
/// deep instead of replaced.
Node mergeSpecTrees(const Node &base, const Node &over, llvm::ArrayRef<llvm::StringRef> mergedKeys);

} // namespace cnnc::spec

#endif // CNNC_FRONTEND_SPECTREE_H
