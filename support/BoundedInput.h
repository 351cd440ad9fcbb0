//===- BoundedInput.h - reading untrusted files within bounds ---*- C++ -*-===//
//
// Every file a user hands cnnc (specs, safetensors, .npy, images, manifests)
// is read through these: only regular files (a directory or /dev/zero is
// refused by name, not read until memory runs out), only up to a size stated
// per format, and JSON only as deep as the format needs, because
// llvm::json::parse recurses once per level and a file of 100,000 '[' would
// exhaust the stack.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_SUPPORT_BOUNDEDINPUT_H
#define CNNC_SUPPORT_BOUNDEDINPUT_H

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

namespace cnnc {

/// "1 MiB", "100 MiB", "64 GiB": how size limits are written in messages.
inline std::string formatBytes(uint64_t bytes) {
  if (bytes % (1ull << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes % (1ull << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

/// The contents of `path` if it is a regular file of at most `maxBytes`.
/// Otherwise the error says why, without the path (callers name the file in
/// their own words): "No such file or directory", "not a regular file", "it
/// holds 5000000 bytes; a spec is at most 1 MiB".
inline llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readBoundedFile(const llvm::Twine &path,
                                                                           uint64_t maxBytes,
                                                                           llvm::StringRef what,
                                                                           bool isText = false) {
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    return llvm::createStringError(ec, "%s", ec.message().c_str());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return llvm::createStringError(std::errc::invalid_argument, "not a regular file");
  if (status.getSize() > maxBytes)
    return llvm::createStringError(std::errc::file_too_large,
                                   "it holds %llu bytes; %s is at most %s",
                                   static_cast<unsigned long long>(status.getSize()),
                                   what.str().c_str(), formatBytes(maxBytes).c_str());
  auto buffer = llvm::MemoryBuffer::getFile(path, isText, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "%s", buffer.getError().message().c_str());
  return std::move(*buffer);
}

/// Whether `json` nests arrays and objects deeper than `maxDepth` (strings
/// skipped, escapes honoured); the offset of the first bracket too deep.
inline std::optional<size_t> jsonTooDeep(llvm::StringRef json, int maxDepth) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth)
        return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

/// The integer value of `value`, if it is one. llvm::json::Value::getAsInteger
/// converts a double of 2^63 (say 9223372036854775808.4) to int64_t, which is
/// undefined: such values are refused first.
inline std::optional<int64_t> jsonInteger(const llvm::json::Value &value) {
  constexpr double kLimit = 9223372036854775808.0; // 2^63
  std::optional<double> number = value.getAsNumber();
  if (!number || !(*number < kLimit && *number >= -kLimit))
    return std::nullopt;
  return value.getAsInteger();
}

/// The first key that the top-level object of `json` holds twice, if any
/// (llvm::json::parse keeps the last silently). Keys are compared as
/// written, escapes included.
inline std::optional<std::string> jsonDuplicateKey(llvm::StringRef json) {
  llvm::StringSet<> keys;
  int depth = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < json.size() && json[end] != '"')
        end += json[end] == '\\' ? 2 : 1;
      llvm::StringRef text = json.slice(i + 1, end);
      i = end;
      if (depth == 1 && json.drop_front(std::min(end + 1, json.size())).ltrim().starts_with(":") &&
          !keys.insert(text).second)
        return text.str();
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

} // namespace cnnc

#endif // CNNC_SUPPORT_BOUNDEDINPUT_H
