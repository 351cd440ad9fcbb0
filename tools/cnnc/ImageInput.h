//===- ImageInput.h - a photo as a model input ------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_IMAGEINPUT_H
#define CNNC_TOOLS_IMAGEINPUT_H

#include "codegen/HostTensor.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// Decodes a PNG or JPEG file and prepares it as torchvision's ImageNet
/// evaluation does: the shorter side resized (bilinear) to resolution / 0.875,
/// a centered resolution × resolution crop, channels scaled to [0, 1] and
/// normalized with the ImageNet mean and deviation. Returns 1×3×R×R (NCHW).
/// A missing, unreadable or corrupted file is an error naming the file.
llvm::Expected<HostTensor> loadImageInput(llvm::StringRef path, int64_t resolution);

} // namespace cnnc

#endif // CNNC_TOOLS_IMAGEINPUT_H
