//===- OnnxConstants.h - the constant tensors of an ONNX graph --*- C++ -*-===//
//
// An ONNX graph's constants arrive in several encodings: initializers and
// Constant nodes, values as raw little-endian bytes or in typed repeated
// fields, as float32, float16, float64, int8, uint8, int32 or int64. The importer wants
// two kinds only, weights (float32) and operator arguments (int64: pads,
// axes, shapes; float32: Clip's bounds), so every encoding is read here, once,
// and every error names the tensor.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_INTERCHANGE_ONNXCONSTANTS_H
#define CNNC_INTERCHANGE_ONNXCONSTANTS_H

#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

/// A constant tensor: an initializer's or a Constant node's value.
struct OnnxConstant {
  std::string name; // the initializer's name, or the Constant node's output
  std::vector<int64_t> shape;
  bool isFloat = false;
  std::vector<float> floats; // float tensors, as float32
  std::vector<int64_t> ints; // integer tensors, as int64

  int64_t elements() const { return isFloat ? floats.size() : ints.size(); }
};

/// Reads `tensor`. Floating-point tensors become float32, integer ones int64;
/// other element types, values kept in an external file and a value count
/// that does not match the dimensions are errors naming the tensor.
llvm::Expected<OnnxConstant> readOnnxTensor(const onnx::TensorProto &tensor);

/// The value of a Constant node (its `value`, `value_float(s)` or
/// `value_int(s)` attribute), named after its output.
llvm::Expected<OnnxConstant> readOnnxConstantNode(const onnx::NodeProto &node);

} // namespace cnnc

#endif // CNNC_INTERCHANGE_ONNXCONSTANTS_H
