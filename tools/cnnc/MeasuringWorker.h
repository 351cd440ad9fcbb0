//===- MeasuringWorker.h - candidates timed by a long-lived child -*- C++ -*-===//
//
// `cnnc tune` times candidates in a child process, `cnnc tune --serve MODEL`,
// that plans the model once, says "ready", and then answers one request per
// line ("KERNEL<tab>SCHEDULE" in, a JSON record body out) until its input ends: planning the
// model and compiling each kernel's reference again for every candidate cost
// more than timing it. The parent gives each request a time limit; a child
// that hangs is killed and one that dies is reaped, the candidate recorded
// as a timeout or a crash, and the next request starts a fresh child. So a
// Halide error, a crash or a hang still costs one candidate, not the run.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_MEASURINGWORKER_H
#define CNNC_TOOLS_MEASURINGWORKER_H

#include "codegen/Schedule.h"
#include "tuning/TuningDatabase.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace cnnc {

class MeasuringWorker {
public:
  /// `argv`: the child's command line (cnnc tune --serve ...); `timeout`:
  /// seconds each request may take, the child's start included.
  MeasuringWorker(std::vector<std::string> argv, unsigned timeout);
  ~MeasuringWorker();
  MeasuringWorker(const MeasuringWorker &) = delete;
  MeasuringWorker &operator=(const MeasuringWorker &) = delete;

  /// Kernel `k` under `schedule`: a record without its context, kernel,
  /// schedule, seed and time. An error (not a record) when no child can be
  /// started and made ready: that is no fault of the candidate's.
  llvm::Expected<TuningRecord> measure(size_t k, const ScheduleParams &schedule);

private:
  /// Starts the child and waits for it to plan the model.
  llvm::Error start();
  /// Sends `request`; false if the child is gone.
  bool send(const std::string &request);
  /// Kills the child if it runs and reaps it; how it ended, in words.
  std::string stop();
  /// The child's next line, within `seconds`; false on a timeout or its end.
  bool readLine(std::string &line, double seconds, bool &timedOut);
  /// ": " and the last line the current child printed on stderr (Halide's
  /// error before an abort, the reason it could not plan), if any.
  std::string lastSaid() const;

  std::vector<std::string> argv;
  unsigned timeout;
  pid_t pid = -1;
  int toChild = -1, fromChild = -1;
  std::string pending;  // read, not yet a whole line
  std::string errorLog; // the children's stderr (empty: none could be made)
  size_t served = 0;    // requests answered by the current child
};

} // namespace cnnc

#endif // CNNC_TOOLS_MEASURINGWORKER_H
