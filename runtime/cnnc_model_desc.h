/* cnnc_model_desc.h - what generated code tells the runtime about a model.
 * Not part of the public API: generated <name>_model.c fills one of these. */
#ifndef CNNC_MODEL_DESC_H
#define CNNC_MODEL_DESC_H

#include "cnnc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnnc_tensor_kind {
  CNNC_TENSOR_INPUT = 0,  /* the caller's input */
  CNNC_TENSOR_OUTPUT = 1, /* the caller's output */
  CNNC_TENSOR_ARENA = 2,  /* at `offset` bytes into the activation arena */
  CNNC_TENSOR_WEIGHT = 3  /* at `offset` bytes into the weights */
} cnnc_tensor_kind;

/* A dense float32 tensor as a kernel sees it: extents innermost first. The
 * input's strides follow the layout option instead. */
typedef struct cnnc_tensor_ref {
  cnnc_tensor_kind kind;
  int64_t offset;
  int rank;
  int32_t extents[4];
} cnnc_tensor_ref;

/* One kernel call: Halide's argv entry point and its buffers, in order. */
typedef struct cnnc_call {
  int (*kernel)(void **args);
  const char *name;
  int num_args;
  const cnnc_tensor_ref *args;
} cnnc_call;

typedef struct cnnc_model_desc {
  const char *name;
  uint64_t signature; /* must equal the weights file's */
  int64_t input_shape[4];  /* N, C, H, W */
  int64_t output_shape[2]; /* N, classes */
  size_t arena_bytes;
  size_t weights_bytes;
  int num_calls;
  const cnnc_call *calls;
} cnnc_model_desc;

/* The weights file: this header, then weights_bytes of float32 data. */
#define CNNC_WEIGHTS_MAGIC "CNNCWGT1"
#define CNNC_WEIGHTS_HEADER_BYTES 64
/* magic[8], signature u64, payload bytes u64, FNV-1a 64 checksum of the payload u64 */

uint64_t cnnc_fnv1a64(const void *data, size_t size);

cnnc_status cnnc_create_from_file(const cnnc_model_desc *desc, const char *weights_path,
                                  const cnnc_options *options, cnnc_model **model);
cnnc_status cnnc_create_from_memory(const cnnc_model_desc *desc, const void *weights,
                                    size_t size, const cnnc_options *options,
                                    cnnc_model **model);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_MODEL_DESC_H */
