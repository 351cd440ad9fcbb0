//===- ModelStats.cpp - size and cost of a lowered model ------------------===//
#include "passes/ModelStats.h"
#include "dialect/Cnn.h"
#include "passes/KernelGroups.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <limits>

using namespace mlir;

namespace cnnc {
namespace {

/// "stages.3.blocks.1" → "stages.3"; "stem" and "head" stay as they are. An
/// imported ONNX node named by its module scope, as PyTorch's exporter names
/// them ("/features/features.3/features.3.1/block/.../Conv"), belongs to its
/// second scope ("features.3", a torchvision stage), or its first.
std::string partOf(Location loc) {
  auto named = dyn_cast<NameLoc>(loc);
  if (!named)
    return "unnamed";
  StringRef name = named.getName().strref();
  if (name.starts_with("/")) {
    SmallVector<StringRef> scopes;
    name.drop_front().split(scopes, '/');
    return scopes.size() > 2 ? scopes[1].str() : scopes.front().str();
  }
  if (!name.starts_with("stages."))
    return name.split('.').first.str();
  size_t secondDot = name.find('.', strlen("stages."));
  return name.substr(0, secondDot).str();
}

/// The product, or INT64_MAX where it would overflow: within the resource
/// limits a model's MACs can still exceed 2^63, and a count must never wrap
/// into a negative number.
int64_t saturatingProduct(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t factor : factors)
    if (__builtin_mul_overflow(product, factor, &product))
      return std::numeric_limits<int64_t>::max();
  return product;
}

void addSaturating(int64_t &sum, int64_t value) {
  if (__builtin_add_overflow(sum, value, &sum))
    sum = std::numeric_limits<int64_t>::max();
}

/// Peak of the live activation bytes when ops run in block order. A value is
/// live from its definition to its last use; function arguments from the start.
int64_t peakLiveBytes(Block &body, ArrayRef<Value> activations) {
  DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : body)
    position[&op] = index++;
  std::vector<int64_t> delta(index + 2, 0);
  for (Value v : activations) {
    int64_t def = v.getDefiningOp() ? position[v.getDefiningOp()] : 0;
    int64_t lastUse = def;
    for (Operation *user : v.getUsers())
      lastUse = std::max(lastUse, position[user]);
    delta[def] += tensorBytes(v.getType());
    delta[lastUse + 1] -= tensorBytes(v.getType());
  }
  int64_t live = 0, peak = 0;
  for (int64_t d : delta)
    peak = std::max(peak, live += d);
  return peak;
}

} // namespace

int64_t macsOf(Operation *op) {
  auto outputs = [&]() {
    return cast<RankedTensorType>(op->getResult(0).getType()).getNumElements();
  };
  if (auto conv = dyn_cast<cnn::Conv2DOp>(op)) {
    auto f = cast<RankedTensorType>(conv.getFilter().getType()).getShape();
    return saturatingProduct({outputs(), f[1], f[2], f[3]});
  }
  if (auto conv = dyn_cast<cnn::DepthwiseConv2DOp>(op)) {
    auto f = cast<RankedTensorType>(conv.getFilter().getType()).getShape();
    return saturatingProduct({outputs(), f[2], f[3]});
  }
  if (auto fc = dyn_cast<cnn::FullyConnectedOp>(op))
    return saturatingProduct({outputs(), fc.getInput().getType().getDimSize(1)});
  return 0;
}

ModelStats computeModelStats(func::FuncOp model) {
  ModelStats stats;
  llvm::StringMap<size_t> partIndex;
  SmallVector<Value> activations(model.getArguments().begin(), model.getArguments().end());
  for (Value arg : model.getArguments())
    stats.activationBytesTotal += tensorBytes(arg.getType());

  for (Operation &op : model.getBody().front()) {
    std::string part = partOf(op.getLoc());
    auto [it, inserted] = partIndex.try_emplace(part, stats.parts.size());
    if (inserted)
      stats.parts.push_back(PartStats{part});
    PartStats &ps = stats.parts[it->second];

    if (auto weight = dyn_cast<cnn::WeightOp>(op)) {
      int64_t count = cast<RankedTensorType>(weight.getType()).getNumElements();
      (weight.getBuffer() ? stats.buffers : stats.params) += count;
      if (!weight.getBuffer())
        ps.params += count;
      continue;
    }
    int64_t macs = macsOf(&op);
    addSaturating(ps.macs, macs);
    addSaturating(stats.macs, macs);
    for (Value result : op.getResults()) {
      activations.push_back(result);
      stats.activationBytesTotal += tensorBytes(result.getType());
      auto shape = cast<RankedTensorType>(result.getType()).getShape();
      ps.outputShape.assign(shape.begin(), shape.end());
    }
  }
  stats.activationBytesPeak = peakLiveBytes(model.getBody().front(), activations);
  return stats;
}

} // namespace cnnc
