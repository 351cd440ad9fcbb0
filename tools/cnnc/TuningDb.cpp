//===- TuningDb.cpp - a tuning database as the commands use it ------------===//
#include "TuningDb.h"
#include "ChildCommand.h"
#include "codegen/Versions.h"
#include "codegen/gpu/CudaProbe.h"
#include "tuning/DeviceFingerprint.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

namespace cnnc {
namespace {

/// Seconds the device behind a launcher may take to say what it is (an
/// `ssh` connection, cnnc started there).
constexpr unsigned kDeviceSeconds = 120;

} // namespace

TuningContext tuningContext(const TargetSelection &target) {
  DeviceFingerprint device = DeviceFingerprint::host();
  device.gpu = cudaGpuFor(target.halideTarget);
  return {cnncVersion().str(), halideVersion(), target.halideTarget, device.str()};
}

llvm::Expected<DeviceContext> deviceContext(llvm::ArrayRef<std::string> launcher,
                                            llvm::StringRef target, bool toMeasure) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError(
        std::errc::io_error, "%s",
        ("the device behind '" + llvm::join(launcher, " ") + "' " + why).str().c_str());
  };
  llvm::Expected<std::string> printed = runCaptured(
      selfCommand(launcher, {"tune", "--context", "--target", target.str()}), kDeviceSeconds);
  if (!printed)
    return fail("cannot say what it is: " + llvm::toString(printed.takeError()));
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(*printed);
  if (!json)
    return fail("printed no context as JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *object = json->getAsObject();
  TuningContext device;
  std::pair<const char *, std::string *> fields[] = {{"cnnc", &device.cnncVersion},
                                                     {"halide", &device.halideVersion},
                                                     {"target", &device.target},
                                                     {"device", &device.device}};
  for (auto [key, field] : fields) {
    std::optional<llvm::StringRef> value = object ? object->getString(key) : std::nullopt;
    if (!value || value->empty())
      return fail(llvm::Twine("printed a context without '") + key + "'");
    *field = value->str();
  }
  if (device.cnncVersion != cnncVersion() || device.halideVersion != halideVersion())
    return fail("runs cnnc " + device.cnncVersion + " with Halide " + device.halideVersion +
                ", this is cnnc " + cnncVersion().str() + " with Halide " + halideVersion() +
                ": the kernels it measured would not be those compiled here (install the same "
                "cnnc on both)");
  bool runsNatively = object->getBoolean("runs_natively") == true;
  if (toMeasure && !runsNatively)
    return fail("does not run target " + target + " (" + device.target +
                ") natively, and tuning measures real times, never emulated ones");
  return DeviceContext{device, runsNatively};
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

llvm::Expected<TuningContext> appliedContext(const TuningDatabase &database,
                                             const TargetSelection &target) {
  TuningContext here = tuningContext(target);
  std::set<std::string> devices;
  for (const TuningRecord &record : database.records())
    if (record.context.cnncVersion == here.cnncVersion &&
        record.context.halideVersion == here.halideVersion && record.context.target == here.target)
      devices.insert(record.context.device);
  if (devices.count(here.device))
    return here;
  if (devices.size() > 1)
    return llvm::createStringError(
        std::errc::invalid_argument,
        "%s holds records of target %s from %zu devices (%s): compile with a database of the "
        "one this model will run on",
        database.path().c_str(), target.requested.c_str(), devices.size(),
        llvm::join(devices, " | ").c_str());
  if (!devices.empty())
    here.device = *devices.begin();
  return here;
}

TunedSchedules tunedSchedulesFrom(std::shared_ptr<TuningDatabase> database, TuningContext applied) {
  return [database, applied](const KernelSignature &signature,
                             const TargetSelection &) -> std::optional<ScheduleParams> {
    const TuningRecord *best = database->best(applied, signature.computation());
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
