/* cnnc_runtime_cuda.c - the CUDA context, stream and launches of a CUDA model.
 *
 * Halide's CUDA runtime asks two process-wide hooks which context to use and
 * which stream to launch on. Left alone it creates a context of its own, in
 * which an application's device pointers and streams (made in the CUDA
 * runtime's primary context, as PyTorch's are) are not valid. cnnc installs
 * hooks that use the context current on the calling thread, else the
 * device's primary context, and the stream the calling thread selected for
 * the run in progress, else the context's default stream. The driver is
 * loaded with dlopen, as Halide loads it: the library links no CUDA library,
 * and on a machine without one create says so.
 *
 * Launches: a run of efficientnet-b0 launches about 160 kernels, whose launch
 * costs show at batch 1, so a model records its run once at create as a CUDA
 * graph and each run replays it (one launch). A graph holds the addresses its
 * kernels touch, and the few intermediates Halide allocates inside a kernel
 * come, left alone, from Halide's process-wide cache of device allocations,
 * which may hand them to another model or give them back to the driver. So
 * while a model's kernels run, the driver's cuMemAlloc and cuMemFree that
 * Halide calls (it asks this file for the driver's entry points) take them
 * from scratch memory of the model's own instead: sized by the first run,
 * allocated once, handed out in the same order at every run. */
#include "cnnc_device.h"
#include "cnnc_model_desc.h"

#include "HalideRuntimeCuda.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t cu_deviceptr;
enum {
  kCudaErrorOutOfMemory = 2,
  kStreamNonBlocking = 1,       /* CU_STREAM_NON_BLOCKING */
  kStreamCaptureModeRelaxed = 2 /* CU_STREAM_CAPTURE_MODE_RELAXED */
};

/* The driver's entry points and the primary context, set up once for the
 * process (Halide asks for a context from whichever thread runs a model). */
