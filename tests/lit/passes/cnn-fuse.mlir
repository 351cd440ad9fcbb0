// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fuse))' | FileCheck %s

// An MBConv block with SE and a residual, after batch-norm folding: expand
// conv + SiLU, depthwise + SiLU, the SE branch up to its gate, then the SE
// scale with the projection that folds it into its weights + the residual add,
// then the classifier head.
// CHECK-LABEL: func.func @block
func.func @block(%x: tensor<1x16x8x8xf32>) -> tensor<1x10xf32> {
  %we = cnn.weight "we" : tensor<64x16x1x1xf32>
  %be = cnn.weight "be" : tensor<64xf32>
  %wd = cnn.weight "wd" : tensor<64x1x3x3xf32>
  %bd = cnn.weight "bd" : tensor<64xf32>
  %w1 = cnn.weight "w1" : tensor<4x64x1x1xf32>
  %b1 = cnn.weight "b1" : tensor<4xf32>
  %w2 = cnn.weight "w2" : tensor<64x4x1x1xf32>
  %b2 = cnn.weight "b2" : tensor<64xf32>
  %wp = cnn.weight "wp" : tensor<16x64x1x1xf32>
  %bp = cnn.weight "bp" : tensor<16xf32>
  %wc = cnn.weight "wc" : tensor<10x16xf32>
  %bc = cnn.weight "bc" : tensor<10xf32>
  // CHECK: cnn.weight "we"
  // CHECK-NOT: cnn.group
  // CHECK: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  %0 = cnn.conv2d %x, %we, %be {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x16x1x1xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %1 = cnn.activation silu %0 : tensor<1x64x8x8xf32>
  // CHECK-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 1 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 1 : i64
  %2 = cnn.depthwise_conv2d %1, %wd, %bd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x8x8xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %3 = cnn.activation silu %2 : tensor<1x64x8x8xf32>
  // CHECK-NEXT: cnn.global_pool {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.mul {{.*}}cnn.group = 3 : i64
  %4 = cnn.global_pool avg %3 : tensor<1x64x8x8xf32> -> tensor<1x64x1x1xf32>
  %5 = cnn.conv2d %4, %w1, %b1 {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x64x1x1xf32>, tensor<4x64x1x1xf32>, tensor<4xf32>) -> tensor<1x4x1x1xf32>
  %6 = cnn.activation silu %5 : tensor<1x4x1x1xf32>
  %7 = cnn.conv2d %6, %w2, %b2 {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x1x1xf32>, tensor<64x4x1x1xf32>, tensor<64xf32>) -> tensor<1x64x1x1xf32>
  %8 = cnn.activation sigmoid %7 : tensor<1x64x1x1xf32>
  %9 = cnn.mul %3, %8 : tensor<1x64x8x8xf32>, tensor<1x64x1x1xf32>
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 3 : i64
  // CHECK-NEXT: cnn.add {{.*}}cnn.group = 3 : i64
  %10 = cnn.conv2d %9, %wp, %bp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x64x8x8xf32>, tensor<16x64x1x1xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  %11 = cnn.add %10, %x : tensor<1x16x8x8xf32>
  // CHECK-NEXT: cnn.global_pool {{.*}}cnn.group = 4 : i64
  // CHECK-NEXT: cnn.flatten {{.*}}cnn.group = 4 : i64
  // CHECK-NEXT: cnn.fully_connected {{.*}}cnn.group = 4 : i64
  %12 = cnn.global_pool avg %11 : tensor<1x16x8x8xf32> -> tensor<1x16x1x1xf32>
  %13 = cnn.flatten %12 : tensor<1x16x1x1xf32> -> tensor<1x16xf32>
  %14 = cnn.fully_connected %13, %wc, %bc : (tensor<1x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %14 : tensor<1x10xf32>
}

// The integer SE block: the pool and the whole MLP on the pooled vector are
// one kernel; the int_mul by the gate joins the projection that reads it
// (whose kernel gates its input tile as it reads it), then its requantize and
// residual int_add.
// CHECK-LABEL: func.func @integer_se
func.func @integer_se(%x: tensor<1x4x6x6xui8>) -> tensor<1x4x6x6xui8> {
  %w1 = cnn.weight "w1" : tensor<2x4x1x1xi8>
  %b1 = cnn.weight "b1" : tensor<2xi32>
  %w2 = cnn.weight "w2" : tensor<4x2x1x1xi8>
  %b2 = cnn.weight "b2" : tensor<4xi32>
  %wp = cnn.weight "wp" : tensor<4x4x1x1xi8>
  %bp = cnn.weight "bp" : tensor<4xi32>
  // CHECK: cnn.int_global_pool {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.int_conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.requantize {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.int_conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.requantize {{.*}}cnn.group = 0 : i64
  %0 = cnn.int_global_pool avg %x {scales = array<f64: 0.1, 0.1>, zero_points = array<i64: 3, 3>} : tensor<1x4x6x6xui8> -> tensor<1x4x1x1xui8>
  %1 = cnn.int_conv2d %0, %w1, %b1 {input_zero_point = 3 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x1x1xui8>, tensor<2x4x1x1xi8>, tensor<2xi32>) -> tensor<1x2x1x1xi32>
  %2 = cnn.requantize %1 {multiplier = array<f64: 0.01>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x2x1x1xi32> -> tensor<1x2x1x1xui8>
  %3 = cnn.int_conv2d %2, %w2, %b2 {input_zero_point = 0 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xui8>, tensor<4x2x1x1xi8>, tensor<4xi32>) -> tensor<1x4x1x1xi32>
  %4 = cnn.requantize %3 {multiplier = array<f64: 0.01>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x4x1x1xi32> -> tensor<1x4x1x1xui8>
  // CHECK-NEXT: cnn.int_mul {{.*}}cnn.group = 1 : i64
  // CHECK-NEXT: cnn.int_conv2d {{.*}}cnn.group = 1 : i64
  // CHECK-NEXT: cnn.requantize {{.*}}cnn.group = 1 : i64
  // CHECK-NEXT: cnn.int_add {{.*}}cnn.group = 1 : i64
  %5 = cnn.int_mul %x, %4 {scales = array<f64: 0.1, 0.004, 0.1>, zero_points = array<i64: 3, 0, 3>} : tensor<1x4x6x6xui8>, tensor<1x4x1x1xui8>
  %6 = cnn.int_conv2d %5, %wp, %bp {input_zero_point = 3 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xui8>, tensor<4x4x1x1xi8>, tensor<4xi32>) -> tensor<1x4x6x6xi32>
  %7 = cnn.requantize %6 {multiplier = array<f64: 0.01>, zero_point = 3 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x4x6x6xi32> -> tensor<1x4x6x6xui8>
  %8 = cnn.int_add %7, %x {scales = array<f64: 0.1, 0.1, 0.1>, zero_points = array<i64: 3, 3, 3>} : tensor<1x4x6x6xui8>
  return %8 : tensor<1x4x6x6xui8>
}
