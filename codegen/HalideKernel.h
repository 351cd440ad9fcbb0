//===- HalideKernel.h - a kernel group as a Halide pipeline -----*- C++ -*-===//
//
// The algorithm (HalideAlgorithm.cpp) apart from the schedule, as Halide has
// it: the target's backend applies the schedule (TargetBackend::applySchedule).
// Activations are Halide (c, x, y, n) or (k, n): see Layout.h. Compiled with
// exceptions: Halide reports errors by throwing.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_HALIDEKERNEL_H
#define CNNC_CODEGEN_HALIDEKERNEL_H

#include "codegen/ElementType.h"
#include "codegen/KernelPlan.h"
#include "support/FixedPoint.h"

#include <Halide.h>

#include <map>
#include <optional>

namespace cnnc {

struct KernelFuncs {
  std::vector<Halide::ImageParam> params; // one per KernelPlan input, in order
  /// The Func each op of the group defines, in op order.
  std::vector<std::pair<mlir::Operation *, Halide::Func>> ops;
  /// The inputs convolutions read, by op: zero-padded, and for integer
  /// convolutions also widened to i16 and centered on the zero point (or, for
  /// quads, raw u8 padded with it). Schedules stage them per register block.
  std::vector<std::pair<mlir::Operation *, Halide::Func>> stagedInputs;
  /// Integer convolutions whose reduction's innermost RVar walks a group of
  /// input channels (2 or 4: Layout.h), by op: vectorized with atomic(),
  /// each group's products are summed into one i32 lane.
  std::map<mlir::Operation *, int> groupedReductions;
  /// A depthwise integer convolution over tap pairs (Layout.h's paired
  /// depthwise filter): the centered input and the pairs its products read,
  /// (p, c, u, y, n) with p innermost. Schedules stage both, row by row.
  struct TapPairs {
    mlir::Operation *conv;
    Halide::Func centered, pairs;
  };
  std::vector<TapPairs> tapPairs;
  /// A convolution by Winograd's F(m×m, 3×3) (Winograd.h): its input tiles
  /// transformed by columns, (c, j, a, tx, ty, n), then rows, (c, b, a, tx,
  /// ty, n); the products of each of the n×n positions summed over input
  /// channels, (o, b, a, tx, ty, n); those transformed back by rows, (o, b,
  /// r, tx, ty, n). The op's own Func transforms back by columns and adds
  /// the bias: (o, x, y, n), x = m·tx + s, y = m·ty + r.
  struct Winograd {
    mlir::Operation *conv;
    Halide::Func inputColumns, input, products, outputRows;
  };
  std::vector<Winograd> winograd;
  /// Sums over a filter's weights alone (the Σw of a quad convolution without
  /// a bias, per output channel; with one, its start is packed: Layout.h's
  /// quadConvStart), defined for the output channels the filter holds
  /// (whole vectors of them in an HVX quad filter): computed once per call,
  /// before the blocks.
  struct FilterSum {
    mlir::Operation *conv;
    Halide::Func sum;
    int64_t heldChannels;
  };
  std::vector<FilterSum> filterSums;
  /// The per-image filter (out, in, batch) of a convolution that folds in a
  /// channel scale: a second pipeline output, written to arena scratch.
  std::optional<Halide::Func> imageFilter;
  std::vector<int> imageFilterExtents; // its (out, in, batch) extents

  /// A copy of the group's result: the pipeline output, so that no op's own
  /// Func is the output and each can be scheduled freely.
  Halide::Func output;
};

/// The algorithm: one Func per op of the group, its fixed-point products
/// computed as `width` says.
KernelFuncs defineKernel(const KernelPlan &plan, ProductWidth width);

/// The Halide type of an element type.
Halide::Type halideType(ElementType type);

} // namespace cnnc

#endif // CNNC_CODEGEN_HALIDEKERNEL_H
