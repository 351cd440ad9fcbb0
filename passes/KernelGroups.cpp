//===- KernelGroups.cpp - the kernel groups cnn-fuse marks ----------------===//
#include "passes/KernelGroups.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace cnnc {

bool isWeightOnly(Operation *op) {
  if (isa<cnn::WeightOp>(op))
    return true;
  return op->getNumOperands() > 0 && !isa<func::ReturnOp>(op) &&
         llvm::all_of(op->getOperands(),
                      [](Value v) { return v.getDefiningOp() && isWeightOnly(v.getDefiningOp()); });
}

std::vector<KernelGroup> collectKernelGroups(func::FuncOp func) {
  std::vector<KernelGroup> groups;
  llvm::DenseMap<int64_t, size_t> index;
  for (Operation &op : func.getBody().front()) {
    auto id = op.getAttrOfType<IntegerAttr>(kGroupAttr);
    if (!id)
      continue;
    auto [it, inserted] = index.try_emplace(id.getInt(), groups.size());
    if (inserted)
      groups.push_back(KernelGroup{id.getInt(), {}});
    groups[it->second].ops.push_back(&op);
  }
  return groups;
}

} // namespace cnnc
