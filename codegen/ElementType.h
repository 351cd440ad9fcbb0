//===- ElementType.h - element types of tensors, in every layer -*- C++ -*-===//
//
// One list of element types for host tensors, weights, kernel signatures, the
// weights file and the runtime's tensor descriptions. The values are the
// runtime's cnnc_dtype, so what the compiler writes is what the runtime reads.
// Quantized tensors carry their affine parameters beside the element type.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_ELEMENTTYPE_H
#define CNNC_CODEGEN_ELEMENTTYPE_H

#include "cnnc_runtime.h"

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace cnnc {

enum class ElementType {
  f32 = CNNC_DTYPE_F32,
  f16 = CNNC_DTYPE_F16,
  bf16 = CNNC_DTYPE_BF16,
  i8 = CNNC_DTYPE_I8,
  u8 = CNNC_DTYPE_U8,
  i32 = CNNC_DTYPE_I32,
};

/// Affine quantization: real = scale · (q − zeroPoint). scale 0: not quantized.
struct QuantParams {
  float scale = 0.0f;
  int32_t zeroPoint = 0;
  bool quantized() const { return scale != 0.0f; }
  bool operator==(const QuantParams &o) const {
    return scale == o.scale && zeroPoint == o.zeroPoint;
  }
};

/// Bytes of one element.
size_t byteSize(ElementType type);

/// "f32", "i8", ...: how element types are printed in signatures and messages.
llvm::StringRef elementTypeName(ElementType type);

/// "CNNC_DTYPE_F32", ...: the runtime's name, in generated C.
llvm::StringRef elementTypeCName(ElementType type);

/// The element type of an MLIR scalar type (f32, f16, bf16, i8, ui8, i32), if cnnc has one.
std::optional<ElementType> elementTypeOf(mlir::Type scalar);

/// The C type whose values a tensor of `T` holds.
template <typename T> constexpr ElementType elementTypeFor();
template <> constexpr ElementType elementTypeFor<float>() { return ElementType::f32; }
template <> constexpr ElementType elementTypeFor<int8_t>() { return ElementType::i8; }
template <> constexpr ElementType elementTypeFor<uint8_t>() { return ElementType::u8; }
template <> constexpr ElementType elementTypeFor<int32_t>() { return ElementType::i32; }

} // namespace cnnc

#endif // CNNC_CODEGEN_ELEMENTTYPE_H
