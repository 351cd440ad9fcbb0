//===- SpecTree.cpp - a spec file as a located tree -----------------------===//
#include "frontend/SpecTree.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/YAMLParser.h"

using namespace mlir;
namespace yaml = llvm::yaml;

namespace cnnc::spec {

Location Diagnostics::location(llvm::SMLoc loc) const {
  unsigned bufferId = sourceMgr.FindBufferContainingLoc(loc);
  if (!bufferId)
    return UnknownLoc::get(context);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferId);
  StringRef file = sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier();
  return FileLineColLoc::get(context, file, line, column);
}

const Node::Entry *Node::findEntry(StringRef key) const {
  for (const Entry &entry : entries)
    if (entry.key == key)
      return &entry;
  return nullptr;
}

const Node *Node::find(StringRef key) const {
  const Entry *entry = findEntry(key);
  return entry ? &entry->value : nullptr;
}

namespace {

/// Deeper nesting than any spec needs is refused before it can exhaust the
/// stack (the YAML parser and this builder both recurse per level).
constexpr int kMaxNesting = 64;

class TreeBuilder {
public:
  TreeBuilder(const Diagnostics &diag, const bool &yamlFailed)
      : diag(diag), yamlFailed(yamlFailed) {}

  FailureOr<Node> build(yaml::Node *yamlNode, int depth = 0) {
    // The parser is lazy: after a syntax error (already reported) it hands
    // out null or partial nodes, so nothing more is read.
    if (!yamlNode || yamlFailed)
      return failure();
    Node node;
    node.loc = yamlNode->getSourceRange().Start;
    if (depth > kMaxNesting)
      return diag.error(node.loc) << "the spec nests deeper than " << kMaxNesting << " levels",
             failure();
    if (!yamlNode->getRawTag().empty())
      return diag.error(node.loc) << "YAML tags are not supported in specs", failure();
    if (isa<yaml::NullNode>(yamlNode))
      return node;
    if (auto *scalar = dyn_cast<yaml::ScalarNode>(yamlNode)) {
      SmallString<32> storage;
      node.kind = Node::Kind::Scalar;
      node.scalar = scalar->getValue(storage).str();
      return node;
    }
    if (auto *mapping = dyn_cast<yaml::MappingNode>(yamlNode)) {
      node.kind = Node::Kind::Mapping;
      llvm::StringSet<> seen;
      for (yaml::KeyValueNode &kv : *mapping) {
        auto *key = dyn_cast_or_null<yaml::ScalarNode>(kv.getKey());
        if (yamlFailed)
          return failure();
        if (!key)
          return diag.error(kv.getSourceRange().Start) << "keys must be plain words", failure();
        SmallString<32> storage;
        std::string keyText = key->getValue(storage).str();
        if (!seen.insert(keyText).second)
          return diag.error(key->getSourceRange().Start) << "duplicate key '" << keyText << "'",
                 failure();
        FailureOr<Node> value = build(kv.getValue(), depth + 1);
        if (failed(value))
          return failure();
        node.entries.push_back({keyText, key->getSourceRange().Start, std::move(*value)});
      }
      return node;
    }
    if (auto *sequence = dyn_cast<yaml::SequenceNode>(yamlNode)) {
      node.kind = Node::Kind::Sequence;
      for (yaml::Node &item : *sequence) {
        FailureOr<Node> value = build(&item, depth + 1);
        if (failed(value))
          return failure();
        node.items.push_back(std::move(*value));
      }
      return node;
    }
    return diag.error(node.loc) << "YAML aliases and anchors are not supported in specs", failure();
  }

private:
  const Diagnostics &diag;
  const bool &yamlFailed;
};

} // namespace

FailureOr<Node> parseSpecTree(unsigned bufferId, const Diagnostics &diag) {
  const llvm::MemoryBuffer *buffer = diag.getSourceMgr().getMemoryBuffer(bufferId);
  llvm::SMLoc start = llvm::SMLoc::getFromPointer(buffer->getBufferStart());

  // The YAML parser reports through a SourceMgr of its own (MLIR's handler
  // prints through the main one, so sharing it would recurse). Its buffer is
  // the same memory, so the locations resolve in the main SourceMgr.
  bool yamlFailed = false;
  struct Route {
    const Diagnostics *diag;
    bool *failed;
  } route{&diag, &yamlFailed};
  llvm::SourceMgr yamlSourceMgr;
  yamlSourceMgr.setDiagHandler(
      [](const llvm::SMDiagnostic &d, void *context) {
        auto *r = static_cast<Route *>(context);
        *r->failed = true;
        r->diag->error(d.getLoc()) << "malformed YAML: " << d.getMessage();
      },
      &route);
  yaml::Stream stream(buffer->getMemBufferRef(), yamlSourceMgr);
  yaml::document_iterator document = stream.begin();
  yaml::Node *root = document != stream.end() ? document->getRoot() : nullptr;
  FailureOr<Node> result = failure();
  if (!yamlFailed && (!root || isa<yaml::NullNode>(root))) {
    diag.error(start) << "the spec is empty";
  } else if (!yamlFailed) {
    // The parser is lazy: syntax errors inside the document surface while the
    // tree is built, so yamlFailed is checked again afterwards.
    result = TreeBuilder(diag, yamlFailed).build(root);
    if (succeeded(result) && !yamlFailed && ++document != stream.end()) {
      diag.error(start) << "a spec holds one YAML document";
      result = failure();
    }
  }

  if (yamlFailed || failed(result))
    return failure();
  if (result->kind != Node::Kind::Mapping)
    return diag.error(result->loc) << "a spec must be a mapping of keys to values", failure();
  return result;
}

Node mergeSpecTrees(const Node &base, const Node &over, ArrayRef<StringRef> mergedKeys) {
  Node merged = base;
  for (const Node::Entry &entry : over.entries) {
    Node::Entry *existing = nullptr;
    for (Node::Entry &candidate : merged.entries)
      if (candidate.key == entry.key)
        existing = &candidate;
    if (!existing) {
      merged.entries.push_back(entry);
      continue;
    }
    bool mergeInside = llvm::is_contained(mergedKeys, entry.key) &&
                       existing->value.kind == Node::Kind::Mapping &&
                       entry.value.kind == Node::Kind::Mapping;
    existing->keyLoc = entry.keyLoc;
    existing->value = mergeInside ? mergeSpecTrees(existing->value, entry.value, {}) : entry.value;
  }
  merged.loc = over.loc;
  return merged;
}

} // namespace cnnc::spec
