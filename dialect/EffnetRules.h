//===- EffnetRules.h - what an effnet model may contain ---------*- C++ -*-===//
//
// The one place that says which kernel sizes, strides and values are valid.
// The spec frontend uses it to point at the offending YAML value; the effnet
// verifiers use it to reject hand-written IR.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECT_EFFNETRULES_H
#define CNNC_DIALECT_EFFNETRULES_H

#include <cstdint>

namespace cnnc::effnet {

/// Odd kernels give "same" padding k/2 on every side, as the references do.
inline bool isSupportedKernel(int64_t kernel) { return kernel == 3 || kernel == 5 || kernel == 7; }
inline constexpr const char *kSupportedKernels = "3, 5 or 7";

inline bool isSupportedStride(int64_t stride) { return stride == 1 || stride == 2; }
inline constexpr const char *kSupportedStrides = "1 or 2";

/// CBAM's spatial-attention convolution (the paper uses 7).
inline bool isSupportedCbamKernel(int64_t kernel) { return kernel == 3 || kernel == 7; }
inline constexpr const char *kSupportedCbamKernels = "3 or 7";

} // namespace cnnc::effnet

#endif // CNNC_DIALECT_EFFNETRULES_H
