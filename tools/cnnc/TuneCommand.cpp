//===- TuneCommand.cpp - cnnc tune: the tuning database's tools -----------===//
//
// What a tuning database holds and where it applies: `--report` counts its
// records by status and says which were measured under another cnnc, Halide,
// target or machine (kept, never applied); `--distill` keeps the best record
// per kernel, for shipping tuned schedules beside a model; `--context` prints
// what records measured here are filed under.
//
//===----------------------------------------------------------------------===//
#include "Args.h"
#include "Commands.h"
#include "TuningDb.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace cnnc {
namespace {

constexpr const char *kUsage =
    "usage: cnnc tune --report --db FILE [--target T]\n"
    "       cnnc tune --distill --db FILE -o OUT\n"
    "       cnnc tune --context [--target T]\n"
    "  --report: the records by status, and how many were measured under another\n"
    "  cnnc, Halide, target or machine than this one for T (default host), which\n"
    "  compile --tuning-db does not apply; --distill: the best record per kernel;\n"
    "  --context: what records measured here are filed under, as JSON.\n";

int report(llvm::Error error) { return reportError("tune", std::move(error)); }

int printReport(const TuningDatabase &db, const TuningContext &here) {
  std::map<std::string, size_t> byStatus;
  std::map<std::string, size_t> kernels; // applicable kernels with an ok record
  for (const TuningRecord &r : db.records()) {
    ++byStatus[statusName(r.status).str()];
    if (r.context == here && r.status == TuningRecord::Status::ok)
      ++kernels[r.kernel];
  }
  size_t foreign = foreignRecords(db, here);
  llvm::outs() << db.path() << ": " << db.records().size() << " records";
  for (auto [status, count] : byStatus)
    llvm::outs() << ", " << count << " " << status;
  llvm::outs() << "\n  " << kernels.size()
               << " kernels with ok records for this machine and target (" << here.target << ")\n  "
               << foreign
               << " records from another cnnc, Halide, target or machine: kept, not applied\n";
  if (!db.skippedLines().empty())
    llvm::outs() << "  " << db.skippedLines().size() << " lines skipped (see the warnings)\n";
  return 0;
}

} // namespace

int runTuneCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  std::optional<Args> args = parseCommandArgs("tune", rawArgs, {"db", "target", "o"},
                                              {"report", "distill", "context"}, kUsage);
  if (!args)
    return kUsageError;
  int modes = args->flag("report") + args->flag("distill") + args->flag("context");
  if (modes != 1 || !args->positional.empty() ||
      (args->flag("context") == !args->value("db").empty()) ||
      (args->flag("distill") == args->value("o").empty())) {
    llvm::errs() << kUsage;
    return kUsageError;
  }
  llvm::Expected<TargetSelection> target = selectTarget(args->value("target", "host"));
  if (!target)
    return report(target.takeError());
  TuningContext here = tuningContext(*target);
  if (args->flag("context")) {
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(
                                               llvm::json::Object{{"cnnc", here.cnncVersion},
                                                                  {"halide", here.halideVersion},
                                                                  {"target", here.target},
                                                                  {"device", here.device}}))
                 << "\n";
    return 0;
  }
  llvm::Expected<std::shared_ptr<TuningDatabase>> db =
      openTuningDatabase("tune", args->value("db"));
  if (!db)
    return report(db.takeError());
  if (args->flag("report"))
    return printReport(**db, here);
  std::vector<TuningRecord> best = distill(**db);
  llvm::Expected<TuningDatabase> out = TuningDatabase::open(args->value("o"));
  if (!out)
    return report(out.takeError());
  if (!out->records().empty())
    return report(llvm::createStringError(std::errc::file_exists,
                                          "%s exists and is not empty: distill into a new file",
                                          args->value("o").c_str()));
  for (const TuningRecord &record : best)
    if (llvm::Error error = out->append(record))
      return report(std::move(error));
  llvm::outs() << "distilled " << (*db)->records().size() << " records into " << best.size()
               << " (the best per kernel and context) in " << args->value("o") << "\n";
  return 0;
}

} // namespace cnnc
