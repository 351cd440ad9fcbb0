//===- KernelGroups.cpp - the kernel groups cnn-fuse marks ----------------===//
#include "passes/KernelGroups.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace cnnc {

int64_t tensorBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.getNumElements() * ((tensor.getElementTypeBitWidth() + 7) / 8);
}

bool isWeightOnly(Operation *op) {
  if (isa<cnn::WeightOp>(op))
    return true;
  return op->getNumOperands() > 0 && !isa<func::ReturnOp>(op) &&
         llvm::all_of(op->getOperands(),
                      [](Value v) { return v.getDefiningOp() && isWeightOnly(v.getDefiningOp()); });
}

Operation *convolutionFoldingScale(Operation *op) {
  auto mul = dyn_cast<cnn::MulOp>(op);
  if (!mul || !mul->hasOneUse())
    return nullptr;
  auto gate = cast<RankedTensorType>(mul.getGate().getType());
  auto input = mul.getInput().getType();
  bool perChannel = gate.getDimSize(1) == input.getDimSize(1) && gate.getDimSize(2) == 1 &&
                    gate.getDimSize(3) == 1 && input.getDimSize(2) * input.getDimSize(3) > 1;
  auto conv = dyn_cast<cnn::Conv2DOp>(*mul->getUsers().begin());
  if (!perChannel || !conv || conv.getInput() != mul.getResult())
    return nullptr;
  auto filter = cast<RankedTensorType>(conv.getFilter().getType());
  bool pointwise = filter.getDimSize(2) == 1 && filter.getDimSize(3) == 1 &&
                   llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
                   llvm::all_of(conv.getPadding(), [](int64_t p) { return p == 0; });
  return pointwise ? conv.getOperation() : nullptr;
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
