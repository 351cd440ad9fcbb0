//===- Layout.cpp - how kernels see tensors in memory ---------------------===//
#include "codegen/Layout.h"

namespace cnnc {

llvm::SmallVector<int, 4> halideAxes(TensorRole role, size_t irRank) {
  switch (role) {
  case TensorRole::activation:
    return irRank == 4 ? llvm::SmallVector<int, 4>{1, 3, 2, 0} : llvm::SmallVector<int, 4>{1, 0};
  case TensorRole::convFilter:
    return {0, 1, 3, 2};
  case TensorRole::depthwiseFilter:
    return {0, 3, 2};
  case TensorRole::fcWeight:
    return {0, 1};
  case TensorRole::vector:
    return {0};
  }
  return {};
}

llvm::SmallVector<int64_t, 4> halideExtents(TensorRole role, llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> extents;
  for (int axis : halideAxes(role, shape.size()))
    extents.push_back(shape[axis]);
  return extents;
}

std::vector<uint8_t> packForKernels(TensorRole role, const HostTensor &tensor) {
  llvm::SmallVector<int, 4> axes = halideAxes(role, tensor.shape.size());
  // Stride, in the packed tensor, of a step along each IR axis (0 if absent:
  // only extent-1 axes are left out).
  std::vector<int64_t> packedStride(tensor.shape.size(), 0);
  int64_t stride = 1;
  for (int axis : axes) {
    packedStride[axis] = stride;
    stride *= tensor.shape[axis];
  }
  size_t elementBytes = byteSize(tensor.elementType());
  llvm::ArrayRef<uint8_t> source = tensor.bytes();
  std::vector<uint8_t> packed(source.size());
  std::vector<int64_t> index(tensor.shape.size(), 0);
  for (int64_t flat = 0; flat < tensor.numElements(); ++flat) {
    int64_t offset = 0;
    for (size_t a = 0; a < index.size(); ++a)
      offset += index[a] * packedStride[a];
    std::copy_n(&source[flat * elementBytes], elementBytes, &packed[offset * elementBytes]);
    for (int a = static_cast<int>(index.size()) - 1; a >= 0; --a) { // row-major increment
      if (++index[a] < tensor.shape[a])
        break;
      index[a] = 0;
    }
  }
  return packed;
}

} // namespace cnnc
