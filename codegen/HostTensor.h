//===- HostTensor.h - a dense typed tensor in host memory -------*- C++ -*-===//
//
// Row-major (NCHW for activations), of any cnnc element type, with its
// quantization parameters. Values are reached through a typed view that
// checks the element type, so a float path can never read int8 bytes.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_HOSTTENSOR_H
#define CNNC_CODEGEN_HOSTTENSOR_H

#include "codegen/ElementType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/ErrorHandling.h"

#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

namespace cnnc {

class HostTensor {
public:
  std::vector<int64_t> shape;

  HostTensor() = default;
  explicit HostTensor(std::vector<int64_t> dims, ElementType type = ElementType::f32,
                      QuantParams quant = {})
      : shape(std::move(dims)), type(type), quant(quant),
        storage(static_cast<size_t>(numElements()) * byteSize(type)) {}

  int64_t numElements() const {
    return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
  }
  ElementType elementType() const { return type; }
  const QuantParams &quantization() const { return quant; }
  llvm::ArrayRef<uint8_t> bytes() const { return storage; }

  /// The values, as T; T must be the element type's C type.
  template <typename T> llvm::MutableArrayRef<T> values() {
    checkType<T>();
    return {reinterpret_cast<T *>(storage.data()), storage.size() / sizeof(T)};
  }
  template <typename T> llvm::ArrayRef<T> values() const {
    checkType<T>();
    return {reinterpret_cast<const T *>(storage.data()), storage.size() / sizeof(T)};
  }
  llvm::MutableArrayRef<float> f32() { return values<float>(); }
  llvm::ArrayRef<float> f32() const { return values<float>(); }

private:
  template <typename T> void checkType() const {
    if (elementTypeFor<T>() != type)
      llvm::report_fatal_error("HostTensor of " + elementTypeName(type) + " read as " +
                               elementTypeName(elementTypeFor<T>()));
  }

  ElementType type = ElementType::f32;
  QuantParams quant;
  std::vector<uint8_t> storage; // std::vector's allocator aligns for every element type
};

} // namespace cnnc

#endif // CNNC_CODEGEN_HOSTTENSOR_H
