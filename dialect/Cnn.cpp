//===- Cnn.cpp - cnn dialect ----------------------------------------------===//
#include "dialect/Cnn.h"
#include "dialect/GateBroadcast.h"
#include "dialect/IntegerArithmetic.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::cnn;

#include "dialect/CnnDialect.cpp.inc"
#include "dialect/CnnEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialect/CnnAttrs.cpp.inc"
#define GET_OP_CLASSES
#include "dialect/CnnOps.cpp.inc"

void CnnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/CnnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/CnnOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static RankedTensorType rankedOf(Value value) { return cast<RankedTensorType>(value.getType()); }

/// Checks that `value` is an NCHW tensor; `what` names it in the error.
static LogicalResult expectRank(std::optional<Location> loc, Value value, int64_t rank,
                                StringRef what) {
  if (rankedOf(value).getRank() == rank)
    return success();
  return emitOptionalError(loc, what, " must have rank ", rank, ", got ", value.getType());
}

/// Output extent of a convolution along one axis.
static int64_t convOutputExtent(int64_t in, int64_t kernel, int64_t stride, int64_t padBefore,
                                int64_t padAfter) {
  return (in + padBefore + padAfter - kernel) / stride + 1;
}

/// Shared by conv2d and depthwise_conv2d: checks filter, bias, strides and
/// padding, and infers the NCHW result.
static LogicalResult inferConvResult(std::optional<Location> loc, Value input, Value filter,
                                     Value bias, ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> padding, bool depthwise,
                                     SmallVectorImpl<Type> &results, Type resultElement = {}) {
  if (failed(expectRank(loc, input, 4, "input")) || failed(expectRank(loc, filter, 4, "filter")))
    return failure();
  if (strides.size() != 2 || padding.size() != 4)
    return emitOptionalError(loc, "strides must have 2 values and padding 4 (top, left, bottom, "
                                  "right)");
  if (strides[0] < 1 || strides[1] < 1)
    return emitOptionalError(loc, "strides must be positive");
  if (llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "padding must not be negative");
  ArrayRef<int64_t> in = rankedOf(input).getShape();
  ArrayRef<int64_t> w = rankedOf(filter).getShape();
  int64_t outChannels = w[0];
  if (depthwise) {
    if (w[0] != in[1] || w[1] != 1)
      return emitOptionalError(loc, "depthwise filter must be ", in[1], "x1xKHxKW for ", in[1],
                               " input channels, got ", filter.getType());
  } else if (w[1] != in[1]) {
    return emitOptionalError(loc, "filter expects ", w[1], " input channels, input has ", in[1]);
  }
  if (bias && (rankedOf(bias).getRank() != 1 || rankedOf(bias).getDimSize(0) != outChannels))
    return emitOptionalError(loc, "bias must be a vector of ", outChannels, " values, got ",
                             bias.getType());
  int64_t outH = convOutputExtent(in[2], w[2], strides[0], padding[0], padding[2]);
  int64_t outW = convOutputExtent(in[3], w[3], strides[1], padding[1], padding[3]);
  if (outH < 1 || outW < 1)
    return emitOptionalError(loc, "a ", w[2], "x", w[3], " kernel does not fit a ", in[2], "x",
                             in[3], " input");
  results.push_back(
      RankedTensorType::get({in[0], outChannels, outH, outW},
                            resultElement ? resultElement : rankedOf(input).getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty name");
  if (DictionaryAttr aliases = getAliasesAttr())
    for (NamedAttribute alias : aliases) {
      bool known = llvm::any_of(cnnc::weightSchemes(), [&](const cnnc::WeightSchemeInfo &info) {
        return !info.aliasKey.empty() && info.aliasKey == alias.getName().strref();
      });
      if (!known)
        return emitOpError("has an alias for unknown naming scheme '")
               << alias.getName().strref() << "'";
      auto name = dyn_cast<StringAttr>(alias.getValue());
      if (!name || name.empty())
        return emitOpError("alias '") << alias.getName().strref() << "' must be a non-empty string";
    }
  return success();
}

std::optional<StringRef> WeightOp::getNameIn(cnnc::WeightScheme scheme) {
  StringRef key = cnnc::weightSchemeInfo(scheme).aliasKey;
  if (key.empty())
    return getName();
  DictionaryAttr aliases = getAliasesAttr();
  if (auto name = aliases ? aliases.getAs<StringAttr>(key) : StringAttr())
    return name.getValue();
  return std::nullopt;
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferConvResult(loc, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
                         adaptor.getStrides(), adaptor.getPadding(), /*depthwise=*/false, results);
}

LogicalResult DepthwiseConv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferConvResult(loc, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
                         adaptor.getStrides(), adaptor.getPadding(), /*depthwise=*/true, results);
}

LogicalResult BatchNormOp::verify() {
  if (getInput().getType().getRank() != 4)
    return emitOpError("input must be NCHW");
  int64_t channels = getInput().getType().getDimSize(1);
  for (Value param : {getScale(), getShift(), getMean(), getVariance()}) {
    auto type = cast<RankedTensorType>(param.getType());
    if (type.getRank() != 1 || type.getDimSize(0) != channels)
      return emitOpError("parameters must be vectors of ") << channels << " values, got " << type;
  }
  if (getEpsilon().convertToDouble() <= 0)
    return emitOpError("epsilon must be positive");
  return success();
}

/// N×C×H×W reduced over H and W (to N×C×1×1) or over C (to N×1×H×W).
static LogicalResult inferPoolResult(std::optional<Location> loc, Value input, bool overSpace,
                                     SmallVectorImpl<Type> &results) {
  if (failed(expectRank(loc, input, 4, "input")))
    return failure();
  RankedTensorType in = rankedOf(input);
  SmallVector<int64_t> shape(in.getShape());
  if (overSpace)
    shape[2] = shape[3] = 1;
  else
    shape[1] = 1;
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult FoldBatchNormOp::verify() {
  auto filter = getFilter().getType();
  auto scale = cast<RankedTensorType>(getScale().getType());
  if (filter.getRank() < 1 || scale.getRank() != 1 || scale.getDimSize(0) != filter.getDimSize(0))
    return emitOpError("scale must be a vector of one value per output channel (")
           << filter.getDimSize(0) << "), got " << scale;
  if (getBias() && getBias().getType() != scale)
    return emitOpError("bias must have the type of the batch-norm parameters");
  return success();
}

LogicalResult GlobalPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferPoolResult(loc, adaptor.getInput(), /*overSpace=*/true, results);
}

LogicalResult ChannelPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferPoolResult(loc, adaptor.getInput(), /*overSpace=*/false, results);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "needs at least one input");
  int64_t channels = 0;
  for (Value input : inputs) {
    if (failed(expectRank(loc, input, 4, "every input")))
      return failure();
    RankedTensorType type = rankedOf(input);
    RankedTensorType first = rankedOf(inputs.front());
    if (type.getElementType() != first.getElementType() ||
        type.getDimSize(0) != first.getDimSize(0) || type.getDimSize(2) != first.getDimSize(2) ||
        type.getDimSize(3) != first.getDimSize(3))
      return emitOptionalError(loc, "inputs differ in a dimension other than channels: ", first,
                               " and ", type);
    channels += type.getDimSize(1);
  }
  SmallVector<int64_t> shape(rankedOf(inputs.front()).getShape());
  shape[1] = channels;
  results.push_back(RankedTensorType::get(shape, rankedOf(inputs.front()).getElementType()));
  return success();
}

