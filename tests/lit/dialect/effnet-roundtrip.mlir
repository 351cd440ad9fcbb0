// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: effnet.model @roundtrip
// CHECK-SAME: alpha = 1.200000e+00 : f64
// CHECK-SAME: channel_round_limit = 0.000000e+00 : f64
// CHECK-SAME: input_mean = array<f64: 5.000000e-01, 5.000000e-01, 5.000000e-01>, input_std = array<f64: 2.500000e-01, 2.500000e-01, 2.500000e-01>
// CHECK-SAME: padding = #effnet<padding same>
// CHECK-SAME: phi = 2.000000e+00 : f64
// CHECK: effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, fixed_width, kernel = 3 : i64, stride = 2 : i64}
// CHECK: effnet.stage attributes {fixed_depth, repeats = 2 : i64}
// CHECK-NEXT: effnet.mbconv
// CHECK-SAME: cbam = #effnet.cbam<ratio = 2.500000e-01, base = input, divisor = 1, kernel = 7>
// CHECK-SAME: expand_ratio = 6.000000e+00 : f64
// CHECK-SAME: se = #effnet.se<ratio = 2.500000e-01, base = expanded, divisor = 8, activation = relu, gate = hardsigmoid>
// CHECK: effnet.fused_mbconv {activation = #cnn<activation relu6>, expand_channels = 96 : i64
// CHECK: effnet.head {activation = #cnn<activation hardswish>, channels = 960 : i64, dropout = 2.000000e-01 : f64, hidden_activation = #cnn<activation hardswish>, hidden_channels = 1280 : i64}
effnet.model @roundtrip attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 1000 : i64, phi = 2.0 : f64, resolution = 224 : i64, channel_round_limit = 0.0 : f64, input_mean = array<f64: 0.5, 0.5, 0.5>, input_std = array<f64: 0.25, 0.25, 0.25>, padding = #effnet<padding same>} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, fixed_width, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {fixed_depth, repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, cbam = #effnet.cbam<ratio = 0.25, base = input, divisor = 1, kernel = 7>, expand_ratio = 6.0 : f64, kernel = 5 : i64, out_channels = 24 : i64, se = #effnet.se<ratio = 0.25, base = expanded, divisor = 8, activation = relu, gate = hardsigmoid>, stride = 2 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation relu6>, expand_channels = 96 : i64, kernel = 3 : i64, out_channels = 40 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation hardswish>, channels = 960 : i64, dropout = 0.2 : f64, hidden_activation = #cnn<activation hardswish>, hidden_channels = 1280 : i64}
}
