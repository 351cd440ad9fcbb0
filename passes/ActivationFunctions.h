//===- ActivationFunctions.h - cnn.activation's functions -------*- C++ -*-===//
//
// What each cnn.activation kind computes, for any floating-point type: the
// reference evaluator runs it in float, cnn-lower-quantized in double to fill
// an integer lookup table.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_ACTIVATIONFUNCTIONS_H
#define CNNC_PASSES_ACTIVATIONFUNCTIONS_H

#include "dialect/Cnn.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

template <typename T> T applyActivation(cnn::Activation kind, T x) {
  auto relu6 = [](T v) { return std::min(std::max(v, T(0)), T(6)); };
  switch (kind) {
  case cnn::Activation::identity:
    return x;
  case cnn::Activation::silu:
    return x / (T(1) + std::exp(-x));
  case cnn::Activation::relu:
    return std::max(x, T(0));
  case cnn::Activation::relu6:
    return relu6(x);
  case cnn::Activation::hardswish:
    return x * relu6(x + T(3)) / T(6);
  case cnn::Activation::sigmoid:
    return T(1) / (T(1) + std::exp(-x));
  case cnn::Activation::hardsigmoid:
    return relu6(x + T(3)) / T(6);
  }
  return x;
}

} // namespace cnnc

#endif // CNNC_PASSES_ACTIVATIONFUNCTIONS_H
