//===- HalideSchedule.cpp - how kernel groups run on a CPU ----------------===//
//
// Two schedules:
// - A group led by a convolution or depthwise convolution with a spatial
//   output is a register-blocked direct convolution: the output is cut into
//   blocks of (up to) two vectors of channels by four or eight pixels; each block's
//   accumulators live in registers across the whole reduction, then the
//   epilogue (bias, activation, residual) is applied as the block is stored.
//   Rows are spread over threads.
// - Anything else computes each reduction at the root, vectorized over its
//   innermost dimension with the reduction outside, and inlines elementwise
//   ops into their consumers.
//
//===----------------------------------------------------------------------===//
#include "codegen/HalideKernel.h"
#include "dialect/Cnn.h"

using namespace mlir;
using namespace Halide;

namespace cnnc {
namespace {

/// Output pixels per register block, with two vectors of channels: 16
/// accumulators where there are 32 vector registers (AVX-512), 8 where there
/// are 16 (AVX2), leaving room for the operands.
int64_t pixelBlockFor(int vector) { return vector >= 16 ? 8 : 4; }

/// Vectorizes `stage` along `var` if `extent` fills a vector, else not at all.
void vectorizeIfWide(Stage stage, VarOrRVar var, int64_t extent, int vector) {
  if (extent >= vector)
    stage.vectorize(var, vector, TailStrategy::GuardWithIf);
}

/// The op a group is built around: its first convolution, else its first op.
size_t anchorIndex(const KernelFuncs &funcs) {
  for (size_t i = 0; i < funcs.ops.size(); ++i)
    if (isa<cnn::Conv2DOp, cnn::DepthwiseConv2DOp>(funcs.ops[i].first))
      return i;
  return 0;
}

/// Intermediates up to this size live on the stack, not the heap: run allocates nothing.
constexpr int64_t kStackBytes = 64 * 1024;

void storeSmallOnStack(Func f, ArrayRef<int64_t> shape) {
  int64_t bytes = sizeof(float);
  for (int64_t extent : shape)
    bytes *= extent;
  if (bytes <= kStackBytes)
    f.store_in(MemoryType::Stack);
}

bool isBlockedConvolution(Operation *anchor, int vector) {
  if (!isa<cnn::Conv2DOp, cnn::DepthwiseConv2DOp>(anchor))
    return false;
  ArrayRef<int64_t> out = shapeOf(anchor->getResult(0));
  return out[1] >= vector / 2 && out[1] % (vector / 2) == 0 && out[2] * out[3] > 1;
}

void scheduleBlockedConvolution(KernelFuncs &funcs, int vector) {
  auto [anchor, conv] = funcs.ops[anchorIndex(funcs)];
  Func output = funcs.output;
  ArrayRef<int64_t> out = shapeOf(anchor->getResult(0));
  int64_t channels = out[1];
  // Blocks never exceed the extents, and tails shift inwards (recomputing a
  // few outputs) rather than shrink: the block size stays constant, so its
  // accumulators live in registers and on the stack, never on the heap.
  int lanes = channels % vector == 0 ? vector : vector / 2;
  int channelBlock = channels >= 2 * lanes ? 2 * lanes : lanes;
  int pixelBlock = static_cast<int>(std::min<int64_t>(out[3], pixelBlockFor(vector)));

  Var c = output.args()[0], x = output.args()[1], y = output.args()[2], n = output.args()[3];
  Var co("co"), ci("ci"), xo("xo"), xi("xi");
  output.split(c, co, ci, channelBlock, TailStrategy::ShiftInwards)
      .split(x, xo, xi, pixelBlock, TailStrategy::ShiftInwards)
      .reorder(ci, xi, co, xo, y, n)
      .vectorize(ci, lanes)
      .unroll(ci)
      .unroll(xi);
  if (out[2] > 1)
    output.parallel(y);

  Var cc = conv.args()[0], cx = conv.args()[1];
  conv.compute_at(output, co).vectorize(cc, lanes).unroll(cc).unroll(cx);
  std::vector<VarOrRVar> order = {cc, cx};
  for (const Halide::Internal::ReductionVariable &r : conv.update().get_schedule().rvars())
    order.push_back(RVar(r.var));
  conv.update().reorder(order).vectorize(cc, lanes).unroll(cc).unroll(cx);

  // The padded input a block reads, gathered once per block (a constant-size
  // tile on the stack) instead of testing the border at every tap.
  for (auto &[op, input] : funcs.paddedInputs)
    if (op == anchor)
      input.compute_at(output, co).vectorize(input.args()[0], lanes, TailStrategy::GuardWithIf);

  if (funcs.imageFilter) // an output: computed once per call, before the blocks
    funcs.imageFilter->vectorize(funcs.imageFilter->args()[0], lanes, TailStrategy::GuardWithIf);
}

void scheduleGeneric(KernelFuncs &funcs, int vector) {
  for (auto &[op, f] : funcs.ops) {
    if (!f.has_update_definition())
      continue; // elementwise: inlined into its consumer
    // Vectorize over channels (or features); over x for one-channel maps (CBAM).
    ArrayRef<int64_t> shape = shapeOf(op->getResult(0));
    bool narrow = shape.size() == 4 && shape[1] < vector;
    Var inner = f.args()[narrow ? 1 : 0];
    int64_t extent = narrow ? shape[3] : shape[1];
    f.compute_root();
    storeSmallOnStack(f, shape);
    vectorizeIfWide(f, inner, extent, vector);
    std::vector<VarOrRVar> order = {inner};
    for (const Halide::Internal::ReductionVariable &r : f.update().get_schedule().rvars())
      order.push_back(RVar(r.var));
    f.update().reorder(order);
    vectorizeIfWide(f.update(), inner, extent, vector);
  }
  Func output = funcs.output;
  Value result = funcs.ops.back().first->getResult(0);
  ArrayRef<int64_t> shape = shapeOf(result);
  if (shape.size() == 4 && shape[1] == 1)
    vectorizeIfWide(output, output.args()[1], shape[3], vector);
  else
    vectorizeIfWide(output, output.args()[0], shape[1], vector);
  if (shape.size() == 4 && shape[2] > 1)
    output.parallel(output.args()[2]);
}

} // namespace

void scheduleKernel(KernelFuncs &funcs, const KernelPlan &plan, const Target &target) {
  int vector = target.natural_vector_size<float>();
  if (isBlockedConvolution(funcs.ops[anchorIndex(funcs)].first, vector))
    scheduleBlockedConvolution(funcs, vector);
  else
    scheduleGeneric(funcs, vector);
}

} // namespace cnnc
