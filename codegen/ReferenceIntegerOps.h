//===- ReferenceIntegerOps.h - the reference's integer ops ------*- C++ -*-===//
//
// The reference evaluator's implementation of cnn's integer ops
// (dialect/CnnIntegerOps.td), with the arithmetic of dialect/
// IntegerArithmetic.h: plain loops, integers only, so that the integer
// kernels are checked against it bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_REFERENCEINTEGEROPS_H
#define CNNC_CODEGEN_REFERENCEINTEGEROPS_H

#include "codegen/HostTensor.h"
#include "dialect/Cnn.h"

namespace cnnc {

/// int_conv2d and int_depthwise_conv2d (`bias` may be null).
HostTensor evaluateIntegerConv(cnn::IntegerConv2DOp conv, const HostTensor &x, const HostTensor &w,
                               const HostTensor *bias);
HostTensor evaluateIntegerConv(cnn::IntegerDepthwiseConv2DOp conv, const HostTensor &x,
                               const HostTensor &w, const HostTensor *bias);
HostTensor evaluateIntegerFullyConnected(cnn::IntegerFullyConnectedOp fc, const HostTensor &x,
                                         const HostTensor &w, const HostTensor *bias);
HostTensor evaluateRequantize(cnn::RequantizeOp op, const HostTensor &acc);
HostTensor evaluateLookup(cnn::LookupOp op, const HostTensor &x);
HostTensor evaluateIntegerAdd(cnn::IntegerAddOp op, const HostTensor &lhs, const HostTensor &rhs);
HostTensor evaluateIntegerMul(cnn::IntegerMulOp op, const HostTensor &x, const HostTensor &gate);
HostTensor evaluateIntegerGlobalPool(cnn::IntegerGlobalPoolOp op, const HostTensor &x);
HostTensor evaluateIntegerChannelPool(cnn::IntegerChannelPoolOp op, const HostTensor &x);
HostTensor evaluateIntegerConcat(cnn::IntegerConcatOp op,
                                 llvm::ArrayRef<const HostTensor *> inputs);

} // namespace cnnc

#endif // CNNC_CODEGEN_REFERENCEINTEGEROPS_H
