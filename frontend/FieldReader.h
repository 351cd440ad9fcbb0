//===- FieldReader.h - located reading of a YAML mapping --------*- C++ -*-===//
//
// Reads the keys of one mapping of a located tree (SpecTree.h) as typed
// values: unknown keys, wrong types and out-of-range values are reported where
// they were written, as file:line:col, and reading goes on after an error so
// that one run reports every independent mistake. Specs and hardware profiles
// are read with it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_FIELDREADER_H
#define CNNC_FRONTEND_FIELDREADER_H

#include "frontend/SpecTree.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <functional>
#include <optional>
#include <string>

namespace cnnc::spec {

using IntRule = std::function<bool(int64_t)>;
using NumberRule = std::function<bool(double)>;

/// Whether `name` may name files, CMake targets and report sections: a letter
/// or digit, then letters, digits, '.', '_' and '-'.
inline bool isFileSafeName(llvm::StringRef name) {
  return !name.empty() && llvm::isAlnum(name.front()) && llvm::all_of(name, [](char c) {
    return llvm::isAlnum(c) || c == '.' || c == '_' || c == '-';
  });
}

inline bool isPositive(int64_t v) { return v > 0; }
inline bool isPositiveNumber(double v) { return v > 0; }
inline bool isNonNegativeNumber(double v) { return v >= 0; }

/// Reads the keys of one mapping section; `what` names it in errors.
class FieldReader {
public:
  FieldReader(const Node &node, llvm::StringRef what, llvm::ArrayRef<llvm::StringRef> knownKeys,
              const Diagnostics &diag, bool &ok)
      : node(node), what(what), diag(diag), ok(ok) {
    if (node.kind != Node::Kind::Mapping) {
      fail(node.loc) << what << " must be a mapping of keys to values";
      return;
    }
    for (const Node::Entry &entry : node.entries)
      if (!llvm::is_contained(knownKeys, entry.key))
        fail(entry.keyLoc) << "unknown key '" << entry.key << "' in " << what
                           << "; expected one of: " << llvm::join(knownKeys, ", ");
  }

  bool has(llvm::StringRef key) const { return find(key) != nullptr; }
  const Node *find(llvm::StringRef key) const {
    return node.kind == Node::Kind::Mapping ? node.find(key) : nullptr;
  }
  llvm::SMLoc keyLoc(llvm::StringRef key) const { return node.findEntry(key)->keyLoc; }
  llvm::SMLoc loc() const { return node.loc; }

  mlir::InFlightDiagnostic fail(llvm::SMLoc loc) {
    ok = false;
    return diag.error(loc);
  }

  std::optional<int64_t> optionalInteger(llvm::StringRef key, const IntRule &rule,
                                         llvm::StringRef expected) {
    return optionalValue<int64_t>(key, rule, expected);
  }

  int64_t integer(llvm::StringRef key, int64_t fallback, const IntRule &rule,
                  llvm::StringRef expected) {
    return optionalInteger(key, rule, expected).value_or(fallback);
  }

  int64_t requiredInteger(llvm::StringRef key, const IntRule &rule, llvm::StringRef expected) {
    return required<int64_t>(key, rule, expected, 1);
  }

  std::optional<double> optionalNumber(llvm::StringRef key, const NumberRule &rule,
                                       llvm::StringRef expected) {
    return optionalValue<double>(key, rule, expected);
  }

  double number(llvm::StringRef key, double fallback, const NumberRule &rule,
                llvm::StringRef expected) {
    return optionalNumber(key, rule, expected).value_or(fallback);
  }

  double requiredNumber(llvm::StringRef key, const NumberRule &rule, llvm::StringRef expected) {
    return required<double>(key, rule, expected, 0);
  }

  /// The mapping under `key`, or null (after an error if it is missing or
  /// not a mapping).
  const Node *requiredMapping(llvm::StringRef key) {
    const Node *value = find(key);
    if (!value && node.kind == Node::Kind::Mapping)
      fail(node.loc) << what << " needs '" << key << "' (a mapping)";
    if (value && value->kind != Node::Kind::Mapping) {
      fail(value->loc) << "'" << key << "' must be a mapping of keys to values";
      return nullptr;
    }
    return value;
  }

