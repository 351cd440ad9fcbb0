// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fold-batchnorm))' | FileCheck %s

// CHECK-LABEL: func.func @fold
func.func @fold(%x: tensor<1x8x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %w = cnn.weight "w" : tensor<16x8x1x1xf32>
  %g = cnn.weight "bn.weight" : tensor<16xf32>
  %b = cnn.weight "bn.bias" : tensor<16xf32>
  %m = cnn.weight "bn.running_mean" buffer : tensor<16xf32>
  %v = cnn.weight "bn.running_var" buffer : tensor<16xf32>
  // CHECK: %[[W:.*]], %[[B:.*]] = cnn.fold_batchnorm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64}
  // CHECK-NEXT: %[[Y:.*]] = cnn.conv2d %arg0, %[[W]], %[[B]]
  // CHECK-NOT: cnn.batch_norm
  // CHECK: return %[[Y]]
  %0 = cnn.conv2d %x, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x8x8xf32>
  %1 = cnn.batch_norm %0, %g, %b, %m, %v {epsilon = 1.0e-3 : f64} : tensor<1x16x8x8xf32>, tensor<16xf32>
  return %1 : tensor<1x16x8x8xf32>
}

// A depthwise convolution with a bias keeps it in the fold.
// CHECK-LABEL: func.func @depthwise_with_bias
func.func @depthwise_with_bias(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32> {
  %w = cnn.weight "w" : tensor<8x1x3x3xf32>
  %c = cnn.weight "c" : tensor<8xf32>
  %p = cnn.weight "p" : tensor<8xf32>
  // CHECK: %[[W:.*]], %[[B:.*]] = cnn.fold_batchnorm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon
  // CHECK-NEXT: cnn.depthwise_conv2d %arg0, %[[W]], %[[B]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %0 = cnn.depthwise_conv2d %x, %w, %c {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : tensor<1x8x4x4xf32>, tensor<8xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// A convolution whose raw output is used elsewhere too is left alone.
// CHECK-LABEL: func.func @shared
func.func @shared(%x: tensor<1x8x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w = cnn.weight "w" : tensor<8x8x1x1xf32>
  %p = cnn.weight "p" : tensor<8xf32>
  // CHECK-NOT: cnn.fold_batchnorm
  // CHECK: cnn.batch_norm
  %0 = cnn.conv2d %x, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : tensor<1x8x8x8xf32>, tensor<8xf32>
  return %0, %1 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}
