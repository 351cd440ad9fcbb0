// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fuse{fuse-projections=true}))' | FileCheck %s
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fuse))' | FileCheck %s --check-prefix=APART

// With fuse-projections, a 3×3 depthwise convolution at stride 1 whose
// activated 112×112 result (1.6 MB) only a 1×1 projection reads takes that
// projection into its group, with its residual add; without it, they are two
// groups.
// CHECK-LABEL: func.func @large
// APART-LABEL: func.func @large
func.func @large(%x: tensor<1x32x112x112xf32>) -> tensor<1x32x112x112xf32> {
  %wd = cnn.weight "wd" : tensor<32x1x3x3xf32>
  %wp = cnn.weight "wp" : tensor<32x32x1x1xf32>
  // CHECK: cnn.depthwise_conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.add {{.*}}cnn.group = 0 : i64
  // APART: cnn.depthwise_conv2d {{.*}}cnn.group = 0 : i64
  // APART-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // APART-NEXT: cnn.conv2d {{.*}}cnn.group = 1 : i64
  // APART-NEXT: cnn.add {{.*}}cnn.group = 1 : i64
  %0 = cnn.depthwise_conv2d %x, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  %1 = cnn.activation relu6 %0 : tensor<1x32x112x112xf32>
  %2 = cnn.conv2d %1, %wp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x32x112x112xf32>, tensor<32x32x1x1xf32>) -> tensor<1x32x112x112xf32>
  %3 = cnn.add %2, %x : tensor<1x32x112x112xf32>
  return %3 : tensor<1x32x112x112xf32>
}

// A 56×56 map (0.4 MB, under 512 KiB), a stride-2 or a 5×5 depthwise
// convolution: each kernel apart.
// CHECK-LABEL: func.func @small
func.func @small(%x: tensor<1x32x56x56xf32>, %y: tensor<1x32x112x112xf32>) -> (tensor<1x16x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x16x112x112xf32>) {
  %wd = cnn.weight "wd" : tensor<32x1x3x3xf32>
  %w5 = cnn.weight "w5" : tensor<32x1x5x5xf32>
  %wp = cnn.weight "wp" : tensor<16x32x1x1xf32>
  // CHECK: cnn.depthwise_conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 1 : i64
  %0 = cnn.depthwise_conv2d %x, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  %1 = cnn.conv2d %0, %wp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x32x56x56xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x56x56xf32>
  // CHECK: cnn.depthwise_conv2d {{.*}}cnn.group = 2 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 3 : i64
  %2 = cnn.depthwise_conv2d %y, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  %3 = cnn.conv2d %2, %wp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x32x56x56xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x56x56xf32>
  // CHECK: cnn.depthwise_conv2d {{.*}}cnn.group = 4 : i64
  // CHECK-NEXT: cnn.conv2d {{.*}}cnn.group = 5 : i64
  %4 = cnn.depthwise_conv2d %y, %w5 {padding = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x32x112x112xf32>, tensor<32x1x5x5xf32>) -> tensor<1x32x112x112xf32>
  %5 = cnn.conv2d %4, %wp {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x32x112x112xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x112x112xf32>
  return %1, %3, %5 : tensor<1x16x56x56xf32>, tensor<1x16x56x56xf32>, tensor<1x16x112x112xf32>
}
