//===- FuzzImage.cpp - PNG and JPEG decoding and preprocessing ------------===//
#include "FuzzInput.h"
#include "ImageInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<cnnc::HostTensor> tensor =
      cnnc::loadImageInput(cnnc::fuzz::asFile(data, size, ".img"), 16);
  if (!tensor)
    llvm::consumeError(tensor.takeError());
  return 0;
}
