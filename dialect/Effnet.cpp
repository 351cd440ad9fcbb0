//===- Effnet.cpp - effnet dialect ----------------------------------------===//
#include "dialect/Effnet.h"
#include "dialect/EffnetRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::effnet;

#include "dialect/EffnetDialect.cpp.inc"
#include "dialect/EffnetEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialect/EffnetAttrs.cpp.inc"
#include "dialect/EffnetInterfaces.cpp.inc"
#define GET_OP_CLASSES
#include "dialect/EffnetOps.cpp.inc"

void EffnetDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/EffnetAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/EffnetOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// Reduction settings shared by SE and CBAM's channel MLP.
static LogicalResult verifyReduction(function_ref<InFlightDiagnostic()> emitError,
                                     const APFloat &ratioValue, int64_t divisor) {
  double ratio = ratioValue.convertToDouble();
  if (!(ratio > 0 && ratio <= 1))
    return emitError() << "attention ratio must be in (0, 1], got " << ratio;
  if (divisor < 1)
    return emitError() << "attention divisor must be at least 1, got " << divisor;
  return success();
}

LogicalResult SqueezeExciteAttr::verify(function_ref<InFlightDiagnostic()> emitError, APFloat ratio,
                                        SqueezeBase, int64_t divisor, cnnc::cnn::Activation,
                                        cnnc::cnn::Activation) {
  return verifyReduction(emitError, ratio, divisor);
}

