// RUN: cnnc-opt %s -split-input-file --cnn-quantize | FileCheck %s
// RUN: cnnc-opt %s -split-input-file --cnn-quantize="keep-float=head*" | FileCheck %s --check-prefix=KEEP
// RUN: cnnc-opt %s -split-input-file --cnn-quantize="keep-float=stages.0.blocks.0.se" | FileCheck %s --check-prefix=EDGE
// RUN: cnnc-opt %s -split-input-file --cnn-quantize="keep-float=stages.0.blocks.0" | FileCheck %s --check-prefix=KEEPBLOCK
// RUN: not cnnc-opt %s --cnn-quantize="keep-float=[]" 2>&1 | FileCheck %s --check-prefix=GLOB
// GLOB: error: keep-float pattern '[]' is not a glob: invalid glob pattern, unmatched '['

// The input, every calibrated activation and each filter get quantize/dequantize
// pairs: ui8 activations (range widened to 0, zero point from lo), i8 filters per
// output channel. A conv whose one use is relu6 is quantized after the relu6;
// the returned logits stay float.
// CHECK-LABEL: func.func @calibrated
// CHECK: %[[QX:.*]] = cnn.quantize %arg0 {scale = array<f64: 0.015686274509803921>, zero_point = array<i64: 128>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xui8>
// CHECK: %[[X:.*]] = cnn.dequantize %[[QX]]
// CHECK: %[[QW:.*]] = cnn.quantize %{{.*}} {axis = 0 : i64, scale = array<f64: 0.015748031496062992, 1.000000e+00>, zero_point = array<i64: 0, 0>} : tensor<2x3x3x3xf32> -> tensor<2x3x3x3xi8>
// CHECK: %[[W:.*]] = cnn.dequantize %[[QW]] {axis = 0 : i64
// CHECK: %[[C:.*]] = cnn.conv2d %[[X]], %[[W]]
// CHECK-NOT: cnn.quantize %[[C]]
// CHECK: %[[R:.*]] = cnn.activation  relu6 %[[C]]
// CHECK: cnn.quantize %[[R]] {scale = array<f64: 0.023529411764705882>, zero_point = array<i64: 0>}
// CHECK: cnn.global_pool
// CHECK: cnn.quantize
// CHECK: cnn.flatten
// CHECK-NOT: cnn.quantize %{{.*}} : tensor<1x2xf32>
// CHECK: %[[FCW:.*]] = cnn.dequantize {{.*}} {axis = 0 : i64
// CHECK: %[[Y:.*]] = cnn.fully_connected %{{.*}}, %[[FCW]]
// CHECK-NEXT: return %[[Y]]
// KEEP-LABEL: func.func @calibrated
// KEEP: %[[FW:.*]] = cnn.weight "fc"
// KEEP-NEXT: %[[Y:.*]] = cnn.fully_connected %{{.*}}, %[[FW]]
// KEEP-NEXT: return %[[Y]]
func.func @calibrated(%arg0: tensor<1x3x8x8xf32>) -> tensor<1x4xf32> attributes {cnn.input_range = array<f64: -2.0, 2.0>} {
  %w = cnn.weight "w" : tensor<2x3x3x3xf32>
  %c = cnn.conv2d %arg0, %w {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, cnn.calibrated_range = array<f64: -3.0, 7.0>, cnn.filter_absmax = array<f64: 2.0, 0.0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x8x8xf32>
  %r = cnn.activation relu6 %c {cnn.calibrated_range = array<f64: 0.0, 6.0>} : tensor<1x2x8x8xf32>
  %p = cnn.global_pool avg %r {cnn.calibrated_range = array<f64: 0.0, 5.0>} : tensor<1x2x8x8xf32> -> tensor<1x2x1x1xf32>
  %f = cnn.flatten %p {cnn.calibrated_range = array<f64: 0.0, 5.0>} : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
  %fw = cnn.weight "fc" : tensor<4x2xf32> loc("head")
  %y = cnn.fully_connected %f, %fw {cnn.calibrated_range = array<f64: -9.0, 9.0>, cnn.filter_absmax = array<f64: 1.0, 1.0, 1.0, 1.0>} : (tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<1x4xf32> loc("head")
  return %y : tensor<1x4xf32>
}


// -----

// Only a layer's ReLU is folded into its requantization: an add followed by a
// ReLU is quantized itself, and so is the ReLU (a table in the integer path).
// CHECK-LABEL: func.func @residual_relu
// CHECK: %[[S:.*]] = cnn.add
// CHECK-NEXT: cnn.quantize %[[S]]
// CHECK: %[[R:.*]] = cnn.activation  relu
// CHECK-NEXT: cnn.quantize %[[R]]
func.func @residual_relu(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> attributes {cnn.input_range = array<f64: -1.0, 1.0>} {
  %s = cnn.add %arg0, %arg0 {cnn.calibrated_range = array<f64: -2.0, 2.0>} : tensor<1x2x4x4xf32>
  %r = cnn.activation relu %s {cnn.calibrated_range = array<f64: 0.0, 2.0>} : tensor<1x2x4x4xf32>
  %t = cnn.activation sigmoid %r {cnn.calibrated_range = array<f64: 0.5, 0.9>} : tensor<1x2x4x4xf32>
  return %t : tensor<1x2x4x4xf32>
}

// -----

// A kept op is marked cnn.kept_float and keeps its float filter; its result is
// quantized where an op that is not kept reads it (the kept region's edge) and
// not where a kept op does. A block's name keeps its attention sub-layer too.
// EDGE-LABEL: func.func @edges
// EDGE-NOT: axis = 0
// EDGE: %[[C:.*]] = cnn.conv2d {{.*}}cnn.kept_float
// EDGE-NOT: cnn.quantize %[[C]]
// EDGE: %[[G:.*]] = cnn.activation  sigmoid %[[C]] {{.*}}cnn.kept_float
// EDGE-NEXT: cnn.quantize %[[G]]
// EDGE: %[[H:.*]] = cnn.activation  silu
// EDGE-NOT: cnn.kept_float
// EDGE-NEXT: cnn.quantize %[[H]]
// KEEPBLOCK-LABEL: func.func @edges
// KEEPBLOCK: %[[G:.*]] = cnn.activation  sigmoid {{.*}}cnn.kept_float
// KEEPBLOCK-NOT: cnn.quantize %[[G]]
// KEEPBLOCK: %[[H:.*]] = cnn.activation  silu %[[G]] {{.*}}cnn.kept_float
// KEEPBLOCK-NEXT: cnn.quantize %[[H]]
func.func @edges(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> attributes {cnn.input_range = array<f64: -1.0, 1.0>} {
  %w = cnn.weight "w" : tensor<2x2x1x1xf32>
  %c = cnn.conv2d %arg0, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, cnn.calibrated_range = array<f64: -2.0, 2.0>, cnn.filter_absmax = array<f64: 1.0, 1.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("stages.0.blocks.0.se")
  %g = cnn.activation sigmoid %c {cnn.calibrated_range = array<f64: 0.1, 0.9>} : tensor<1x2x4x4xf32> loc("stages.0.blocks.0.se")
  %h = cnn.activation silu %g {cnn.calibrated_range = array<f64: 0.0, 0.7>} : tensor<1x2x4x4xf32> loc("stages.0.blocks.0")
  %t = cnn.activation hardswish %h {cnn.calibrated_range = array<f64: 0.0, 0.5>} : tensor<1x2x4x4xf32> loc("head")
  return %t : tensor<1x2x4x4xf32>
}