LogicalResult MulOp::verify() {
  auto in = getInput().getType();
  auto gate = cast<RankedTensorType>(getGate().getType());
  if (in.getRank() != 4 || gate.getRank() != 4)
    return emitOpError("input and gate must be NCHW");
  if (!gateBroadcasts(in.getShape(), gate.getShape()))
    return emitOpError("gate ") << gate << " does not broadcast to " << in;
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (failed(expectRank(loc, adaptor.getInput(), 4, "input")))
    return failure();
  ArrayRef<int64_t> in = rankedOf(adaptor.getInput()).getShape();
  results.push_back(RankedTensorType::get({in[0], in[1] * in[2] * in[3]},
                                          rankedOf(adaptor.getInput()).getElementType()));
  return success();
}

LogicalResult FullyConnectedOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (failed(expectRank(loc, adaptor.getInput(), 2, "input")) ||
      failed(expectRank(loc, adaptor.getWeight(), 2, "weight")))
    return failure();
  ArrayRef<int64_t> in = rankedOf(adaptor.getInput()).getShape();
  ArrayRef<int64_t> w = rankedOf(adaptor.getWeight()).getShape();
  if (w[1] != in[1])
    return emitOptionalError(loc, "weight expects ", w[1], " input features, input has ", in[1]);
  Value bias = adaptor.getBias();
  if (bias && (rankedOf(bias).getRank() != 1 || rankedOf(bias).getDimSize(0) != w[0]))
    return emitOptionalError(loc, "bias must be a vector of ", w[0], " values, got ",
                             bias.getType());
  results.push_back(
      RankedTensorType::get({in[0], w[0]}, rankedOf(adaptor.getInput()).getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Integer ops
//===----------------------------------------------------------------------===//

static bool hasElementType(Value v, Type element) {
  return rankedOf(v).getElementType() == element;
}

/// The operand types every integer layer takes: a ui8 input (with its zero
/// point in ui8's range), an i8 filter, an i32 bias.
static LogicalResult checkIntegerLayer(std::optional<Location> loc, Value input, Value filter,
                                       Value bias, int64_t inputZeroPoint) {
  MLIRContext *ctx = input.getContext();
  if (!hasElementType(input, IntegerType::get(ctx, 8, IntegerType::Unsigned)) ||
      !hasElementType(filter, IntegerType::get(ctx, 8)) ||
      (bias && !hasElementType(bias, IntegerType::get(ctx, 32))))
    return emitOptionalError(loc,
                             "integer layers take a ui8 input, an i8 filter and an i32 "
                             "bias, got ",
                             input.getType(), ", ", filter.getType(), bias ? ", " : "",
                             bias ? bias.getType() : Type());
  if (inputZeroPoint < 0 || inputZeroPoint > 255)
    return emitOptionalError(loc, "input zero point ", inputZeroPoint, " is outside [0, 255]");
  ArrayRef<int64_t> shape = rankedOf(filter).getShape();
  int64_t products = cnnc::productsPerOutput(shape);
  if (shape.empty() || products > cnnc::kMaxProducts)
    return emitOptionalError(loc, "an integer layer sums at most ", cnnc::kMaxProducts,
                             " products an output, this one ", products);
  return success();
}

static LogicalResult inferIntegerConv(std::optional<Location> loc, Value input, Value filter,
                                      Value bias, ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> padding, int64_t inputZeroPoint,
                                      bool depthwise, SmallVectorImpl<Type> &results) {
  if (failed(checkIntegerLayer(loc, input, filter, bias, inputZeroPoint)))
    return failure();
  if (failed(expectRank(loc, filter, 4, "filter")))
    return failure();
  return inferConvResult(loc, input, filter, bias, strides, padding, depthwise, results,
                         IntegerType::get(input.getContext(), 32));
}

LogicalResult IntegerConv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferIntegerConv(loc, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
                          adaptor.getStrides(), adaptor.getPadding(), adaptor.getInputZeroPoint(),
                          /*depthwise=*/false, results);
}

LogicalResult IntegerDepthwiseConv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                         Adaptor adaptor,
                                                         SmallVectorImpl<Type> &results) {
  return inferIntegerConv(loc, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
                          adaptor.getStrides(), adaptor.getPadding(), adaptor.getInputZeroPoint(),
                          /*depthwise=*/true, results);
}

