//===- TuningDatabase.cpp - measured schedules, one JSON line each --------===//
#include "tuning/TuningDatabase.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <set>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

constexpr std::pair<TuningRecord::Status, const char *> kStatusNames[] = {
    {TuningRecord::Status::ok, "ok"},
    {TuningRecord::Status::compileError, "compile-error"},
    {TuningRecord::Status::timeout, "timeout"},
    {TuningRecord::Status::wrongResult, "wrong-result"},
    {TuningRecord::Status::crashed, "crashed"},
};

} // namespace

llvm::StringRef statusName(TuningRecord::Status status) {
  for (auto [s, name] : kStatusNames)
    if (s == status)
      return name;
  return "unknown";
}

bool fasterAlone(const TuningRecord &a, const TuningRecord &b) {
  if (a.vsDefault > 0 && b.vsDefault > 0)
    return a.vsDefault < b.vsDefault;
  return a.medianMicros < b.medianMicros;
}

double onDefaultScale(const TuningRecord &record, double defaultMicros) {
  return record.vsDefault > 0 && defaultMicros > 0 ? record.vsDefault * defaultMicros
                                                   : record.medianMicros;
}

llvm::json::Value TuningRecord::toJson() const {
  return llvm::json::Object{
      {"schema", schema},
      {"cnnc", context.cnncVersion},
      {"halide", context.halideVersion},
      {"target", context.target},
      {"device", context.device},
      {"kernel", kernel},
      {"schedule", schedule},
      {"status", statusName(status)},
      {"scope", scope == Scope::model ? "model" : "kernel"},
      {"check", check},
      {"median_us", medianMicros},
      {"min_us", minMicros},
      {"max_us", maxMicros},
      {"vs_default", vsDefault},
      {"runs", runs},
      {"seed", static_cast<int64_t>(seed)},
      {"time", time},
      {"message", message},
  };
}

llvm::Expected<TuningRecord> TuningRecord::fromJson(const llvm::json::Value &value) {
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return fail("a record must be a JSON object");
  TuningRecord record;
  auto text = [&](llvm::StringRef key, std::string &into) -> llvm::Error {
    std::optional<llvm::StringRef> v = object->getString(key);
    if (!v)
      return fail("'" + key + "' must be a string");
    into = v->str();
    return llvm::Error::success();
  };
  auto number = [&](llvm::StringRef key, double &into) -> llvm::Error {
    std::optional<double> v = object->getNumber(key);
    if (!v || *v < 0)
      return fail("'" + key + "' must be a number, not negative");
    into = *v;
    return llvm::Error::success();
  };
  std::optional<int64_t> schema = object->getInteger("schema");
  if (!schema)
    return fail("'schema' must be an integer");
  record.schema = static_cast<int>(*schema);
  if (record.schema != kSchema)
    return fail("schema " + llvm::Twine(*schema) + " is not this cnnc's (" + llvm::Twine(kSchema) +
                ")");
  std::string status;
  double runs = 0, seed = 0;
  for (auto [key, field] :
       {std::pair("cnnc", &record.context.cnncVersion),
        std::pair("halide", &record.context.halideVersion),
        std::pair("target", &record.context.target), std::pair("device", &record.context.device),
        std::pair("kernel", &record.kernel), std::pair("schedule", &record.schedule),
        std::pair("status", &status), std::pair("time", &record.time),
        std::pair("message", &record.message)})
    if (llvm::Error error = text(key, *field))
      return std::move(error);
  for (auto [key, field] :
       {std::pair("median_us", &record.medianMicros), std::pair("min_us", &record.minMicros),
        std::pair("max_us", &record.maxMicros), std::pair("runs", &runs), std::pair("seed", &seed)})
    if (llvm::Error error = number(key, *field))
      return std::move(error);
  record.runs = static_cast<int>(runs);
  record.seed = static_cast<uint64_t>(seed);
  bool known = false;
  for (auto [s, name] : kStatusNames)
    if (status == name) {
      record.status = s;
      known = true;
    }
  if (!known)
    return fail("'status' '" + status +
                "' is none of ok, compile-error, timeout, wrong-result, "
                "crashed");
  // Optional: records written before the in-model check have none.
  std::optional<llvm::StringRef> scope = object->getString("scope");
  if (object->get("scope") && (!scope || (*scope != "kernel" && *scope != "model")))
    return fail("'scope' must be \"kernel\" or \"model\"");
  record.scope = scope && *scope == "model" ? Scope::model : Scope::kernel;
  std::optional<int64_t> check = object->getInteger("check");
  if (object->get("check") && (!check || *check < 0 || *check > 1000000000))
    return fail("'check' must be a count, not negative");
  record.check = static_cast<int>(check.value_or(0));
  if ((record.scope == Scope::model) != (record.check > 0))
    return fail("an in-model record has a check number, and only one does");
  // Optional: records written before side-by-side timing have none.
  std::optional<double> vsDefault = object->getNumber("vs_default");
  if (object->get("vs_default") && (!vsDefault || !(*vsDefault >= 0)))
    return fail("'vs_default' must be a number, not negative");
  record.vsDefault = vsDefault.value_or(0);
  if (record.status == Status::ok && !(record.medianMicros > 0 && record.runs > 0))
    return fail("a record with status ok needs a positive median and runs");
  return record;
}

