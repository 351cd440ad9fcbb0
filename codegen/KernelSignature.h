//===- KernelSignature.h - what makes two kernels the same ------*- C++ -*-===//
//
// A kernel group's typed signature: its arguments (kind, layout role, shape,
// element type, quantization), its ops in order (name, operands as argument or
// group-value references, every attribute, result types) and its schedule.
// Groups with equal signatures share one compiled kernel, and the signature
// without its schedule keys the tuning database. Every attribute of every op
// is part of it except the placement attributes (placementAttributes()),
// which say where a group runs and where its result lives, not what it
// computes; an attribute cnnc does not know is therefore never left out.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_KERNELSIGNATURE_H
#define CNNC_CODEGEN_KERNELSIGNATURE_H

#include "codegen/ElementType.h"
#include "codegen/KernelPlan.h"
#include "codegen/Schedule.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

/// A tensor as a kernel sees it.
struct TensorDesc {
  std::vector<int64_t> shape; // IR order
  ElementType elementType = ElementType::f32;
  QuantParams quant;

  int64_t bytes() const {
    int64_t bytes = static_cast<int64_t>(byteSize(elementType));
    for (int64_t extent : shape)
      bytes *= extent;
    return bytes;
  }
};

struct SignatureArg {
  KernelArg::Kind kind;
  TensorRole role; // how it is laid out in memory (Layout.h)
  TensorDesc tensor;
};

struct SignatureOp {
  std::string name;
  /// "a<i>" for the kernel's i-th argument, "g<j>" for the j-th op's result.
  std::vector<std::string> operands;
  /// name=value, sorted by name: every attribute but the placement ones.
  std::vector<std::string> attributes;
  std::vector<TensorDesc> results;
  /// A convolution that reads its input zero-padded (what a schedule may place).
  bool padsInput = false;
  /// A convolution's stride along x (1 for any other op).
  int64_t strideX = 1;
};

struct KernelSignature {
  std::vector<SignatureArg> args;
  std::vector<SignatureOp> ops;
  ScheduleParams schedule;

  /// What the kernel computes, without its schedule: the tuning database's key.
  std::string computation() const;
  /// computation() and the schedule: equal strings, one compiled kernel.
  std::string str() const;
  bool operator==(const KernelSignature &o) const { return str() == o.str(); }
  bool operator!=(const KernelSignature &o) const { return !(*this == o); }

  /// The op names joined by '+': "conv2d+activation".
  std::string label() const;
  /// The op the schedule is built around: the first convolution, else the
  /// first op; a depthwise convolution that computes its own expansion
  /// (computesExpansion) rather than that expansion; a projection that
  /// computes its own depthwise input (computesDepthwiseInput) rather than
  /// that depthwise convolution.
  size_t anchor() const;
  /// Whether the kernel computes a 1×1 expansion before its depthwise
  /// convolution (cnn-fuse's fuse-expansions): its first op.
  bool computesExpansion() const;
  /// Whether the kernel computes a 3×3 depthwise convolution before the 1×1
  /// projection that reads it (cnn-fuse's fuse-projections): its first op;
  /// the projection is the anchor.
  bool computesDepthwiseInput() const;
  /// Whether the anchor is a 1×1 convolution over pairs of pixels
  /// (KernelPlan::pixelPairConvolution): its filter held twice over.
  bool overPixelPairs() const;
  bool isConvolution(size_t op) const;
  /// Operand `i` of op `op`: an argument or an earlier op's result.
  const TensorDesc &operand(size_t op, size_t i) const;
  /// The layout of operand `i` of op `op`: its argument's role, or an
  /// activation's for an earlier op's result.
  TensorRole operandRole(size_t op, size_t i) const;
  /// NCHW shapes of the anchor op's result and of the group's result.
  llvm::ArrayRef<int64_t> anchorShape() const { return ops[anchor()].results[0].shape; }
  llvm::ArrayRef<int64_t> resultShape() const { return ops.back().results[0].shape; }
};

/// The attributes left out of signatures, because they place a group rather
/// than define it: cnn.group and cnn.arena_offset.
llvm::ArrayRef<llvm::StringRef> placementAttributes();

/// The signature of `plan` with a default (generic, 1-lane) schedule, which
/// the target then chooses. Fails on an element type cnnc has no kernels for.
llvm::Expected<KernelSignature> signatureOf(const KernelPlan &plan);

} // namespace cnnc

#endif // CNNC_CODEGEN_KERNELSIGNATURE_H
