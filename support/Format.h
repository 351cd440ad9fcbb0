//===- Format.h - how cnnc writes shapes in messages ------------*- C++ -*-===//
#ifndef CNNC_SUPPORT_FORMAT_H
#define CNNC_SUPPORT_FORMAT_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdio>

#include <string>

namespace cnnc {

/// (1, 3, 224, 224), or with other brackets: [32, 3, 3, 3].
inline std::string formatShape(llvm::ArrayRef<int64_t> shape, const char *brackets = "()") {
  std::string text(1, brackets[0]);
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + brackets[1];
}

/// A quantity in its unit with the SI prefix that reads best, to three
/// significant digits: (0.000705, "s") -> "705 µs", (12.5, "J") -> "12.5 J".
inline std::string formatWithPrefix(double value, const char *unit) {
  const struct {
    double factor;
    const char *prefix;
  } prefixes[] = {{1, ""}, {1e-3, "m"}, {1e-6, "µ"}, {1e-9, "n"}};
  size_t chosen = 0;
  while (chosen + 1 < std::size(prefixes) && value < prefixes[chosen].factor)
    ++chosen;
  char text[64];
  std::snprintf(text, sizeof text, "%.3g %s%s", value / prefixes[chosen].factor,
                prefixes[chosen].prefix, unit);
  return text;
}

} // namespace cnnc

#endif // CNNC_SUPPORT_FORMAT_H