llvm::Expected<TuningDatabase> TuningDatabase::open(llvm::StringRef path) {
  TuningDatabase db;
  db.file = path.str();
  if (!llvm::sys::fs::exists(path))
    return db;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail("cannot read tuning database " + path + ": " + buffer.getError().message());
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef line = lines[i].trim();
    if (line.empty())
      continue;
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(line);
    if (!json) {
      db.skipped.push_back({i + 1, "not JSON: " + llvm::toString(json.takeError())});
      continue;
    }
    llvm::Expected<TuningRecord> record = TuningRecord::fromJson(*json);
    if (!record) {
      db.skipped.push_back({i + 1, llvm::toString(record.takeError())});
      continue;
    }
    db.all.push_back(std::move(*record));
  }
  return db;
}

llvm::Error TuningDatabase::append(const TuningRecord &record) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec, llvm::sys::fs::OF_Append | llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write tuning database " + file + ": " + ec.message());
  os << llvm::formatv("{0}", record.toJson()) << "\n";
  os.flush();
  if (os.has_error())
    return fail("cannot write tuning database " + file + ": " + os.error().message());
  all.push_back(record);
  return llvm::Error::success();
}

const TuningRecord *TuningDatabase::find(const TuningContext &context, llvm::StringRef kernel,
                                         llvm::StringRef schedule,
                                         TuningRecord::Scope scope) const {
  for (const TuningRecord &r : all)
    if (r.context == context && r.kernel == kernel && r.schedule == schedule && r.scope == scope)
      return &r;
  return nullptr;
}

const TuningRecord *TuningDatabase::best(const TuningContext &context,
                                         llvm::StringRef kernel) const {
  const TuningRecord *fastest = nullptr, *fastestInModel = nullptr;
  for (const TuningRecord &r : all) {
    if (r.status != TuningRecord::Status::ok || !(r.context == context) || r.kernel != kernel)
      continue;
    if (r.scope == TuningRecord::Scope::kernel) {
      if (!fastest || fasterAlone(r, *fastest))
        fastest = &r;
    } else if (!fastestInModel || r.check > fastestInModel->check ||
               (r.check == fastestInModel->check &&
                r.medianMicros < fastestInModel->medianMicros)) {
      fastestInModel = &r;
    }
  }
  return fastestInModel ? fastestInModel : fastest;
}

const TuningRecord *TuningDatabase::inLatestCheck(const TuningContext &context,
                                                  llvm::StringRef kernel,
                                                  llvm::StringRef schedule) const {
  const TuningRecord *verdict = best(context, kernel);
  if (!verdict || verdict->scope != TuningRecord::Scope::model)
    return nullptr;
  for (const TuningRecord &r : all)
    if (r.scope == TuningRecord::Scope::model && r.status == TuningRecord::Status::ok &&
        r.check == verdict->check && r.context == context && r.kernel == kernel &&
        r.schedule == schedule)
      return &r;
  return nullptr;
}

int TuningDatabase::nextCheck(const TuningContext &context) const {
  int last = 0;
  for (const TuningRecord &r : all)
    if (r.context == context)
      last = std::max(last, r.check);
  return last + 1;
}

std::vector<TuningRecord> distill(const TuningDatabase &database) {
  std::vector<TuningRecord> kept;
  std::set<std::pair<std::string, std::string>> seen; // (context, kernel)
  for (const TuningRecord &r : database.records()) {
    std::string context = r.context.cnncVersion + "\n" + r.context.halideVersion + "\n" +
                          r.context.target + "\n" + r.context.device;
    if (!seen.insert({context, r.kernel}).second)
      continue;
    if (const TuningRecord *best = database.best(r.context, r.kernel))
      kept.push_back(*best);
  }
  return kept;
}

} // namespace cnnc
