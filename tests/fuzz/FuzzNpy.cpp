//===- FuzzNpy.cpp - the .npy reader --------------------------------------===//
#include "FuzzInput.h"
#include "Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<cnnc::HostTensor> tensor = cnnc::readNpy(cnnc::fuzz::asFile(data, size, ".npy"));
  if (!tensor)
    llvm::consumeError(tensor.takeError());
  return 0;
}
