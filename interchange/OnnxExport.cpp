//===- OnnxExport.cpp - a lowered model as an ONNX graph ------------------===//
#include "interchange/OnnxExport.h"
#include "dialect/Cnn.h"
#include "passes/InputNormalization.h"

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
  GraphBuilder(onnx::GraphProto &graph, const WeightSet &weights)
      : graph(graph), weights(weights) {}

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

  llvm::Error weight(cnn::WeightOp op) {
    std::string name = op.getName().str();
    auto found = weights.find(name);
    if (found == weights.end())
      return fail("no values for weight '" + name + "'");
    auto type = cast<RankedTensorType>(op.getType());
    if (static_cast<int64_t>(found->second.size()) != type.getNumElements())
      return fail("weight '" + name + "' holds " + llvm::Twine(found->second.size()) +
                  " values for " + llvm::Twine(type.getNumElements()) + " elements");
    onnx::TensorProto &t = *graph.add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : type.getShape())
      t.add_dims(d);
    // Little-endian IEEE floats, as raw_data is defined on every platform
    // cnnc builds for.
    t.set_raw_data(found->second.data(), found->second.size() * sizeof(float));
    names[op.getResult()] = name;
    return llvm::Error::success();
  }

  std::vector<std::string> inputsOf(Operation &op) {
    std::vector<std::string> inputs;
    for (Value operand : op.getOperands())
      inputs.push_back(names.lookup(operand));
    return inputs;
  }

  template <typename ConvOp> void convolution(ConvOp conv, int64_t group) {
    std::string out = names[conv.getResult()] = fresh("conv");
    ArrayRef<int64_t> filter = cast<RankedTensorType>(conv.getFilter().getType()).getShape();
    onnx::NodeProto &n = node("Conv", inputsOf(*conv), out);
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
    auto define = [&](llvm::StringRef opType, llvm::StringRef hint) -> onnx::NodeProto & {
      return node(opType, inputsOf(op), names[op.getResult(0)] = fresh(hint));
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
        .Case([&](cnn::FlattenOp) { integer(define("Flatten", "flatten"), "axis", 1); })
        .Case(
            [&](cnn::FullyConnectedOp) { integer(define("Gemm", "fully_connected"), "transB", 1); })
        .Case([&](func::ReturnOp ret) {
          // The logits, under a name of their own.
          node("Identity", {names.lookup(ret.getOperand(0))}, "logits");
          addValueInfo(*graph.add_output(), "logits", ret.getOperand(0).getType());
        })
        .Default([&](Operation *) { translated = false; });
    if (auto w = dyn_cast<cnn::WeightOp>(op))
      return weight(w);
    if (!translated)
      return fail("cnnc export cannot write " + op.getName().getStringRef() +
                  " as ONNX (only the float model as written is exported)");
    return llvm::Error::success();
  }

  onnx::GraphProto &graph;
  const WeightSet &weights;
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
  if (llvm::Error error = GraphBuilder(graph, weights).build(model))
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
