// RUN: cnnc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cnn-plan-memory))' | FileCheck %s

// Four kernels in a chain with a skip: A (4 KiB) is read by B and D, B (8 KiB)
// by C, C (256 B) by D, and D writes the caller's output. A and B, and A and C,
// are alive together; B and C are too (C is written while B is read). So B
// takes [0, 8K), A [8K, 12K), and C reuses nothing: [12K, 12K + 256), rounded
// up to the 512-byte alignment.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: cnn.arena_size = 12800 : i64
func.func @chain(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: cnn.activation  relu %arg0 {cnn.arena_offset = 8192 : i64, cnn.group = 0 : i64}
  %a = cnn.activation relu %x {cnn.group = 0 : i64} : tensor<1x16x8x8xf32>
  // CHECK: cnn.concat {{.*}} {cnn.arena_offset = 0 : i64, cnn.group = 1 : i64}
  %b = cnn.concat %a, %a {cnn.group = 1 : i64} : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x32x8x8xf32>
  // CHECK: cnn.channel_pool {{.*}} {cnn.arena_offset = 12288 : i64, cnn.group = 2 : i64}
  %c = cnn.channel_pool avg %b {cnn.group = 2 : i64} : tensor<1x32x8x8xf32> -> tensor<1x1x8x8xf32>
  %d = cnn.mul %a, %c {cnn.group = 3 : i64} : tensor<1x16x8x8xf32>, tensor<1x1x8x8xf32>
  // CHECK: cnn.mul
  // CHECK-NOT: cnn.arena_offset
  // CHECK-SAME: cnn.group = 3
  return %d : tensor<1x16x8x8xf32>
}

// -----

// Tensors whose lives do not overlap share memory.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: cnn.arena_size = 8192 : i64
func.func @reuse(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: cnn.arena_offset = 0 : i64, cnn.group = 0
  %a = cnn.activation relu %x {cnn.group = 0 : i64} : tensor<1x16x8x8xf32>
  // CHECK: cnn.arena_offset = 4096 : i64, cnn.group = 1
  %b = cnn.activation relu %a {cnn.group = 1 : i64} : tensor<1x16x8x8xf32>
  // CHECK: cnn.arena_offset = 0 : i64, cnn.group = 2
  %c = cnn.activation relu %b {cnn.group = 2 : i64} : tensor<1x16x8x8xf32>
  %d = cnn.activation relu %c {cnn.group = 3 : i64} : tensor<1x16x8x8xf32>
  return %d : tensor<1x16x8x8xf32>
}
