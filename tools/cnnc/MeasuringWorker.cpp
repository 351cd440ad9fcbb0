//===- MeasuringWorker.cpp - candidates timed by a long-lived child -------===//
#include "MeasuringWorker.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cnnc {
namespace {

/// A child answers this many requests, then a fresh one takes over: what
/// Halide's JIT keeps of each candidate stays bounded.
constexpr size_t kRequestsPerChild = 400;

/// Seconds a child may take to plan the model before it is ready (not a
/// candidate's time: the parent has planned the same model already).
constexpr double kPlanningSeconds = 600;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::io_error, "%s", message.str().c_str());
}

TuningRecord failed(TuningRecord::Status status, std::string message) {
  TuningRecord record;
  record.status = status;
  record.message = std::move(message);
  return record;
}

} // namespace

MeasuringWorker::MeasuringWorker(std::vector<std::string> argv, unsigned timeout)
    : argv(std::move(argv)), timeout(timeout) {
  llvm::SmallString<128> path;
  if (!llvm::sys::fs::createTemporaryFile("cnnc-measuring", "err", path))
    errorLog = path.str().str();
  // A child that dies mid-request closes the pipe the next request goes to:
  // that must be an error of write(), not the end of cnnc.
  std::signal(SIGPIPE, SIG_IGN);
}

MeasuringWorker::~MeasuringWorker() {
  stop();
  if (!errorLog.empty())
    llvm::sys::fs::remove(errorLog);
}

std::string MeasuringWorker::lastSaid() const {
  auto buffer = llvm::MemoryBuffer::getFile(errorLog);
  if (errorLog.empty() || !buffer)
    return "";
  llvm::StringRef said = (*buffer)->getBuffer().trim();
  said = said.substr(said.find_last_of('\n') + 1); // npos + 1: all of it
  return said.empty() ? "" : ": " + said.str();
}

llvm::Error MeasuringWorker::start() {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0)
    return fail(llvm::Twine("cannot start the measuring process: ") + std::strerror(errno));
  if (pipe2(out, O_CLOEXEC) != 0) {
    int error = errno;
    close(in[0]);
    close(in[1]);
    return fail(llvm::Twine("cannot start the measuring process: ") + std::strerror(error));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  // Halide's and LLVM's own chatter would run into the progress line: it
  // goes to a file, whose last line says why a child failed.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   errorLog.empty() ? "/dev/null" : errorLog.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // The parent ignores SIGPIPE; the child keeps the default.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &pipe);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  std::vector<char *> cargv;
  for (std::string &arg : argv)
    cargv.push_back(arg.data());
  cargv.push_back(nullptr);
  // A launcher ("ssh board") is found on PATH, as a shell would.
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, &attributes, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    pid = -1;
    return fail(llvm::Twine("cannot start the measuring process: ") + std::strerror(rc));
  }
  toChild = in[1];
  fromChild = out[0];
  pending.clear();
  served = 0;
  std::string line;
  bool timedOut = false;
  if (!readLine(line, kPlanningSeconds, timedOut) || line != "ready") {
    std::string how = timedOut ? "did not plan the model within " +
                                     std::to_string(static_cast<int>(kPlanningSeconds)) + " s"
                               : stop();
    stop();
    return fail("the measuring process (" + llvm::join(argv, " ") + ") " + how + lastSaid());
  }
  return llvm::Error::success();
}

bool MeasuringWorker::send(const std::string &request) {
  for (size_t written = 0; written < request.size();) {
    ssize_t n = write(toChild, request.data() + written, request.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

std::string MeasuringWorker::stop() {
  if (toChild >= 0)
    close(toChild);
  if (fromChild >= 0)
    close(fromChild);
  toChild = fromChild = -1;
  if (pid < 0)
    return "had not started";
  // A child that died on its own keeps its own end in the status.
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  pid = -1;
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

bool MeasuringWorker::readLine(std::string &line, double seconds, bool &timedOut) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  timedOut = false;
  for (;;) {
    size_t end = pending.find('\n');
    if (end != std::string::npos) {
      line = pending.substr(0, end);
      pending.erase(0, end + 1);
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timedOut = true;
      return false;
    }
    pollfd ready = {fromChild, POLLIN, 0};
    int polled = poll(&ready, 1, static_cast<int>(left));
    if (polled < 0 && errno == EINTR)
      continue;
    if (polled < 0)
      return false; // no way left to wait with a limit
    if (polled == 0) {
      timedOut = true;
      return false;
    }
    char buffer[4096];
    ssize_t got = read(fromChild, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return false; // the child's end
    pending.append(buffer, static_cast<size_t>(got));
  }
}

llvm::Expected<TuningRecord> MeasuringWorker::measure(size_t k, const ScheduleParams &schedule) {
  if (pid >= 0 && served >= kRequestsPerChild)
    stop();
  std::string request = std::to_string(k) + "\t" + schedule.str() + "\n";
  // A child that died after its last answer is replaced, once.
  for (int attempt = 0;; ++attempt) {
    if (pid < 0)
      if (llvm::Error error = start())
        return std::move(error);
    if (send(request))
      break;
    std::string how = stop();
    if (attempt == 1)
      return fail("the measuring process " + how + " before it read a request");
  }
  std::string line;
  bool timedOut = false;
  if (!readLine(line, timeout, timedOut)) {
    std::string how = stop();
    return timedOut
               ? failed(TuningRecord::Status::timeout,
                        "no result within " + std::to_string(timeout) + " s")
               : failed(TuningRecord::Status::crashed, "the measuring process " + how + lastSaid());
  }
  ++served;
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(line);
  const llvm::json::Object *object = json ? json->getAsObject() : nullptr;
  if (!object) {
    if (!json)
      llvm::consumeError(json.takeError());
    stop(); // out of step with its requests
    return failed(TuningRecord::Status::crashed, "the measuring process printed no result");
  }
  TuningRecord record;
  llvm::StringRef status = object->getString("status").value_or("");
  record.status = status == "ok"             ? TuningRecord::Status::ok
                  : status == "wrong-result" ? TuningRecord::Status::wrongResult
                                             : TuningRecord::Status::compileError;
  record.medianMicros = object->getNumber("median_us").value_or(0);
  record.minMicros = object->getNumber("min_us").value_or(0);
  record.maxMicros = object->getNumber("max_us").value_or(0);
  record.vsDefault = object->getNumber("vs_default").value_or(0);
  record.runs = static_cast<int>(object->getInteger("runs").value_or(0));
  record.message = object->getString("message").value_or("").str();
  return record;
}

} // namespace cnnc
