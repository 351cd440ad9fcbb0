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

// The integer ops of a lowered INT8 model.
// CHECK-LABEL: func.func @integer
func.func @integer(%x: tensor<1x4x6x6xui8>, %w: tensor<4x4x1x1xi8>, %dw: tensor<4x1x3x3xi8>, %b: tensor<4xi32>, %fc: tensor<2x4xi8>) -> tensor<1x2xi32> {
  // CHECK: cnn.int_conv2d {{.*}} {input_zero_point = 3 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xui8>, tensor<4x4x1x1xi8>, tensor<4xi32>) -> tensor<1x4x6x6xi32>
  %0 = cnn.int_conv2d %x, %w, %b {input_zero_point = 3 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xui8>, tensor<4x4x1x1xi8>, tensor<4xi32>) -> tensor<1x4x6x6xi32>
  // CHECK: cnn.requantize {{.*}} {max = 200 : i64, min = 3 : i64, multiplier = array<f64: 1.000000e-02>, zero_point = 3 : i64} : tensor<1x4x6x6xi32> -> tensor<1x4x6x6xui8>
  %1 = cnn.requantize %0 {multiplier = array<f64: 0.01>, zero_point = 3 : i64, min = 3 : i64, max = 200 : i64} : tensor<1x4x6x6xi32> -> tensor<1x4x6x6xui8>
  // CHECK: cnn.requantize {{.*}} {max = 200 : i64, min = 3 : i64, multiplier = array<f64: 1.000000e-02>, requantization = #cnn<requantization float32>, zero_point = 3 : i64}
  %float32 = cnn.requantize %0 {multiplier = array<f64: 0.01>, zero_point = 3 : i64, min = 3 : i64, max = 200 : i64, requantization = #cnn<requantization float32>} : tensor<1x4x6x6xi32> -> tensor<1x4x6x6xui8>
  // CHECK: cnn.int_depthwise_conv2d {{.*}} -> tensor<1x4x3x3xi32>
  %2 = cnn.int_depthwise_conv2d %1, %dw {input_zero_point = 3 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xui8>, tensor<4x1x3x3xi8>) -> tensor<1x4x3x3xi32>
  %3 = cnn.requantize %2 {multiplier = array<f64: 0.01, 0.02, 0.03, 0.04>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x4x3x3xi32> -> tensor<1x4x3x3xui8>
  // CHECK: cnn.lookup {{.*}} : tensor<1x4x3x3xui8>
  %4 = cnn.lookup %3 {table = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255>} : tensor<1x4x3x3xui8>
  // CHECK: cnn.int_add {{.*}} {scales = array<f64: 1.000000e-01, 2.000000e-01, 3.000000e-01>, zero_points = array<i64: 0, 0, 0>} : tensor<1x4x3x3xui8>
  %5 = cnn.int_add %4, %3 {scales = array<f64: 0.1, 0.2, 0.3>, zero_points = array<i64: 0, 0, 0>} : tensor<1x4x3x3xui8>
  // CHECK: cnn.int_add {{.*}}requantization = #cnn<requantization float32>
  %sum32 = cnn.int_add %4, %3 {scales = array<f64: 0.1, 0.2, 0.3>, zero_points = array<i64: 0, 0, 0>, requantization = #cnn<requantization float32>} : tensor<1x4x3x3xui8>
  // CHECK: cnn.int_global_pool {{ *}}avg {{.*}} : tensor<1x4x3x3xui8> -> tensor<1x4x1x1xui8>
  %6 = cnn.int_global_pool avg %5 {scales = array<f64: 0.3, 0.1>, zero_points = array<i64: 0, 0>} : tensor<1x4x3x3xui8> -> tensor<1x4x1x1xui8>
  // CHECK: cnn.int_mul {{.*}} : tensor<1x4x3x3xui8>, tensor<1x4x1x1xui8>
  %7 = cnn.int_mul %5, %6 {scales = array<f64: 0.3, 0.1, 0.3>, zero_points = array<i64: 0, 0, 0>} : tensor<1x4x3x3xui8>, tensor<1x4x1x1xui8>
  // CHECK: cnn.int_mul {{.*}}requantization = #cnn<requantization float32>
  %gated32 = cnn.int_mul %5, %6 {scales = array<f64: 0.3, 0.1, 0.3>, zero_points = array<i64: 0, 0, 0>, requantization = #cnn<requantization float32>} : tensor<1x4x3x3xui8>, tensor<1x4x1x1xui8>
  // CHECK: cnn.int_mul {{.*}} : tensor<1x4x3x3xui8>, tensor<1x4x3x3xui8>
  %same = cnn.int_mul %7, %5 {scales = array<f64: 0.3, 0.3, 0.3>, zero_points = array<i64: 0, 0, 0>} : tensor<1x4x3x3xui8>, tensor<1x4x3x3xui8>
  %8 = cnn.int_global_pool avg %same {scales = array<f64: 0.3, 0.1>, zero_points = array<i64: 0, 0>} : tensor<1x4x3x3xui8> -> tensor<1x4x1x1xui8>
  // CHECK: cnn.int_channel_pool {{ *}}max {{.*}} : tensor<1x4x3x3xui8> -> tensor<1x1x3x3xui8>
  %cm = cnn.int_channel_pool max %same {scales = array<f64: 0.3, 0.3>, zero_points = array<i64: 0, 0>} : tensor<1x4x3x3xui8> -> tensor<1x1x3x3xui8>
  // CHECK: cnn.int_concat {{.*}} : (tensor<1x1x3x3xui8>, tensor<1x4x3x3xui8>) -> tensor<1x5x3x3xui8>
  %cc = cnn.int_concat %cm, %same {scales = array<f64: 0.3, 0.3, 0.3>, zero_points = array<i64: 0, 0, 0>} : (tensor<1x1x3x3xui8>, tensor<1x4x3x3xui8>) -> tensor<1x5x3x3xui8>
  // CHECK: cnn.int_global_pool {{ *}}max {{.*}} : tensor<1x5x3x3xui8> -> tensor<1x5x1x1xui8>
  %gm = cnn.int_global_pool max %cc {scales = array<f64: 0.3, 0.3>, zero_points = array<i64: 0, 0>} : tensor<1x5x3x3xui8> -> tensor<1x5x1x1xui8>
  %9 = cnn.flatten %8 : tensor<1x4x1x1xui8> -> tensor<1x4xui8>
  // CHECK: cnn.int_fully_connected {{.*}} : (tensor<1x4xui8>, tensor<2x4xi8>) -> tensor<1x2xi32>
  %10 = cnn.int_fully_connected %9, %fc {input_zero_point = 0 : i64} : (tensor<1x4xui8>, tensor<2x4xi8>) -> tensor<1x2xi32>
  return %10 : tensor<1x2xi32>
}
