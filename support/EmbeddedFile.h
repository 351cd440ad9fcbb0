//===- EmbeddedFile.h - files carried inside the cnnc binary ----*- C++ -*-===//
#ifndef CNNC_SUPPORT_EMBEDDEDFILE_H
#define CNNC_SUPPORT_EMBEDDEDFILE_H

#include <cstddef>

namespace cnnc {

/// A file embedded at build time by cmake/EmbedFiles.cmake.
struct EmbeddedFile {
  const char *name; // file name, without directories
  const char *text;
};

} // namespace cnnc

#endif // CNNC_SUPPORT_EMBEDDEDFILE_H
