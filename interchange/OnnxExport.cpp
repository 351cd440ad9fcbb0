//===- OnnxExport.cpp - a lowered model as an ONNX graph ------------------===//
#include "interchange/OnnxExport.h"
#include "codegen/ReferenceEvaluator.h"
#include "dialect/Cnn.h"
#include "passes/InputNormalization.h"
#include "passes/KernelGroups.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/SwapByteOrder.h"

#include <onnx/onnx_pb.h>

#include <cstdio>
#include <fstream>

using namespace mlir;

namespace cnnc {
namespace {

/// The opset: HardSwish needs 14; ReduceMean and ReduceMax take their axes
/// as an attribute up to 17.
constexpr int64_t kOpset = 17;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

/// Builds the graph op by op; each cnn value is named once, as it is defined.
class GraphBuilder {
public:
  GraphBuilder(onnx::GraphProto &graph, WeightValues weightValues)
      : graph(graph), weightValues(std::move(weightValues)) {}

  llvm::Error build(func::FuncOp model) {
    for (BlockArgument arg : model.getArguments())
      addValueInfo(*graph.add_input(), names[arg] = "input", arg.getType());
    for (Operation &op : model.getBody().front())
      if (llvm::Error error = translate(op))
        return error;
    return llvm::Error::success();
  }

private:
  void addValueInfo(onnx::ValueInfoProto &info, const std::string &name, Type type) {
    info.set_name(name);
    onnx::TypeProto::Tensor *tensor = info.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : cast<RankedTensorType>(type).getShape())
      tensor->mutable_shape()->add_dim()->set_dim_value(d);
  }

  std::string fresh(llvm::StringRef hint) { return hint.str() + "_" + std::to_string(counter++); }

  onnx::NodeProto &node(llvm::StringRef opType, llvm::ArrayRef<std::string> inputs,
                        const std::string &output) {
    onnx::NodeProto &n = *graph.add_node();
    n.set_op_type(opType.str());
    n.set_name(output);
    for (const std::string &input : inputs)
      n.add_input(input);
    n.add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto &n, const char *name, llvm::ArrayRef<int64_t> values) {
    onnx::AttributeProto &a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
      a.add_ints(v);
  }

  static void integer(onnx::NodeProto &n, const char *name, int64_t value) {
    onnx::AttributeProto &a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(value);
  }

  static void real(onnx::NodeProto &n, const char *name, float value) {
    onnx::AttributeProto &a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::FLOAT);
    a.set_f(value);
  }

  /// A scalar float initializer (Clip's bounds).
  std::string constant(float value) {
    std::string name = fresh("constant");
    onnx::TensorProto &t = *graph.add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_float_data(value);
    return name;
  }

  /// A small initializer: a scale or zero-point vector of Q/DQ.
  template <typename T>
  std::string smallInitializer(llvm::StringRef hint, onnx::TensorProto::DataType type,
                               llvm::ArrayRef<T> values, bool scalar) {
    std::string name = fresh(hint);
    onnx::TensorProto &t = *graph.add_initializer();
    t.set_name(name);
    t.set_data_type(type);
    if (!scalar)
      t.add_dims(values.size());
    t.set_raw_data(values.data(), values.size() * sizeof(T));
    return name;
  }

  /// The name of a weights-only value (a weight, a batch-norm-folded filter, a
  /// quantized filter or bias) as an initializer, written at its first use: a
  /// weight under its own name, a value computed from one under that name
  /// and what was done to it.
  std::string initializer(Value value) {
    if (auto found = names.find(value); found != names.end())
      return found->second;
    const HostTensor &tensor = weightValues.find(value)->second;
    Operation *op = value.getDefiningOp();
    std::string name;
    if (auto weight = dyn_cast<cnn::WeightOp>(op)) {
      name = weight.getName().str();
    } else {
      // Named after the weight it comes from, through the first operands.
      Operation *root = op;
      while (!isa<cnn::WeightOp>(root) && root->getNumOperands())
        root = root->getOperand(0).getDefiningOp();
      std::string what = isa<cnn::QuantizeOp>(op) ? "quantized"
                         : isa<cnn::FoldBatchNormOp>(op)
                             ? (cast<OpResult>(value).getResultNumber() ? "folded_bias" : "folded")
                             : op->getName().stripDialect().str();
      name = fresh(cast<cnn::WeightOp>(root).getName().str() + "." + what);
    }
    onnx::TensorProto &t = *graph.add_initializer();
    t.set_name(name);
    t.set_data_type(onnxType(tensor.elementType()));
    for (int64_t d : tensor.shape)
      t.add_dims(d);
    // Little-endian, as raw_data is defined on every platform cnnc builds for.
    t.set_raw_data(tensor.bytes().data(), tensor.bytes().size());
    return names[value] = name;
  }

