//===- OnnxImport.cpp - an ONNX CNN graph as cnn IR -----------------------===//
#include "interchange/OnnxImport.h"
#include "dialect/Cnn.h"
#include "frontend/FieldReader.h"
#include "interchange/OnnxConstantFolding.h"
#include "interchange/OnnxConstants.h"
#include "passes/InputNormalization.h"
#include "passes/ModelLimits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

using namespace mlir;

namespace cnnc {
namespace {

using Constant = std::shared_ptr<const OnnxConstant>;

/// The operators the importer lowers, for the unsupported-operator error.
constexpr const char *kSupported =
    "Conv, BatchNormalization, Relu, Clip, Sigmoid, HardSigmoid, HardSwish, Mul, Add, "
    "GlobalAveragePool, GlobalMaxPool, ReduceMean, ReduceMax, Concat, Flatten, Reshape, Squeeze, "
    "Gemm, MatMul, Pad, Identity, Dropout, Constant; and, on constants, Shape, Add, Sub, Mul, Div, "
    "Max, Min, Ceil, Floor, Neg, Cast, Clip, Unsqueeze, Squeeze, Concat, Gather, "
    "ConstantOfShape, Reshape, Slice, Transpose";

/// A number as %g writes it: 2, 0.5, 1e-05.
std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

/// A Pad node's result: its input and the zeros it adds, [top, left, bottom,
/// right]. It exists only as a following convolution's padding.
struct Padded {
  Value input;
  std::array<int64_t, 4> pads;
};

/// Lowers one graph, node by node, in the order ONNX requires (every input
/// defined before it is read).
class GraphImporter {
public:
  GraphImporter(const onnx::ModelProto &model, llvm::StringRef path, MLIRContext &context,
                int64_t batch, const ModelLimits &limits)
      : model(model), graph(model.graph()), path(path.str()), context(context), b(&context),
        batch(batch), limits(limits), fileLoc(FileLineColLoc::get(&context, path, 0, 0)) {}

  llvm::Expected<ImportedOnnx> run() {
    if (llvm::Error error = readOpset())
      return std::move(error);
    for (const onnx::TensorProto &initializer : graph.initializer()) {
      llvm::Expected<OnnxConstant> read = readOnnxTensor(initializer);
      if (!read)
        return fileError(llvm::toString(read.takeError()));
      constants[initializer.name()] = std::make_shared<OnnxConstant>(std::move(*read));
    }
    ImportedOnnx imported;
    imported.module = ModuleOp::create(fileLoc);
    b.setInsertionPointToEnd(imported.module->getBody());
    llvm::Expected<func::FuncOp> func = createFunction();
    if (!func)
      return func.takeError();
    countReaders();
    for (int i = 0; i < graph.node_size(); ++i) {
      node = &graph.node(i);
      nodeIndex = i;
      loc = NameLoc::get(b.getStringAttr(node->name().empty() ? node->op_type() : node->name()),
                         fileLoc);
      if (llvm::Error error = importNode())
        return std::move(error);
      if (llvm::Error error = checkLimits())
        return std::move(error);
    }
    node = nullptr;
    if (llvm::Error error = finish(*func))
      return std::move(error);
    imported.weights = std::move(weights);
    return imported;
  }

private:
  //===--------------------------------------------------------------------===//
  // Errors
  //===--------------------------------------------------------------------===//

  llvm::Error fileError(const llvm::Twine &message) {
    return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.c_str(),
                                   message.str().c_str());
  }

  /// An error at the current node: "PATH: node I 'NAME' (OP): message".
  llvm::Error nodeError(const llvm::Twine &message) {
    std::string name = node->name().empty() ? "" : " '" + node->name() + "'";
    return fileError("node " + llvm::Twine(nodeIndex) + name + " (" + node->op_type() +
                     "): " + message);
  }

  //===--------------------------------------------------------------------===//
  // The graph's edges
  //===--------------------------------------------------------------------===//

  /// The tensor `name` is, through Identity and Dropout aliases.
  std::string sourceOf(const std::string &name) const {
    auto found = aliases.find(name);
    return found == aliases.end() ? name : found->second;
  }

  /// How many nodes and graph outputs read each tensor, an alias's readers
  /// counted as its source's: what decides whether a value may be changed
  /// in place (a bias folded into the MatMul before it).
  void countReaders() {
    for (const onnx::NodeProto &n : graph.node()) {
      bool alias = n.op_type() == "Identity" || n.op_type() == "Dropout";
      if (alias && n.input_size() > 0 && n.output_size() > 0)
        aliases[n.output(0)] = sourceOf(n.input(0));
      else
        for (const std::string &input : n.input())
          ++readers[sourceOf(input)];
    }
    for (const onnx::ValueInfoProto &output : graph.output())
      ++readers[sourceOf(output.name())];
  }

  /// Shapes within the resource limits `--limit` sets: every tensor a node
  /// defines, checked as it is defined, so that no shape can overflow.
  llvm::Error checkLimits() {
    for (const std::string &output : node->output()) {
      auto found = values.find(output);
      if (found == values.end())
        continue;
      ArrayRef<int64_t> shape = shapeOf(found->second);
      if (llvm::Error error = checkShape(shape, [&](const llvm::Twine &message) {
            return nodeError("its result '" + output + "' " + message);
          }))
        return error;
    }
    return llvm::Error::success();
  }

  llvm::Error checkShape(ArrayRef<int64_t> shape,
                         llvm::function_ref<llvm::Error(const llvm::Twine &)> error) {
    auto over = [&](llvm::StringRef what, int64_t value, llvm::StringRef limit, int64_t bound) {
      return error("has " + llvm::Twine(value) + " " + what + ", over " +
                   ModelLimits::describe(limit, bound));
    };
    if (shape.size() == 4) {
      if (shape[1] > limits.channels)
        return over("channels", shape[1], "channels", limits.channels);
      for (int d : {2, 3})
        if (shape[d] > limits.resolution)
          return over(d == 2 ? "rows" : "columns", shape[d], "resolution", limits.resolution);
    } else if (shape.size() == 2) {
      int64_t features =
          std::max(limits.classes, limits.channels * limits.resolution * limits.resolution);
      if (shape[1] > features)
        return over("features", shape[1], "classes", limits.classes);
    }
    return llvm::Error::success();
  }

