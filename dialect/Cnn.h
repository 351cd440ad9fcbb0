//===- Cnn.h - cnn dialect --------------------------------------*- C++ -*-===//
#ifndef CNNC_DIALECT_CNN_H
#define CNNC_DIALECT_CNN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/WeightSchemes.h"

#include "dialect/CnnDialect.h.inc"
#include "dialect/CnnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/CnnAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/CnnOps.h.inc"

#endif // CNNC_DIALECT_CNN_H
