//===- LookupTest.cpp - the runtime's byte-table lookup ---------------------===//
//
// cnnc_lookup_u8 (the byte shuffles this CPU has: AVX-512 VBMI or else AVX2 on
// x86-64 when the CPU has them, NEON on AArch64) against its
// one-byte-at-a-time definition: every
// index, lengths around the shuffles' widths (tails), and buffers that do not
// start on a vector boundary. The AArch64 path also runs end to end under
// QEMU (lit: compile/arm64-int8.yaml).
//
//===----------------------------------------------------------------------===//
#include "cnnc_lookup.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace {

std::vector<uint8_t> randomBytes(std::mt19937 &rng, size_t size) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> bytes(size);
  for (uint8_t &b : bytes)
    b = static_cast<uint8_t>(byte(rng));
  return bytes;
}

TEST(LookupTest, EveryIndexTakesItsEntry) {
  std::mt19937 rng(7);
  std::vector<uint8_t> table = randomBytes(rng, 256);
  std::vector<uint8_t> data(256);
  std::iota(data.begin(), data.end(), 0);
  cnnc_lookup_u8(data.data(), data.size(), table.data());
  EXPECT_EQ(data, table);
}

TEST(LookupTest, MatchesTheDefinitionAtEveryLengthAndOffset) {
  std::mt19937 rng(11);
  for (size_t size : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 1000, 4097})
    for (size_t offset : {0, 1, 7}) {
      std::vector<uint8_t> table = randomBytes(rng, 256);
      std::vector<uint8_t> buffer = randomBytes(rng, offset + size);
      std::vector<uint8_t> expected = buffer;
      cnnc_lookup_u8(buffer.data() + offset, size, table.data());
      cnnc_lookup_u8_portable(expected.data() + offset, size, table.data());
      EXPECT_EQ(buffer, expected) << "size " << size << ", offset " << offset;
    }
}

} // namespace
