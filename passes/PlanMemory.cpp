//===- PlanMemory.cpp - cnn-plan-memory -----------------------------------===//
#include "passes/KernelGroups.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

namespace cnnc {
#define GEN_PASS_DEF_CNNPLANMEMORY
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// runtime/cnnc_model_desc.h's CNNC_ALIGNMENT: the runtime views each tensor
/// at its offset, and OpenCL devices refuse views (sub-buffers) that are not
/// aligned to their base address alignment (128 bytes on PoCL, 512 at most).
constexpr int64_t kAlignment = 512;

struct Interval {
  Operation *op; // writes the tensor
  int64_t bytes, first, last, offset = -1;
};

struct CnnPlanMemoryPass : public cnnc::impl::CnnPlanMemoryBase<CnnPlanMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::vector<KernelGroup> groups = collectKernelGroups(func);
    if (groups.empty())
      return;
    llvm::DenseMap<int64_t, int64_t> position; // group id → execution index
    for (size_t i = 0; i < groups.size(); ++i)
      position[groups[i].id] = static_cast<int64_t>(i);

    std::vector<Interval> tensors;
    for (size_t i = 0; i < groups.size(); ++i) {
      Value result = groups[i].result();
      if (llvm::any_of(result.getUsers(), [](Operation *u) { return isa<func::ReturnOp>(u); }))
        continue; // written straight into the caller's output
      int64_t bytes = tensorBytes(result.getType());
      int64_t last = static_cast<int64_t>(i);
      for (Operation *user : result.getUsers())
        if (auto g = user->getAttrOfType<IntegerAttr>(kGroupAttr))
          last = std::max(last, position[g.getInt()]);
      tensors.push_back({groups[i].ops.back(), (bytes + kAlignment - 1) / kAlignment * kAlignment,
                         static_cast<int64_t>(i), last});
    }

    // Largest first, each at the lowest offset clear of placed, overlapping ones.
    std::vector<Interval *> order;
    for (Interval &t : tensors)
      order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](Interval *a, Interval *b) { return a->bytes > b->bytes; });
    std::vector<Interval *> placed;
    int64_t arenaSize = 0;
    for (Interval *t : order) {
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (Interval *p : placed)
        if (p->first <= t->last && t->first <= p->last)
          busy.push_back({p->offset, p->offset + p->bytes});
      std::sort(busy.begin(), busy.end());
      int64_t offset = 0;
      for (auto [begin, end] : busy) {
        if (offset + t->bytes <= begin)
          break;
        offset = std::max(offset, end);
      }
      t->offset = offset;
      arenaSize = std::max(arenaSize, offset + t->bytes);
      placed.push_back(t);
    }

    Builder b(&getContext());
    for (Interval &t : tensors)
      t.op->setAttr(kArenaOffsetAttr, b.getI64IntegerAttr(t.offset));
    func->setAttr(kArenaSizeAttr, b.getI64IntegerAttr(arenaSize));
  }
};

} // namespace
