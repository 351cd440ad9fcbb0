//===- TuningDb.h - a tuning database as the commands use it ----*- C++ -*-===//
//
// `--tuning-db FILE` for compile and `ir --level kernels`: the database read,
// its skipped lines warned about, and the best record of each kernel under
// this cnnc, this Halide, the chosen target and this machine turned into the
// schedule the model compiler uses.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_TUNINGDB_H
#define CNNC_TOOLS_TUNINGDB_H

#include "codegen/ModelCompiler.h"
#include "tuning/TuningDatabase.h"

#include <memory>

namespace cnnc {

/// The context records measured here, for `target`, are filed under.
TuningContext tuningContext(const TargetSelection &target);

/// What a device says of itself for a target (`cnnc tune --context`).
struct DeviceContext {
  TuningContext context; // what records measured there are filed under
  bool runsNatively = false;
};

/// The device behind `launcher`, for `target` (resolved there: "host" is
/// the device's). An error if it runs another cnnc or Halide than this one
/// (compile here would build other kernels than it measured), or,
/// `toMeasure`, if it does not run the target natively.
llvm::Expected<DeviceContext> deviceContext(llvm::ArrayRef<std::string> launcher,
                                            llvm::StringRef target, bool toMeasure);

/// A database opened for `command`, its skipped lines printed as warnings
/// ("FILE:LINE: skipped: why").
llvm::Expected<std::shared_ptr<TuningDatabase>> openTuningDatabase(llvm::StringRef command,
                                                                   llvm::StringRef path);

/// The context whose records of `database` a model compiled here for
/// `target` applies, among those of this cnnc, Halide and target: this
/// machine's where it has measured the target; else (a cross-compile for a
/// board, a GPU server's database) the one device's the database holds (an
/// error naming them if several; this machine's if none).
llvm::Expected<TuningContext> appliedContext(const TuningDatabase &database,
                                             const TargetSelection &target);

/// The tuned schedules `database` holds under `applied`.
TunedSchedules tunedSchedulesFrom(std::shared_ptr<TuningDatabase> database, TuningContext applied);

/// How many of the database's records were measured under another context
/// than `here` (kept, never applied).
size_t foreignRecords(const TuningDatabase &database, const TuningContext &here);

} // namespace cnnc

#endif // CNNC_TOOLS_TUNINGDB_H
