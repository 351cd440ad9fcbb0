//===- SpecLoader.cpp - preset or spec file to effnet IR ------------------===//
#include "frontend/SpecLoader.h"
#include "dialect/Effnet.h"
#include "frontend/Presets.h"
#include "frontend/SpecReader.h"

#include "support/BoundedInput.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace cnnc {
namespace {

/// A spec is a page of YAML; the largest preset is 2 KB.
constexpr uint64_t kMaxSpecBytes = 1 << 20;

bool looksLikePath(StringRef ref) {
  return ref.ends_with(".yaml") || ref.ends_with(".yml") || ref.contains('/');
}

class Loader {
public:
  Loader(llvm::SourceMgr &sourceMgr, MLIRContext &context) : diag(sourceMgr, &context) {}

  /// The spec `ref` merged over its bases. `requestedAt` is the `base:` value
  /// that named it (invalid for the command line); `fromFile` the file that did.
  FailureOr<spec::Node> load(StringRef ref, llvm::SMLoc requestedAt, StringRef fromFile,
                             std::string *defaultName) {
    if (llvm::is_contained(chain, ref.str()))
      return diag.error(requestedAt)
                 << "'base: " << ref << "' forms a cycle: " << llvm::join(chain, " -> ") << " -> "
                 << ref,
             failure();
    FailureOr<unsigned> bufferId = open(ref, requestedAt, fromFile, defaultName);
    if (failed(bufferId))
      return failure();
    FailureOr<spec::Node> tree = spec::parseSpecTree(*bufferId, diag);
    if (failed(tree))
      return failure();

    auto baseEntry = llvm::find_if(tree->entries, [](auto &e) { return e.key == "base"; });
    if (baseEntry == tree->entries.end())
      return tree;
    const spec::Node &baseValue = baseEntry->value;
    if (baseValue.kind != spec::Node::Kind::Scalar)
      return diag.error(baseValue.loc) << "'base' must be a preset name or a spec path", failure();
    chain.push_back(ref.str());
    StringRef thisFile = diag.getSourceMgr().getMemoryBuffer(*bufferId)->getBufferIdentifier();
    FailureOr<spec::Node> base = load(baseValue.scalar, baseValue.loc, thisFile, nullptr);
    chain.pop_back();
    if (failed(base))
      return failure();
    // A spec is named after itself, never after its base.
    llvm::erase_if(base->entries, [](auto &e) { return e.key == "name"; });
    tree->entries.erase(baseEntry);
    return spec::mergeSpecTrees(*base, *tree, spec::mergedSectionKeys());
  }

  const spec::Diagnostics &diagnostics() const { return diag; }

private:
  /// Adds the text of a preset or file to the SourceMgr.
  FailureOr<unsigned> open(StringRef ref, llvm::SMLoc requestedAt, StringRef fromFile,
                           std::string *defaultName) {
    llvm::SourceMgr &sourceMgr = diag.getSourceMgr();
    if (!looksLikePath(ref)) {
      std::optional<StringRef> text = presetText(ref);
      if (!text)
        return diag.error(requestedAt) << "unknown preset '" << ref
                                       << "'; presets are: " << llvm::join(presetNames(), ", "),
               failure();
      if (defaultName)
        *defaultName = ref.str();
      return sourceMgr.AddNewSourceBuffer(
          llvm::MemoryBuffer::getMemBuffer(*text, ("presets/" + ref + ".yaml").str()),
          llvm::SMLoc());
    }
    // A base path is relative to the spec that names it.
    SmallString<256> path(ref);
    if (!fromFile.empty() && llvm::sys::path::is_relative(ref) &&
        !fromFile.starts_with("presets/")) {
      path = llvm::sys::path::parent_path(fromFile);
      llvm::sys::path::append(path, ref);
    }
    auto file = readBoundedFile(path, kMaxSpecBytes, "a spec", /*isText=*/true);
    if (!file)
      return diag.error(requestedAt)
                 << "cannot read spec '" << path << "': " << llvm::toString(file.takeError()),
             failure();
    if (defaultName)
      *defaultName = llvm::sys::path::stem(path).str();
    return sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  }

  spec::Diagnostics diag;
  std::vector<std::string> chain;
};

} // namespace

OwningOpRef<ModuleOp> loadModelSpec(StringRef model, llvm::SourceMgr &sourceMgr,
                                    MLIRContext &context) {
  context.loadDialect<effnet::EffnetDialect>();
  Loader loader(sourceMgr, context);
  std::string name;
  FailureOr<spec::Node> tree = loader.load(model, llvm::SMLoc(), "", &name);
  if (failed(tree))
    return nullptr;
  const spec::Diagnostics &diag = loader.diagnostics();
  OwningOpRef<ModuleOp> module = ModuleOp::create(diag.location(tree->loc));
  if (failed(spec::readModelSpec(*tree, name, diag, *module)))
    return nullptr;
  return module;
}

} // namespace cnnc
