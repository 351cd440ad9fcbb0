//===- Progress.cpp - what a long command is doing, as it does it ---------===//
#include "Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace cnnc {

Progress::Progress(llvm::StringRef command, bool lines) : command(command) {
  // A terminal that cannot erase a line gets plain lines, if any.
  std::optional<std::string> term = llvm::sys::Process::GetEnv("TERM");
  if (llvm::sys::Process::StandardErrIsDisplayed() && term != "dumb")
    mode = Mode::terminal;
  else
    mode = lines ? Mode::lines : Mode::quiet;
}

Progress::~Progress() { clear(); }

void Progress::clear() {
  std::lock_guard<std::mutex> lock(printing);
  if (mode == Mode::terminal && lineShown)
    llvm::errs() << "\r\033[K";
  llvm::errs().flush();
  lineShown = false;
}

void Progress::phase(llvm::StringRef name) {
  std::lock_guard<std::mutex> lock(printing);
  startPhase(name);
}

void Progress::startPhase(llvm::StringRef name) {
  currentPhase = name.str();
  shownTenths = 0;
  show(currentPhase, true);
}

void Progress::steps(llvm::StringRef phaseName, size_t done, size_t total, llvm::StringRef unit,
                     llvm::StringRef detail) {
  std::lock_guard<std::mutex> lock(printing);
  if (phaseName != currentPhase)
    startPhase(phaseName);
  if (!total)
    return;
  size_t tenths = done * 10 / total;
  bool milestone = tenths > shownTenths ||
                   std::chrono::steady_clock::now() - lastLine >= std::chrono::seconds(10);
  if (tenths > shownTenths)
    shownTenths = tenths;
  show(currentPhase + ": " + std::to_string(done) + " of " + std::to_string(total) + " " +
           unit.str() + (detail.empty() ? "" : ", " + detail.str()),
       milestone);
}

void Progress::show(const std::string &status, bool milestone) {
  if (mode == Mode::quiet || (mode == Mode::lines && !milestone))
    return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  llvm::raw_ostream &os = llvm::errs();
  if (mode == Mode::terminal)
    os << "\r\033[K";
  os << "cnnc " << command << ": " << status << " (" << llvm::format("%.0f", seconds) << " s)";
  if (mode == Mode::lines) {
    os << "\n";
    lastLine = std::chrono::steady_clock::now();
  }
  os.flush();
  lineShown = true;
}

} // namespace cnnc
