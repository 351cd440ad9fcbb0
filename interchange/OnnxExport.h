//===- OnnxExport.h - a lowered model as an ONNX graph ----------*- C++ -*-===//
//
// `cnnc export`: a model as written (the frontend's cnn IR, batch norms
// unfolded) and its weights as a standard ONNX model (opset 17), built with
// ONNX's own protobuf classes (Debian's libonnx-dev). Every cnn op has a
// direct ONNX counterpart, so the graph reads as the spec does: one node per
// op (SiLU as Sigmoid and Mul, ReLU6 as Clip), each weight an initializer
// under its cnn.weight name. FP32 only for now.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_INTERCHANGE_ONNXEXPORT_H
#define CNNC_INTERCHANGE_ONNXEXPORT_H

#include "frontend/WeightImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// Writes `model` (a function produced by convert-effnet-to-cnn) with
/// `weights` to `path` as an ONNX model whose input is "input" (N×C×H×W,
/// float) and output "logits". A spec's input normalization is recorded in
/// the model's metadata as "cnnc.input_mean" and "cnnc.input_std" (comma-
/// separated, per channel, on pixels scaled to 0..1).
llvm::Error exportOnnx(mlir::func::FuncOp model, const WeightSet &weights, llvm::StringRef path);

} // namespace cnnc

#endif // CNNC_INTERCHANGE_ONNXEXPORT_H