LogicalResult CbamAttr::verify(function_ref<InFlightDiagnostic()> emitError, APFloat ratio,
                               SqueezeBase, int64_t divisor, int64_t kernel) {
  if (failed(verifyReduction(emitError, ratio, divisor)))
    return failure();
  if (!isSupportedCbamKernel(kernel))
    return emitError() << "CBAM kernel must be " << kSupportedCbamKernels << ", got " << kernel;
  return success();
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

RegionKind ModelOp::getRegionKind(unsigned) { return RegionKind::Graph; }
RegionKind StageOp::getRegionKind(unsigned) { return RegionKind::Graph; }

static LogicalResult verifyPositive(Operation *op, StringRef what, int64_t value) {
  if (value > 0)
    return success();
  return op->emitOpError() << what << " must be positive, got " << value;
}

static LogicalResult verifyPositive(Operation *op, StringRef what, std::optional<APFloat> value) {
  if (!value || value->convertToDouble() > 0)
    return success();
  return op->emitOpError() << what << " must be positive, got " << value->convertToDouble();
}

LogicalResult ModelOp::verify() {
  double roundLimit = getChannelRoundLimit().convertToDouble();
  if (!(roundLimit >= 0 && roundLimit <= 1))
    return emitOpError("channel_round_limit must be in [0, 1], got ") << roundLimit;
  std::optional<ArrayRef<double>> mean = getInputMean(), deviation = getInputStd();
  if (mean.has_value() != deviation.has_value())
    return emitOpError("input_mean and input_std come together");
  if (!mean)
    return success();
  auto channels = static_cast<size_t>(getInChannels());
  if (mean->size() != channels || deviation->size() != channels)
    return emitOpError("input_mean and input_std need one value per input channel (")
           << channels << "), got " << mean->size() << " and " << deviation->size();
  for (double d : *deviation)
    if (!(d > 0))
      return emitOpError("input_std values must be positive, got ") << d;
  for (double m : *mean)
    if (!std::isfinite(m))
      return emitOpError("input_mean values must be finite");
  return success();
}

LogicalResult ModelOp::verifyRegions() {
  Operation *op = getOperation();
  if (failed(verifyPositive(op, "resolution", getResolution())) ||
      failed(verifyPositive(op, "in_channels", getInChannels())) ||
      failed(verifyPositive(op, "num_classes", getNumClasses())) ||
      failed(verifyPositive(op, "channel_divisor", getChannelDivisor())) ||
      failed(verifyPositive(op, "batch_norm_eps", getBatchNormEps())) ||
      failed(verifyPositive(op, "width_mult", getWidthMult())) ||
      failed(verifyPositive(op, "depth_mult", getDepthMult())) ||
      failed(verifyPositive(op, "resolution_mult", getResolutionMult())) ||
      failed(verifyPositive(op, "alpha", getAlpha())) ||
      failed(verifyPositive(op, "beta", getBeta())) ||
      failed(verifyPositive(op, "gamma", getGamma())))
    return failure();

  bool hasCompound = getPhi() || getAlpha() || getBeta() || getGamma();
  bool hasMultipliers = getWidthMult() || getDepthMult() || getResolutionMult();
  if (hasCompound && hasMultipliers)
    return emitOpError("takes either phi/alpha/beta/gamma or width/depth/resolution multipliers, "
                       "not both");
  if (hasCompound && !(getPhi() && getAlpha() && getBeta() && getGamma()))
    return emitOpError("phi needs alpha, beta and gamma");
  if (getPhi() && getPhi()->convertToDouble() < 0)
    return emitOpError("phi must not be negative, got ") << getPhi()->convertToDouble();

  // The body is: one stem, one or more stages, one head, in that order.
  Block &body = getBody().front();
  auto ops = llvm::to_vector(llvm::map_range(body, [](Operation &o) { return &o; }));
  if (ops.size() < 3 || !isa<StemOp>(ops.front()) || !isa<HeadOp>(ops.back()))
    return emitOpError("body must be a stem, one or more stages, and a head");
  for (Operation *inner : ArrayRef(ops).drop_front().drop_back())
    if (!isa<StageOp>(inner))
      return inner->emitOpError("must sit between the model's stem and head; only stages can");
  return success();
}

LogicalResult StemOp::verify() {
  if (failed(verifyPositive(*this, "channels", getChannels())))
    return failure();
  if (!isSupportedKernel(getKernel()))
    return emitOpError("kernel must be ") << kSupportedKernels << ", got " << getKernel();
  if (!isSupportedStride(getStride()))
    return emitOpError("stride must be ") << kSupportedStrides << ", got " << getStride();
  return success();
}

LogicalResult StageOp::verifyRegions() {
  if (failed(verifyPositive(*this, "repeats", getRepeats())))
    return failure();
  Block &body = getBody().front();
  if (!llvm::hasSingleElement(body) || !isa<BlockOpInterface>(body.front()))
    return emitOpError("must hold exactly one block (effnet.mbconv or effnet.fused_mbconv)");
  return success();
}

BlockOpInterface StageOp::getBlock() { return cast<BlockOpInterface>(getBody().front().front()); }

LogicalResult HeadOp::verify() {
  if (failed(verifyPositive(*this, "channels", getChannels())))
    return failure();
  if (getHiddenChannels() && failed(verifyPositive(*this, "hidden_channels", *getHiddenChannels())))
    return failure();
  if (getHiddenActivation() && !getHiddenChannels())
    return emitOpError("hidden_activation needs hidden_channels");
  if (!(getDropout().convertToDouble() >= 0 && getDropout().convertToDouble() < 1))
    return emitOpError("dropout must be in [0, 1), got ") << getDropout().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

static LogicalResult verifyBlock(BlockOpInterface block) {
  Operation *op = block.getOperation();
  if (failed(verifyPositive(op, "out_channels", block.getOutChannels())))
    return failure();
  if (!isSupportedKernel(block.getKernel()))
    return op->emitOpError("kernel must be ") << kSupportedKernels << ", got " << block.getKernel();
  if (!isSupportedStride(block.getStride()))
    return op->emitOpError("stride must be ") << kSupportedStrides << ", got " << block.getStride();
  std::optional<APFloat> ratio = block.getExpandRatio();
  std::optional<uint64_t> channels = block.getExpandChannels();
  if (ratio.has_value() == channels.has_value())
    return op->emitOpError("needs exactly one of expand_ratio and expand_channels");
  if (ratio && ratio->convertToDouble() < 1)
    return op->emitOpError("expand_ratio must be at least 1, got ") << ratio->convertToDouble();
  if (channels && failed(verifyPositive(op, "expand_channels", static_cast<int64_t>(*channels))))
    return failure();
  return success();
}

LogicalResult MBConvOp::verify() { return verifyBlock(*this); }
LogicalResult FusedMBConvOp::verify() { return verifyBlock(*this); }