LogicalResult IntegerFullyConnectedOp::inferReturnTypes(MLIRContext *ctx,
                                                        std::optional<Location> loc,
                                                        Adaptor adaptor,
                                                        SmallVectorImpl<Type> &results) {
  if (failed(checkIntegerLayer(loc, adaptor.getInput(), adaptor.getWeight(), adaptor.getBias(),
                               adaptor.getInputZeroPoint())))
    return failure();
  FullyConnectedOp::Adaptor floatAdaptor(adaptor.getOperands(), adaptor.getAttributes());
  if (failed(FullyConnectedOp::inferReturnTypes(ctx, loc, floatAdaptor, results)))
    return failure();
  results.back() = RankedTensorType::get(cast<RankedTensorType>(results.back()).getShape(),
                                         IntegerType::get(ctx, 32));
  return success();
}

static bool isUnsigned8(Type tensor) {
  return cast<RankedTensorType>(tensor).getElementType().isUnsignedInteger(8);
}

LogicalResult RequantizeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (!cast<RankedTensorType>(in).getElementType().isSignlessInteger(32) || !isUnsigned8(out))
    return emitOpError("requantizes i32 to ui8, got ") << in << " -> " << out;
  if (cast<RankedTensorType>(in).getShape() != cast<RankedTensorType>(out).getShape())
    return emitOpError("input and result shapes differ");
  if (cast<RankedTensorType>(in).getRank() < 2)
    return emitOpError("requantizes an accumulator of rank 2 or more (N×C…), got ") << in;
  ArrayRef<double> multiplier = getMultiplier();
  int64_t channels = cast<RankedTensorType>(in).getDimSize(1);
  if (multiplier.size() != 1 && static_cast<int64_t>(multiplier.size()) != channels)
    return emitOpError("needs 1 multiplier or ") << channels << ", got " << multiplier.size();
  for (double m : multiplier)
    if (!integerMultiplier(m))
      return emitOpError("multipliers must lie in [2^-31, 2^15), got ") << m;
  if (getZeroPoint() < 0 || getZeroPoint() > 255 || getMin() < 0 || getMax() > 255 ||
      getMin() > getMax())
    return emitOpError("zero point and clamp must lie in [0, 255], min <= max");
  return success();
}