static struct {
  void *lib;
  int (*init)(unsigned flags);
  int (*device_get)(int *device, int ordinal);
  int (*ctx_get_current)(void **context);
  int (*primary_ctx_retain)(void **context, int device);
  int (*ctx_push)(void *context);
  int (*ctx_pop)(void **context);
  int (*mem_alloc)(cu_deviceptr *pointer, size_t bytes);
  int (*mem_free)(cu_deviceptr pointer);
  int (*copy_async)(cu_deviceptr to, cu_deviceptr from, size_t bytes, void *stream);
  int (*stream_create)(void **stream, unsigned flags);
  int (*stream_destroy)(void *stream);
  int (*stream_synchronize)(void *stream);
  int (*stream_is_capturing)(void *stream, int *status); /* NULL before CUDA 10 */
  /* Graphs (CUDA 11.4 and later); NULL where the driver lacks them. */
  int (*begin_capture)(void *stream, int mode);
  int (*end_capture)(void *stream, void **graph);
  int (*graph_instantiate)(void **exec, void *graph, unsigned long long flags);
  int (*graph_launch)(void *exec, void *stream);
  int (*graph_exec_destroy)(void *exec);
  int (*graph_destroy)(void *graph);
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

#define DRIVER_ENTRY(field, name) driver.field = (__typeof__(driver.field))dlsym(driver.lib, name)

/* Loads libcuda, starts it, and retains the primary context of the device
 * Halide is asked to use (HL_GPU_DEVICE, else the first). */
static void load_driver(void) {
  driver.lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_GLOBAL);
  if (!driver.lib)
    driver.lib = dlopen("libcuda.so", RTLD_LAZY | RTLD_GLOBAL);
  if (!driver.lib) {
    load_failed("no CUDA driver: libcuda.so.1 cannot be loaded; this machine has no NVIDIA GPU "
                "or its driver is not installed",
                0);
    return;
  }
  DRIVER_ENTRY(init, "cuInit");
  DRIVER_ENTRY(device_get, "cuDeviceGet");
  DRIVER_ENTRY(ctx_get_current, "cuCtxGetCurrent");
  DRIVER_ENTRY(primary_ctx_retain, "cuDevicePrimaryCtxRetain");
  DRIVER_ENTRY(ctx_push, "cuCtxPushCurrent_v2");
  DRIVER_ENTRY(ctx_pop, "cuCtxPopCurrent_v2");
  DRIVER_ENTRY(mem_alloc, "cuMemAlloc_v2");
  DRIVER_ENTRY(mem_free, "cuMemFree_v2");
  DRIVER_ENTRY(copy_async, "cuMemcpyDtoDAsync_v2");
  DRIVER_ENTRY(stream_create, "cuStreamCreate");
  DRIVER_ENTRY(stream_destroy, "cuStreamDestroy_v2");
  DRIVER_ENTRY(stream_synchronize, "cuStreamSynchronize");
  DRIVER_ENTRY(stream_is_capturing, "cuStreamIsCapturing");
  DRIVER_ENTRY(begin_capture, "cuStreamBeginCapture_v2");
  DRIVER_ENTRY(end_capture, "cuStreamEndCapture");
  DRIVER_ENTRY(graph_instantiate, "cuGraphInstantiateWithFlags");
  DRIVER_ENTRY(graph_launch, "cuGraphLaunch");
  DRIVER_ENTRY(graph_exec_destroy, "cuGraphExecDestroy");
  DRIVER_ENTRY(graph_destroy, "cuGraphDestroy");
  if (!driver.init || !driver.device_get || !driver.ctx_get_current || !driver.primary_ctx_retain ||
      !driver.ctx_push || !driver.ctx_pop || !driver.mem_alloc || !driver.mem_free ||
      !driver.copy_async || !driver.stream_create || !driver.stream_destroy ||
      !driver.stream_synchronize) {
    load_failed("the CUDA driver lacks entry points cnnc needs (cuDevicePrimaryCtxRetain, "
                "cuMemcpyDtoDAsync_v2, ...): too old",
                0);
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

static int select_stream(void *stream) {
  pthread_once(&hooks_once, install_hooks);
  selected_stream = stream;
  return 0;
}

/* Makes the context Halide would use current for the driver calls of this
 * file; pop_context undoes it. */
static int push_context(void) {
  void *context;
  int error = acquire_context(NULL, &context, true);
  return error ? error : driver.ctx_push(context);
}

static void pop_context(void) {
  void *previous;
  driver.ctx_pop(&previous);
}

/* A model's scratch memory for Halide's intermediates: a stack that empties
 * whenever no intermediate is live (between kernels), so it needs as many
 * bytes as the kernel with the most intermediates. While `measuring`, the
 * first run's intermediates come from the driver and only the bytes are
 * counted. An intermediate that does not fit (a run unlike the first) comes
 * from the driver too, except while the run is `recording`: a graph must
 * not hold memory that is given back after the run. */
typedef struct scratch {
  cu_deviceptr base;
  size_t bytes, used, peak;
  int live, measuring, recording, overflowed;
} scratch;

/* The scratch memory of the model whose kernels run on this thread now. */
static _Thread_local scratch *active_scratch;

/* cuMemAlloc, as Halide's runtime sees it. */
static int alloc_for_halide(cu_deviceptr *pointer, size_t bytes) {
  scratch *s = active_scratch;
  if (!s)
    return driver.mem_alloc(pointer, bytes);
  size_t need = cnnc_aligned(bytes);
  bool fits = need && need <= s->bytes - s->used;
  if (!s->measuring && !fits) {
    s->overflowed = 1;
    return s->recording ? kCudaErrorOutOfMemory : driver.mem_alloc(pointer, bytes);
  }
  if (s->measuring) {
    int error = driver.mem_alloc(pointer, bytes);
    if (error)
      return error;
  } else {
    *pointer = s->base + s->used;
  }
  s->used += need;
  s->live += 1;
  if (s->used > s->peak)
    s->peak = s->used;
  return 0;
}

/* cuMemFree, as Halide's runtime sees it. */
static int free_for_halide(cu_deviceptr pointer) {
  scratch *s = active_scratch;
  bool in_scratch = s && (s->measuring || (pointer >= s->base && pointer < s->base + s->bytes));
  if (!in_scratch)
    return driver.mem_free(pointer);
  if (s->live > 0 && --s->live == 0)
    s->used = 0;
  return s->measuring ? driver.mem_free(pointer) : 0;
}

/* Halide's runtime gets every driver entry point here (this definition
 * replaces its own): the allocator is this file's. */
void *halide_cuda_get_symbol(void *user_context, const char *name) {
  (void)user_context;
  pthread_once(&driver_once, load_driver);
  if (!driver.lib)
    return NULL;
  if (strcmp(name, "cuMemAlloc_v2") == 0)
    return (void *)alloc_for_halide;
  if (strcmp(name, "cuMemFree_v2") == 0)
    return (void *)free_for_halide;
  return dlsym(driver.lib, name);
}

typedef struct launches {
  scratch scratch;
  /* Set where a run wanted more scratch memory than the first: its kernels'
   * intermediates come from Halide's cache instead, and no run is recorded. */
  int scratch_refused;
  void *stream; /* the stream the run was recorded on */
  void *graph, *exec;
  char why[160]; /* why the run is not recorded; empty if it is */
} launches;

static void enter(void *l) {
  launches *self = (launches *)l;
  if (self->scratch_refused)
    return;
  self->scratch.used = 0; /* whatever a failed run before left counted */
  self->scratch.live = 0;
  active_scratch = &self->scratch;
  cnnc_device_own_scratch(1);
}

static void leave(void *l) {
  (void)l;
  active_scratch = NULL;
  cnnc_device_own_scratch(0);
}

static void not_recorded(launches *l, const char *what, int error) {
  if (error)
    snprintf(l->why, sizeof l->why, "%s (CUDA error %d)", what, error);
  else
    snprintf(l->why, sizeof l->why, "%s", what);
}

/* Records `run` on a stream of the model's own (the capture is relaxed:
 * Halide's runtime may call the driver in between), instantiates it, and
 * replays it once, waiting for it. */
static void record(launches *l, cnnc_status (*run)(void *), void *model) {
  if (!driver.begin_capture || !driver.end_capture || !driver.graph_instantiate ||
      !driver.graph_launch || !driver.graph_exec_destroy || !driver.graph_destroy) {
    not_recorded(l, "the CUDA driver has no graphs (cuGraphInstantiateWithFlags): before 11.4", 0);
    return;
  }
  int error = driver.begin_capture(l->stream, kStreamCaptureModeRelaxed);
  if (error) {
    not_recorded(l, "cannot begin recording the run", error);
    return;
  }
  select_stream(l->stream);
  enter(l);
  l->scratch.recording = 1;
  cnnc_status ran = run(model);
  l->scratch.recording = 0;
  leave(l);
  select_stream(NULL);
  error = driver.end_capture(l->stream, &l->graph);
  if (ran.code != CNNC_OK || l->scratch.overflowed)
    not_recorded(l,
                 l->scratch.overflowed ? "a recorded kernel wanted more scratch memory than the "
                                         "first run did"
                                       : "a kernel failed while the run was recorded",
                 0);
  else if (error)
    not_recorded(l, "recording the run failed", error);
  else if ((error = driver.graph_instantiate(&l->exec, l->graph, 0)) != 0)
    not_recorded(l, "the recorded run cannot be instantiated", error);
  else if ((error = driver.graph_launch(l->exec, l->stream)) != 0 ||
           (error = driver.stream_synchronize(l->stream)) != 0)
    not_recorded(l, "replaying the recorded run failed", error);
  if (l->why[0] && l->exec) {
    driver.graph_exec_destroy(l->exec);
    l->exec = NULL;
  }
  if (l->scratch.overflowed) {
    l->scratch_refused = 1;
    if (l->scratch.base)
      driver.mem_free(l->scratch.base);
    l->scratch.base = 0;
    l->scratch.bytes = 0;
  }
}

static cnnc_status open_launches(cnnc_status (*run)(void *), void *model, int record_run,
                                 void **out) {
  launches *l = (launches *)calloc(1, sizeof *l);
  *out = l;
  if (!l)
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cnnc_create: out of memory");
  /* A stream of the model's own: the first run and the recording wait for
   * it alone (a wait for the whole context would stall, and break, graph
   * captures of other threads). */
  int error = push_context();
  if (error)
    return cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_create: %s", cnnc_halide_message());
  if ((error = driver.stream_create(&l->stream, kStreamNonBlocking)) != 0) {
    pop_context();
    return cnnc_make_status(CNNC_DEVICE_FAILED,
                            "cnnc_create: cannot create a CUDA stream (CUDA error %d)", error);
  }
  l->scratch.measuring = 1;
  select_stream(l->stream);
  enter(l);
  cnnc_status s = run(model);
  leave(l);
  select_stream(NULL);
  if (s.code == CNNC_OK && (error = driver.stream_synchronize(l->stream)) != 0)
    s = cnnc_make_status(CNNC_DEVICE_FAILED,
                         "cnnc_create: the first GPU run failed (CUDA error %d)", error);
  if (s.code != CNNC_OK) {
    pop_context();
    return s;
  }
  l->scratch.measuring = 0;
  l->scratch.bytes = l->scratch.peak;
  if (l->scratch.bytes && (error = driver.mem_alloc(&l->scratch.base, l->scratch.bytes)) != 0) {
    pop_context();
    l->scratch.bytes = 0;
    return cnnc_make_status(CNNC_DEVICE_FAILED,
                            "cnnc_create: allocating %zu bytes of scratch memory on the GPU failed "
                            "(CUDA error %d)",
                            l->scratch.peak, error);
  }
  if (record_run)
    record(l, run, model);
  else
    not_recorded(l, "the model was created to launch each kernel (launch_each_kernel)", 0);
  pop_context();
  return cnnc_make_status(CNNC_OK, "");
}

static const char *why_not_recorded(const void *l) {
  const launches *self = (const launches *)l;
  return self->why[0] ? self->why : NULL;
}

static int replay(void *l, void *stream) {
  launches *self = (launches *)l;
  if (!self->exec)
    return 1;
  int error = push_context();
  if (error)
    return error;
  /* A stream an application records a graph of its own on takes the
   * kernels themselves (their memory is the model's: the same at every
   * replay of the application's graph), not a launch of another graph. */
  int capturing = 0;
  if (stream && driver.stream_is_capturing)
    driver.stream_is_capturing(stream, &capturing);
  error = capturing ? 1 : driver.graph_launch(self->exec, stream);
  pop_context();
  return error;
}

static int copy(uint64_t to, uint64_t from, size_t bytes, void *stream) {
  int error = push_context();
  if (error)
    return error;
  error = driver.copy_async(to, from, bytes, stream);
  pop_context();
  return error;
}

static void close_launches(void *l) {
  launches *self = (launches *)l;
  if (!self)
    return;
  if (push_context() == 0) {
    if (self->exec)
      driver.graph_exec_destroy(self->exec);
    if (self->graph)
      driver.graph_destroy(self->graph);
    if (self->stream)
      driver.stream_destroy(self->stream);
    if (self->scratch.base)
      driver.mem_free(self->scratch.base);
    pop_context();
  }
  free(self);
}

const cnnc_stream_api cnnc_cuda_streams = {
    select_stream, open_launches, why_not_recorded, enter, leave, replay, copy, close_launches,
};
