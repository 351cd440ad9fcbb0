// RUN: cnnc-opt %s --cnnc-frontend-pipeline | FileCheck %s
// RUN: cnnc-opt %s --cnnc-pipeline | FileCheck %s --check-prefix=FULL
// The named pipelines, shared with `cnnc`: scale (phi = 1) and lower; then
// fold batch norms, group kernels and plan the arena.

// FULL-LABEL: func.func @pipeline(%arg0: tensor<1x3x74x74xf32>) -> tensor<1x10xf32> attributes {cnn.arena_size = {{[0-9]+}} : i64}
// FULL-NOT: cnn.batch_norm
// FULL: cnn.fold_batchnorm
// FULL: cnn.conv2d {{.*}}cnn.group = 0 : i64
// FULL-NEXT: cnn.activation {{.*}}cnn.arena_offset = {{[0-9]+}} : i64, cnn.group = 0 : i64
// FULL: cnn.fully_connected {{.*}}{cnn.group = {{[0-9]+}} : i64}

// CHECK-LABEL: func.func @pipeline(%arg0: tensor<1x3x74x74xf32>) -> tensor<1x10xf32>
// CHECK: cnn.weight "features.0.0.weight" {{.*}}: tensor<16x3x3x3xf32>
// CHECK: cnn.weight "features.1.1.block.0.0.weight"
// CHECK: cnn.weight "features.2.0.block.0.0.weight" {{.*}}: tensor<144x24x1x1xf32>
// CHECK: cnn.weight "classifier.1.weight" {{.*}}: tensor<10x1408xf32>
// CHECK-NOT: effnet.
effnet.model @pipeline attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 1.0 : f64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 16 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 6.0 : f64, kernel = 3 : i64, out_channels = 24 : i64, stride = 2 : i64}
  }
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 6.0 : f64, kernel = 3 : i64, out_channels = 32 : i64, stride = 2 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}