  llvm::Error readOpset() {
    for (const onnx::OperatorSetIdProto &set : model.opset_import())
      if (set.domain().empty() || set.domain() == "ai.onnx")
        opset = set.version();
    if (opset < 1)
      return fileError("imports no version of the standard ONNX operator set");
    return llvm::Error::success();
  }

  /// The function: one NCHW float input (the graph input that is not an
  /// initializer), named after the file.
  llvm::Expected<func::FuncOp> createFunction() {
    const onnx::ValueInfoProto *input = nullptr;
    for (const onnx::ValueInfoProto &candidate : graph.input()) {
      if (constants.count(candidate.name()))
        continue;
      if (input)
        return fileError("has inputs '" + input->name() + "' and '" + candidate.name() +
                         "': cnnc compiles models of one input image");
      input = &candidate;
    }
    if (!input)
      return fileError("has no input (the file may be truncated)");
    const onnx::TypeProto::Tensor &tensor = input->type().tensor_type();
    if (!input->type().has_tensor_type() || tensor.elem_type() != onnx::TensorProto::FLOAT ||
        tensor.shape().dim_size() != 4)
      return fileError("input '" + input->name() +
                       "' must be a float32 tensor of rank 4 (N×C×H×W)");
    SmallVector<int64_t, 4> shape;
    for (int d = 0; d < 4; ++d) {
      const onnx::TensorShapeProto::Dimension &dim = tensor.shape().dim(d);
      if (d == 0 && !dim.has_dim_value()) {
        shape.push_back(batch);
        continue;
      }
      if (!dim.has_dim_value() || dim.dim_value() < 1)
        return fileError("input '" + input->name() + "' needs a fixed, positive " + "NCHW"[d] +
                         " dimension, got '" +
                         (dim.has_dim_value() ? std::to_string(dim.dim_value()) : dim.dim_param()) +
                         "'");
      if (d == 0 && dim.dim_value() != batch)
        return fileError("input '" + input->name() + "' has a fixed batch of " +
                         llvm::Twine(dim.dim_value()) + ", not " + llvm::Twine(batch) +
                         ": compile with --batch " + llvm::Twine(dim.dim_value()) +
                         ", or export the model with a dynamic batch dimension");
      shape.push_back(dim.dim_value());
    }
    if (llvm::Error error = checkShape(shape, [&](const llvm::Twine &message) {
          return fileError("input '" + input->name() + "' " + message);
        }))
      return std::move(error);
    std::string name = llvm::sys::path::stem(path).str();
    for (char &c : name)
      if (!llvm::isAlnum(c) && c != '.' && c != '_' && c != '-')
        c = '_';
    if (!spec::isFileSafeName(name))
      return fileError("its file name does not make a model name: start it with a letter or digit");
    auto type = RankedTensorType::get(shape, b.getF32Type());
    auto func = b.create<func::FuncOp>(fileLoc, name, b.getFunctionType({type}, {}));
    if (llvm::Error error = readNormalization(func))
      return std::move(error);
    b.setInsertionPointToStart(func.addEntryBlock());
    values[input->name()] = func.getArgument(0);
    return func;
  }

  /// "cnnc.input_mean" and "cnnc.input_std", comma-separated per channel.
  llvm::Error readNormalization(func::FuncOp func) {
    int64_t channels = func.getArgumentTypes()[0].cast<RankedTensorType>().getDimSize(1);
    for (auto [key, attr] : {std::pair("cnnc.input_mean", kInputMeanAttr),
                             std::pair("cnnc.input_std", kInputStdAttr)}) {
      for (const onnx::StringStringEntryProto &entry : model.metadata_props()) {
        if (entry.key() != key)
          continue;
        SmallVector<StringRef> fields;
        llvm::StringRef(entry.value()).split(fields, ',');
        SmallVector<double> numbers;
        for (StringRef field : fields) {
          double v;
          if (field.trim().getAsDouble(v) || !std::isfinite(v) || (attr == kInputStdAttr && v <= 0))
            return fileError("metadata '" + llvm::Twine(key) + "' must be " +
                             llvm::Twine(channels) + " comma-separated numbers" +
                             (attr == kInputStdAttr ? " above 0" : "") + ", got '" + entry.value() +
                             "'");
          numbers.push_back(v);
        }
        if (static_cast<int64_t>(numbers.size()) != channels)
          return fileError("metadata '" + llvm::Twine(key) + "' has " +
                           llvm::Twine(numbers.size()) + " values for " + llvm::Twine(channels) +
                           " input channels");
        func->setAttr(attr, b.getDenseF64ArrayAttr(numbers));
      }
    }
    if (static_cast<bool>(func->getAttr(kInputMeanAttr)) !=
        static_cast<bool>(func->getAttr(kInputStdAttr)))
      return fileError("metadata gives one of 'cnnc.input_mean' and 'cnnc.input_std' without the "
                       "other");
    return llvm::Error::success();
  }

  /// Returns the graph output, drops what it does not need and verifies.
  llvm::Error finish(func::FuncOp func) {
    if (graph.output_size() != 1)
      return fileError("has " + llvm::Twine(graph.output_size()) +
                       " outputs: cnnc compiles models of one output (the logits)");
    const std::string &name = graph.output(0).name();
    auto found = values.find(name);
    if (found == values.end())
      return fileError(
          "output '" + name + "' is not computed by any node" +
          (constants.count(name) ? " (it is a constant)" : " (the file may be truncated)"));
    b.create<func::ReturnOp>(fileLoc, found->second);
    func.setFunctionType(b.getFunctionType(func.getArgumentTypes(), {found->second.getType()}));
    // Patterns leave dead ops behind (the Sigmoid of a SiLU); all cnn ops are pure.
    Block &body = func.getBody().front();
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (!op.hasTrait<OpTrait::IsTerminator>() && op.use_empty())
        op.erase();
    std::string diagnostic;
    ScopedDiagnosticHandler capture(&context, [&](Diagnostic &d) {
      if (diagnostic.empty())
        diagnostic = d.str();
      return success();
    });
    if (failed(verify(func)))
      return fileError("the imported graph is not a valid cnn model: " + diagnostic);
    return llvm::Error::success();
  }

