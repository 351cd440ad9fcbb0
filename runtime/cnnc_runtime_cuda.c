/* cnnc_runtime_cuda.c - CUDA streams for cnnc_run_device, in CUDA models only.
 *
 * Halide's CUDA runtime asks a process-wide hook which stream to launch on.
 * cnnc installs its own hook once: it answers the stream the calling thread
 * selected for the run in progress, else what Halide would have answered. */
#include "cnnc_model_desc.h"

#include "HalideRuntimeCuda.h"

static _Thread_local void *selected_stream;
static halide_cuda_get_stream_t halide_stream_hook;
static int hook_installed;

static int cnnc_get_stream(void *user_context, void *context, void **stream) {
  if (selected_stream) {
    *stream = selected_stream;
    return 0;
  }
  if (halide_stream_hook)
    return halide_stream_hook(user_context, context, stream);
  *stream = NULL;
  return 0;
}

int cnnc_cuda_select_stream(void *stream) {
  if (!hook_installed) {
    halide_stream_hook = halide_set_cuda_get_stream(cnnc_get_stream);
    hook_installed = 1;
  }
  selected_stream = stream;
  return 0;
}
