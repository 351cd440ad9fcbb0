//===- ElementType.cpp - element types of tensors, in every layer ---------===//
#include "codegen/ElementType.h"

#include "cnnc_model_desc.h"

#include "mlir/IR/BuiltinTypes.h"

namespace cnnc {

size_t byteSize(ElementType type) { return cnnc_dtype_bytes(static_cast<cnnc_dtype>(type)); }

llvm::StringRef elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::f32:
    return "f32";
  case ElementType::f16:
    return "f16";
  case ElementType::bf16:
    return "bf16";
  case ElementType::i8:
    return "i8";
  case ElementType::u8:
    return "u8";
  case ElementType::i32:
    return "i32";
  }
  return "?";
}

std::optional<ElementType> elementTypeOf(mlir::Type scalar) {
  if (scalar.isF32())
    return ElementType::f32;
  if (scalar.isF16())
    return ElementType::f16;
  if (scalar.isBF16())
    return ElementType::bf16;
  if (scalar.isSignlessInteger(8) || scalar.isSignedInteger(8))
    return ElementType::i8;
  if (scalar.isUnsignedInteger(8))
    return ElementType::u8;
  if (scalar.isSignlessInteger(32) || scalar.isSignedInteger(32))
    return ElementType::i32;
  return std::nullopt;
}

} // namespace cnnc