  //===--------------------------------------------------------------------===//
  // A node's inputs and attributes
  //===--------------------------------------------------------------------===//

  bool hasInput(int i) const { return i < node->input_size() && !node->input(i).empty(); }

  /// Input `i` as a computed tensor.
  llvm::Expected<Value> tensor(int i) {
    if (!hasInput(i))
      return nodeError("needs input " + llvm::Twine(i));
    const std::string &name = node->input(i);
    if (padded.count(name))
      return nodeError("reads '" + name +
                       "', the result of a Pad: cnnc folds a Pad into the convolution after it "
                       "only");
    if (constants.count(name))
      return nodeError("input " + llvm::Twine(i) + " ('" + name +
                       "') is a constant where cnnc expects a computed tensor");
    auto found = values.find(name);
    if (found == values.end())
      return nodeError("reads '" + name +
                       "', which no earlier node computes (the file may be truncated)");
    return found->second;
  }

  /// Input `i` as a constant (an initializer or a Constant node's value).
  llvm::Expected<Constant> constant(int i, bool wantFloat) {
    if (!hasInput(i))
      return nodeError("needs input " + llvm::Twine(i));
    auto found = constants.find(node->input(i));
    if (found == constants.end())
      return nodeError("input " + llvm::Twine(i) + " ('" + node->input(i) +
                       "') must be an initializer or a constant");
    if (found->second->isFloat != wantFloat)
      return nodeError("input " + llvm::Twine(i) + " ('" + node->input(i) + "') must be " +
                       (wantFloat ? "floating-point" : "an integer tensor"));
    return found->second;
  }