  bool flag(llvm::StringRef key, bool fallback) {
    const Node *value = scalar(key, "true or false");
    if (!value)
      return fallback;
    if (value->scalar == "true")
      return true;
    if (value->scalar == "false")
      return false;
    reject(*value, key, "true or false");
    return fallback;
  }

  /// One of `choices`, by name.
  template <typename Enum>
  std::optional<Enum> optionalChoice(llvm::StringRef key,
                                     llvm::ArrayRef<std::pair<llvm::StringRef, Enum>> choices) {
    llvm::SmallVector<llvm::StringRef> names;
    for (const auto &choice : choices)
      names.push_back(choice.first);
    std::string expected = "one of " + llvm::join(names, ", ");
    const Node *value = scalar(key, expected);
    if (!value)
      return std::nullopt;
    for (const auto &choice : choices)
      if (choice.first == value->scalar)
        return choice.second;
    fail(value->loc) << "'" << key << "' must be " << expected << ", got '" << value->scalar << "'";
    return std::nullopt;
  }

  /// A list of exactly `count` numbers that each satisfy `rule`.
  std::optional<llvm::SmallVector<double>>
  numberList(llvm::StringRef key, size_t count, const NumberRule &rule, llvm::StringRef expected) {
    const Node *value = find(key);
    if (!value)
      return std::nullopt;
    std::string what = "a list of " + std::to_string(count) + " " + expected.str();
    if (value->kind != Node::Kind::Sequence || value->items.size() != count) {
      fail(value->loc) << "'" << key << "' must be " << what;
      return std::nullopt;
    }
    llvm::SmallVector<double> numbers;
    for (const Node &item : value->items) {
      double number;
      if (item.kind != Node::Kind::Scalar || !parse(item.scalar, number) || !rule(number)) {
        fail(item.loc) << "'" << key << "' must be " << what << ", got '"
                       << (item.kind == Node::Kind::Scalar ? item.scalar : "a collection") << "'";
        return std::nullopt;
      }
      numbers.push_back(number);
    }
    return numbers;
  }

  std::optional<std::string> optionalString(llvm::StringRef key) {
    const Node *value = scalar(key, "a name");
    return value ? std::optional<std::string>(value->scalar) : std::nullopt;
  }

private:
  static bool parse(llvm::StringRef text, int64_t &out) { return !text.getAsInteger(10, out); }
  /// Numbers are finite: "inf" and "nan" parse as doubles, but no field means them.
  static bool parse(llvm::StringRef text, double &out) {
    return !text.getAsDouble(out) && std::isfinite(out);
  }

  /// The value under `key`, or `fallback` after an error if it is missing.
  template <typename T>
  T required(llvm::StringRef key, const std::function<bool(T)> &rule, llvm::StringRef expected,
             T fallback) {
    if (!has(key) && node.kind == Node::Kind::Mapping)
      fail(node.loc) << what << " needs '" << key << "' (" << expected << ")";
    return optionalValue<T>(key, rule, expected).value_or(fallback);
  }

  /// The value under `key` parsed as a T that satisfies `rule`.
  template <typename T>
  std::optional<T> optionalValue(llvm::StringRef key, const std::function<bool(T)> &rule,
                                 llvm::StringRef expected) {
    const Node *value = scalar(key, expected);
    if (!value)
      return std::nullopt;
    T result;
    if (!parse(value->scalar, result) || !rule(result)) {
      reject(*value, key, expected);
      return std::nullopt;
    }
    return result;
  }

  void reject(const Node &value, llvm::StringRef key, llvm::StringRef expected) {
    fail(value.loc) << "'" << key << "' must be " << expected << ", got '" << value.scalar << "'";
  }

  /// The scalar under `key`, or null (after an error if it is not a scalar).
  const Node *scalar(llvm::StringRef key, llvm::StringRef expected) {
    const Node *value = find(key);
    if (!value)
      return nullptr;
    if (value->kind != Node::Kind::Scalar) {
      fail(value->loc) << "'" << key << "' must be " << expected;
      return nullptr;
    }
    return value;
  }

  const Node &node;
  llvm::StringRef what;
  const Diagnostics &diag;
  bool &ok;
};

} // namespace cnnc::spec

#endif // CNNC_FRONTEND_FIELDREADER_H
