/* cnnc_format.c - what the runtime and cnnc compile, which writes models for
 * it, must agree on: the weights-file checksum (FNV-1a, 64 bits), the size of
 * each element type, and the checks of a weights file's header. Free of
 * Halide, so that the checks can be fuzzed on their own. */
#include "cnnc_model_desc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint64_t cnnc_fnv1a64(const void *data, size_t size) {
  const uint8_t *bytes = (const uint8_t *)data;
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

size_t cnnc_dtype_bytes(cnnc_dtype dtype) {
  switch (dtype) {
  case CNNC_DTYPE_F32:
  case CNNC_DTYPE_I32:
    return 4;
  case CNNC_DTYPE_F16:
  case CNNC_DTYPE_BF16:
    return 2;
  case CNNC_DTYPE_I8:
  case CNNC_DTYPE_U8:
    return 1;
  }
  return 0;
}

cnnc_status cnnc_make_status(cnnc_status_code code, const char *format, ...) {
  cnnc_status s;
  s.code = code;
  s.message[0] = '\0';
  if (format) {
    va_list args;
    va_start(args, format);
    vsnprintf(s.message, sizeof s.message, format, args);
    va_end(args);
  }
  return s;
}

static uint64_t read_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

cnnc_status cnnc_check_weights(const cnnc_model_desc *desc, const void *data, size_t size) {
  const uint8_t *bytes = (const uint8_t *)data;
  if (size < CNNC_WEIGHTS_HEADER_BYTES || memcmp(bytes, CNNC_WEIGHTS_MAGIC, 8) != 0)
    return cnnc_make_status(CNNC_BAD_WEIGHTS, "not a cnnc weights file (%zu bytes, no %s header)",
                            size, CNNC_WEIGHTS_MAGIC);
  for (size_t i = CNNC_WEIGHTS_RESERVED_OFFSET; i < CNNC_WEIGHTS_HEADER_BYTES; ++i)
    if (bytes[i] != 0)
      return cnnc_make_status(
          CNNC_BAD_WEIGHTS,
          "not a weights file of this cnnc: header byte %zu is reserved and must be 0", i);
  uint64_t signature = read_u64(bytes + 8), payload = read_u64(bytes + 16);
  uint64_t checksum = read_u64(bytes + 24);
  if (signature != desc->signature)
    return cnnc_make_status(
        CNNC_BAD_WEIGHTS,
        "these weights were written for another model or build (signature %016llx, "
        "model '%s' expects %016llx)",
        (unsigned long long)signature, desc->name, (unsigned long long)desc->signature);
  if (payload != desc->weights_bytes || size != CNNC_WEIGHTS_HEADER_BYTES + payload)
    return cnnc_make_status(
        CNNC_BAD_WEIGHTS, "weights are truncated or padded: %zu bytes, model '%s' needs %zu", size,
        desc->name, (size_t)(CNNC_WEIGHTS_HEADER_BYTES + desc->weights_bytes));
  if (cnnc_fnv1a64(bytes + CNNC_WEIGHTS_HEADER_BYTES, payload) != checksum)
    return cnnc_make_status(CNNC_BAD_WEIGHTS, "weights are corrupted (checksum mismatch)");

  return cnnc_make_status(CNNC_OK, NULL);
}
