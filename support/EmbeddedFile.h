//===- EmbeddedFile.h - files carried inside the cnnc binary ----*- C++ -*-===//
#ifndef CNNC_SUPPORT_EMBEDDEDFILE_H
#define CNNC_SUPPORT_EMBEDDEDFILE_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace cnnc {

/// A file embedded at build time by cmake/EmbedFiles.cmake.
struct EmbeddedFile {
  const char *name; // file name, without directories
  const char *text;
};

/// A table of embedded files whose names all end in the same suffix
/// (".yaml"): presets and hardware profiles, known by their names without it.
struct EmbeddedTable {
  const EmbeddedFile *files;
  size_t count;
  llvm::StringRef suffix;

  llvm::StringRef nameOf(const EmbeddedFile &file) const {
    return llvm::StringRef(file.name).drop_back(suffix.size());
  }

  /// The names, sorted.
  std::vector<llvm::StringRef> names() const {
    std::vector<llvm::StringRef> all;
    for (size_t i = 0; i < count; ++i)
      all.push_back(nameOf(files[i]));
    llvm::sort(all);
    return all;
  }

  /// The text of the file named `name`, if there is one.
  std::optional<llvm::StringRef> text(llvm::StringRef name) const {
    for (size_t i = 0; i < count; ++i)
      if (nameOf(files[i]) == name)
        return llvm::StringRef(files[i].text);
    return std::nullopt;
  }
};

} // namespace cnnc

#endif // CNNC_SUPPORT_EMBEDDEDFILE_H
