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

/// A database opened for `command`, its skipped lines printed as warnings
/// ("FILE:LINE: skipped: why").
llvm::Expected<std::shared_ptr<TuningDatabase>> openTuningDatabase(llvm::StringRef command,
                                                                   llvm::StringRef path);

/// The tuned schedules `database` holds for this machine.
TunedSchedules tunedSchedulesFrom(std::shared_ptr<TuningDatabase> database);

/// How many of the database's records were measured under another context
/// than `here` (kept, never applied).
size_t foreignRecords(const TuningDatabase &database, const TuningContext &here);

} // namespace cnnc

#endif // CNNC_TOOLS_TUNINGDB_H
