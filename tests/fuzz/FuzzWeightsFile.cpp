//===- FuzzWeightsFile.cpp - the runtime's weights-file checks ------------===//
//
// The checks create runs on a weights file (cnnc_check_weights), against a
// model that expects 256 bytes of weights with a fixed signature. Inputs
// that start from a valid file (the seed) reach the checksum and beyond.
//
//===----------------------------------------------------------------------===//
#include "cnnc_model_desc.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cnnc_model_desc desc;
  std::memset(&desc, 0, sizeof desc);
  desc.name = "fuzz";
  desc.signature = 0x0123456789abcdefull;
  desc.weights_bytes = 256;
  desc.target = "any";
  cnnc_status status = cnnc_check_weights(&desc, data, size);
  // Accepted means exactly what create then relies on.
  if (status.code == CNNC_OK && (size != CNNC_WEIGHTS_HEADER_BYTES + desc.weights_bytes ||
                                 std::memcmp(data, CNNC_WEIGHTS_MAGIC, 8) != 0))
    __builtin_trap();
  return 0;
}
