//===- KernelSignature.cpp - what makes two kernels the same --------------===//
#include "codegen/KernelSignature.h"
#include "dialect/Cnn.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

namespace cnnc {
namespace {

/// `value` as `plan`'s kernel sees it.
llvm::Expected<TensorDesc> describe(const KernelPlan &plan, mlir::Value value) {
  auto type = llvm::cast<mlir::RankedTensorType>(value.getType());
  std::optional<ElementType> element = elementTypeOf(type.getElementType());
  if (!element) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << type;
    return llvm::createStringError(std::errc::invalid_argument,
                                   "cnnc has no kernels for tensors of type %s", text.c_str());
  }
  // Quantized types will carry their scale and zero point here.
  llvm::SmallVector<int64_t, 4> shape = plan.shapeOf(value);
  return TensorDesc{{shape.begin(), shape.end()}, *element, {}};
}

void print(llvm::raw_ostream &os, const TensorDesc &t) {
  os << elementTypeName(t.elementType) << "[";
  llvm::interleave(t.shape, os, "x");
  os << "]";
  if (t.quant.quantized())
    os << "{scale=" << llvm::format("%a", t.quant.scale) << ",zero=" << t.quant.zeroPoint << "}";
}

const char *kindName(KernelArg::Kind kind) {
  switch (kind) {
  case KernelArg::Kind::modelInput:
    return "input";
  case KernelArg::Kind::activation:
    return "activation";
  case KernelArg::Kind::weight:
    return "weight";
  }
  return "?";
}

const char *roleName(TensorRole role) {
  switch (role) {
  case TensorRole::activation:
    return "nhwc";
  case TensorRole::convFilter:
    return "filter_oi_hw";
  case TensorRole::pixelPairConvFilter:
    return "filter_oi_hw_twice";
  case TensorRole::pairedConvFilter:
    return "filter_poi_t";
  case TensorRole::quadConvFilter:
    return "filter_qoi_t";
  case TensorRole::hvxQuadConvFilter:
    return "filter_qoi_t_o32";
  case TensorRole::depthwiseFilter:
    return "filter_c_hw";
  case TensorRole::pairedDepthwiseFilter:
    return "filter_pc_hw";
  case TensorRole::winogradFilter:
    return "filter_oi_t_winograd";
  case TensorRole::fcWeight:
    return "matrix_mk";
  case TensorRole::vector:
    return "vector";
  case TensorRole::pixelPairVector:
    return "vector_twice";
  case TensorRole::quadConvStart:
    return "start_quad";
  }
  return "?";
}

} // namespace

llvm::ArrayRef<llvm::StringRef> placementAttributes() {
  static const llvm::StringRef names[] = {kGroupAttr, kArenaOffsetAttr};
  return names;
}

std::string KernelSignature::computation() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (size_t i = 0; i < args.size(); ++i) {
    os << "a" << i << ":" << kindName(args[i].kind) << ":" << roleName(args[i].role) << ":";
    print(os, args[i].tensor);
    os << " ";
  }
  for (const SignatureOp &op : ops) {
    os << "| " << op.name << "(";
    llvm::interleave(op.operands, os, ",");
    os << "){";
    llvm::interleave(op.attributes, os, ";");
    os << "} -> ";
    llvm::interleave(
        op.results, os, [&](const TensorDesc &t) { print(os, t); }, ",");
    os << " ";
  }
  return text;
}

std::string KernelSignature::str() const { return computation() + "| schedule " + schedule.str(); }

std::string KernelSignature::label() const {
  std::string label;
  for (const SignatureOp &op : ops)
    label += (label.empty() ? "" : "+") + llvm::StringRef(op.name).split('.').second.str();
  return label;
}

bool KernelSignature::isConvolution(size_t op) const {
  return llvm::is_contained(
      {cnn::Conv2DOp::getOperationName(), cnn::DepthwiseConv2DOp::getOperationName(),
       cnn::IntegerConv2DOp::getOperationName(), cnn::IntegerDepthwiseConv2DOp::getOperationName()},
      ops[op].name);
}

