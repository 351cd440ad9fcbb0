// clang-format off
// REQUIRES: hexagon-toolchain, qemu-hexagon
// The runtime's activation tables on Hexagon (cnnc_lookup.c: vlut32 over
// 128-byte HVX vectors) against the portable byte-at-a-time definition: random
// tables, every index value, and lengths that end in each position of a
// vector (the tail is looked up one byte at a time).
// RUN: %zig cc -target hexagon-linux-musl -mcpu=hexagonv66+hvxv66+hvx_length128b -O2 -I %S/../../../runtime %s %S/../../../runtime/cnnc_lookup.c -o %t
// RUN: llvm-objdump -d --mattr=+hvxv66,+hvx-length128b %t | FileCheck %s --check-prefix=VLUT
// VLUT: vlut32
// RUN: qemu-hexagon -cpu v67 %t | FileCheck %s
// CHECK: 5400 lengths, 0 differ
// clang-format on
#include "cnnc_lookup.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  enum { kLongest = 540 };
  uint8_t table[256], data[kLongest], want[kLongest];
  unsigned seed = 1;
  int lengths = 0, differ = 0;
  for (int trial = 0; trial < 10; ++trial) {
    for (int i = 0; i < 256; ++i)
      table[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
    for (size_t size = 0; size < kLongest; ++size, ++lengths) {
      for (size_t i = 0; i < size; ++i)
        data[i] = (uint8_t)(i * 7 + trial * 13 + (i >> 3));
      memcpy(want, data, size);
      cnnc_lookup_u8_portable(want, size, table);
      cnnc_lookup_u8(data, size, table);
      differ += memcmp(want, data, size) != 0;
    }
  }
  printf("%d lengths, %d differ\n", lengths, differ);
  return differ != 0;
}
