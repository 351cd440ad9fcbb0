//===- FastExp.h - e^x in few vector instructions ---------------*- C++ -*-===//
//
// SiLU and sigmoid epilogues take e^x once per activation: efficientnet-b0
// computes about 5.5 million an image, and with Halide's fast_exp they were
// a tenth of its run (ReLU in their place ran b0 1.11× faster, 2-core Zen 5).
// fastExp keeps fast_exp's accuracy in fewer instructions (FastExp.cpp says
// how).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_FASTEXP_H
#define CNNC_CODEGEN_FASTEXP_H

#include "Halide.h"

namespace cnnc {

/// e^x for a Float(32) `x`, within 7e-6 of it relatively for x in
/// [−87, 88]; outside, e^−87 or e^88 (normal floats: 1 + e^x never
/// overflows and never divides by zero).
Halide::Expr fastExp(Halide::Expr x);

} // namespace cnnc

#endif
