//===- ElementType.cpp - element types of tensors, in every layer ---------===//
#include "codegen/ElementType.h"

#include "cnnc_model_desc.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/ErrorHandling.h"

namespace cnnc {

size_t byteSize(ElementType type) { return cnnc_dtype_bytes(static_cast<cnnc_dtype>(type)); }

namespace {

/// Each element type's names: in signatures and messages, and in C.
struct ElementTypeNames {
  ElementType type;
  const char *name, *cName;
};
constexpr ElementTypeNames kNames[] = {
    {ElementType::f32, "f32", "CNNC_DTYPE_F32"},    {ElementType::f16, "f16", "CNNC_DTYPE_F16"},
    {ElementType::bf16, "bf16", "CNNC_DTYPE_BF16"}, {ElementType::i8, "i8", "CNNC_DTYPE_I8"},
    {ElementType::u8, "u8", "CNNC_DTYPE_U8"},       {ElementType::i32, "i32", "CNNC_DTYPE_I32"},
};

const ElementTypeNames &namesOf(ElementType type) {
  for (const ElementTypeNames &names : kNames)
    if (names.type == type)
      return names;
  llvm_unreachable("an ElementType without names");
}

} // namespace

llvm::StringRef elementTypeName(ElementType type) { return namesOf(type).name; }

llvm::StringRef elementTypeCName(ElementType type) { return namesOf(type).cName; }

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
