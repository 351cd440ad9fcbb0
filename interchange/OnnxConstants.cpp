//===- OnnxConstants.cpp - the constant tensors of an ONNX graph ----------===//
#include "interchange/OnnxConstants.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SwapByteOrder.h"

#include <cstring>

namespace cnnc {
namespace {

llvm::Error tensorError(const std::string &name, const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "tensor '%s' %s", name.c_str(),
                                 message.str().c_str());
}

/// `count` little-endian values of type Stored from `raw`, each converted.
template <typename Stored, typename Out, typename Convert>
std::vector<Out> fromRaw(const std::string &raw, size_t count, Convert convert) {
  std::vector<Out> values(count);
  for (size_t i = 0; i < count; ++i) {
    Stored v;
    std::memcpy(&v, raw.data() + i * sizeof(Stored), sizeof(Stored));
    if (!llvm::sys::IsLittleEndianHost)
      llvm::sys::swapByteOrder(v);
    values[i] = convert(v);
  }
  return values;
}

float halfToFloat(uint16_t bits) {
  llvm::APFloat half(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
  bool lossy;
  half.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven, &lossy);
  return half.convertToFloat();
}

} // namespace

llvm::Expected<OnnxConstant> readOnnxTensor(const onnx::TensorProto &tensor) {
  OnnxConstant constant;
  constant.name = tensor.name();
  uint64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && count > (uint64_t(1) << 40) / static_cast<uint64_t>(d)))
      return tensorError(constant.name, "has an impossible dimension " + llvm::Twine(d));
    constant.shape.push_back(d);
    count *= static_cast<uint64_t>(d);
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return tensorError(constant.name,
                       "keeps its values in an external file, which cnnc does not read: save "
                       "the model with its weights inside (onnx.save(..., "
                       "save_as_external_data=False))");
  const std::string &raw = tensor.raw_data();
  size_t stored = 0;
  auto check = [&](size_t width) -> llvm::Error {
    stored = tensor.has_raw_data() ? raw.size() / width : stored;
    if ((tensor.has_raw_data() && raw.size() % width) || stored != count)
      return tensorError(constant.name, "holds " + llvm::Twine(stored) + " values for " +
                                            llvm::Twine(count) + " elements");
    return llvm::Error::success();
  };
  auto same = [](auto v) { return v; };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    constant.isFloat = true;
    stored = tensor.float_data_size();
    if (llvm::Error error = check(sizeof(float)))
      return std::move(error);
    constant.floats = tensor.has_raw_data() ? fromRaw<float, float>(raw, count, same)
                                            : std::vector<float>(tensor.float_data().begin(),
                                                                 tensor.float_data().end());
    return constant;
  case onnx::TensorProto::FLOAT16: {
    constant.isFloat = true;
    stored = tensor.int32_data_size(); // ONNX keeps float16 bits in int32_data
    if (llvm::Error error = check(sizeof(uint16_t)))
      return std::move(error);
    if (tensor.has_raw_data()) {
      constant.floats = fromRaw<uint16_t, float>(raw, count, halfToFloat);
    } else {
      for (int32_t bits : tensor.int32_data())
        constant.floats.push_back(halfToFloat(static_cast<uint16_t>(bits)));
    }
    return constant;
  }
  case onnx::TensorProto::DOUBLE:
    constant.isFloat = true;
    stored = tensor.double_data_size();
    if (llvm::Error error = check(sizeof(double)))
      return std::move(error);
    if (tensor.has_raw_data()) {
      constant.floats =
          fromRaw<double, float>(raw, count, [](double v) { return static_cast<float>(v); });
    } else {
      for (double v : tensor.double_data())
        constant.floats.push_back(static_cast<float>(v));
    }
    return constant;
  case onnx::TensorProto::INT64:
    stored = tensor.int64_data_size();
    if (llvm::Error error = check(sizeof(int64_t)))
      return std::move(error);
    constant.ints = tensor.has_raw_data() ? fromRaw<int64_t, int64_t>(raw, count, same)
                                          : std::vector<int64_t>(tensor.int64_data().begin(),
                                                                 tensor.int64_data().end());
    return constant;
  case onnx::TensorProto::INT32:
    stored = tensor.int32_data_size();
    if (llvm::Error error = check(sizeof(int32_t)))
      return std::move(error);
    if (tensor.has_raw_data()) {
      constant.ints =
          fromRaw<int32_t, int64_t>(raw, count, [](int32_t v) { return static_cast<int64_t>(v); });
    } else {
      constant.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
    }
    return constant;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: {
    // Quantized tensors: read, so that what uses them is the error.
    bool isSigned = tensor.data_type() == onnx::TensorProto::INT8;
    stored = tensor.int32_data_size(); // ONNX keeps 8-bit values in int32_data
    if (llvm::Error error = check(1))
      return std::move(error);
    if (tensor.has_raw_data()) {
      for (char c : raw)
        constant.ints.push_back(isSigned ? static_cast<int8_t>(c) : static_cast<uint8_t>(c));
    } else {
      constant.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
    }
    return constant;
  }
  default:
    return tensorError(constant.name,
                       "has element type " +
                           onnx::TensorProto::DataType_Name(
                               static_cast<onnx::TensorProto::DataType>(tensor.data_type())) +
                           ": cnnc reads float32, float16, float64 and integer tensors");
  }
}

llvm::Expected<OnnxConstant> readOnnxConstantNode(const onnx::NodeProto &node) {
  for (const onnx::AttributeProto &attribute : node.attribute()) {
    OnnxConstant constant;
    if (attribute.name() == "value") {
      llvm::Expected<OnnxConstant> read = readOnnxTensor(attribute.t());
      if (!read)
        return read.takeError();
      constant = std::move(*read);
    } else if (attribute.name() == "value_float") {
      constant.isFloat = true;
      constant.floats = {attribute.f()};
    } else if (attribute.name() == "value_floats") {
      constant.isFloat = true;
      constant.floats.assign(attribute.floats().begin(), attribute.floats().end());
      constant.shape = {static_cast<int64_t>(constant.floats.size())};
    } else if (attribute.name() == "value_int") {
      constant.ints = {attribute.i()};
    } else if (attribute.name() == "value_ints") {
      constant.ints.assign(attribute.ints().begin(), attribute.ints().end());
      constant.shape = {static_cast<int64_t>(constant.ints.size())};
    } else {
      continue;
    }
    constant.name = node.output(0);
    return constant;
  }
  return tensorError(node.output_size() ? node.output(0) : node.name(),
                     "comes from a Constant node without a numeric value");
}

} // namespace cnnc
