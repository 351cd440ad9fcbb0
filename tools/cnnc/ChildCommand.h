//===- ChildCommand.h - programs run as children, here or behind a launcher -*- C++ -*-===//
//
// cnnc starts programs as children and reads what they print: a target's
// runner (`cnnc run`), and cnnc itself (`cnnc tune`'s in-model check runs
// `cnnc bench`, and asks `cnnc tune --context` what a device files its
// records under). Behind a launcher (`--launcher "ssh board"`) the child runs
// on the device the prefix reaches; the rest of the command line is this
// machine's, so that device must see this machine's paths (a shared mount)
// and, for cnnc itself, have this cnnc at the same path.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_CHILDCOMMAND_H
#define CNNC_TOOLS_CHILDCOMMAND_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

/// A launcher as given on the command line ("ssh board"), split into words.
std::vector<std::string> launcherWords(llvm::StringRef launcher);

/// `launcher... <this cnnc> args...`.
std::vector<std::string> selfCommand(llvm::ArrayRef<std::string> launcher,
                                     llvm::ArrayRef<std::string> args);

/// Runs `command` (its first word found on PATH) within `timeout` seconds
/// (0: no limit), its input empty: what it printed on stdout. An error names
/// the command, how it ended and what it printed on stderr.
llvm::Expected<std::string> runCaptured(llvm::ArrayRef<std::string> command, unsigned timeout = 0);

} // namespace cnnc

#endif // CNNC_TOOLS_CHILDCOMMAND_H