LogicalResult LookupOp::verify() {
  if (!isUnsigned8(getInput().getType()))
    return emitOpError("looks up ui8 values, got ") << getInput().getType();
  ArrayRef<int64_t> table = getTable();
  if (table.size() != 256)
    return emitOpError("needs a table of 256 entries, got ") << table.size();
  if (llvm::any_of(table, [](int64_t v) { return v < 0 || v > 255; }))
    return emitOpError("table entries must lie in [0, 255]");
  return success();
}

/// int_add, int_mul, the integer pools and int_concat: ui8 operands and result, with a
/// positive finite scale and a zero point in [0, 255] for each.
static LogicalResult verifyRescale(Operation *op, ArrayRef<double> scales,
                                   ArrayRef<int64_t> zeroPoints) {
  SmallVector<Type> types(op->getOperandTypes());
  types.push_back(op->getResult(0).getType());
  for (Type t : types)
    if (!isUnsigned8(t))
      return op->emitOpError("operands and result must be ui8, got ") << t;
  size_t count = op->getNumOperands() + 1;
  if (scales.size() != count || zeroPoints.size() != count)
    return op->emitOpError("needs ") << count << " scales and zero points (operands, result)";
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s))
      return op->emitOpError("scales must be positive and finite, got ") << s;
  if (llvm::any_of(zeroPoints, [](int64_t z) { return z < 0 || z > 255; }))
    return op->emitOpError("zero points must lie in [0, 255]");
  return success();
}

LogicalResult IntegerAddOp::verify() {
  if (failed(verifyRescale(*this, getScales(), getZeroPoints())))
    return failure();
  ArrayRef<double> s = getScales();
  if (!integerMultiplier(addRescale(s[0], s[1], s[2]).resultMultiplier))
    return emitOpError("result scale ") << s[2] << " is too small for the inputs' scales";
  return success();
}

LogicalResult IntegerMulOp::verify() {
  if (failed(verifyRescale(*this, getScales(), getZeroPoints())))
    return failure();
  auto in = getInput().getType();
  auto gate = cast<RankedTensorType>(getGate().getType());
  if (!gateBroadcasts(in.getShape(), gate.getShape()))
    return emitOpError("gate ") << gate << " does not broadcast to " << in;
  ArrayRef<double> s = getScales();
  if (!integerMultiplier(cnnc::mulMultiplier(s.data())))
    return emitOpError("multiplier s_x * s_g / s_y must lie in [2^-31, 2^15)");
  return success();
}