const TensorDesc &KernelSignature::operand(size_t op, size_t i) const {
  llvm::StringRef name = ops[op].operands[i];
  size_t index = std::stoul(name.drop_front().str());
  return name.front() == 'a' ? args[index].tensor : ops[index].results[0];
}

TensorRole KernelSignature::operandRole(size_t op, size_t i) const {
  llvm::StringRef name = ops[op].operands[i];
  return name.front() == 'a' ? args[std::stoul(name.drop_front().str())].role
                             : TensorRole::activation;
}

size_t KernelSignature::anchor() const {
  llvm::StringRef first = computesExpansion()        ? cnn::DepthwiseConv2DOp::getOperationName()
                          : computesDepthwiseInput() ? cnn::Conv2DOp::getOperationName()
                                                     : "";
  for (size_t i = 0; i < ops.size(); ++i)
    if (first.empty() ? isConvolution(i) : ops[i].name == first)
      return i;
  return 0;
}

/// Whether `ops` begin with an op named `first` and hold one named `later`:
/// a kernel of a large-map fusion (cnn-fuse), which computes its first op
/// for the `later` one, its anchor.
static bool fusesFirstInto(llvm::ArrayRef<SignatureOp> ops, llvm::StringRef first,
                           llvm::StringRef later) {
  return !ops.empty() && ops.front().name == first &&
         llvm::any_of(ops, [&](const SignatureOp &op) { return op.name == later; });
}

bool KernelSignature::computesExpansion() const {
  return fusesFirstInto(ops, cnn::Conv2DOp::getOperationName(),
                        cnn::DepthwiseConv2DOp::getOperationName());
}

bool KernelSignature::computesDepthwiseInput() const {
  return fusesFirstInto(ops, cnn::DepthwiseConv2DOp::getOperationName(),
                        cnn::Conv2DOp::getOperationName());
}

bool KernelSignature::overPixelPairs() const {
  size_t a = anchor();
  return a < ops.size() && ops[a].operands.size() > 1 &&
         operandRole(a, 1) == TensorRole::pixelPairConvFilter;
}

llvm::Expected<KernelSignature> signatureOf(const KernelPlan &plan) {
  KernelSignature signature;
  llvm::DenseMap<mlir::Value, std::string> names;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const KernelArg &arg = plan.inputs[i];
    llvm::Expected<TensorDesc> tensor = describe(plan, arg.value);
    if (!tensor)
      return tensor.takeError();
    signature.args.push_back({arg.kind, arg.role, std::move(*tensor)});
    names[arg.value] = "a" + std::to_string(i);
  }
  for (size_t j = 0; j < plan.ops.size(); ++j) {
    mlir::Operation *op = plan.ops[j];
    SignatureOp entry;
    entry.name = op->getName().getStringRef().str();
    auto pads = [](auto conv) {
      return conv && llvm::any_of(conv.getPadding(), [](int64_t p) { return p != 0; });
    };
    entry.padsInput =
        pads(llvm::dyn_cast<cnn::Conv2DOp>(op)) || pads(llvm::dyn_cast<cnn::DepthwiseConv2DOp>(op));
    if (auto conv = llvm::dyn_cast<cnn::Conv2DOp>(op))
      entry.strideX = conv.getStrides()[1];
    if (auto conv = llvm::dyn_cast<cnn::DepthwiseConv2DOp>(op))
      entry.strideX = conv.getStrides()[1];
    for (mlir::Value operand : op->getOperands())
      entry.operands.push_back(names.lookup(operand));
    for (mlir::NamedAttribute attr : op->getAttrDictionary()) {
      if (llvm::is_contained(placementAttributes(), attr.getName().strref()))
        continue;
      std::string text;
      llvm::raw_string_ostream os(text);
      os << attr.getName().strref() << "=" << attr.getValue();
      entry.attributes.push_back(std::move(text));
    }
    llvm::sort(entry.attributes);
    for (mlir::Value result : op->getResults()) {
      llvm::Expected<TensorDesc> tensor = describe(plan, result);
      if (!tensor)
        return tensor.takeError();
      entry.results.push_back(std::move(*tensor));
      names[result] = "g" + std::to_string(j);
    }
    signature.ops.push_back(std::move(entry));
  }
  return signature;
}

} // namespace cnnc
