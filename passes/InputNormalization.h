//===- InputNormalization.h - how a lowered model wants its input -*- C++ -*-===//
//
// convert-effnet-to-cnn records the spec's `input: {mean, std}` on the model's
// function; the bundle's header, the manifest and `cnnc run --image` read it
// from there: x = (pixel / 255 - mean[c]) / std[c].
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_INPUTNORMALIZATION_H
#define CNNC_PASSES_INPUTNORMALIZATION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace cnnc {

inline constexpr const char *kInputMeanAttr = "cnn.input_mean";
inline constexpr const char *kInputStdAttr = "cnn.input_std";

struct InputNormalization {
  llvm::ArrayRef<double> mean, std; // one per input channel, on pixels scaled to 0..1
};

/// What the model records; none when its spec gave no normalization.
inline std::optional<InputNormalization> inputNormalization(mlir::func::FuncOp model) {
  auto mean = model->getAttrOfType<mlir::DenseF64ArrayAttr>(kInputMeanAttr);
  auto deviation = model->getAttrOfType<mlir::DenseF64ArrayAttr>(kInputStdAttr);
  if (!mean || !deviation)
    return std::nullopt;
  return InputNormalization{mean.asArrayRef(), deviation.asArrayRef()};
}

} // namespace cnnc

#endif // CNNC_PASSES_INPUTNORMALIZATION_H
