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
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

typedef int (*cu_init_t)(unsigned flags);
typedef int (*cu_device_get_t)(int *device, int ordinal);
typedef int (*cu_ctx_get_current_t)(void **context);
typedef int (*cu_primary_ctx_retain_t)(void **context, int device);

/* The driver's entry points and the primary context, set up once for the
 * process (Halide asks for a context from whichever thread runs a model). */
static struct {
  cu_init_t init;
  cu_device_get_t device_get;
  cu_ctx_get_current_t ctx_get_current;
  cu_primary_ctx_retain_t primary_ctx_retain;
  void *primary;
  char failure[160]; /* why the driver cannot be used; empty if it can */
  int error;
} driver;
static pthread_once_t driver_once = PTHREAD_ONCE_INIT;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static _Thread_local void *selected_stream;

static void load_failed(const char *message, int code) {
  if (code)
    snprintf(driver.failure, sizeof driver.failure, "%s (CUDA error %d)", message, code);
  else
    snprintf(driver.failure, sizeof driver.failure, "%s", message);
  driver.error = halide_error_code_generic_error;
}

/* Loads libcuda, starts it, and retains the primary context of the device
 * Halide is asked to use (HL_GPU_DEVICE, else the first). */
static void load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_GLOBAL);
  if (!lib)
    lib = dlopen("libcuda.so", RTLD_LAZY | RTLD_GLOBAL);
  if (!lib) {
    load_failed("no CUDA driver: libcuda.so.1 cannot be loaded; this machine has no NVIDIA GPU "
                "or its driver is not installed",
                0);
    return;
  }
  driver.init = (cu_init_t)dlsym(lib, "cuInit");
  driver.device_get = (cu_device_get_t)dlsym(lib, "cuDeviceGet");
  driver.ctx_get_current = (cu_ctx_get_current_t)dlsym(lib, "cuCtxGetCurrent");
  driver.primary_ctx_retain = (cu_primary_ctx_retain_t)dlsym(lib, "cuDevicePrimaryCtxRetain");
  if (!driver.init || !driver.device_get || !driver.ctx_get_current || !driver.primary_ctx_retain) {
    load_failed("the CUDA driver lacks cuDevicePrimaryCtxRetain: too old", 0);
    return;
  }
  int error = driver.init(0);
  if (error) {
    load_failed(error == 100 ? "the CUDA driver finds no GPU" : "the CUDA driver failed to start",
                error);
    return;
  }
  int ordinal = halide_get_gpu_device(NULL), device = 0;
  error = driver.device_get(&device, ordinal < 0 ? 0 : ordinal);
  if (!error)
    error = driver.primary_ctx_retain(&driver.primary, device);
  if (error)
    load_failed("cannot open the GPU's primary context", error);
}

/* The context current on the calling thread (the application's), else the
 * device's primary context. */
static int acquire_context(void *user_context, void **context, bool create) {
  (void)create;
  *context = NULL;
  pthread_once(&driver_once, load_driver);
  if (driver.error) {
    halide_error(user_context, driver.failure);
    return driver.error;
  }
  void *current = NULL;
  if (driver.ctx_get_current(&current) == 0 && current)
    *context = current;
  else
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

static void install_hooks(void) {
  halide_set_cuda_acquire_context(acquire_context);
  halide_set_cuda_release_context(release_context);
  halide_set_cuda_get_stream(get_stream);
}

int cnnc_cuda_select_stream(void *stream) {
  pthread_once(&hooks_once, install_hooks);
  selected_stream = stream;
  return 0;
}
