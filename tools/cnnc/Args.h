//===- Args.h - command-line arguments of a cnnc subcommand -----*- C++ -*-===//
#ifndef CNNC_TOOLS_ARGS_H
#define CNNC_TOOLS_ARGS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

struct Args {
  std::vector<std::string> positional;
  llvm::StringMap<std::string> values; // --name VALUE or --name=VALUE
  llvm::StringMap<bool> flags;         // --name

  std::string value(llvm::StringRef name, llvm::StringRef fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback.str() : it->second;
  }
  bool flag(llvm::StringRef name) const { return flags.count(name) != 0; }
};

/// Parses `args` knowing which options take a value and which are flags
/// (names of one letter are also accepted with one dash: -o DIR);
/// anything else starting with "--" is an error, as is a missing value.
llvm::Expected<Args> parseArgs(llvm::ArrayRef<llvm::StringRef> args,
                               llvm::ArrayRef<llvm::StringRef> valueOptions,
                               llvm::ArrayRef<llvm::StringRef> flagOptions);

} // namespace cnnc

#endif // CNNC_TOOLS_ARGS_H
