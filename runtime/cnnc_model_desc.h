/* cnnc_model_desc.h - what generated code tells the runtime about a model.
 * Not part of the public API: generated <name>_model.c fills one of these. */
#ifndef CNNC_MODEL_DESC_H
#define CNNC_MODEL_DESC_H

#include "cnnc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct halide_device_interface_t;

typedef enum cnnc_tensor_kind {
  CNNC_TENSOR_INPUT = 0,  /* the caller's input */
  CNNC_TENSOR_OUTPUT = 1, /* the caller's output */
  CNNC_TENSOR_ARENA = 2,  /* at `offset` bytes into the activation arena */
  CNNC_TENSOR_WEIGHT = 3  /* at `offset` bytes into the weights */
} cnnc_tensor_kind;

/* Every arena offset, weight offset and allocation is a multiple of this: the
 * compiler plans with it and the runtime allocates with it. 512 bytes: a GPU
 * model's tensors are views into one device allocation, which OpenCL allows
 * only at the device's base address alignment (at most 4096 bits). */
#define CNNC_ALIGNMENT 512

/* `bytes` rounded up to a multiple of CNNC_ALIGNMENT (0 where that would
 * overflow). */
static inline size_t cnnc_aligned(size_t bytes) {
  return bytes > (size_t)-1 - (CNNC_ALIGNMENT - 1)
             ? 0
             : (bytes + CNNC_ALIGNMENT - 1) / CNNC_ALIGNMENT * CNNC_ALIGNMENT;
}

/* Affine quantization of a tensor: real = scale * (q - zero_point). A scale of
 * 0 means the tensor is not quantized. */
typedef struct cnnc_quant {
  float scale;
  int32_t zero_point;
} cnnc_quant;

/* A dense tensor as a kernel sees it: extents innermost first. The input's
 * strides follow the layout option instead. */
typedef struct cnnc_tensor_ref {
  cnnc_tensor_kind kind;
  cnnc_dtype dtype;
  int64_t offset;
  int rank;
  int32_t extents[4];
  cnnc_quant quant;
} cnnc_tensor_ref;

/* One kernel call: Halide's argv entry point and its buffers, in order; then
 * which one it writes, the table the runtime applies to that output
 * afterwards (a cnn.lookup that ends the kernel group, cnnc_lookup.h) or NULL,
 * and which of the model's distinct kernels it calls (<model>_k<kernel_index>). */
typedef struct cnnc_call {
  int (*kernel)(void **args);
  const char *name;
  int num_args;
  const cnnc_tensor_ref *args;
  int output_arg;
  const uint8_t *output_table;
  int kernel_index;
} cnnc_call;

/* A CPU feature the kernels use: Halide's halide_target_feature_t and its name. */
typedef struct cnnc_cpu_feature {
  int halide_feature;
  const char *name;
} cnnc_cpu_feature;

/* A GPU API with streams (CUDA): how a model's kernels are launched on a
 * caller's stream, and how a run is recorded once and replayed. */
typedef struct cnnc_stream_api {
  /* Makes the calling thread's kernels launch on `stream` (NULL: the
   * context's default stream). Create calls it once with NULL first, which
   * installs the API's hooks. */
  int (*select_stream)(void *stream);
  /* A model's launches: scratch memory of its own for the intermediates
   * Halide allocates inside kernels, and its run recorded as a graph.
   * `run(model)` calls the model's kernels (its memory in place, bound to the
   * model's own input and output buffers). Open runs it once to size the
   * scratch memory (the first run: the GPU code is loaded), then, unless
   * `record` is 0, records it and replays the recording once. A failed
   * first run, or scratch memory the GPU cannot give, fails open; a run
   * that cannot be recorded is launched kernel by kernel, and
   * why_not_recorded says why (NULL: it is recorded). */
  cnnc_status (*open)(cnnc_status (*run)(void *model), void *model, int record, void **launches);
  const char *(*why_not_recorded)(const void *launches);
  /* Around a run launched kernel by kernel: its intermediates come from the
   * model's scratch memory. */
  void (*enter)(void *launches);
  void (*leave)(void *launches);
  /* Replays the recorded run on `stream`: 0 if replayed, 1 if none was
   * recorded or `stream` is itself recording (an application capturing the
   * run into a graph of its own: the kernels are launched instead), else a
   * CUDA error. */
  int (*replay)(void *launches, void *stream);
  /* Copies `bytes` from one device buffer to another, queued on `stream`. */
  int (*copy)(uint64_t to, uint64_t from, size_t bytes, void *stream);
  void (*close)(void *launches);
} cnnc_stream_api;

typedef struct cnnc_model_desc {
  const char *name;
  uint64_t signature;      /* must equal the weights file's */
  int64_t input_shape[4];  /* N, C, H, W */
  int64_t output_shape[2]; /* N, classes */
  cnnc_dtype input_dtype, output_dtype;
  size_t arena_bytes;
  size_t weights_bytes;
  int num_calls;
  const cnnc_call *calls;
  const char *target;   /* the Halide target it was compiled for, for messages */
  int num_cpu_features; /* create refuses a CPU without every one of these */
  const cnnc_cpu_feature *cpu_features;
  /* GPU models: the Halide device interface their weights and activations live
   * behind (NULL: host memory), and the API's streams (NULL: it has none). */
  const struct halide_device_interface_t *(*device_interface)(void);
  const cnnc_stream_api *streams;
  /* CPU models with POSIX threads: makes the kernels' parallel loops run on
   * cnnc's thread pool, `threads` threads in all (0: every CPU the process
   * may use); NULL: they run on Halide's (cnnc_thread_pool.c). */
  void (*use_thread_pool)(int threads);
} cnnc_model_desc;

void cnnc_thread_pool_use(int threads);

/* The weights file: this header, then weights_bytes of packed tensors, each
 * at a CNNC_ALIGNMENT-aligned offset and of the dtype its references give. */
#define CNNC_WEIGHTS_MAGIC "CNNCWGT1"
#define CNNC_WEIGHTS_HEADER_BYTES 64
/* magic[8], signature u64, payload bytes u64, FNV-1a 64 checksum of the payload u64, then
 * 32 reserved bytes that must be zero. All integers little-endian. */
#define CNNC_WEIGHTS_RESERVED_OFFSET 32

uint64_t cnnc_fnv1a64(const void *data, size_t size);

/* Bytes of one element of `dtype`. */
size_t cnnc_dtype_bytes(cnnc_dtype dtype);

/* A status with a printf-style message. */
cnnc_status cnnc_make_status(cnnc_status_code code, const char *format, ...);

/* Whether `data` is a complete, intact weights file for `desc`: its size,
 * magic, reserved bytes, signature and checksum. */
cnnc_status cnnc_check_weights(const cnnc_model_desc *desc, const void *data, size_t size);

cnnc_status cnnc_create_from_file(const cnnc_model_desc *desc, const char *weights_path,
                                  const cnnc_options *options, cnnc_model **model);
cnnc_status cnnc_create_from_memory(const cnnc_model_desc *desc, const void *weights, size_t size,
                                    const cnnc_options *options, cnnc_model **model);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_MODEL_DESC_H */
