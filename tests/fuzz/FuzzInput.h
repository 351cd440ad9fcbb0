//===- FuzzInput.h - one fuzz input as a file -------------------*- C++ -*-===//
//
// The readers under test take paths, as cnnc's commands do: each input is
// written to one file per process and read back through them, so that the
// checks on files (regular, bounded) are fuzzed too.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TESTS_FUZZ_FUZZINPUT_H
#define CNNC_TESTS_FUZZ_FUZZINPUT_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace cnnc::fuzz {

/// The per-process file, removed when the fuzzer exits.
struct FuzzFile {
  std::string path;
  ~FuzzFile() { std::remove(path.c_str()); }
};

/// Writes `data` to a per-process file with `suffix` and returns its path.
inline std::string asFile(const uint8_t *data, size_t size, const char *suffix) {
  static const FuzzFile file{"/tmp/cnnc-fuzz-" + std::to_string(getpid()) + suffix};
  if (FILE *f = std::fopen(file.path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return file.path;
}

} // namespace cnnc::fuzz

#endif // CNNC_TESTS_FUZZ_FUZZINPUT_H
