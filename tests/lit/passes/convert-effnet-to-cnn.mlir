// RUN: cnnc-opt %s -split-input-file --convert-effnet-to-cnn -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @blocks(%arg0: tensor<1x3x32x32xf32>) -> tensor<1x10xf32>
// Stem: conv 3x3/2, batch norm, activation.
// CHECK: %[[STEM_W:.*]] = cnn.weight "features.0.0.weight" {{.*}}: tensor<8x3x3x3xf32>
// CHECK: %[[STEM:.*]] = cnn.conv2d %arg0, %[[STEM_W]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x8x16x16xf32>
// CHECK: cnn.weight "features.0.1.running_var" buffer {{.*}}: tensor<8xf32>
// CHECK: cnn.batch_norm %[[STEM]], {{.*}} {epsilon = 1.000000e-03 : f64}
// CHECK: %[[X0:.*]] = cnn.activation  silu
//
// Stage 1, MBConv without expansion: depthwise first, SE on the input channels, projection, residual.
// CHECK-NOT: features.1.0.block.0.0.weight" : tensor<{{.*}}x8x1x1xf32>
// CHECK: cnn.weight "features.1.0.block.0.0.weight" {{.*}}: tensor<8x1x3x3xf32>
// CHECK: cnn.depthwise_conv2d
// CHECK: cnn.global_pool  avg {{.*}} -> tensor<1x8x1x1xf32>
// CHECK: cnn.weight "features.1.0.block.1.fc1.weight" {{.*}}: tensor<2x8x1x1xf32>
// CHECK: cnn.weight "features.1.0.block.1.fc1.bias" {{.*}}: tensor<2xf32>
// CHECK: cnn.activation  silu {{.*}} : tensor<1x2x1x1xf32>
// CHECK: cnn.weight "features.1.0.block.1.fc2.weight" {{.*}}: tensor<8x2x1x1xf32>
// CHECK: cnn.activation  sigmoid {{.*}} : tensor<1x8x1x1xf32>
// CHECK: cnn.mul {{.*}} : tensor<1x8x16x16xf32>, tensor<1x8x1x1xf32>
// CHECK: cnn.weight "features.1.0.block.2.0.weight" {{.*}}: tensor<8x8x1x1xf32>
// CHECK: %[[PROJ:.*]] = cnn.batch_norm
// CHECK-NEXT: %[[X1:.*]] = cnn.add %[[PROJ]], %[[X0]] : tensor<1x8x16x16xf32>
//
// Stage 2, Fused-MBConv without expansion: one 3x3 conv with activation, no residual (8 -> 16).
// CHECK: cnn.weight "features.2.0.block.0.0.weight" {{.*}}: tensor<16x8x3x3xf32>
// CHECK: cnn.conv2d %[[X1]]
// CHECK: cnn.activation  silu {{.*}} : tensor<1x16x16x16xf32>
// CHECK-NOT: cnn.add
//
// Stage 3, Fused-MBConv x4 with CBAM, stride 2: its second block has the residual.
// CHECK: cnn.weight "features.3.0.block.0.0.weight" {{.*}}: tensor<64x16x3x3xf32>
// CHECK: cnn.conv2d {{.*}} -> tensor<1x64x8x8xf32>
// CHECK: cnn.weight "features.3.0.block.1.channel.fc1.weight" {{.*}}: tensor<4x64x1x1xf32>
// CHECK: cnn.global_pool  avg
// CHECK: cnn.activation  relu {{.*}} : tensor<1x4x1x1xf32>
// CHECK: cnn.global_pool  max
// CHECK: cnn.add {{.*}} : tensor<1x64x1x1xf32>
// CHECK: cnn.activation  sigmoid {{.*}} : tensor<1x64x1x1xf32>
// CHECK: cnn.mul {{.*}} : tensor<1x64x8x8xf32>, tensor<1x64x1x1xf32>
// CHECK: cnn.channel_pool  avg {{.*}} -> tensor<1x1x8x8xf32>
// CHECK: cnn.channel_pool  max {{.*}} -> tensor<1x1x8x8xf32>
// CHECK: cnn.concat {{.*}} -> tensor<1x2x8x8xf32>
// CHECK: cnn.weight "features.3.0.block.1.spatial.0.weight" {{.*}}: tensor<1x2x7x7xf32>
// CHECK: cnn.conv2d {{.*}} {padding = array<i64: 3, 3, 3, 3>, strides = array<i64: 1, 1>}
// CHECK: cnn.activation  sigmoid {{.*}} : tensor<1x1x8x8xf32>
// CHECK: cnn.mul {{.*}} : tensor<1x64x8x8xf32>, tensor<1x1x8x8xf32>
// CHECK: cnn.weight "features.3.0.block.2.0.weight" {{.*}}: tensor<16x64x1x1xf32>
// CHECK-NOT: cnn.add {{.*}} : tensor<1x16x8x8xf32>
// CHECK: cnn.weight "features.3.1.block.0.0.weight" {{.*}}: tensor<64x16x3x3xf32>
// CHECK: cnn.add {{.*}} : tensor<1x16x8x8xf32>
//
// Stage 4, MBConv expanded to 48 channels with MobileNetV3's SE (48 / 4 = 12 -> 16).
// CHECK: cnn.weight "features.4.0.block.0.0.weight" {{.*}}: tensor<48x16x1x1xf32>
// CHECK: cnn.activation  hardswish
// CHECK: cnn.weight "features.4.0.block.1.0.weight" {{.*}}: tensor<48x1x5x5xf32>
// CHECK: cnn.weight "features.4.0.block.2.fc1.weight" {{.*}}: tensor<16x48x1x1xf32>
// CHECK: cnn.activation  relu {{.*}} : tensor<1x16x1x1xf32>
// CHECK: cnn.activation  hardsigmoid {{.*}} : tensor<1x48x1x1xf32>
// CHECK: cnn.weight "features.4.0.block.3.0.weight" {{.*}}: tensor<24x48x1x1xf32>
//
// Head: conv 1x1, pool, hidden fully connected layer, classifier.
// CHECK: cnn.weight "features.5.0.weight" {{.*}}: tensor<64x24x1x1xf32>
// CHECK: cnn.global_pool  avg {{.*}} -> tensor<1x64x1x1xf32>
// CHECK: cnn.flatten {{.*}} -> tensor<1x64xf32>
// CHECK: cnn.weight "classifier.0.weight" {{.*}}: tensor<32x64xf32>
// CHECK: cnn.activation  hardswish {{.*}} : tensor<1x32xf32>
// CHECK: cnn.weight "classifier.3.weight" {{.*}}: tensor<10x32xf32>
// CHECK: %[[LOGITS:.*]] = cnn.fully_connected {{.*}} -> tensor<1x10xf32>
// CHECK: return %[[LOGITS]] : tensor<1x10xf32>
// CHECK-NOT: effnet.
effnet.model @blocks attributes {batch_norm_eps = 1.0e-3 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 32 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, se = #effnet.se<ratio = 0.25, base = input, divisor = 1, activation = silu, gate = sigmoid>, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, cbam = #effnet.cbam<ratio = 0.25, base = input, divisor = 1, kernel = 7>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation hardswish>, expand_channels = 48 : i64, kernel = 5 : i64, out_channels = 24 : i64, se = #effnet.se<ratio = 0.25, base = expanded, divisor = 8, activation = relu, gate = hardsigmoid>, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation hardswish>, channels = 64 : i64, dropout = 0.2 : f64, hidden_activation = #cnn<activation hardswish>, hidden_channels = 32 : i64}
}

