// RUN: cnnc-opt %s -split-input-file --cnn-lower-quantized | FileCheck %s
// The float32 rule is the same lowering with every requantize marked so.
// RUN: cnnc-opt %s -split-input-file --cnn-lower-quantized=requantization=float32 | FileCheck %s --check-prefix=FLOAT32
// FLOAT32: cnn.requantize {{.*}}requantization = #cnn<requantization float32>
// FLOAT32: cnn.int_add {{.*}}requantization = #cnn<requantization float32>
// RUN: not cnnc-opt %s -split-input-file --cnn-lower-quantized=requantization=q15 2>&1 | FileCheck %s --check-prefix=BAD-RULE
// BAD-RULE: requantization must be fixed-point or float32, got 'q15'

// A conv with a per-channel i8 filter and a ReLU6 between it and its
// quantize: an i32 accumulator (bias quantized at s_x·s_w), requantized by
// s_x·s_w[o]/s_y, the ReLU6 folded into the clamp [zp, zp + round(6/s_y)].
// Then SiLU through a table, a residual add, and the classifier, whose
// accumulator is dequantized (it is returned); its flatten reads ui8.
// CHECK-LABEL: func.func @layers
// CHECK: %[[X:.*]] = cnn.quantize %arg0 {scale = array<f64: 2.000000e-02>, zero_point = array<i64: 128>}
// CHECK: %[[W:.*]] = cnn.quantize %{{.*}} {axis = 0 : i64, scale = array<f64: 1.000000e-02, 2.000000e-02>
// CHECK: %[[B:.*]] = cnn.quantize %{{.*}} {axis = 0 : i64, scale = array<f64: 2.000000e-04, 4.000000e-04>, zero_point = array<i64: 0, 0>} : tensor<2xf32> -> tensor<2xi32>
// CHECK: %[[ACC:.*]] = cnn.int_conv2d %[[X]], %[[W]], %[[B]] {input_zero_point = 128 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xui8>, tensor<2x2x3x3xi8>, tensor<2xi32>) -> tensor<1x2x4x4xi32>
// CHECK: %[[R:.*]] = cnn.requantize %[[ACC]] {max = 120 : i64, min = 0 : i64, multiplier = array<f64: 4.000000e-03, 8.000000e-03>, zero_point = 0 : i64}
// CHECK: %[[S:.*]] = cnn.lookup %[[R]] {table = array<i64: 0, 1, 1, 2, 2, 3,
// CHECK: %[[SUM:.*]] = cnn.int_add %[[S]], %[[R]] {scales = array<f64: 5.000000e-02, 5.000000e-02, 1.000000e-01>, zero_points = array<i64: 0, 0, 10>} : tensor<1x2x4x4xui8>
// CHECK: %[[P:.*]] = cnn.int_global_pool avg %[[SUM]] {scales = array<f64: 1.000000e-01, 5.000000e-02>, zero_points = array<i64: 10, 0>}
// CHECK: %[[FW:.*]] = cnn.quantize %{{.*}} {axis = 0 : i64
// CHECK: %[[F:.*]] = cnn.flatten %[[P]] : tensor<1x2x1x1xui8> -> tensor<1x2xui8>
// CHECK: %[[LOGITS:.*]] = cnn.int_fully_connected %[[F]], %[[FW]] {input_zero_point = 0 : i64} : (tensor<1x2xui8>, tensor<3x2xi8>) -> tensor<1x3xi32>
// CHECK: %[[Y:.*]] = cnn.dequantize %[[LOGITS]] {axis = 1 : i64, scale = array<f64: 5.000000e-04, 5.000000e-04, 5.000000e-04>, zero_point = array<i64: 0, 0, 0>} : tensor<1x3xi32> -> tensor<1x3xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: cnn.dequantize
func.func @layers(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %xq = cnn.quantize %arg0 {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %x = cnn.dequantize %xq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %w = cnn.weight "w" : tensor<2x2x3x3xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 0.01, 0.02>, zero_point = array<i64: 0, 0>} : tensor<2x2x3x3xf32> -> tensor<2x2x3x3xi8>
  %wd = cnn.dequantize %wq {axis = 0 : i64, scale = array<f64: 0.01, 0.02>, zero_point = array<i64: 0, 0>} : tensor<2x2x3x3xi8> -> tensor<2x2x3x3xf32>
  %b = cnn.weight "b" : tensor<2xf32>
  %c = cnn.conv2d %x, %wd, %b {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.activation relu6 %c : tensor<1x2x4x4xf32>
  %rq = cnn.quantize %r {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %rd = cnn.dequantize %rq {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %s = cnn.activation silu %rd : tensor<1x2x4x4xf32>
  %sq = cnn.quantize %s {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %sd = cnn.dequantize %sq {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %sum = cnn.add %sd, %rd : tensor<1x2x4x4xf32>
  %sumq = cnn.quantize %sum {scale = array<f64: 0.1>, zero_point = array<i64: 10>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %sumd = cnn.dequantize %sumq {scale = array<f64: 0.1>, zero_point = array<i64: 10>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %p = cnn.global_pool avg %sumd : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
  %pq = cnn.quantize %p {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x1x1xf32> -> tensor<1x2x1x1xui8>
  %pd = cnn.dequantize %pq {scale = array<f64: 0.05>, zero_point = array<i64: 0>} : tensor<1x2x1x1xui8> -> tensor<1x2x1x1xf32>
  %f = cnn.flatten %pd : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
  %fw = cnn.weight "fc" : tensor<3x2xf32>
  %fwq = cnn.quantize %fw {axis = 0 : i64, scale = array<f64: 0.01, 0.01, 0.01>, zero_point = array<i64: 0, 0, 0>} : tensor<3x2xf32> -> tensor<3x2xi8>
  %fwd = cnn.dequantize %fwq {axis = 0 : i64, scale = array<f64: 0.01, 0.01, 0.01>, zero_point = array<i64: 0, 0, 0>} : tensor<3x2xi8> -> tensor<3x2xf32>
  %y = cnn.fully_connected %f, %fwd : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// CBAM's spatial branch: channel pools, their concat rescaled to one scale,
// and the convolution that reads it; the channel attention's global max pool.
// CHECK-LABEL: func.func @cbam
// CHECK: %[[A:.*]] = cnn.int_channel_pool {{ *}}avg %[[X:.*]] {scales = array<f64: 2.000000e-02, 1.000000e-02>, zero_points = array<i64: 128, 100>}
// CHECK: %[[M:.*]] = cnn.int_channel_pool {{ *}}max %[[X]] {scales = array<f64: 2.000000e-02, 2.000000e-02>, zero_points = array<i64: 128, 128>}
// CHECK: %[[C:.*]] = cnn.int_concat %[[A]], %[[M]] {scales = array<f64: 1.000000e-02, 2.000000e-02, 2.000000e-02>, zero_points = array<i64: 100, 128, 128>}
// CHECK: cnn.int_conv2d %[[C]]
// CHECK: cnn.int_global_pool {{ *}}max %[[X]]
func.func @cbam(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x1x1xf32>) {
  %xq = cnn.quantize %arg0 {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %x = cnn.dequantize %xq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %a = cnn.channel_pool avg %x : tensor<1x2x4x4xf32> -> tensor<1x1x4x4xf32>
  %aq = cnn.quantize %a {scale = array<f64: 0.01>, zero_point = array<i64: 100>} : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xui8>
  %ad = cnn.dequantize %aq {scale = array<f64: 0.01>, zero_point = array<i64: 100>} : tensor<1x1x4x4xui8> -> tensor<1x1x4x4xf32>
  %m = cnn.channel_pool max %x : tensor<1x2x4x4xf32> -> tensor<1x1x4x4xf32>
  %mq = cnn.quantize %m {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xui8>
  %md = cnn.dequantize %mq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x1x4x4xui8> -> tensor<1x1x4x4xf32>
  %c = cnn.concat %ad, %md : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
  %cq = cnn.quantize %c {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %cd = cnn.dequantize %cq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %w = cnn.weight "w" : tensor<1x2x3x3xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 0.01>, zero_point = array<i64: 0>} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %wd = cnn.dequantize %wq {axis = 0 : i64, scale = array<f64: 0.01>, zero_point = array<i64: 0>} : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xf32>
  %s = cnn.conv2d %cd, %wd {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x2x3x3xf32>) -> tensor<1x1x4x4xf32>
  %sq = cnn.quantize %s {scale = array<f64: 0.05>, zero_point = array<i64: 128>} : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xui8>
  %sd = cnn.dequantize %sq {scale = array<f64: 0.05>, zero_point = array<i64: 128>} : tensor<1x1x4x4xui8> -> tensor<1x1x4x4xf32>
  %g = cnn.global_pool max %x : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
  %gq = cnn.quantize %g {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x1x1xf32> -> tensor<1x2x1x1xui8>
  %gd = cnn.dequantize %gq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x1x1xui8> -> tensor<1x2x1x1xf32>
  return %sd, %gd : tensor<1x1x4x4xf32>, tensor<1x2x1x1xf32>
}

// -----

// What cannot be lowered stays as it was: an op whose result is not
// quantized (here a max pool returned as is), a layer whose multiplier
// s_x·s_w/s_y would be 2^15 or more, and an op --keep-float kept
// (cnn.kept_float), though its operand and result are quantized.
// CHECK-LABEL: func.func @left_in_float
// CHECK: cnn.global_pool {{ *}}max
// CHECK: cnn.conv2d
// CHECK: cnn.activation {{ *}}sigmoid
// CHECK-NOT: cnn.int_
// CHECK-NOT: cnn.lookup
// CHECK: return
func.func @left_in_float(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) {
  %xq = cnn.quantize %arg0 {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %x = cnn.dequantize %xq {scale = array<f64: 0.02>, zero_point = array<i64: 128>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %p = cnn.global_pool max %x : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
  %w = cnn.weight "w" : tensor<2x2x1x1xf32>
  %wq = cnn.quantize %w {axis = 0 : i64, scale = array<f64: 1.0, 1.0>, zero_point = array<i64: 0, 0>} : tensor<2x2x1x1xf32> -> tensor<2x2x1x1xi8>
  %wd = cnn.dequantize %wq {axis = 0 : i64, scale = array<f64: 1.0, 1.0>, zero_point = array<i64: 0, 0>} : tensor<2x2x1x1xi8> -> tensor<2x2x1x1xf32>
  %c = cnn.conv2d %x, %wd {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %cq = cnn.quantize %c {scale = array<f64: 1.0e-7>, zero_point = array<i64: 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %cd = cnn.dequantize %cq {scale = array<f64: 1.0e-7>, zero_point = array<i64: 0>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %s = cnn.activation sigmoid %cd {cnn.kept_float} : tensor<1x2x4x4xf32>
  %sq = cnn.quantize %s {scale = array<f64: 0.004>, zero_point = array<i64: 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %sd = cnn.dequantize %sq {scale = array<f64: 0.004>, zero_point = array<i64: 0>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  return %p, %sd : tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>
}

// -----

// A gate (SE's scale): the mul of two quantized tensors becomes int_mul,
// which takes the requantization rule too.
// CHECK-LABEL: func.func @gate
// CHECK: cnn.int_mul %{{.*}}, %{{.*}} {scales = array<f64: 1.000000e-01, 4.000000e-03, 1.000000e-01>, zero_points = array<i64: 3, 0, 3>}
// FLOAT32-LABEL: func.func @gate
// FLOAT32: cnn.int_mul {{.*}}requantization = #cnn<requantization float32>
func.func @gate(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = cnn.quantize %arg0 {scale = array<f64: 0.1>, zero_point = array<i64: 3>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %1 = cnn.dequantize %0 {scale = array<f64: 0.1>, zero_point = array<i64: 3>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  %2 = cnn.quantize %arg1 {scale = array<f64: 0.004>, zero_point = array<i64: 0>} : tensor<1x2x1x1xf32> -> tensor<1x2x1x1xui8>
  %3 = cnn.dequantize %2 {scale = array<f64: 0.004>, zero_point = array<i64: 0>} : tensor<1x2x1x1xui8> -> tensor<1x2x1x1xf32>
  %4 = cnn.mul %1, %3 : tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>
  %5 = cnn.quantize %4 {scale = array<f64: 0.1>, zero_point = array<i64: 3>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xui8>
  %6 = cnn.dequantize %5 {scale = array<f64: 0.1>, zero_point = array<i64: 3>} : tensor<1x2x4x4xui8> -> tensor<1x2x4x4xf32>
  return %6 : tensor<1x2x4x4xf32>
}