  static onnx::TensorProto::DataType onnxType(ElementType type) {
    switch (type) {
    case ElementType::u8:
      return onnx::TensorProto::UINT8;
    case ElementType::i8:
      return onnx::TensorProto::INT8;
    case ElementType::i32:
      return onnx::TensorProto::INT32;
    case ElementType::f16:
      return onnx::TensorProto::FLOAT16;
    case ElementType::bf16:
      return onnx::TensorProto::BFLOAT16;
    case ElementType::f32:
      break;
    }
    return onnx::TensorProto::FLOAT;
  }

  /// QuantizeLinear or DequantizeLinear for cnn.quantize / cnn.dequantize:
  /// the scale and zero point as initializers (one, or one per index of
  /// `axis`), the zero point of the integer side's type.
  template <typename QuantOp> void quantization(QuantOp op, llvm::StringRef opType) {
    bool quantize = std::is_same_v<QuantOp, cnn::QuantizeOp>;
    Type integerSide = quantize ? op.getResult().getType() : op.getInput().getType();
    Type element = cast<RankedTensorType>(integerSide).getElementType();
    bool perAxis = op.getAxis().has_value();
    std::vector<float> scales(op.getScale().begin(), op.getScale().end());
    std::string scale =
        smallInitializer<float>("scale", onnx::TensorProto::FLOAT, scales, !perAxis);
    std::string zeroPoint;
    ArrayRef<int64_t> zp = op.getZeroPoint();
    if (element.isUnsignedInteger(8)) {
      std::vector<uint8_t> v(zp.begin(), zp.end());
      zeroPoint = smallInitializer<uint8_t>("zero_point", onnx::TensorProto::UINT8, v, !perAxis);
    } else if (element.isInteger(8)) {
      std::vector<int8_t> v(zp.begin(), zp.end());
      zeroPoint = smallInitializer<int8_t>("zero_point", onnx::TensorProto::INT8, v, !perAxis);
    } else {
      std::vector<int32_t> v(zp.begin(), zp.end());
      zeroPoint = smallInitializer<int32_t>("zero_point", onnx::TensorProto::INT32, v, !perAxis);
    }
    std::string out = names[op.getResult()] = fresh(quantize ? "quantized" : "dequantized");
    onnx::NodeProto &n = node(opType, {inputsOf(*op)[0], scale, zeroPoint}, out);
    if (perAxis)
      integer(n, "axis", *op.getAxis());
  }

  /// A value's name: an initializer for what is computed from weights alone,
  /// but for a quantized weight's DequantizeLinear, which stays a node so
  /// that the weight is stored as integers.
  std::string nameOf(Value value) {
    bool node = value.getDefiningOp<cnn::DequantizeOp>();
    return weightValues.count(value) && !node ? initializer(value) : names.lookup(value);
  }

  std::vector<std::string> inputsOf(Operation &op) {
    std::vector<std::string> inputs;
    for (Value operand : op.getOperands())
      inputs.push_back(nameOf(operand));
    return inputs;
  }

  /// A layer's inputs (data, weight, bias), the bias as int32 where the
  /// layer is quantized.
  std::vector<std::string> layerInputs(Operation &op, Value input, Value weight, Value bias) {
    std::string biasName;
    if (bias) {
      std::optional<std::string> quantized = quantizedBias(input, weight, bias);
      biasName = quantized ? *quantized : nameOf(bias);
    }
    std::vector<std::string> inputs = {names.lookup(input), nameOf(weight)};
    if (bias)
      inputs.push_back(biasName);
    return inputs;
  }