/// int_global_pool and int_channel_pool: `pooled` is the result's shape, and
/// `count` values are pooled into each of its elements.
static LogicalResult verifyIntegerPool(Operation *op, PoolKind kind, ArrayRef<double> scales,
                                       ArrayRef<int64_t> zeroPoints, bool overChannels) {
  if (failed(verifyRescale(op, scales, zeroPoints)))
    return failure();
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (in.getRank() != 4)
    return op->emitOpError("pools an NCHW input, got ") << in;
  SmallVector<int64_t> pooled(in.getShape());
  int64_t count = overChannels ? in.getDimSize(1) : in.getDimSize(2) * in.getDimSize(3);
  if (overChannels)
    pooled[1] = 1;
  else
    pooled[2] = pooled[3] = 1;
  if (out.getShape() != ArrayRef<int64_t>(pooled))
    return op->emitOpError(overChannels ? "pools N×C×H×W into N×1×H×W, got "
                                        : "pools N×C×H×W into N×C×1×1, got ")
           << in << " -> " << out;
  if (!cnnc::integerMultiplier(cnnc::poolMultiplier(kind == PoolKind::avg, scales.data(), count)))
    return op->emitOpError("its multiplier must lie in [2^-31, 2^15)");
  return success();
}

LogicalResult IntegerGlobalPoolOp::verify() {
  return verifyIntegerPool(*this, getKind(), getScales(), getZeroPoints(), /*overChannels=*/false);
}

LogicalResult IntegerChannelPoolOp::verify() {
  return verifyIntegerPool(*this, getKind(), getScales(), getZeroPoints(), /*overChannels=*/true);
}

LogicalResult IntegerConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  if (failed(verifyRescale(*this, getScales(), getZeroPoints())))
    return failure();
  SmallVector<Type> results;
  if (failed(ConcatOp::inferReturnTypes(getContext(), getLoc(), ConcatOp::Adaptor(getInputs()),
                                        results)))
    return failure();
  if (results.front() != getType())
    return emitOpError("result must be ") << results.front() << ", got " << getType();
  ArrayRef<double> s = getScales();
  for (double inputScale : s.drop_back())
    if (!integerMultiplier(inputScale / s.back()))
      return emitOpError("each s_i / s_y must lie in [2^-31, 2^15)");
  return success();
}

/// Quantize and dequantize: an 8-bit integer side, the float side, and
/// parameters per tensor or per index of `axis`.
static LogicalResult verifyQuantization(Operation *op, Type floatSide, Type integerSide,
                                        ArrayRef<double> scale, ArrayRef<int64_t> zeroPoint,
                                        std::optional<uint64_t> axis) {
  auto floatType = cast<RankedTensorType>(floatSide);
  auto intType = cast<RankedTensorType>(integerSide);
  if (floatType.getShape() != intType.getShape())
    return op->emitOpError("input and result shapes differ");
  if (!floatType.getElementType().isF32())
    return op->emitOpError("float side must be f32, got ") << floatType.getElementType();
  auto storage = dyn_cast<IntegerType>(intType.getElementType());
  bool wide = storage && storage.isSignless() && storage.getWidth() == 32;
  bool narrow = storage && storage.getWidth() == 8 && !storage.isSigned();
  if (!narrow && !wide)
    return op->emitOpError("integer side must be ui8, i8 or i32, got ") << intType.getElementType();
  size_t count = 1;
  if (axis) {
    if (*axis >= static_cast<uint64_t>(floatType.getRank()))
      return op->emitOpError("axis ")
             << *axis << " is outside a tensor of rank " << floatType.getRank();
    count = static_cast<size_t>(floatType.getDimSize(static_cast<unsigned>(*axis)));
  }
  if (scale.size() != count || zeroPoint.size() != count)
    return op->emitOpError("needs ") << count << " scale(s) and zero point(s), got " << scale.size()
                                     << " and " << zeroPoint.size();
  if (wide && llvm::any_of(zeroPoint, [](int64_t z) { return z != 0; }))
    return op->emitOpError("an i32 side is symmetric: its zero points must be 0");
  int64_t qmin = storage.isUnsigned() ? 0 : -127, qmax = storage.isUnsigned() ? 255 : 127;
  for (size_t i = 0; i < count; ++i) {
    if (!(scale[i] > 0) || !std::isfinite(scale[i]))
      return op->emitOpError("scales must be positive and finite, got ") << scale[i];
    if (zeroPoint[i] < qmin || zeroPoint[i] > qmax)
      return op->emitOpError("zero point ")
             << zeroPoint[i] << " is outside [" << qmin << ", " << qmax << "]";
  }
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantization(*this, getInput().getType(), getType(), getScale(), getZeroPoint(),
                            getAxis());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantization(*this, getType(), getInput().getType(), getScale(), getZeroPoint(),
                            getAxis());
}
