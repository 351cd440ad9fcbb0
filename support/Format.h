//===- Format.h - how cnnc writes shapes in messages ------------*- C++ -*-===//
#ifndef CNNC_SUPPORT_FORMAT_H
#define CNNC_SUPPORT_FORMAT_H

#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace cnnc {

/// (1, 3, 224, 224), or with other brackets: [32, 3, 3, 3].
inline std::string formatShape(llvm::ArrayRef<int64_t> shape, const char *brackets = "()") {
  std::string text(1, brackets[0]);
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + brackets[1];
}

} // namespace cnnc

#endif // CNNC_SUPPORT_FORMAT_H
