//===- Effnet.h - effnet dialect --------------------------------*- C++ -*-===//
#ifndef CNNC_DIALECT_EFFNET_H
#define CNNC_DIALECT_EFFNET_H

#include "dialect/Cnn.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"

#include "dialect/EffnetDialect.h.inc"
#include "dialect/EffnetEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/EffnetAttrs.h.inc"

#include "dialect/EffnetInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialect/EffnetOps.h.inc"

#endif // CNNC_DIALECT_EFFNET_H