  const onnx::AttributeProto *attribute(llvm::StringRef name) const {
    for (const onnx::AttributeProto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(llvm::StringRef name, int64_t otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->i() : otherwise;
  }
  float floatAttr(llvm::StringRef name, float otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->f() : otherwise;
  }
  std::string stringAttr(llvm::StringRef name, llvm::StringRef otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->s() : otherwise.str();
  }
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const {
    const onnx::AttributeProto *a = attribute(name);
    if (!a)
      return std::nullopt;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }

  /// Axes given as an attribute (before opset `inputSince`) or as input 1.
  llvm::Expected<std::optional<std::vector<int64_t>>> axes(int64_t inputSince, int64_t rank) {
    std::optional<std::vector<int64_t>> axes = intsAttr("axes");
    if (opset >= inputSince && hasInput(1)) {
      llvm::Expected<Constant> c = constant(1, /*wantFloat=*/false);
      if (!c)
        return c.takeError();
      axes = (*c)->ints;
    }
    if (axes) {
      for (int64_t &axis : *axes) {
        if (axis < -rank || axis >= rank)
          return nodeError("axis " + llvm::Twine(axis) + " is out of range for rank " +
                           llvm::Twine(rank));
        axis = axis < 0 ? axis + rank : axis;
      }
      llvm::sort(*axes);
    }
    return axes;
  }

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  void define(Value v, int output = 0) { values[node->output(output)] = v; }
  /// Defines the node's output as `result`, or fails with its error.
  llvm::Error defineResult(llvm::Expected<Value> result) {
    if (!result)
      return result.takeError();
    define(*result);
    return llvm::Error::success();
  }

  //===--------------------------------------------------------------------===//
  // Building cnn ops
  //===--------------------------------------------------------------------===//

  /// A cnn.weight for constant `c`, reshaped to `shape`: one per constant,
  /// named as the constant is. A weight derived from it (`transform` names
  /// how, such as "transposed"; `derived` holds its values) is one per
  /// constant and transform, named "<constant>.<transform>" unless the graph
  /// already has that name.
  Value weight(const OnnxConstant &c, ArrayRef<int64_t> shape, bool buffer = false,
               std::vector<float> derived = {}, const std::string &transform = "") {
    std::pair<const OnnxConstant *, std::string> key(&c, transform);
    if (auto found = weightOps.find(key); found != weightOps.end())
      return found->second;
    std::string name = transform.empty() ? c.name : c.name + "." + transform;
    for (int n = 1; !transform.empty() && (constants.count(name) || weights.count(name)); ++n)
      name = c.name + "." + transform + "." + std::to_string(n);
    // Weights lead the function, in the order of first use, each located at
    // the node that first reads it (`cnnc stats` counts it there).
    OpBuilder::InsertionGuard guard(b);
    if (lastWeight)
      b.setInsertionPointAfter(lastWeight);
    else
      b.setInsertionPointToStart(b.getInsertionBlock());
    auto op = b.create<cnn::WeightOp>(loc, RankedTensorType::get(shape, b.getF32Type()),
                                      b.getStringAttr(name), buffer ? b.getUnitAttr() : UnitAttr(),
                                      DictionaryAttr());
    lastWeight = op;
    weights[name] = transform.empty() ? c.floats : std::move(derived);
    return weightOps[key] = op.getResult();
  }

  /// Creates an op whose result type is inferred, failing with the inference's
  /// message instead of aborting (the generated builders assert).
  template <typename OpTy, typename... Args> llvm::Expected<Value> infer(Args &&...args) {
    OperationState state(loc, OpTy::getOperationName());
    OpTy::build(b, state, b.getNoneType(), std::forward<Args>(args)...);
    state.types.clear();
    std::string diagnostic;
    LogicalResult inferred = failure();
    {
      ScopedDiagnosticHandler capture(&context, [&](Diagnostic &d) {
        if (diagnostic.empty())
          diagnostic = d.str();
        return success();
      });
      SmallVector<Type> types;
      inferred = OpTy::inferReturnTypes(&context, loc, state.operands,
                                        state.attributes.getDictionary(&context),
                                        state.getRawProperties(), state.regions, types);
      state.addTypes(types);
    }
    if (failed(inferred))
      return nodeError(diagnostic);
    return b.create(state)->getResult(0);
  }

  Value activation(cnn::Activation kind, Value x) {
    return b.create<cnn::ActivationOp>(loc, kind, x);
  }

  //===--------------------------------------------------------------------===//
  // Operators
  //===--------------------------------------------------------------------===//

  llvm::Error importNode() {
    if (!node->domain().empty() && node->domain() != "ai.onnx")
      return nodeError("operator '" + node->domain() + "." + node->op_type() +
                       "' is not supported (cnnc imports the standard operators " + kSupported +
                       ")");
    if (node->output_size() < 1)
      return nodeError("has no output");
    for (const std::string &output : node->output())
      if (!output.empty() &&
          (values.count(output) || constants.count(output) || padded.count(output)))
        return nodeError("defines '" + output + "' a second time");
    if (llvm::Error error = checkAttributeTypes())
      return error;
    if (node->op_type() == "Shape")
      return shape();
    if (isFoldableOnnxOp(node->op_type()) &&
        llvm::all_of(node->input(), [&](const std::string &name) {
          return name.empty() || constants.count(name);
        }))
      return fold();
    using Handler = llvm::Error (GraphImporter::*)();
    Handler handler = llvm::StringSwitch<Handler>(node->op_type())
                          .Case("Conv", &GraphImporter::conv)
                          .Case("BatchNormalization", &GraphImporter::batchNorm)
                          .Case("Relu", &GraphImporter::relu)
                          .Case("Clip", &GraphImporter::clip)
                          .Case("Sigmoid", &GraphImporter::sigmoid)
                          .Case("HardSigmoid", &GraphImporter::hardSigmoid)
                          .Case("HardSwish", &GraphImporter::hardSwish)
                          .Case("Mul", &GraphImporter::mul)
                          .Case("Add", &GraphImporter::add)
                          .Cases("GlobalAveragePool", "GlobalMaxPool", &GraphImporter::globalPool)
                          .Cases("ReduceMean", "ReduceMax", &GraphImporter::reduce)
                          .Case("Concat", &GraphImporter::concat)
                          .Case("Flatten", &GraphImporter::flatten)
                          .Case("Reshape", &GraphImporter::reshape)
                          .Case("Squeeze", &GraphImporter::squeeze)
                          .Case("Gemm", &GraphImporter::gemm)
                          .Case("MatMul", &GraphImporter::matMul)
                          .Case("Pad", &GraphImporter::pad)
                          .Cases("Identity", "Dropout", &GraphImporter::identity)
                          .Case("Constant", &GraphImporter::constantNode)
                          .Default(nullptr);
    if (!handler)
      return nodeError("operator '" + node->op_type() + "' is not supported (cnnc imports " +
                       kSupported + ")");
    return (this->*handler)();
  }

  /// Identity and inference-time Dropout: the output is the input, whatever
  /// it is (a tensor, a constant, a padded tensor).
  llvm::Error identity() {
    if (!hasInput(0))
      return nodeError("needs input 0");
    const std::string &in = node->input(0), &out = node->output(0);
    if (auto c = constants.find(in); c != constants.end())
      constants[out] = c->second;
    else if (auto p = padded.find(in); p != padded.end())
      padded[out] = p->second;
    else if (llvm::Expected<Value> x = tensor(0))
      define(*x);
    else
      return x.takeError();
    return llvm::Error::success();
  }

  /// Every attribute the importer reads has the type ONNX gives it: an INT
  /// where a FLOAT belongs would otherwise read as 0.
  llvm::Error checkAttributeTypes() {
    using A = onnx::AttributeProto;
    bool floatValue = node->op_type() == "Pad"; // Pad's before opset 11; Constant's is a tensor
    for (const A &a : node->attribute()) {
      std::optional<A::AttributeType> expected =
          llvm::StringSwitch<std::optional<A::AttributeType>>(a.name())
              .Cases("group", "training_mode", "keepdims", "axis", "transA", "transB", "to",
                     "start", "end", "allowzero", A::INT)
              .Cases("strides", "pads", "dilations", "kernel_shape", "axes", "perm", "starts",
                     "ends", A::INTS)
              .Cases("epsilon", "alpha", "beta", "min", "max", A::FLOAT)
              .Cases("auto_pad", "mode", A::STRING)
              .Case("value", floatValue ? A::FLOAT : A::TENSOR)
              .Default(std::nullopt);
      if (expected && a.type() != *expected)
        return nodeError("attribute '" + a.name() + "' must be " +
                         A::AttributeType_Name(*expected) + ", not " +
                         A::AttributeType_Name(a.type()));
    }
    return llvm::Error::success();
  }

  /// A node of shape arithmetic whose inputs are all constant: evaluated.
  llvm::Error fold() {
    SmallVector<const OnnxConstant *> inputs;
    for (const std::string &name : node->input())
      inputs.push_back(name.empty() ? nullptr : constants[name].get());
    llvm::Expected<OnnxConstant> folded = foldOnnxNode(*node, inputs);
    if (!folded)
      return nodeError(llvm::toString(folded.takeError()));
    constants[node->output(0)] = std::make_shared<OnnxConstant>(std::move(*folded));
    return llvm::Error::success();
  }

  /// The static shape of a tensor (a Pad's result included) or a constant,
  /// from `start` to `end` (opset 15).
  llvm::Error shape() {
    if (!hasInput(0))
      return nodeError("needs input 0");
    const std::string &in = node->input(0);
    SmallVector<int64_t> dims;
    if (auto c = constants.find(in); c != constants.end()) {
      dims.assign(c->second->shape.begin(), c->second->shape.end());
    } else if (auto p = padded.find(in); p != padded.end()) {
      dims.assign(shapeOf(p->second.input).begin(), shapeOf(p->second.input).end());
      dims[2] += p->second.pads[0] + p->second.pads[2];
      dims[3] += p->second.pads[1] + p->second.pads[3];
    } else if (llvm::Expected<Value> x = tensor(0)) {
      dims.assign(shapeOf(*x).begin(), shapeOf(*x).end());
    } else {
      return x.takeError();
    }
    int64_t rank = dims.size();
    auto clampAxis = [&](int64_t axis) {
      return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
    };
    int64_t start = clampAxis(intAttr("start", 0)), end = clampAxis(intAttr("end", rank));
    auto result = std::make_shared<OnnxConstant>();
    result->name = node->output(0);
    result->ints.assign(dims.begin() + start, dims.begin() + std::max(start, end));
    result->shape = {static_cast<int64_t>(result->ints.size())};
    constants[node->output(0)] = std::move(result);
    return llvm::Error::success();
  }

  llvm::Error constantNode() {
    llvm::Expected<OnnxConstant> c = readOnnxConstantNode(*node);
    if (!c)
      return nodeError(llvm::toString(c.takeError()));
    constants[node->output(0)] = std::make_shared<OnnxConstant>(std::move(*c));
    return llvm::Error::success();
  }

  llvm::Error conv() {
    // The input, with the zeros of a Pad before it.
    std::array<int64_t, 4> pads = {0, 0, 0, 0};
    Value x;
    if (hasInput(0) && padded.count(node->input(0))) {
      const Padded &p = padded[node->input(0)];
      x = p.input;
      pads = p.pads;
    } else if (llvm::Expected<Value> in = tensor(0)) {
      x = *in;
    } else {
      return in.takeError();
    }
    llvm::Expected<Constant> w = constant(1, /*wantFloat=*/true);
    if (!w)
      return w.takeError();
    ArrayRef<int64_t> filter = (*w)->shape, in = shapeOf(x);
    if (filter.size() != 4 || in.size() != 4)
      return nodeError("cnnc imports 2-D convolutions only (input and filter of rank 4)");
    if (llvm::any_of(filter, [](int64_t d) { return d < 1; }))
      return nodeError("the filter ('" + (*w)->name + "') has an empty dimension");
    if (auto dilations = intsAttr("dilations"))
      if (llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
        return nodeError("dilated convolutions are not supported");
    std::vector<int64_t> strides = intsAttr("strides").value_or(std::vector<int64_t>{1, 1});
    if (strides.size() != 2 ||
        llvm::any_of(strides, [&](int64_t s) { return s < 1 || s > limits.resolution; }))
      return nodeError("strides must be two numbers from 1 to the resolution limit (" +
                       llvm::Twine(limits.resolution) + ")");
    if (auto kernel = intsAttr("kernel_shape"))
      if (*kernel != std::vector<int64_t>(filter.begin() + 2, filter.end()))
        return nodeError("kernel_shape disagrees with the filter's shape");
    // ONNX orders pads [top, left, bottom, right], as cnn does.
    std::string autoPad = stringAttr("auto_pad", "NOTSET");
    if (autoPad == "NOTSET") {
      std::vector<int64_t> explicitPads = intsAttr("pads").value_or(std::vector<int64_t>(4, 0));
      if (explicitPads.size() != 4 ||
          llvm::any_of(explicitPads, [&](int64_t p) { return p < 0 || p > limits.resolution; }))
        return nodeError("pads must be four numbers from 0 to the resolution limit (" +
                         llvm::Twine(limits.resolution) + ")");
      for (int i = 0; i < 4; ++i)
        pads[i] += explicitPads[i];
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      // TensorFlow's SAME, which these modes copy: the total is never negative.
      for (int d = 0; d < 2; ++d) {
        int64_t size = in[2 + d] + pads[d] + pads[2 + d];
        int64_t out = (size + strides[d] - 1) / strides[d];
        int64_t total = std::max<int64_t>((out - 1) * strides[d] + filter[2 + d] - size, 0);
        int64_t before = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
        pads[d] += before;
        pads[2 + d] += total - before;
      }
    } else if (autoPad != "VALID") {
      return nodeError("auto_pad '" + autoPad + "' is not an ONNX padding mode");
    }
    Value bias;
    if (hasInput(2)) {
      llvm::Expected<Constant> c = constant(2, /*wantFloat=*/true);
      if (!c)
        return c.takeError();
      if ((*c)->shape != std::vector<int64_t>{filter[0]})
        return nodeError("the bias ('" + (*c)->name + "') must be a vector of " +
                         llvm::Twine(filter[0]) + " values");
      bias = weight(**c, {filter[0]});
    }
    int64_t group = intAttr("group", 1);
    int64_t channels = in[1];
    if (group == 1) {
      return defineResult(infer<cnn::Conv2DOp>(x, weight(**w, filter), bias,
                                               b.getDenseI64ArrayAttr(strides),
                                               b.getDenseI64ArrayAttr(pads)));
    }
    if (group != channels || filter[0] != channels || filter[1] != 1)
      return nodeError("a grouped convolution (" + llvm::Twine(group) + " groups, " +
                       llvm::Twine(channels) + " to " + llvm::Twine(filter[0]) +
                       " channels) is neither dense nor depthwise; cnnc has only those two");
    return defineResult(infer<cnn::DepthwiseConv2DOp>(x, weight(**w, filter), bias,
                                                      b.getDenseI64ArrayAttr(strides),
                                                      b.getDenseI64ArrayAttr(pads)));
  }

  llvm::Error batchNorm() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    if (intAttr("training_mode", 0) != 0)
      return nodeError("a batch norm in training mode cannot be compiled for inference");
    int64_t channels = shapeOf(*x).size() == 4 ? shapeOf(*x)[1] : -1;
    if (channels < 0)
      return nodeError("cnnc normalizes NCHW tensors only");
    std::array<Value, 4> params;
    for (int i = 1; i <= 4; ++i) {
      llvm::Expected<Constant> c = constant(i, /*wantFloat=*/true);
      if (!c)
        return c.takeError();
      if ((*c)->elements() != channels)
        return nodeError("input " + llvm::Twine(i) + " ('" + (*c)->name + "') has " +
                         llvm::Twine((*c)->elements()) + " values for " + llvm::Twine(channels) +
                         " channels");
      params[i - 1] = weight(**c, {channels}, /*buffer=*/i >= 3); // mean and variance
    }
    float epsilon = floatAttr("epsilon", 1e-5f);
    if (!(epsilon > 0))
      return nodeError("epsilon must be positive");
    define(b.create<cnn::BatchNormOp>(loc, *x, params[0], params[1], params[2], params[3],
                                      b.getF64FloatAttr(epsilon)));
    return llvm::Error::success();
  }

  llvm::Error unary(cnn::Activation kind) {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    define(activation(kind, *x));
    return llvm::Error::success();
  }
  llvm::Error relu() { return unary(cnn::Activation::relu); }
  llvm::Error sigmoid() { return unary(cnn::Activation::sigmoid); }
  llvm::Error hardSwish() { return unary(cnn::Activation::hardswish); }

  llvm::Error hardSigmoid() {
    // PyTorch's hard sigmoid, relu6(x + 3) / 6; ONNX's default slope is 0.2.
    float alpha = floatAttr("alpha", 0.2f), beta = floatAttr("beta", 0.5f);
    if (!(std::abs(alpha - 1.0f / 6) <= 1e-6f && std::abs(beta - 0.5f) <= 1e-6f))
      return nodeError("HardSigmoid with alpha " + std::to_string(alpha) + " and beta " +
                       std::to_string(beta) +
                       ": cnnc's hard sigmoid is max(0, min(1, x / 6 + 0.5))");
    return unary(cnn::Activation::hardsigmoid);
  }

  llvm::Error clip() {
    // The bounds: inputs 1 and 2 from opset 11, attributes before.
    std::optional<float> bounds[2];
    for (int i = 0; i < 2; ++i) {
      if (opset >= 11) {
        if (!hasInput(1 + i))
          continue;
        llvm::Expected<Constant> c = constant(1 + i, /*wantFloat=*/true);
        if (!c)
          return c.takeError();
        if ((*c)->elements() != 1)
          return nodeError("Clip's bounds must be scalars");
        bounds[i] = (*c)->floats[0];
      } else if (const onnx::AttributeProto *a = attribute(i == 0 ? "min" : "max")) {
        bounds[i] = a->f();
      }
    }
    bool fromZero = bounds[0] && *bounds[0] == 0.0f;
    if (fromZero && (!bounds[1] || std::isinf(*bounds[1]) || *bounds[1] >= 3.4e38f))
      return unary(cnn::Activation::relu);
    if (fromZero && bounds[1] && *bounds[1] == 6.0f)
      return unary(cnn::Activation::relu6);
    auto show = [](std::optional<float> v) { return v ? number(*v) : std::string("unbounded"); };
    return nodeError("Clip to [" + show(bounds[0]) + ", " + show(bounds[1]) +
                     "]: cnnc clips as ReLU [0, ∞) and ReLU6 [0, 6] only");
  }

  /// x · f(x) for the gating activation `gate` of kind `gateKind`: the
  /// single activation it spells (SiLU, hard-swish), if it is one.
  static Value selfGated(Value x, Value gate, cnn::Activation gateKind) {
    auto act = gate.getDefiningOp<cnn::ActivationOp>();
    return act && act.getKind() == gateKind && act.getInput() == x ? x : Value();
  }

  llvm::Error mul() {
    llvm::Expected<Value> lhs = tensor(0);
    if (!lhs)
      return lhs.takeError();
    llvm::Expected<Value> rhs = tensor(1);
    if (!rhs)
      return rhs.takeError();
    for (auto [x, gate] : {std::pair(*lhs, *rhs), std::pair(*rhs, *lhs)}) {
      if (selfGated(x, gate, cnn::Activation::sigmoid)) {
        define(activation(cnn::Activation::silu, x));
        return llvm::Error::success();
      }
      if (selfGated(x, gate, cnn::Activation::hardsigmoid)) {
        define(activation(cnn::Activation::hardswish, x));
        return llvm::Error::success();
      }
    }
    // A gate broadcast over H×W (SE) or over C (CBAM's spatial attention).
    for (auto [x, gate] : {std::pair(*lhs, *rhs), std::pair(*rhs, *lhs)}) {
      ArrayRef<int64_t> in = shapeOf(x), g = shapeOf(gate);
      if (in.size() != 4 || g.size() != 4 || in[0] != g[0] || in == g)
        continue;
      bool overSpace = g[1] == in[1] && g[2] == 1 && g[3] == 1;
      bool overChannels = g[1] == 1 && g[2] == in[2] && g[3] == in[3];
      if (overSpace || overChannels) {
        define(b.create<cnn::MulOp>(loc, x, gate));
        return llvm::Error::success();
      }
    }
    return nodeError("multiplies tensors of shapes " + describe(*lhs) + " and " + describe(*rhs) +
                     ": cnnc multiplies x by its own sigmoid or hard sigmoid, or by a gate of "
                     "N×C×1×1 or N×1×H×W");
  }

  llvm::Error add() {
    // A bias after MatMul (a classifier from TensorFlow): folded into it.
    for (int i = 0; i < 2; ++i) {
      if (!hasInput(i) || !constants.count(node->input(i)))
        continue;
      llvm::Expected<Value> x = tensor(1 - i);
      if (!x)
        return x.takeError();
      auto fc = x->getDefiningOp<cnn::FullyConnectedOp>();
      const OnnxConstant &c = *constants[node->input(i)];
      int64_t m = shapeOf(*x).back();
      bool vector = c.shape == std::vector<int64_t>{m} || c.shape == std::vector<int64_t>{1, m};
      if (!fc || fc.getBias() || readers.lookup(sourceOf(node->input(1 - i))) != 1 || !c.isFloat ||
          !vector)
        return nodeError("adds a constant ('" + c.name +
                         "') to a tensor: cnnc folds a constant only into the bias of the "
                         "MatMul before it");
      fc.getBiasMutable().assign(weight(c, {c.elements()}));
      define(*x);
      return llvm::Error::success();
    }
    llvm::Expected<Value> lhs = tensor(0);
    if (!lhs)
      return lhs.takeError();
    llvm::Expected<Value> rhs = tensor(1);
    if (!rhs)
      return rhs.takeError();
    if (lhs->getType() != rhs->getType())
      return nodeError("adds tensors of shapes " + describe(*lhs) + " and " + describe(*rhs) +
                       ": cnnc adds tensors of one shape only (residual connections)");
    define(b.create<cnn::AddOp>(loc, *lhs, *rhs));
    return llvm::Error::success();
  }

  llvm::Error pool(cnn::PoolKind kind, bool overSpace, bool keepDims) {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    llvm::Expected<Value> y =
        overSpace ? infer<cnn::GlobalPoolOp>(kind, *x) : infer<cnn::ChannelPoolOp>(kind, *x);
    if (y && !keepDims)
      y = infer<cnn::FlattenOp>(*y);
    return defineResult(std::move(y));
  }

  llvm::Error globalPool() {
    return pool(node->op_type() == "GlobalAveragePool" ? cnn::PoolKind::avg : cnn::PoolKind::max,
                /*overSpace=*/true, /*keepDims=*/true);
  }

  llvm::Error reduce() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    int64_t rank = shapeOf(*x).size();
    // ReduceMean takes its axes as an input from opset 18.
    llvm::Expected<std::optional<std::vector<int64_t>>> reduced = axes(18, rank);
    if (!reduced)
      return reduced.takeError();
    bool keepDims = intAttr("keepdims", 1) != 0;
    cnn::PoolKind kind = node->op_type() == "ReduceMean" ? cnn::PoolKind::avg : cnn::PoolKind::max;
    if (rank == 4 && *reduced == std::vector<int64_t>{2, 3})
      return pool(kind, /*overSpace=*/true, keepDims);
    if (rank == 4 && *reduced == std::vector<int64_t>{1} && keepDims)
      return pool(kind, /*overSpace=*/false, keepDims);
    return nodeError("reduces over other axes than H and W (a global pool) or, keeping "
                     "dimensions, C (a channel pool)");
  }

  llvm::Error concat() {
    int64_t axis = intAttr("axis", 1);
    SmallVector<Value> inputs;
    for (int i = 0; i < node->input_size(); ++i) {
      llvm::Expected<Value> x = tensor(i);
      if (!x)
        return x.takeError();
      inputs.push_back(*x);
    }
    if (inputs.empty() ||
        (axis != 1 && axis != 1 - static_cast<int64_t>(shapeOf(inputs[0]).size())))
      return nodeError("cnnc concatenates along the channel axis (1) only");
    return defineResult(infer<cnn::ConcatOp>(ValueRange(inputs)));
  }

  /// N×C×H×W to N×(C·H·W); a tensor already N×K stays as it is.
  llvm::Error flattenTo2D(Value x) {
    if (shapeOf(x).size() == 2) {
      define(x);
      return llvm::Error::success();
    }
    return defineResult(infer<cnn::FlattenOp>(x));
  }

  llvm::Error flatten() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    if (intAttr("axis", 1) != 1)
      return nodeError("cnnc flattens from axis 1 only");
    return flattenTo2D(*x);
  }

