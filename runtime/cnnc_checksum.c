/* cnnc_checksum.c - the weights-file checksum, shared by the runtime and by
 * cnnc compile, which writes it. FNV-1a, 64 bits. */
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
