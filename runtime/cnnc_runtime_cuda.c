/* cnnc_runtime_cuda.c - the CUDA context and stream of a CUDA model.
 *
 * Halide's CUDA runtime asks two process-wide hooks which context to use and
 * which stream to launch on. Left alone it creates a context of its own, in
 * which an application's device pointers and streams (made in the CUDA
 * runtime's primary context, as PyTorch's are) are not valid. cnnc installs
 * hooks that use the context current on the calling thread, else the
 * device's primary context, and the stream the calling thread selected for
 * the run in progress, else the context's default stream. The driver is
 * loaded with dlopen, as Halide loads it: the library links no CUDA library,
 * and on a machine without one create says so. */
#include "cnnc_model_desc.h"

#include "HalideRuntimeCuda.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>

typedef int (*cu_init_t)(unsigned flags);
typedef int (*cu_device_get_t)(int *device, int ordinal);
typedef int (*cu_ctx_get_current_t)(void **context);
typedef int (*cu_primary_ctx_retain_t)(void **context, int device);

static struct {
  int loaded;
  cu_init_t init;
  cu_device_get_t device_get;
  cu_ctx_get_current_t ctx_get_current;
  cu_primary_ctx_retain_t primary_ctx_retain;
  void *primary;
} driver;

static _Thread_local void *selected_stream;

/* Reports through Halide's error hook (the runtime keeps it for the status). */
static int fail(void *user_context, const char *message, int code) {
  char text[160];
  if (code)
    snprintf(text, sizeof text, "%s (CUDA error %d)", message, code);
  else
    snprintf(text, sizeof text, "%s", message);
  halide_error(user_context, text);
  return halide_error_code_generic_error;
}

static int load_driver(void *user_context) {
  if (driver.loaded)
    return 0;
  void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_GLOBAL);
  if (!lib)
    lib = dlopen("libcuda.so", RTLD_LAZY | RTLD_GLOBAL);
  if (!lib)
    return fail(user_context,
                "no CUDA driver: libcuda.so.1 cannot be loaded; this machine has no NVIDIA GPU "
                "or its driver is not installed",
                0);
  driver.init = (cu_init_t)dlsym(lib, "cuInit");
  driver.device_get = (cu_device_get_t)dlsym(lib, "cuDeviceGet");
  driver.ctx_get_current = (cu_ctx_get_current_t)dlsym(lib, "cuCtxGetCurrent");
  driver.primary_ctx_retain = (cu_primary_ctx_retain_t)dlsym(lib, "cuDevicePrimaryCtxRetain");
  if (!driver.init || !driver.device_get || !driver.ctx_get_current || !driver.primary_ctx_retain)
    return fail(user_context, "the CUDA driver lacks cuDevicePrimaryCtxRetain: too old", 0);
  int error = driver.init(0);
  if (error)
    return fail(user_context,
                error == 100 ? "the CUDA driver finds no GPU" : "the CUDA driver failed to start",
                error);
  driver.loaded = 1;
  return 0;
}

static int acquire_context(void *user_context, void **context, bool create) {
  *context = NULL;
  int error = load_driver(user_context);
  if (error)
    return error;
  void *current = NULL;
  if (driver.ctx_get_current(&current) == 0 && current) {
    *context = current; /* the application's */
    return 0;
  }
  if (!driver.primary && create) {
    int device = 0;
    error = driver.device_get(&device, 0);
    if (!error)
      error = driver.primary_ctx_retain(&driver.primary, device);
    if (error)
      return fail(user_context, "cannot open the GPU's primary context", error);
  }
  *context = driver.primary;
  return 0;
}

static int release_context(void *user_context) {
  (void)user_context;
  return 0;
}

static int get_stream(void *user_context, void *context, void **stream) {
  (void)user_context;
  (void)context;
  *stream = selected_stream;
  return 0;
}

int cnnc_cuda_select_stream(void *stream) {
  static int installed;
  if (!installed) {
    halide_set_cuda_acquire_context(acquire_context);
    halide_set_cuda_release_context(release_context);
    halide_set_cuda_get_stream(get_stream);
    installed = 1;
  }
  selected_stream = stream;
  return 0;
}
