//===- OnnxConstantFolding.h - shape arithmetic on constants ----*- C++ -*-===//
//
// Exporters do not always fold what a graph computes from shapes. timm's
// TensorFlow-ported models compute their SAME padding at run time (Shape,
// Gather, Ceil, Sub, Mul, Clip, Cast, Unsqueeze, Concat, Slice, Transpose,
// Reshape, ConstantOfShape) and hand the result to a Pad. cnnc's shapes are
// static, so every such node has constant inputs once Shape is answered, and
// is evaluated here, at import, into a constant: the Pad then sees numbers.
//
// Only small tensors of shape arithmetic pass through here; float values are
// computed in double and rounded to float32 as ONNX would store them.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_INTERCHANGE_ONNXCONSTANTFOLDING_H
#define CNNC_INTERCHANGE_ONNXCONSTANTFOLDING_H

#include "interchange/OnnxConstants.h"

#include "llvm/ADT/ArrayRef.h"

#include <optional>

namespace cnnc {

/// Whether foldOnnxNode evaluates nodes of this operator.
bool isFoldableOnnxOp(llvm::StringRef opType);

/// Evaluates `node`, whose inputs are all constants (`inputs`, in order; null
/// for an omitted optional input), into the constant of its first output.
/// Errors (a shape that does not broadcast, an index out of range, a result
/// of over a million values) say what is wrong, without the node: the caller
/// names it.
llvm::Expected<OnnxConstant> foldOnnxNode(const onnx::NodeProto &node,
                                          llvm::ArrayRef<const OnnxConstant *> inputs);

} // namespace cnnc

#endif // CNNC_INTERCHANGE_ONNXCONSTANTFOLDING_H
