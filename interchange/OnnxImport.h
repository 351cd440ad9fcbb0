//===- OnnxImport.h - an ONNX CNN graph as cnn IR ---------------*- C++ -*-===//
//
// `cnnc compile model.onnx`: a graph of this model family, as PyTorch's
// exporter (torchvision, timm) or a TensorFlow converter writes it, lowered
// straight into the cnn dialect: the same function convert-effnet-to-cnn makes
// from a spec (batch norms unfolded, weights as cnn.weight ops named by their
// initializers), so every pass and target after it applies unchanged.
//
// Operators come across one node at a time, with the patterns exporters leave
// recognised: x · Sigmoid(x) is SiLU, x · HardSigmoid(x) hard-swish, a Pad
// before a Conv is the convolution's padding, MatMul + Add a classifier with
// its bias. Anything else is one error naming the node, its operator and its
// position in the graph.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_INTERCHANGE_ONNXIMPORT_H
#define CNNC_INTERCHANGE_ONNXIMPORT_H

#include "frontend/WeightImport.h"
#include "passes/ModelLimits.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// Whether `model` (a command's MODEL argument) names an ONNX file.
bool isOnnxModelPath(llvm::StringRef model);

/// A model imported from ONNX: a module holding one func.func of cnn ops,
/// named after the file, and its weights, by cnn.weight name.
struct ImportedOnnx {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  WeightSet weights;
};

/// Reads the ONNX model at `path` and lowers its graph for `batch` images: a
/// symbolic batch dimension takes `batch`; a fixed one must equal it. Every
/// tensor's channels and size, and every padding, stay within `limits`. Errors
/// (an unreadable or truncated file, an unsupported operator or shape) start
/// with the path, and name the node, its operator and its index where there
/// is one. Metadata "cnnc.input_mean" / "cnnc.input_std", as `cnnc export`
/// writes them, become the model's input normalization.
llvm::Expected<ImportedOnnx> importOnnx(llvm::StringRef path, mlir::MLIRContext &context,
                                        int64_t batch, const ModelLimits &limits);

} // namespace cnnc

#endif // CNNC_INTERCHANGE_ONNXIMPORT_H
