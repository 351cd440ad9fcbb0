//===- HostTensor.h - a dense float32 tensor in host memory -----*- C++ -*-===//
#ifndef CNNC_CODEGEN_HOSTTENSOR_H
#define CNNC_CODEGEN_HOSTTENSOR_H

#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

namespace cnnc {

/// Row-major float32 tensor (NCHW for activations).
struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  HostTensor() = default;
  explicit HostTensor(std::vector<int64_t> dims) : shape(std::move(dims)), data(numElements()) {}

  int64_t numElements() const {
    return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
  }
};

} // namespace cnnc

#endif // CNNC_CODEGEN_HOSTTENSOR_H
