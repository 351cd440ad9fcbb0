// RUN: cnnc-opt %s -split-input-file --effnet-compound-scale | FileCheck %s

// phi = 0: multipliers of 1, yet every channel count is still rounded to a
// multiple of 8, as the reference does (expand_channels 100 -> 104).
// CHECK-LABEL: effnet.model @phi0
// CHECK-NOT: phi
// CHECK-SAME: resolution = 224 : i64
// CHECK: effnet.stem {{.*}}channels = 32 : i64
// CHECK: effnet.stage attributes {repeats = 1 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}out_channels = 16 : i64
// CHECK: effnet.stage attributes {repeats = 2 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}expand_channels = 104 : i64{{.*}}out_channels = 24 : i64
// CHECK: effnet.stage attributes {fixed_depth, repeats = 1 : i64}
// CHECK-NEXT: effnet.fused_mbconv {{.*}}expand_ratio = 4.000000e+00 : f64{{.*}}out_channels = 40 : i64
// CHECK: effnet.head {{.*}}channels = 1280 : i64
effnet.model @phi0 attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 0.0 : f64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_channels = 100 : i64, kernel = 5 : i64, out_channels = 24 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {fixed_depth, repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 40 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// phi = 1: width x1.1, depth x1.2, resolution x1.15.
// CHECK-LABEL: effnet.model @phi1
// CHECK-NOT: phi
// CHECK-SAME: resolution = 258 : i64
// CHECK: effnet.stem {{.*}}channels = 32 : i64
// CHECK: effnet.stage attributes {repeats = 2 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}out_channels = 16 : i64
// CHECK: effnet.stage attributes {repeats = 3 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}expand_channels = 112 : i64{{.*}}out_channels = 24 : i64
// CHECK: effnet.stage attributes {fixed_depth, repeats = 1 : i64}
// CHECK-NEXT: effnet.fused_mbconv {{.*}}expand_ratio = 4.000000e+00 : f64{{.*}}out_channels = 48 : i64
// CHECK: effnet.head {{.*}}channels = 1408 : i64
effnet.model @phi1 attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 1.0 : f64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_channels = 100 : i64, kernel = 5 : i64, out_channels = 24 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {fixed_depth, repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 40 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// phi = 2: width x1.21 (16 -> 19.36 rounds to 16, below 90%, so 24), depth x1.44, resolution x1.3225.
// CHECK-LABEL: effnet.model @phi2
// CHECK-NOT: phi
// CHECK-SAME: resolution = 296 : i64
// CHECK: effnet.stem {{.*}}channels = 40 : i64
// CHECK: effnet.stage attributes {repeats = 2 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}out_channels = 24 : i64
// CHECK: effnet.stage attributes {repeats = 3 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}expand_channels = 120 : i64{{.*}}out_channels = 32 : i64
// CHECK: effnet.stage attributes {fixed_depth, repeats = 1 : i64}
// CHECK-NEXT: effnet.fused_mbconv {{.*}}expand_ratio = 4.000000e+00 : f64{{.*}}out_channels = 48 : i64
// CHECK: effnet.head {{.*}}channels = 1552 : i64
effnet.model @phi2 attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 2.0 : f64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_channels = 100 : i64, kernel = 5 : i64, out_channels = 24 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {fixed_depth, repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 40 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// phi = 3: width x1.331, depth x1.728, resolution x1.520875.
// CHECK-LABEL: effnet.model @phi3
// CHECK-NOT: phi
// CHECK-SAME: resolution = 341 : i64
// CHECK: effnet.stem {{.*}}channels = 40 : i64
// CHECK: effnet.stage attributes {repeats = 2 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}out_channels = 24 : i64
// CHECK: effnet.stage attributes {repeats = 4 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}expand_channels = 136 : i64{{.*}}out_channels = 32 : i64
// CHECK: effnet.stage attributes {fixed_depth, repeats = 1 : i64}
// CHECK-NEXT: effnet.fused_mbconv {{.*}}expand_ratio = 4.000000e+00 : f64{{.*}}out_channels = 56 : i64
// CHECK: effnet.head {{.*}}channels = 1704 : i64
effnet.model @phi3 attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 3.0 : f64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_channels = 100 : i64, kernel = 5 : i64, out_channels = 24 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {fixed_depth, repeats = 1 : i64} {
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 4.0 : f64, kernel = 3 : i64, out_channels = 40 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// Explicit multipliers, as the B-series presets use them (B2: width 1.1, depth 1.2),
// with a fixed-width stem and head (EfficientNet-Lite) and a hidden head layer.
// CHECK-LABEL: effnet.model @multipliers
// CHECK-NOT: width_mult
// CHECK-SAME: resolution = 260 : i64
// CHECK: effnet.stem {{.*}}channels = 32 : i64, fixed_width
// CHECK: effnet.stage attributes {repeats = 3 : i64}
// CHECK-NEXT: effnet.mbconv {{.*}}out_channels = 32 : i64
// CHECK: effnet.head {{.*}}channels = 960 : i64{{.*}}fixed_width, hidden_activation = #cnn<activation hardswish>, hidden_channels = 1280 : i64
effnet.model @multipliers attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, depth_mult = 1.2 : f64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 260 : i64, width_mult = 1.1 : f64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, fixed_width, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 6.0 : f64, kernel = 3 : i64, out_channels = 28 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 960 : i64, dropout = 0.2 : f64, fixed_width, hidden_activation = #cnn<activation hardswish>, hidden_channels = 1280 : i64}
}

// -----

// A model without scaling attributes is already concrete and stays as it is.
// CHECK-LABEL: effnet.model @concrete
// CHECK-SAME: resolution = 225 : i64
// CHECK: effnet.stem {{.*}}channels = 33 : i64
// CHECK: effnet.stage attributes {repeats = 2 : i64}
effnet.model @concrete attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 225 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 33 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 2 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 6.0 : f64, kernel = 3 : i64, out_channels = 17 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 100 : i64, dropout = 0.2 : f64}
}
