//===- ImageInput.h - a photo as a model input ------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_IMAGEINPUT_H
#define CNNC_TOOLS_IMAGEINPUT_H

#include "codegen/HostTensor.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// How a photo becomes a model input: torchvision's ImageNet evaluation
/// transform, with the model's own normalization.
struct ImagePreprocessing {
  int64_t resolution;
  double mean[3], std[3]; // on pixels scaled to 0..1

  /// For a model of 3 input channels: `mean` and `std` hold 3 values each.
  static ImagePreprocessing of(int64_t resolution, llvm::ArrayRef<double> mean,
                               llvm::ArrayRef<double> std) {
    return {resolution, {mean[0], mean[1], mean[2]}, {std[0], std[1], std[2]}};
  }
};

/// Decodes a PNG or JPEG file and prepares it as torchvision's ImageNet
/// evaluation does: the shorter side resized (bilinear) to resolution / 0.875,
/// a centered resolution × resolution crop, channels scaled to [0, 1] and
/// normalized with `pre`'s mean and deviation. Returns 1×3×R×R (NCHW).
/// A missing, unreadable or corrupted file is an error naming the file.
llvm::Expected<HostTensor> loadImageInput(llvm::StringRef path, const ImagePreprocessing &pre);

} // namespace cnnc

#endif // CNNC_TOOLS_IMAGEINPUT_H