// -----

// expected-error @+1 {{'effnet.model' op is not scaled yet: run effnet-compound-scale first}}
effnet.model @unscaled attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 32 : i64, width_mult = 1.5 : f64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// TensorFlow's SAME padding: stride 2 on an even extent puts the odd row and
// column after (3x3 on 32: 0 before, 1 after; 5x5 on 16: 1 before, 2 after);
// stride 1 stays symmetric. The input normalization goes onto the function.
// Weights carry their timm and efficientnet-pytorch names: a depthwise-
// separable first block, then an inverted residual with SE.
// CHECK-LABEL: func.func @same
// CHECK-SAME: attributes {cnn.input_mean = array<f64: 5.000000e-01, 5.000000e-01, 5.000000e-01>, cnn.input_std = array<f64: 2.500000e-01, 5.000000e-01, 1.000000e+00>}
// CHECK: cnn.weight "features.0.0.weight" {aliases = {efficientnet_pytorch = "_conv_stem.weight", timm = "conv_stem.weight"}}
// CHECK: cnn.conv2d {{.*}} {padding = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x8x16x16xf32>
// CHECK: cnn.weight "features.0.1.running_var" buffer {aliases = {efficientnet_pytorch = "_bn0.running_var", timm = "bn1.running_var"}}
// CHECK: cnn.weight "features.1.0.block.0.0.weight" {aliases = {efficientnet_pytorch = "_blocks.0._depthwise_conv.weight", timm = "blocks.0.0.conv_dw.weight"}}
// CHECK: cnn.depthwise_conv2d {{.*}} {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK: cnn.weight "features.1.0.block.1.0.weight" {aliases = {efficientnet_pytorch = "_blocks.0._project_conv.weight", timm = "blocks.0.0.conv_pw.weight"}}
// CHECK: cnn.weight "features.1.0.block.1.1.weight" {aliases = {efficientnet_pytorch = "_blocks.0._bn2.weight", timm = "blocks.0.0.bn2.weight"}}
// CHECK: cnn.weight "features.2.0.block.0.0.weight" {aliases = {efficientnet_pytorch = "_blocks.1._expand_conv.weight", timm = "blocks.1.0.conv_pw.weight"}}
// CHECK: cnn.weight "features.2.0.block.1.0.weight" {aliases = {efficientnet_pytorch = "_blocks.1._depthwise_conv.weight", timm = "blocks.1.0.conv_dw.weight"}}
// CHECK: cnn.depthwise_conv2d {{.*}} {padding = array<i64: 1, 1, 2, 2>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x48x8x8xf32>
// CHECK: cnn.weight "features.2.0.block.1.1.weight" {aliases = {efficientnet_pytorch = "_blocks.1._bn1.weight", timm = "blocks.1.0.bn2.weight"}}
// CHECK: cnn.weight "features.2.0.block.2.fc1.weight" {aliases = {efficientnet_pytorch = "_blocks.1._se_reduce.weight", timm = "blocks.1.0.se.conv_reduce.weight"}}
// CHECK: cnn.weight "features.2.0.block.2.fc2.bias" {aliases = {efficientnet_pytorch = "_blocks.1._se_expand.bias", timm = "blocks.1.0.se.conv_expand.bias"}}
// CHECK: cnn.weight "features.2.0.block.3.0.weight" {aliases = {efficientnet_pytorch = "_blocks.1._project_conv.weight", timm = "blocks.1.0.conv_pwl.weight"}}
// CHECK: cnn.weight "features.2.0.block.3.1.weight" {aliases = {efficientnet_pytorch = "_blocks.1._bn2.weight", timm = "blocks.1.0.bn3.weight"}}
// CHECK: cnn.weight "features.3.0.weight" {aliases = {efficientnet_pytorch = "_conv_head.weight", timm = "conv_head.weight"}}
// CHECK: cnn.weight "classifier.1.weight" {aliases = {efficientnet_pytorch = "_fc.weight", timm = "classifier.weight"}}
effnet.model @same attributes {batch_norm_eps = 1.0e-3 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 32 : i64, padding = #effnet<padding same>, input_mean = array<f64: 0.5, 0.5, 0.5>, input_std = array<f64: 0.25, 0.5, 1.0>} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 6.0 : f64, kernel = 5 : i64, out_channels = 16 : i64, se = #effnet.se<ratio = 0.25, base = input, divisor = 1, activation = silu, gate = sigmoid>, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 32 : i64, dropout = 0.2 : f64}
}

// -----

// Fused-MBConv blocks: timm names them conv-bn-act and edge residual;
// efficientnet-pytorch has no such blocks, so its names are absent.
// CHECK-LABEL: func.func @fused
// CHECK: cnn.weight "features.1.0.block.0.0.weight" {aliases = {timm = "blocks.0.0.conv.weight"}}
// CHECK: cnn.weight "features.2.0.block.0.0.weight" {aliases = {timm = "blocks.1.0.conv_exp.weight"}}
// CHECK: cnn.weight "features.2.0.block.1.0.weight" {aliases = {timm = "blocks.1.0.conv_pwl.weight"}}
// CHECK: cnn.weight "features.2.0.block.1.1.weight" {aliases = {timm = "blocks.1.0.bn2.weight"}}
effnet.model @fused attributes {batch_norm_eps = 1.0e-3 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 32 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 32 : i64, dropout = 0.2 : f64}
}
