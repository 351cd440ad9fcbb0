// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x8x16x16xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+2 {{filter expects 4 input channels, input has 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x16x16xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<1x16x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x16x16x16xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+2 {{strides must have 2 values and padding 4 (top, left, bottom, right)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  return
}

// -----

func.func @conv_too_small(%x: tensor<1x8x2x2xf32>, %w: tensor<16x8x5x5xf32>) {
  // expected-error @+2 {{a 5x5 kernel does not fit a 2x2 input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x2x2xf32>, tensor<16x8x5x5xf32>) -> tensor<1x16x1x1xf32>
  return
}

// -----

func.func @depthwise_filter(%x: tensor<1x8x16x16xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+2 {{depthwise filter must be 8x1xKHxKW for 8 input channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.depthwise_conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x16x16xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{bias must be a vector of 16 values}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w, %b {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x1x1xf32>, tensor<8xf32>) -> tensor<1x16x16x16xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x8x4x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op parameters must be vectors of 8 values}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : tensor<1x8x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_eps(%x: tensor<1x8x4x4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op epsilon must be positive}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 0.0 : f64} : tensor<1x8x4x4xf32>, tensor<8xf32>
  return
}

// -----

func.func @mul_gate(%x: tensor<1x8x4x4xf32>, %g: tensor<1x4x1x1xf32>) {
  // expected-error @+1 {{'cnn.mul' op gate 'tensor<1x4x1x1xf32>' does not broadcast to 'tensor<1x8x4x4xf32>'}}
  %0 = cnn.mul %x, %g : tensor<1x8x4x4xf32>, tensor<1x4x1x1xf32>
  return
}

// -----

func.func @concat_shapes(%a: tensor<1x1x8x8xf32>, %b: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{inputs differ in a dimension other than channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %a, %b : (tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x8x8xf32>
  return
}

// -----

func.func @fc_features(%x: tensor<1x16xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+2 {{weight expects 8 input features, input has 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.fully_connected %x, %w : (tensor<1x16xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x4xf32>) {
  // expected-error @+2 {{input must have rank 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.global_pool avg %x : tensor<8x4xf32> -> tensor<8x4x1x1xf32>
  return
}

// -----

func.func @weight_name() {
  // expected-error @+1 {{'cnn.weight' op needs a non-empty name}}
  %0 = cnn.weight "" : tensor<4xf32>
  return
}

// -----

func.func @alias_scheme() {
  // expected-error @+1 {{'cnn.weight' op has an alias for unknown naming scheme 'keras'}}
  %w = cnn.weight "w" {aliases = {keras = "conv/kernel"}} : tensor<16xf32>
  return
}

// -----

func.func @alias_type() {
  // expected-error @+1 {{'cnn.weight' op alias 'timm' must be a non-empty string}}
  %w = cnn.weight "w" {aliases = {timm = 3 : i64}} : tensor<16xf32>
  return
}

// -----

func.func @quantize_scales(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'cnn.quantize' op needs 2 scale(s) and zero point(s), got 1 and 1}}
  %q = cnn.quantize %x {axis = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x4xf32> -> tensor<2x4xi8>
  return
}

// -----

func.func @quantize_zero_point(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'cnn.quantize' op zero point 300 is outside [0, 255]}}
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 300>} : tensor<2x4xf32> -> tensor<2x4xui8>
  return
}

// -----

func.func @quantize_scale_sign(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'cnn.quantize' op scales must be positive and finite, got -5.000000e-01}}
  %q = cnn.quantize %x {scale = array<f64: -0.5>, zero_point = array<i64: 0>} : tensor<2x4xf32> -> tensor<2x4xi8>
  return
}

// -----

func.func @dequantize_storage(%q: tensor<2x4xi16>) {
  // expected-error @+1 {{'cnn.dequantize' op integer side must be ui8, i8 or i32, got 'i16'}}
  %x = cnn.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x4xi16> -> tensor<2x4xf32>
  return
}

// -----

func.func @quantize_wide_zero_point(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.quantize' op an i32 side is symmetric: its zero points must be 0}}
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4xf32> -> tensor<4xi32>
  return
}

// -----

