//===- FuzzSafetensors.cpp - the safetensors reader -----------------------===//
//
// Opens the input as a safetensors file and reads every tensor as float32,
// as weight import does.
//
//===----------------------------------------------------------------------===//
#include "FuzzInput.h"
#include "frontend/Safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<cnnc::SafetensorsFile> file =
      cnnc::SafetensorsFile::open(cnnc::fuzz::asFile(data, size, ".safetensors"));
  if (!file) {
    llvm::consumeError(file.takeError());
    return 0;
  }
  for (const auto &entry : file->tensors()) {
    llvm::Expected<std::vector<float>> values = file->readFloat32(entry.getKey());
    if (!values)
      llvm::consumeError(values.takeError());
  }
  return 0;
}