  /// A float bias of a layer whose input (per tensor) and weight (per output
  /// channel) are dequantized 8-bit values, as int32 at scale s_x · s_w[o]
  /// behind a DequantizeLinear: how QDQ tools store it, so that a runtime
  /// can fuse the layer into an integer one, and the value cnn-lower-quantized
  /// gives it (rounded half away from zero, within ±(2^31 - 1)).
  std::optional<std::string> quantizedBias(Value input, Value weight, Value bias) {
    auto x = input.getDefiningOp<cnn::DequantizeOp>();
    auto w = weight.getDefiningOp<cnn::DequantizeOp>();
    if (!x || !w || x.getScale().size() != 1 || !weightValues.count(bias))
      return std::nullopt;
    ArrayRef<float> values = weightValues.find(bias)->second.f32();
    ArrayRef<double> weightScales = w.getScale();
    std::vector<float> scales;
    std::vector<int32_t> quantized;
    for (size_t o = 0; o < values.size(); ++o) {
      double scale = x.getScale()[0] * weightScales[weightScales.size() == 1 ? 0 : o];
      double q = scale > 0 ? std::round(values[o] / scale) : 0;
      quantized.push_back(static_cast<int32_t>(std::clamp(q, -2147483647.0, 2147483647.0)));
      scales.push_back(static_cast<float>(scale));
    }
    std::string data = smallInitializer<int32_t>("bias_int32", onnx::TensorProto::INT32, quantized,
                                                 /*scalar=*/false);
    std::string scale =
        smallInitializer<float>("bias_scale", onnx::TensorProto::FLOAT, scales, false);
    std::vector<int32_t> zeros(values.size(), 0);
    std::string zeroPoint =
        smallInitializer<int32_t>("bias_zero_point", onnx::TensorProto::INT32, zeros, false);
    std::string out = fresh("bias");
    integer(node("DequantizeLinear", {data, scale, zeroPoint}, out), "axis", 0);
    return out;
  }

  template <typename ConvOp> void convolution(ConvOp conv, int64_t group) {
    std::vector<std::string> inputs =
        layerInputs(*conv, conv.getInput(), conv.getFilter(), conv.getBias());
    std::string out = names[conv.getResult()] = fresh("conv");
    ArrayRef<int64_t> filter = cast<RankedTensorType>(conv.getFilter().getType()).getShape();
    onnx::NodeProto &n = node("Conv", inputs, out);
    ints(n, "kernel_shape", {filter[2], filter[3]});
    ints(n, "strides", conv.getStrides());
    ints(n, "pads", conv.getPadding()); // [top, left, bottom, right], as ONNX orders them
    integer(n, "group", group);
  }

  void activation(cnn::ActivationOp act) {
    std::string in = names.lookup(act.getInput());
    std::string out = names[act.getResult()] = fresh(cnn::stringifyActivation(act.getKind()));
    switch (act.getKind()) {
    case cnn::Activation::identity:
      node("Identity", {in}, out);
      return;
    case cnn::Activation::relu:
      node("Relu", {in}, out);
      return;
    case cnn::Activation::relu6:
      node("Clip", {in, constant(0), constant(6)}, out);
      return;
    case cnn::Activation::sigmoid:
      node("Sigmoid", {in}, out);
      return;
    case cnn::Activation::hardswish:
      node("HardSwish", {in}, out);
      return;
    case cnn::Activation::hardsigmoid: { // PyTorch's: relu6(x + 3) / 6
      onnx::NodeProto &n = node("HardSigmoid", {in}, out);
      real(n, "alpha", 1.0f / 6);
      real(n, "beta", 0.5f);
      return;
    }
    case cnn::Activation::silu: {
      std::string gate = fresh("sigmoid");
      node("Sigmoid", {in}, gate);
      node("Mul", {in, gate}, out);
      return;
    }
    }
  }

