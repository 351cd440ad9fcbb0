// RUN: cnnc-opt %s -split-input-file --effnet-compound-scale -verify-diagnostics
// A raised limit admits what the default refuses.
// RUN: cnnc-opt %S/Inputs/wide-stem.mlir --effnet-compound-scale="limits=channels=2000000" | FileCheck %s --check-prefix=RAISED
// RAISED: effnet.stem {{.*}}channels = 1000000 : i64

// Every scaled size is checked against the limits before it becomes an
// integer: scaling that overflows is blamed on the model, with a note at the
// op that declared the size; an unscaled size over a limit on its op.

// expected-error @+1 {{a stage's repeats would be 1e+15 after scaling, over the limit of 256 (raise it with --limit repeats=N)}}
effnet.model @deep attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, depth_mult = 1.0e15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  // expected-note @+1 {{declared here as 1}}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @wide attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 224 : i64} {
  // expected-error @+1 {{the stem's channels would be 1e+06, over the limit of 32768 (raise it with --limit channels=N)}}
  effnet.stem {activation = #cnn<activation silu>, channels = 1000000 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{the resolution would be inf after scaling, over the limit of 4096 (raise it with --limit resolution=N)}}
effnet.model @huge attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 224 : i64, resolution_mult = 1.0e308 : f64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{num_classes 4611686018427387904 is over the limit of 1048576 (raise it with --limit classes=N)}}
effnet.model @classes attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 4611686018427387904 : i64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 32 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}

