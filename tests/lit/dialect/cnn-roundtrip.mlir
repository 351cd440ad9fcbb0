// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func.func @block
func.func @block(%x: tensor<1x8x16x16xf32>) -> tensor<1x4xf32> {
  // CHECK: cnn.weight "w" {aliases = {timm = "blocks.0.0.conv_pw.weight"}} : tensor<16x8x1x1xf32>
  %w = cnn.weight "w" {aliases = {timm = "blocks.0.0.conv_pw.weight"}} : tensor<16x8x1x1xf32>
  // CHECK: cnn.weight "mean" buffer : tensor<16xf32>
  %mean = cnn.weight "mean" buffer : tensor<16xf32>
  %dw = cnn.weight "dw" : tensor<16x1x3x3xf32>
  %b16 = cnn.weight "b16" : tensor<16xf32>
  %sp = cnn.weight "sp" : tensor<1x2x7x7xf32>
  %fc = cnn.weight "fc" : tensor<4x16xf32>
  %fcb = cnn.weight "fcb" : tensor<4xf32>
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32>
  %0 = cnn.conv2d %x, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32>
  // CHECK: cnn.batch_norm {{.*}} {epsilon = 1.000000e-03 : f64} : tensor<1x16x16x16xf32>, tensor<16xf32>
  %1 = cnn.batch_norm %0, %b16, %b16, %mean, %mean {epsilon = 1.0e-3 : f64} : tensor<1x16x16x16xf32>, tensor<16xf32>
  // CHECK: cnn.activation  hardswish
  %2 = cnn.activation hardswish %1 : tensor<1x16x16x16xf32>
  // CHECK: cnn.depthwise_conv2d {{.*}} -> tensor<1x16x8x8xf32>
  %3 = cnn.depthwise_conv2d %2, %dw, %b16 {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x16x16xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: cnn.global_pool  max {{.*}} -> tensor<1x16x1x1xf32>
  %4 = cnn.global_pool max %3 : tensor<1x16x8x8xf32> -> tensor<1x16x1x1xf32>
  // CHECK: cnn.mul {{.*}} : tensor<1x16x8x8xf32>, tensor<1x16x1x1xf32>
  %5 = cnn.mul %3, %4 : tensor<1x16x8x8xf32>, tensor<1x16x1x1xf32>
  %6 = cnn.channel_pool avg %5 : tensor<1x16x8x8xf32> -> tensor<1x1x8x8xf32>
  %7 = cnn.channel_pool max %5 : tensor<1x16x8x8xf32> -> tensor<1x1x8x8xf32>
  // CHECK: cnn.concat {{.*}} : (tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x2x8x8xf32>
  %8 = cnn.concat %6, %7 : (tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x2x8x8xf32>
  %9 = cnn.conv2d %8, %sp {padding = array<i64: 3, 3, 3, 3>, strides = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>, tensor<1x2x7x7xf32>) -> tensor<1x1x8x8xf32>
  // CHECK: cnn.mul {{.*}} : tensor<1x16x8x8xf32>, tensor<1x1x8x8xf32>
  %10 = cnn.mul %5, %9 : tensor<1x16x8x8xf32>, tensor<1x1x8x8xf32>
  // CHECK: cnn.add
  %11 = cnn.add %10, %3 : tensor<1x16x8x8xf32>
  %12 = cnn.global_pool avg %11 : tensor<1x16x8x8xf32> -> tensor<1x16x1x1xf32>
  // CHECK: cnn.flatten {{.*}} -> tensor<1x16xf32>
  %13 = cnn.flatten %12 : tensor<1x16x1x1xf32> -> tensor<1x16xf32>
  // CHECK: cnn.fully_connected {{.*}} -> tensor<1x4xf32>
  %14 = cnn.fully_connected %13, %fc, %fcb : (tensor<1x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %14 : tensor<1x4xf32>
}
