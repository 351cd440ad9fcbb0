/* cnnc_lookup.c - a 256-entry byte table applied to bytes, in place (see
 * cnnc_lookup.h for why the runtime does this rather than a Halide kernel).
 *
 * A byte shuffle looks up 16 entries (pshufb, per 128-bit lane), 64 (tbl
 * with four registers) or 128 (AVX-512 VBMI's vpermi2b, from two registers);
 * the 256 entries are covered by several shuffles of the index shifted down
 * by the chunk's start, an index out of a shuffle's range giving 0 (pshufb:
 * bit 7 set; tbl: 64 or more), or by vpermi2b's two halves, the index's top
 * bit choosing between them. On Hexagon with HVX
 * (128-byte vectors), vlut32 looks up 32 entries of a table half held in one
 * vector, 128 bytes at a time. */
#include "cnnc_lookup.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CNNC_LOOKUP_AVX2 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define CNNC_LOOKUP_NEON 1
#elif defined(__hexagon__) && defined(__HVX__) && __HVX_LENGTH__ == 128
#define CNNC_LOOKUP_HVX 1
#endif

void cnnc_lookup_u8_portable(uint8_t *data, size_t size, const uint8_t table[256]) {
  for (size_t i = 0; i < size; ++i)
    data[i] = table[data[i]];
}

#if CNNC_LOOKUP_AVX2
/* Indices 0-127 and 128-255 (the top bit flipped) each walk eight 16-entry
 * chunks: at chunk g the index less 16g is non-negative exactly for the
 * chunks at or below the index's own, and each chunk is stored XORed with
 * the one below it, so the XOR of the shuffles that hit telescopes to the
 * index's own chunk. The top bit then picks the half. */
__attribute__((target("avx2"))) static void lookup_avx2(uint8_t *data, size_t size,
                                                        const uint8_t table[256]) {
  __m256i chunk[16];
  for (int g = 0; g < 16; ++g) {
    __m128i own = _mm_loadu_si128((const __m128i *)(table + 16 * g));
    __m128i below =
        g % 8 ? _mm_loadu_si128((const __m128i *)(table + 16 * (g - 1))) : _mm_setzero_si128();
    chunk[g] = _mm256_broadcastsi128_si256(_mm_xor_si128(own, below));
  }
  const __m256i sixteen = _mm256_set1_epi8(16), top = _mm256_set1_epi8((char)0x80);
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(data + i));
    __m256i low = x, high = _mm256_xor_si256(x, top);
    __m256i from_low = _mm256_shuffle_epi8(chunk[0], low);
    __m256i from_high = _mm256_shuffle_epi8(chunk[8], high);
#pragma GCC unroll 8
    for (int g = 1; g < 8; ++g) {
      low = _mm256_sub_epi8(low, sixteen);
      high = _mm256_sub_epi8(high, sixteen);
      from_low = _mm256_xor_si256(from_low, _mm256_shuffle_epi8(chunk[g], low));
      from_high = _mm256_xor_si256(from_high, _mm256_shuffle_epi8(chunk[8 + g], high));
    }
    _mm256_storeu_si256((__m256i *)(data + i), _mm256_blendv_epi8(from_low, from_high, x));
  }
  cnnc_lookup_u8_portable(data + i, size - i, table);
}

/* vpermi2b looks up 64 indices in 128 entries held in two registers (the
 * index's low seven bits): once in the table's lower half, once in its upper,
 * and the top bit picks. Two shuffles per 64 bytes where AVX2 takes 32 per
 * 64; the last partial vector is loaded and stored under a mask. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void
lookup_avx512_vbmi(uint8_t *data, size_t size, const uint8_t table[256]) {
  __m512i quarter[4];
  for (int q = 0; q < 4; ++q)
    quarter[q] = _mm512_loadu_si512((const void *)(table + 64 * q));
  for (size_t i = 0; i < size; i += 64) {
    __mmask64 lanes = size - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (size - i)) - 1;
    __m512i x = _mm512_maskz_loadu_epi8(lanes, data + i);
    __m512i low = _mm512_permutex2var_epi8(quarter[0], x, quarter[1]);
    __m512i high = _mm512_permutex2var_epi8(quarter[2], x, quarter[3]);
    _mm512_mask_storeu_epi8(data + i, lanes,
                            _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
  }
}
#endif

#if CNNC_LOOKUP_NEON
/* Four 64-entry tbl lookups: tbx keeps the result so far where its index,
 * less the chunk's start, is out of range. */
static void lookup_neon(uint8_t *data, size_t size, const uint8_t table[256]) {
  uint8x16x4_t chunk[4];
  for (int g = 0; g < 4; ++g)
    chunk[g] = vld1q_u8_x4(table + 64 * g);
  const uint8x16_t sixty_four = vdupq_n_u8(64);
  size_t i = 0;
  for (; i + 16 <= size; i += 16) {
    uint8x16_t index = vld1q_u8(data + i);
    uint8x16_t result = vqtbl4q_u8(chunk[0], index);
    for (int g = 1; g < 4; ++g) {
      index = vsubq_u8(index, sixty_four);
      result = vqtbx4q_u8(result, chunk[g], index);
    }
    vst1q_u8(data + i, result);
  }
  cnnc_lookup_u8_portable(data + i, size - i, table);
}
#endif

#if CNNC_LOOKUP_HVX
typedef long HvxVector __attribute__((__vector_size__(128)));
typedef long HvxUnalignedVector __attribute__((__vector_size__(128), __aligned__(1)));

/* vlut32(index, lut, k) looks up the indices 32k to 32k + 31 (giving 0 for
 * the others) in a vector that holds the table's half where they fall, its
 * two 64-entry quarters interleaved byte by byte (vshuffb); the
 * or-accumulating form merges the eight ranges. */
static void lookup_hvx(uint8_t *data, size_t size, const uint8_t table[256]) {
  HvxVector half[2];
  for (int h = 0; h < 2; ++h)
    half[h] = __builtin_HEXAGON_V6_vshuffb_128B(*(const HvxUnalignedVector *)(table + 128 * h));
  size_t i = 0;
  for (; i + 128 <= size; i += 128) {
    HvxVector index = *(HvxUnalignedVector *)(data + i);
    HvxVector result = __builtin_HEXAGON_V6_vlutvvb_128B(index, half[0], 0);
    for (int k = 1; k < 8; ++k)
      result = __builtin_HEXAGON_V6_vlutvvb_oracc_128B(result, index, half[k / 4], k);
    *(HvxUnalignedVector *)(data + i) = result;
  }
  cnnc_lookup_u8_portable(data + i, size - i, table);
}
#endif

void cnnc_lookup_u8(uint8_t *data, size_t size, const uint8_t table[256]) {
  if (size == 0) /* data may be NULL then: no pointer arithmetic on it */
    return;
#if CNNC_LOOKUP_AVX2
  if (__builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw")) {
    lookup_avx512_vbmi(data, size, table);
    return;
  }
  if (__builtin_cpu_supports("avx2")) {
    lookup_avx2(data, size, table);
    return;
  }
#elif CNNC_LOOKUP_NEON
  lookup_neon(data, size, table);
  return;
#elif CNNC_LOOKUP_HVX
  lookup_hvx(data, size, table);
  return;
#endif
  cnnc_lookup_u8_portable(data, size, table);
}
