//===- Safetensors.h - reading .safetensors weight files --------*- C++ -*-===//
//
// The format: an 8-byte little-endian header length, a JSON header mapping
// tensor names to {dtype, shape, data_offsets}, then the data. F32, F16 and
// BF16 tensors convert to float; other dtypes can be listed but not read.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_SAFETENSORS_H
#define CNNC_FRONTEND_SAFETENSORS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace cnnc {

struct SafetensorsEntry {
  std::string dtype; // "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  llvm::ArrayRef<uint8_t> bytes;
};

class SafetensorsFile {
public:
  /// Opens and validates `path`: header bounds, JSON, every tensor's offsets
  /// and size. Errors name the file and, where it applies, the tensor.
  static llvm::Expected<SafetensorsFile> open(llvm::StringRef path);

  const llvm::StringMap<SafetensorsEntry> &tensors() const { return entries; }
  llvm::StringRef path() const { return filePath; }

  /// The tensor as float32 values; fails for dtypes other than F32/F16/BF16.
  llvm::Expected<std::vector<float>> readFloat32(llvm::StringRef name) const;

private:
  std::string filePath;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  llvm::StringMap<SafetensorsEntry> entries;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_SAFETENSORS_H
