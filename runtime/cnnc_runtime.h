/* cnnc_runtime.h - the C API of a model compiled by cnnc.
 *
 * A compiled model is <name>.h, lib<name>.a (or .so) and <name>.weights. The
 * header declares cnnc_<name>_create_from_file / _from_memory; everything else
 * is this generic API. Every call returns a status whose message says what
 * went wrong. cnnc_run allocates nothing.
 *
 * A model compiled for a GPU (cuda, opencl) keeps its weights and activations
 * in device memory, allocated at create. cnnc_run takes host buffers and
 * copies the input in and the logits out; for CUDA, cnnc_run_device takes
 * buffers already on the device and can launch on the caller's stream, and a
 * run replays the kernels recorded at create as one CUDA graph. */
#ifndef CNNC_RUNTIME_H
#define CNNC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnnc_status_code {
  CNNC_OK = 0,
  CNNC_INVALID_ARGUMENT = 1, /* a null pointer, a wrong buffer size, a bad option */
  CNNC_BAD_WEIGHTS = 2,      /* missing, truncated, corrupted or another model's weights */
  CNNC_OUT_OF_MEMORY = 3,
  CNNC_KERNEL_FAILED = 4,
  CNNC_UNSUPPORTED_CPU = 5, /* this CPU lacks an instruction-set feature the model uses */
  CNNC_DEVICE_FAILED = 6    /* no GPU, no driver, device out of memory, a failed copy */
} cnnc_status_code;

typedef struct cnnc_status {
  cnnc_status_code code;
  char message[512]; /* room for a file path and the driver's words */
} cnnc_status;

typedef enum cnnc_layout {
  CNNC_LAYOUT_NCHW = 0, /* PyTorch's order, the default */
  CNNC_LAYOUT_NHWC = 1
} cnnc_layout;

/* Element types of tensors: the model's input and output, and every tensor
 * the model table describes. */
typedef enum cnnc_dtype {
  CNNC_DTYPE_F32 = 0,
  CNNC_DTYPE_F16 = 1,
  CNNC_DTYPE_BF16 = 2,
  CNNC_DTYPE_I8 = 3,
  CNNC_DTYPE_U8 = 4,
  CNNC_DTYPE_I32 = 5
} cnnc_dtype;

typedef struct cnnc_options {
  /* 0: every core this process may use (its affinity mask). The threads are
   * per process: the last model created sets their number for all. */
  int num_threads;
  cnnc_layout input_layout; /* layout of the buffer given to cnnc_run */
  /* CUDA: 1 launches every kernel at each run; 0 (the default) replays the
   * run recorded as one CUDA graph at create, which launches faster. */
  int launch_each_kernel;
} cnnc_options;

typedef struct cnnc_model cnnc_model;

/* Input and output shapes (input as NCHW whatever the layout option) and sizes. */
typedef struct cnnc_model_info {
  const char *name;
  int64_t input_shape[4];
  int64_t output_shape[2];
  cnnc_dtype input_dtype; /* CNNC_DTYPE_F32 for every model today */
  cnnc_dtype output_dtype;
  size_t input_count;  /* elements */
  size_t output_count; /* elements */
  size_t arena_bytes;
  size_t weights_bytes;
  int on_device; /* weights and activations live in GPU memory */
  /* CUDA: each run replays the run recorded at create as one CUDA graph; if
   * not, why (NULL where it does, and for other targets). */
  int replays_graph;
  const char *no_graph_why;
} cnnc_model_info;

cnnc_options cnnc_default_options(void);

/* Runs the model on one batch: `input` holds input_count floats in the
 * layout chosen at creation, `output` receives output_count floats. */
cnnc_status cnnc_run(cnnc_model *model, const float *input, size_t input_count, float *output,
                     size_t output_count);

/* CUDA models only: runs on device buffers the caller owns, `input` and
 * `output` being CUdeviceptrs of input_count and output_count floats (the
 * input in the layout chosen at creation), made in the context current on the
 * calling thread or in the device's primary context (where the CUDA runtime
 * API and PyTorch make them). With a `stream` (a CUstream) the kernels are
 * queued on it and the call returns without waiting; with NULL it returns
 * when the logits are written. A CPU or OpenCL model refuses the call. */
cnnc_status cnnc_run_device(cnnc_model *model, uint64_t input, uint64_t output, void *stream);

/* Kernel calls in one run of the model. */
size_t cnnc_num_calls(const cnnc_model *model);

/* Runs the model as cnnc_run does and writes each kernel call's wall-clock
 * microseconds into `call_micros`, which holds cnnc_num_calls entries:
 * a per-layer profile, and what `cnnc tune` checks tuned schedules with
 * inside the whole model. A GPU model launches its kernels one by one
 * (not its recorded graph) and waits for each before the next: each time
 * includes its launch and the wait, and the run is slower than cnnc_run's. */
cnnc_status cnnc_run_timed(cnnc_model *model, const float *input, size_t input_count, float *output,
                           size_t output_count, double *call_micros, size_t num_calls);

/* What kernel call `call` (0 ≤ call < num_calls) computes, as a short label
 * ("conv2d+activation"), and which of the model's distinct kernels it calls
 * (<model>_k<N>, which <model>_model.c describes): NULL and -1 out of range. */
const char *cnnc_call_name(const cnnc_model *model, int call);
int cnnc_call_kernel(const cnnc_model *model, int call);

cnnc_model_info cnnc_info(const cnnc_model *model);

void cnnc_destroy(cnnc_model *model);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RUNTIME_H */
