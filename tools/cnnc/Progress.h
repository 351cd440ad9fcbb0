//===- Progress.h - what a long command is doing, as it does it -*- C++ -*-===//
//
// On a terminal (stderr a TTY) one status line, redrawn in place: the
// command, its phase, steps done of the total (kernels compiled, batches
// evaluated), and the time elapsed;
// cleared when the command ends, so that its own output stays as it was.
// Elsewhere (scripts, CI logs) nothing, unless asked (`--progress`): then a
// plain line per phase and per tenth of the steps.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_PROGRESS_H
#define CNNC_TOOLS_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <mutex>
#include <string>

namespace cnnc {

class Progress {
public:
  /// `command` names it ("compile"); `lines`: plain lines where stderr is not
  /// a terminal.
  Progress(llvm::StringRef command, bool lines);
  ~Progress();

  void phase(llvm::StringRef name);
  /// Erases the status line, for output of the command's own to follow.
  void clear();
  /// `done` of `total` `unit` ("kernels") done in `phaseName` (a new phase
  /// starts when the name changes; with no total, only the phase), and a
  /// `detail` that changes as it goes ("best gain 1.10x"). Plain lines come
  /// at each tenth of the total and at least every 10 seconds. Safe to call
  /// from any thread.
  void steps(llvm::StringRef phaseName, size_t done, size_t total, llvm::StringRef unit,
             llvm::StringRef detail = "");

private:
  /// Starts phase `name`. The caller holds `printing`.
  void startPhase(llvm::StringRef name);
  /// Prints `status` (a milestone: a line even where only lines are shown).
  /// The caller holds `printing`.
  void show(const std::string &status, bool milestone);

  enum class Mode { quiet, terminal, lines } mode;
  std::string command, currentPhase;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), lastLine = start;
  std::mutex printing;
  size_t shownTenths = 0;
  bool lineShown = false;
};

} // namespace cnnc

#endif // CNNC_TOOLS_PROGRESS_H
