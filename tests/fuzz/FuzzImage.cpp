//===- FuzzImage.cpp - PNG and JPEG decoding and preprocessing ------------===//
#include "FuzzInput.h"
#include "ImageInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<cnnc::HostTensor> tensor = cnnc::loadImageInput(
      cnnc::fuzz::asFile(data, size, ".img"), {16, {0.485, 0.456, 0.406}, {0.229, 0.224, 0.225}});
  if (!tensor)
    llvm::consumeError(tensor.takeError());
  return 0;
}
