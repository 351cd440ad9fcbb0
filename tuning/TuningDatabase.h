//===- TuningDatabase.h - measured schedules, one JSON line each -*- C++ -*-===//
//
// What `cnnc tune` measured and `cnnc compile --tuning-db` applies. The file
// is append-only JSON lines: a run that is interrupted loses at most the line
// it was writing, resumes by reading what is there, and never measures a
// record it already has. Every record says under what it was measured (cnnc's
// and Halide's versions, the full Halide target, the device), so that a
// database copied to another machine or kept across an upgrade is never
// applied where its times mean nothing: such records are kept, counted and
// reported, not used. A line that does not parse is reported with its number
// and skipped.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TUNING_TUNINGDATABASE_H
#define CNNC_TUNING_TUNINGDATABASE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cnnc {

/// Where a measurement is valid: records measured under another context are
/// kept but never applied.
struct TuningContext {
  std::string cnncVersion;
  std::string halideVersion;
  std::string target; // the full Halide target string
  std::string device; // DeviceFingerprint::str()

  bool operator==(const TuningContext &o) const {
    return cnncVersion == o.cnncVersion && halideVersion == o.halideVersion && target == o.target &&
           device == o.device;
  }
};

/// One candidate schedule of one kernel, as measured.
struct TuningRecord {
  static constexpr int kSchema = 1;

  enum class Status { ok, compileError, timeout, wrongResult, crashed };
  /// Where it was timed: the kernel alone (the search's candidates), or
  /// inside the whole model compiled with it (the check of the best few,
  /// which outranks the kernel alone: `best`).
  enum class Scope { kernel, model };

  int schema = kSchema;
  TuningContext context;
  std::string kernel;   // KernelSignature::computation(): what the kernel computes
  std::string schedule; // ScheduleParams::str()
  Status status = Status::ok;
  Scope scope = Scope::kernel;
  /// An in-model record's check: 1 for the database's first, then counting
  /// (0 for a kernel-alone record). Only one check's times are compared.
  int check = 0;
  /// Microseconds per call: the median, fastest and slowest of `runs` timed
  /// runs after warm-up (0 unless `status` is ok).
  double medianMicros = 0, minMicros = 0, maxMicros = 0;
  /// A kernel-alone record timed side by side with its kernel's default
  /// schedule, runs in turns: the median of its times over the default's (1
  /// for the default itself). 0 where there is none: in-model records,
  /// records written before 2026-11-29, the tests' stub.
  double vsDefault = 0;
  int runs = 0;
  uint64_t seed = 0;
  std::string time;    // when it was measured, ISO 8601 UTC
  std::string message; // why it failed, where it did

  llvm::json::Value toJson() const;
  static llvm::Expected<TuningRecord> fromJson(const llvm::json::Value &value);
};

llvm::StringRef statusName(TuningRecord::Status status);

/// Whether kernel-alone record `a` of a kernel is faster than `b`: by their
/// ratios to the default schedule where both have one (timed minutes apart,
/// a kernel's medians differ by 10-20% on a shared machine), else by their
/// medians.
bool fasterAlone(const TuningRecord &a, const TuningRecord &b);

/// A kernel-alone record's time on the scale of its kernel's default
/// schedule timed alone, `defaultMicros`: its ratio to the default times
/// that, where it has a ratio; else its median.
double onDefaultScale(const TuningRecord &record, double defaultMicros);

/// The records of one database file, read once, appended to as they come.
class TuningDatabase {
public:
  /// A line of the file that was skipped, and why.
  struct SkippedLine {
    size_t line;
    std::string reason;
  };

  /// Reads `path` (a missing file is an empty database). Unreadable lines are
  /// listed in skippedLines(); only an unreadable file is an error.
  static llvm::Expected<TuningDatabase> open(llvm::StringRef path);

  /// Appends `record` to the file (one line, flushed) and to the records.
  llvm::Error append(const TuningRecord &record);

  /// The first record of this kernel, schedule, context and scope, if one
  /// exists (resume).
  const TuningRecord *find(const TuningContext &context, llvm::StringRef kernel,
                           llvm::StringRef schedule,
                           TuningRecord::Scope scope = TuningRecord::Scope::kernel) const;

  /// What `kernel` is scheduled as under `context`: where it was timed inside
  /// the model, the fastest of the latest check that timed it (that check's
  /// verdict: times from different checks are never compared); else the
  /// fastest record with status ok.
  const TuningRecord *best(const TuningContext &context, llvm::StringRef kernel) const;

  /// The record of `schedule` for `kernel` in the check `best` decides by
  /// (the latest that timed the kernel inside the model), if that check
  /// timed the schedule.
  const TuningRecord *inLatestCheck(const TuningContext &context, llvm::StringRef kernel,
                                    llvm::StringRef schedule) const;

  /// The number the next in-model check under `context` files its records under.
  int nextCheck(const TuningContext &context) const;

  const std::vector<TuningRecord> &records() const { return all; }
  const std::vector<SkippedLine> &skippedLines() const { return skipped; }
  const std::string &path() const { return file; }

private:
  std::string file;
  std::vector<TuningRecord> all;
  std::vector<SkippedLine> skipped;
};

/// The best record (`best`) per kernel and context of `database`, in the
/// order of first appearance: what ships with a tuned model.
std::vector<TuningRecord> distill(const TuningDatabase &database);

} // namespace cnnc

#endif // CNNC_TUNING_TUNINGDATABASE_H
