// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fuse{fuse-expansions=true}))' | FileCheck %s
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-fuse))' | FileCheck %s --check-prefix=APART

// With fuse-expansions, a 1×1 expansion whose 112×112 result (4.8 MB) only
// a 3×3 depthwise convolution reads joins that convolution's group, with
// both activations; without it, they are two groups.
// CHECK-LABEL: func.func @large
// APART-LABEL: func.func @large
func.func @large(%x: tensor<1x16x112x112xf32>) -> tensor<1x96x56x56xf32> {
  %we = cnn.weight "we" : tensor<96x16x1x1xf32>
  %wd = cnn.weight "wd" : tensor<96x1x3x3xf32>
  // CHECK: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // APART: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // APART-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // APART-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 1 : i64
  // APART-NEXT: cnn.activation {{.*}}cnn.group = 1 : i64
  %0 = cnn.conv2d %x, %we {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x112x112xf32>
  %1 = cnn.activation relu6 %0 : tensor<1x96x112x112xf32>
  %2 = cnn.depthwise_conv2d %1, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32>
  %3 = cnn.activation relu6 %2 : tensor<1x96x56x56xf32>
  return %3 : tensor<1x96x56x56xf32>
}

// A 56×56 expanded map (1.8 MB), a 5×5 window, or a map of fewer than 64
// rows: each kernel apart.
// CHECK-LABEL: func.func @small
func.func @small(%x: tensor<1x24x56x56xf32>) -> tensor<1x144x56x56xf32> {
  %we = cnn.weight "we" : tensor<144x24x1x1xf32>
  %wd = cnn.weight "wd" : tensor<144x1x3x3xf32>
  // CHECK: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 1 : i64
  %0 = cnn.conv2d %x, %we {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x24x56x56xf32>, tensor<144x24x1x1xf32>) -> tensor<1x144x56x56xf32>
  %1 = cnn.activation silu %0 : tensor<1x144x56x56xf32>
  %2 = cnn.depthwise_conv2d %1, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x144x56x56xf32>, tensor<144x1x3x3xf32>) -> tensor<1x144x56x56xf32>
  return %2 : tensor<1x144x56x56xf32>
}

// CHECK-LABEL: func.func @wide_window
func.func @wide_window(%x: tensor<1x16x112x112xf32>) -> tensor<1x96x112x112xf32> {
  %we = cnn.weight "we" : tensor<96x16x1x1xf32>
  %wd = cnn.weight "wd" : tensor<96x1x5x5xf32>
  // CHECK: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 1 : i64
  %0 = cnn.conv2d %x, %we {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x112x112xf32>
  %1 = cnn.activation silu %0 : tensor<1x96x112x112xf32>
  %2 = cnn.depthwise_conv2d %1, %wd {padding = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x96x112x112xf32>, tensor<96x1x5x5xf32>) -> tensor<1x96x112x112xf32>
  return %2 : tensor<1x96x112x112xf32>
}

// CHECK-LABEL: func.func @few_rows
func.func @few_rows(%x: tensor<1x256x48x48xf32>) -> tensor<1x1024x48x48xf32> {
  %we = cnn.weight "we" : tensor<1024x256x1x1xf32>
  %wd = cnn.weight "wd" : tensor<1024x1x3x3xf32>
  // CHECK: cnn.conv2d {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.activation {{.*}}cnn.group = 0 : i64
  // CHECK-NEXT: cnn.depthwise_conv2d {{.*}}cnn.group = 1 : i64
  %0 = cnn.conv2d %x, %we {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x256x48x48xf32>, tensor<1024x256x1x1xf32>) -> tensor<1x1024x48x48xf32>
  %1 = cnn.activation silu %0 : tensor<1x1024x48x48xf32>
  %2 = cnn.depthwise_conv2d %1, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1024x48x48xf32>, tensor<1024x1x3x3xf32>) -> tensor<1x1024x48x48xf32>
  return %2 : tensor<1x1024x48x48xf32>
}