  llvm::Error translate(Operation &op) {
    // Weights and what is computed from them alone become initializers
    // where they are read.
    if (isWeightOnly(&op) && !isa<cnn::DequantizeOp>(op))
      return llvm::Error::success();
    auto define = [&](llvm::StringRef opType, llvm::StringRef hint) -> onnx::NodeProto & {
      // Inputs first: naming a weight's initializer adds to `names`.
      std::vector<std::string> inputs = inputsOf(op);
      std::string output = names[op.getResult(0)] = fresh(hint);
      return node(opType, inputs, output);
    };
    bool translated = true;
    llvm::TypeSwitch<Operation *>(&op)
        .Case([&](cnn::Conv2DOp conv) { convolution(conv, 1); })
        .Case([&](cnn::DepthwiseConv2DOp conv) {
          convolution(conv, cast<RankedTensorType>(conv.getFilter().getType()).getDimSize(0));
        })
        .Case([&](cnn::BatchNormOp bn) {
          real(define("BatchNormalization", "batch_norm"), "epsilon",
               static_cast<float>(bn.getEpsilon().convertToDouble()));
        })
        .Case([&](cnn::ActivationOp act) { activation(act); })
        .Case([&](cnn::GlobalPoolOp pool) {
          define(pool.getKind() == cnn::PoolKind::avg ? "GlobalAveragePool" : "GlobalMaxPool",
                 "global_pool");
        })
        .Case([&](cnn::ChannelPoolOp pool) {
          onnx::NodeProto &n = define(
              pool.getKind() == cnn::PoolKind::avg ? "ReduceMean" : "ReduceMax", "channel_pool");
          ints(n, "axes", {1});
          integer(n, "keepdims", 1);
        })
        .Case([&](cnn::ConcatOp) { integer(define("Concat", "concat"), "axis", 1); })
        .Case([&](cnn::AddOp) { define("Add", "add"); })
        .Case([&](cnn::MulOp) { define("Mul", "mul"); })
        .Case([&](cnn::QuantizeOp q) { quantization(q, "QuantizeLinear"); })
        .Case([&](cnn::DequantizeOp dq) { quantization(dq, "DequantizeLinear"); })
        .Case([&](cnn::FlattenOp) { integer(define("Flatten", "flatten"), "axis", 1); })
        .Case([&](cnn::FullyConnectedOp fc) {
          std::vector<std::string> inputs =
              layerInputs(*fc, fc.getInput(), fc.getWeight(), fc.getBias());
          std::string out = names[fc.getResult()] = fresh("fully_connected");
          integer(node("Gemm", inputs, out), "transB", 1);
        })
        .Case([&](func::ReturnOp ret) {
          // The logits, under a name of their own.
          node("Identity", {names.lookup(ret.getOperand(0))}, "logits");
          addValueInfo(*graph.add_output(), "logits", ret.getOperand(0).getType());
        })
        .Default([&](Operation *) { translated = false; });
    if (!translated)
      return fail("cnnc export cannot write " + op.getName().getStringRef() +
                  " as ONNX (the float model as written and its quantization as Q/DQ are "
                  "exported, not integer kernels)");
    return llvm::Error::success();
  }

  onnx::GraphProto &graph;
  WeightValues weightValues;
  llvm::DenseMap<Value, std::string> names;
  int counter = 0;
};

} // namespace

llvm::Error exportOnnx(func::FuncOp model, const WeightSet &weights, llvm::StringRef path) {
  onnx::ModelProto proto;
  proto.set_ir_version(8); // what opset 17 needs: ONNX 1.12 and ONNX Runtime 1.12 on
  proto.set_producer_name("cnnc");
  proto.set_model_version(1);
  onnx::OperatorSetIdProto &opset = *proto.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);
  // The input the model expects, as the compiled header records it: x =
  // (pixel / 255 - mean[c]) / std[c], where the spec gives it.
  if (std::optional<InputNormalization> norm = inputNormalization(model))
    for (auto [key, values] :
         {std::pair("cnnc.input_mean", norm->mean), std::pair("cnnc.input_std", norm->std)}) {
      onnx::StringStringEntryProto &entry = *proto.add_metadata_props();
      entry.set_key(key);
      std::string text;
      for (double v : values) {
        char number[32];
        std::snprintf(number, sizeof number, "%.9g", v);
        text += (text.empty() ? "" : ",") + std::string(number);
      }
      entry.set_value(text);
    }
  onnx::GraphProto &graph = *proto.mutable_graph();
  graph.set_name(model.getSymName().str());
  llvm::Expected<WeightValues> weightValues = evaluateWeightValues(model, weights);
  if (!weightValues)
    return weightValues.takeError();
  if (llvm::Error error = GraphBuilder(graph, std::move(*weightValues)).build(model))
    return error;
  if (!llvm::sys::IsLittleEndianHost) // raw_data is little-endian
    return fail("cnnc export writes ONNX on little-endian machines only");
  std::ofstream file(path.str(), std::ios::binary | std::ios::trunc);
  if (!file)
    return fail("cannot write " + path);
  if (!proto.SerializeToOstream(&file)) // protobuf's 2 GiB limit, or the disk
    return fail("cannot write " + path +
                ": the model is over protobuf's 2 GiB, or the disk "
                "is full");
  file.close();
  if (!file)
    return fail("cannot write " + path + ": the disk is full, or the file went away");
  return llvm::Error::success();
}

} // namespace cnnc
