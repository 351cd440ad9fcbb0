//===- TuningDb.cpp - a tuning database as the commands use it ------------===//
#include "TuningDb.h"
#include "codegen/Versions.h"
#include "tuning/DeviceFingerprint.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {

TuningContext tuningContext(const TargetSelection &target) {
  return {cnncVersion().str(), halideVersion(), target.halideTarget,
          DeviceFingerprint::host().str()};
}

llvm::Expected<std::shared_ptr<TuningDatabase>> openTuningDatabase(llvm::StringRef command,
                                                                   llvm::StringRef path) {
  llvm::Expected<TuningDatabase> database = TuningDatabase::open(path);
  if (!database)
    return database.takeError();
  for (const TuningDatabase::SkippedLine &skipped : database->skippedLines())
    llvm::errs() << "cnnc " << command << ": warning: " << path << ":" << skipped.line
                 << ": skipped: " << skipped.reason << "\n";
  return std::make_shared<TuningDatabase>(std::move(*database));
}

TunedSchedules tunedSchedulesFrom(std::shared_ptr<TuningDatabase> database) {
  // The fingerprint is read once, not per kernel.
  std::string device = DeviceFingerprint::host().str();
  return [database, device](const KernelSignature &signature,
                            const TargetSelection &target) -> std::optional<ScheduleParams> {
    TuningContext here = {cnncVersion().str(), halideVersion(), target.halideTarget, device};
    const TuningRecord *best = database->best(here, signature.computation());
    if (!best)
      return std::nullopt;
    llvm::Expected<ScheduleParams> schedule = ScheduleParams::parse(best->schedule);
    if (!schedule) {
      llvm::consumeError(schedule.takeError());
      return std::nullopt;
    }
    return *schedule;
  };
}

size_t foreignRecords(const TuningDatabase &database, const TuningContext &here) {
  return llvm::count_if(database.records(),
                        [&](const TuningRecord &r) { return !(r.context == here); });
}

} // namespace cnnc
