/* cnnc_format.c - what the runtime and cnnc compile, which writes models for
 * it, must agree on: the weights-file checksum (FNV-1a, 64 bits) and the size
 * of each element type. */
#include "cnnc_model_desc.h"

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
