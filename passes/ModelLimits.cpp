//===- ModelLimits.cpp - the resource budget of a model -------------------===//
#include "passes/ModelLimits.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace cnnc {
namespace {

/// Each limit by the name users give it.
struct NamedLimit {
  const char *name;
  int64_t ModelLimits::*field;
};
constexpr NamedLimit kLimits[] = {
    {"resolution", &ModelLimits::resolution},    {"channels", &ModelLimits::channels},
    {"repeats", &ModelLimits::repeats},          {"blocks", &ModelLimits::blocks},
    {"classes", &ModelLimits::classes},          {"batch", &ModelLimits::batch},
    {"parameters", &ModelLimits::parameters},    {"arena-bytes", &ModelLimits::arenaBytes},
    {"runner-bytes", &ModelLimits::runnerBytes},
};

} // namespace

llvm::Expected<ModelLimits> ModelLimits::parse(llvm::StringRef overrides) {
  ModelLimits limits;
  llvm::SmallVector<llvm::StringRef> items;
  overrides.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [name, value] = item.trim().split('=');
    const NamedLimit *limit = nullptr;
    for (const NamedLimit &candidate : kLimits)
      if (name == candidate.name)
        limit = &candidate;
    if (!limit) {
      std::vector<std::string> names;
      for (const NamedLimit &candidate : kLimits)
        names.push_back(candidate.name);
      return llvm::createStringError(std::errc::invalid_argument,
                                     "unknown limit '%s'; the limits are %s", name.str().c_str(),
                                     llvm::join(names, ", ").c_str());
    }
    int64_t number;
    if (value.getAsInteger(10, number) || number < 1)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "limit '%s' takes a positive integer, got '%s'",
                                     name.str().c_str(), value.str().c_str());
    limits.*(limit->field) = number;
  }
  return limits;
}

std::string ModelLimits::describe(llvm::StringRef name, int64_t limit) {
  return "the limit of " + std::to_string(limit) + " (raise it with --limit " + name.str() + "=N)";
}

} // namespace cnnc