func.func @dequantize_axis(%q: tensor<2x4xi8>) {
  // expected-error @+1 {{'cnn.dequantize' op axis 2 is outside a tensor of rank 2}}
  %x = cnn.dequantize %q {axis = 2 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x4xi8> -> tensor<2x4xf32>
  return
}

// -----

// Integer ops (CnnIntegerOps.td).

func.func @int_conv_types(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xi8>) {
  // expected-error @+2 {{integer layers take a ui8 input, an i8 filter and an i32 bias, got 'tensor<1x2x4x4xf32>', 'tensor<3x2x1x1xi8>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = cnn.int_conv2d %x, %w {input_zero_point = 0 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xi8>) -> tensor<1x3x4x4xi32>
  return
}

// -----

func.func @int_conv_zero_point(%x: tensor<1x2x4x4xui8>, %w: tensor<3x2x1x1xi8>) {
  // expected-error @+2 {{input zero point 256 is outside [0, 255]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = cnn.int_conv2d %x, %w {input_zero_point = 256 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xui8>, tensor<3x2x1x1xi8>) -> tensor<1x3x4x4xi32>
  return
}

// -----

func.func @int_fc_bias(%x: tensor<1x8xui8>, %w: tensor<4x8xi8>, %b: tensor<4xf32>) {
  // expected-error @+2 {{integer layers take a ui8 input, an i8 filter and an i32 bias}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = cnn.int_fully_connected %x, %w, %b {input_zero_point = 0 : i64} : (tensor<1x8xui8>, tensor<4x8xi8>, tensor<4xf32>) -> tensor<1x4xi32>
  return
}

// -----

func.func @requantize_multiplier(%acc: tensor<1x2x4x4xi32>) {
  // expected-error @+1 {{'cnn.requantize' op multipliers must lie in [2^-31, 2^15), got 4.000000e+04}}
  %y = cnn.requantize %acc {multiplier = array<f64: 40000.0>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xui8>
  return
}

// -----

func.func @requantize_channels(%acc: tensor<1x2x4x4xi32>) {
  // expected-error @+1 {{'cnn.requantize' op needs 1 multiplier or 2, got 3}}
  %y = cnn.requantize %acc {multiplier = array<f64: 0.1, 0.1, 0.1>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xui8>
  return
}

// -----

func.func @requantize_clamp(%acc: tensor<1x2x4x4xi32>) {
  // expected-error @+1 {{'cnn.requantize' op zero point and clamp must lie in [0, 255], min <= max}}
  %y = cnn.requantize %acc {multiplier = array<f64: 0.1>, zero_point = 0 : i64, min = 9 : i64, max = 3 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xui8>
  return
}

// -----

func.func @lookup_table(%x: tensor<4xui8>) {
  // expected-error @+1 {{'cnn.lookup' op needs a table of 256 entries, got 2}}
  %y = cnn.lookup %x {table = array<i64: 0, 1>} : tensor<4xui8>
  return
}

// -----

func.func @int_add_types(%a: tensor<4xi8>) {
  // expected-error @+1 {{'cnn.int_add' op operands and result must be ui8, got 'tensor<4xi8>'}}
  %y = cnn.int_add %a, %a {scales = array<f64: 0.1, 0.1, 0.2>, zero_points = array<i64: 0, 0, 0>} : tensor<4xi8>
  return
}

// -----

func.func @int_add_params(%a: tensor<4xui8>) {
  // expected-error @+1 {{'cnn.int_add' op needs 3 scales and zero points (operands, result)}}
  %y = cnn.int_add %a, %a {scales = array<f64: 0.1, 0.2>, zero_points = array<i64: 0, 0>} : tensor<4xui8>
  return
}

// -----

func.func @int_mul_gate(%x: tensor<1x4x3x3xui8>, %g: tensor<1x2x1x1xui8>) {
  // expected-error @+1 {{'cnn.int_mul' op gate 'tensor<1x2x1x1xui8>' does not broadcast to 'tensor<1x4x3x3xui8>'}}
  %y = cnn.int_mul %x, %g {scales = array<f64: 0.1, 0.004, 0.05>, zero_points = array<i64: 0, 0, 0>} : tensor<1x4x3x3xui8>, tensor<1x2x1x1xui8>
  return
}

// -----

func.func @int_pool_shape(%x: tensor<1x4x3x3xui8>) {
  // expected-error @+1 {{'cnn.int_global_pool' op pools N×C×H×W into N×C×1×1, got 'tensor<1x4x3x3xui8>' -> 'tensor<1x4x3x1xui8>'}}
  %y = cnn.int_global_pool avg %x {scales = array<f64: 0.1, 0.1>, zero_points = array<i64: 0, 0>} : tensor<1x4x3x3xui8> -> tensor<1x4x3x1xui8>
  return
}

// -----

func.func @requantize_rank(%acc: tensor<8xi32>) {
  // expected-error @+1 {{'cnn.requantize' op requantizes an accumulator of rank 2 or more (N×C…), got 'tensor<8xi32>'}}
  %y = cnn.requantize %acc {multiplier = array<f64: 0.5>, zero_point = 0 : i64, min = 0 : i64, max = 255 : i64} : tensor<8xi32> -> tensor<8xui8>
  return
}

// -----

func.func @int_conv_products(%x: tensor<1x40000x1x1xui8>, %w: tensor<2x40000x1x1xi8>) {
  // expected-error @+2 {{an integer layer sums at most 33155 products an output, this one 40000}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = cnn.int_conv2d %x, %w {input_zero_point = 0 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x40000x1x1xui8>, tensor<2x40000x1x1xi8>) -> tensor<1x2x1x1xi32>
  return
}

// -----

func.func @quantize_signed_storage(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.quantize' op integer side must be ui8, i8 or i32, got 'si8'}}
  %q = cnn.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xsi8>
  return
}

// -----

func.func @int_channel_pool_shape(%x: tensor<1x4x3x3xui8>) {
  // expected-error @+1 {{'cnn.int_channel_pool' op pools N×C×H×W into N×1×H×W, got 'tensor<1x4x3x3xui8>' -> 'tensor<1x4x1x1xui8>'}}
  %y = cnn.int_channel_pool max %x {scales = array<f64: 0.1, 0.1>, zero_points = array<i64: 0, 0>} : tensor<1x4x3x3xui8> -> tensor<1x4x1x1xui8>
  return
}

// -----

func.func @int_concat_result(%a: tensor<1x1x3x3xui8>, %b: tensor<1x1x3x3xui8>) {
  // expected-error @+1 {{'cnn.int_concat' op result must be 'tensor<1x2x3x3xui8>', got 'tensor<1x3x3x3xui8>'}}
  %y = cnn.int_concat %a, %b {scales = array<f64: 0.1, 0.2, 0.2>, zero_points = array<i64: 0, 0, 0>} : (tensor<1x1x3x3xui8>, tensor<1x1x3x3xui8>) -> tensor<1x3x3x3xui8>
  return
}