  llvm::Error reshape() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    llvm::Expected<Constant> shape = constant(1, /*wantFloat=*/false);
    if (!shape)
      return shape.takeError();
    ArrayRef<int64_t> in = shapeOf(*x);
    int64_t elements = 1;
    for (int64_t d : in)
      elements *= d;
    // The target, with 0 (copy) and -1 (the rest) resolved.
    std::vector<int64_t> target = (*shape)->ints;
    if (target.size() == 2) {
      if (target[0] == 0)
        target[0] = in[0];
      if (target[1] == 0 && in.size() > 1)
        target[1] = in[1];
      if (target[1] == -1 && target[0] > 0)
        target[1] = elements / target[0];
      if (target[0] == -1 && target[1] > 0)
        target[0] = elements / target[1];
    }
    if (target.size() == 2 && target[0] == in[0] && target[1] == elements / in[0])
      return flattenTo2D(*x);
    return nodeError("cnnc reshapes only N×C×H×W to N×(C·H·W), as a flatten before the "
                     "classifier");
  }

  llvm::Error squeeze() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    ArrayRef<int64_t> in = shapeOf(*x);
    llvm::Expected<std::optional<std::vector<int64_t>>> squeezed = axes(13, in.size());
    if (!squeezed)
      return squeezed.takeError();
    // Without axes, every dimension of 1 goes: only H and W when N, C > 1.
    bool spatialOnes = in.size() == 4 && in[2] == 1 && in[3] == 1;
    bool squeezesSpace = *squeezed ? **squeezed == std::vector<int64_t>{2, 3}
                                   : spatialOnes && in[0] > 1 && in[1] > 1;
    if (spatialOnes && squeezesSpace)
      return flattenTo2D(*x);
    return nodeError("cnnc squeezes only the 1×1 spatial dimensions of N×C×1×1 (axes 2 and 3)");
  }

  /// A classifier y = x · Wᵀ + c, W given as M×K (`transposed`) or K×M,
  /// scaled by alpha and c by beta as Gemm defines.
  llvm::Error classifier(Value x, const OnnxConstant &w, bool transposed, const OnnxConstant *c,
                         float alpha, float beta) {
    if (shapeOf(x).size() != 2 || w.shape.size() != 2)
      return nodeError("cnnc's classifier multiplies an N×K tensor by a K×M matrix");
    int64_t m = transposed ? w.shape[0] : w.shape[1], k = transposed ? w.shape[1] : w.shape[0];
    if (m < 1 || k < 1)
      return nodeError("the classifier's weight ('" + w.name + "') is empty");
    // The weight as cnn wants it (M×K), and how it was made so from the file's.
    std::string transform = transposed ? "" : "transposed";
    if (alpha != 1.0f)
      transform += std::string(transform.empty() ? "" : ".") + "scaled_" + number(alpha);
    std::vector<float> values;
    if (!transform.empty()) {
      values.resize(m * k);
      for (int64_t row = 0; row < m; ++row)
        for (int64_t col = 0; col < k; ++col)
          values[row * k + col] =
              alpha * (transposed ? w.floats[row * k + col] : w.floats[col * m + row]);
    }
    Value bias;
    if (c) {
      if (c->shape != std::vector<int64_t>{m} && c->shape != std::vector<int64_t>{1, m})
        return nodeError("the bias ('" + c->name + "') must be a vector of " + llvm::Twine(m) +
                         " values");
      std::vector<float> scaled;
      if (beta != 1.0f)
        for (float v : c->floats)
          scaled.push_back(beta * v);
      bias =
          weight(*c, {m}, false, std::move(scaled), beta != 1.0f ? "scaled_" + number(beta) : "");
    }
    return defineResult(infer<cnn::FullyConnectedOp>(
        x, weight(w, {m, k}, false, std::move(values), transform), bias));
  }

  llvm::Error gemm() {
    if (intAttr("transA", 0) != 0)
      return nodeError("a Gemm with transA is not a classifier cnnc imports");
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    llvm::Expected<Constant> w = constant(1, /*wantFloat=*/true);
    if (!w)
      return w.takeError();
    Constant c;
    if (hasInput(2)) {
      llvm::Expected<Constant> read = constant(2, /*wantFloat=*/true);
      if (!read)
        return read.takeError();
      c = *read;
    }
    return classifier(*x, **w, intAttr("transB", 0) != 0, c.get(), floatAttr("alpha", 1.0f),
                      floatAttr("beta", 1.0f));
  }

  llvm::Error matMul() {
    llvm::Expected<Value> x = tensor(0);
    if (!x)
      return x.takeError();
    llvm::Expected<Constant> w = constant(1, /*wantFloat=*/true);
    if (!w)
      return w.takeError();
    return classifier(*x, **w, /*transposed=*/false, nullptr, 1.0f, 1.0f);
  }

  llvm::Error pad() {
    if (stringAttr("mode", "constant") != "constant")
      return nodeError("cnnc pads with zeros only (mode 'constant')");
    std::vector<int64_t> pads;
    if (opset >= 11) {
      llvm::Expected<Constant> c = constant(1, /*wantFloat=*/false);
      if (!c)
        return c.takeError();
      pads = (*c)->ints;
      if (hasInput(2)) {
        auto value = constants.find(node->input(2));
        if (value == constants.end() || value->second->elements() != 1 ||
            (value->second->isFloat ? value->second->floats[0] != 0.0f
                                    : value->second->ints[0] != 0))
          return nodeError("cnnc pads with zeros only");
      }
      if (hasInput(3))
        return nodeError("cnnc pads all axes (no 'axes' input)");
    } else {
      pads = intsAttr("pads").value_or(std::vector<int64_t>{});
      if (floatAttr("value", 0.0f) != 0.0f)
        return nodeError("cnnc pads with zeros only");
    }
    Value x;
    std::array<int64_t, 4> before = {0, 0, 0, 0};
    if (hasInput(0) && padded.count(node->input(0))) {
      x = padded[node->input(0)].input;
      before = padded[node->input(0)].pads;
    } else if (llvm::Expected<Value> in = tensor(0)) {
      x = *in;
    } else {
      return in.takeError();
    }
    // NCHW begins then ends: [n, c, top, left, n, c, bottom, right]. Each
    // amount is bounded, so that sums of them (Pad after Pad) cannot overflow.
    if (shapeOf(x).size() != 4 || pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
        llvm::any_of(pads, [&](int64_t p) { return p < 0 || p > limits.resolution; }))
      return nodeError("cnnc pads H and W of an NCHW tensor only, by 0 to the resolution limit (" +
                       llvm::Twine(limits.resolution) + ")");
    padded[node->output(0)] = {
        x, {before[0] + pads[2], before[1] + pads[3], before[2] + pads[6], before[3] + pads[7]}};
    return llvm::Error::success();
  }

  static std::string describe(Value v) {
    std::string text;
    for (int64_t d : shapeOf(v))
      text += (text.empty() ? "" : "×") + std::to_string(d);
    return text;
  }

  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string path;
  MLIRContext &context;
  OpBuilder b;
  int64_t batch;
  const ModelLimits &limits;
  Location fileLoc;
  int64_t opset = 0;

  llvm::StringMap<Constant> constants;
  llvm::StringMap<Value> values;
  llvm::StringMap<Padded> padded;
  llvm::StringMap<int> readers;         // by source tensor (countReaders)
  llvm::StringMap<std::string> aliases; // Identity / Dropout output → source
  std::map<std::pair<const OnnxConstant *, std::string>, Value> weightOps;
  Operation *lastWeight = nullptr;
  WeightSet weights;

  const onnx::NodeProto *node = nullptr;
  int nodeIndex = 0;
  Location loc = fileLoc;
};

} // namespace

bool isOnnxModelPath(llvm::StringRef model) { return model.ends_with_insensitive(".onnx"); }

llvm::Expected<ImportedOnnx> importOnnx(llvm::StringRef path, MLIRContext &context, int64_t batch,
                                        const ModelLimits &limits) {
  auto fail = [&](const llvm::Twine &message) {
    return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.str().c_str(),
                                   message.str().c_str());
  };
  std::ifstream file(path.str(), std::ios::binary);
  if (!file)
    return fail("cannot read the file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&file))
    return fail("is not an ONNX model: the file is truncated, damaged or not protobuf");
  if (!model.has_graph() || model.graph().node_size() == 0)
    return fail("holds no graph (the file may be truncated)");
  return GraphImporter(model, path, context, batch, limits).run();
}

} // namespace cnnc
