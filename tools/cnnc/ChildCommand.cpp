//===- ChildCommand.cpp - programs run as children, here or behind a launcher ===//
#include "ChildCommand.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <optional>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::io_error, "%s", message.str().c_str());
}

} // namespace

std::vector<std::string> launcherWords(llvm::StringRef launcher) {
  llvm::SmallVector<llvm::StringRef> words;
  launcher.split(words, ' ', -1, /*KeepEmpty=*/false);
  return std::vector<std::string>(words.begin(), words.end());
}

std::vector<std::string> selfCommand(llvm::ArrayRef<std::string> launcher,
                                     llvm::ArrayRef<std::string> args) {
  std::vector<std::string> command(launcher.begin(), launcher.end());
  command.push_back(llvm::sys::fs::getMainExecutable("cnnc", nullptr));
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

llvm::Expected<std::string> runCaptured(llvm::ArrayRef<std::string> command, unsigned timeout) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(command.front());
  if (!program)
    return fail("cannot start '" + command.front() + "' (not found)");
  llvm::SmallString<128> out, err;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("cnnc-child", "out", out))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeOut(out);
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("cnnc-child", "err", err))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeErr(err);
  std::vector<llvm::StringRef> argv(command.begin(), command.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), out.str(), err.str()};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*program, argv, std::nullopt, redirects, timeout, 0, &message);
  auto read = [](llvm::StringRef path) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
  };
  if (rc != 0) {
    std::string said = read(err);
    // ExecuteAndWait says -2 for a crash and for a time limit alike.
    std::string how =
        rc == -2 ? timeout > 0 ? "crashed or ran past " + std::to_string(timeout) + " s" : "crashed"
        : rc < 0 ? "failed"
                 : "failed (" + std::to_string(rc) + ")";
    // LLVM's own words (a signal's name, "Child timed out") before the child's.
    if (!message.empty())
      how += " (" + message + ")";
    return fail(llvm::join(command, " ") + " " + how + (said.empty() ? "" : ": " + said));
  }
  return read(out);
}

} // namespace cnnc
