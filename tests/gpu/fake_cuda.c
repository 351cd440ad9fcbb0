/* fake_cuda.c - a stand-in CUDA driver (libcuda.so.1) that runs nothing and
 * counts what a CUDA model asks of it.
 *
 * A CUDA model's runtime keeps books a GPU-less machine cannot otherwise see:
 * the scratch memory sized by the first run, the run recorded as a CUDA graph
 * at create and replayed by every run, the memory given back at destroy.
 * Built as libcuda.so.1 and found through LD_LIBRARY_PATH, this library
 * answers every driver entry point Halide 21's CUDA runtime and
 * cnnc_runtime_cuda.c look up: device memory is host memory (a CUdeviceptr is
 * its address), copies are memcpy, contexts, streams, modules and functions
 * are dummy handles, and a kernel launch is only counted (as captured while
 * its stream records a graph). So the logits are garbage.
 *
 * fake_cuda_count("allocs") and the like give a counter to a program that
 * dlsyms it ("context_depth": the contexts pushed on the calling thread); at
 * exit, all of them are written as one line to the file FAKE_CUDA_REPORT
 * names, if set. FAKE_CUDA_FAIL=cuGraphLaunch (or another stream or graph
 * entry point) makes that one fail, with CUDA_ERROR_UNKNOWN. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long dptr;
enum {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kInvalidHandle = 400,
  kCaptureUnsupported = 900, /* CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED */
  kUnknown = 999,
  kHeader = 256 /* bytes before each allocation: its size */
};

/* Counters, in the order of the report. */
enum {
  kAllocs,
  kFrees,
  kKernels,
  kCaptured,
  kGraphLaunches,
  kReplayed,
  kLiveBytes,
  kLiveHandles,
  kBadFrees,
  kCaptureSyncs,
  kCapturedCopies,
  kSyncs,
  kCounters
};
static const char *const names[kCounters] = {
    "allocs",         /* cuMemAlloc_v2 calls */
    "frees",          /* cuMemFree_v2 calls */
    "kernels",        /* kernels launched directly (they run) */
    "captured",       /* kernels launched on a stream recording a graph */
    "graph_launches", /* cuGraphLaunch calls */
    "replayed",       /* kernels in the graphs launched */
    "live_bytes",     /* device memory allocated and not freed */
    "live_handles",   /* streams, graphs and instantiated graphs not destroyed */
    "bad_frees",      /* cuMemFree_v2 of an address it did not allocate */
    "capture_syncs",  /* synchronizations while a graph is recorded */
    "captured_copies", /* copies on a stream recording a graph */
    "syncs"            /* synchronizations: cuCtxSynchronize, cuStreamSynchronize */
};
static long long counts[kCounters];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int capturing_streams;

static void add(int counter, long long by) {
  pthread_mutex_lock(&lock);
  counts[counter] += by;
  pthread_mutex_unlock(&lock);
}

static _Thread_local int depth; /* of the calling thread's context stack */

long long fake_cuda_count(const char *name) {
  if (strcmp(name, "context_depth") == 0)
    return depth;
  for (int i = 0; i < kCounters; ++i)
    if (strcmp(names[i], name) == 0) {
      pthread_mutex_lock(&lock);
      long long value = counts[i];
      pthread_mutex_unlock(&lock);
      return value;
    }
  return -1;
}

__attribute__((destructor)) static void report(void) {
  const char *path = getenv("FAKE_CUDA_REPORT");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (!f)
    return;
  for (int i = 0; i < kCounters; ++i)
    fprintf(f, "%s%s=%lld", i ? " " : "", names[i], counts[i]);
  fprintf(f, "\n");
  fclose(f);
}

/* Handles: a stream knows whether it records, a graph how many kernels it holds. */
typedef struct stream {
  int capturing;
  long long kernels;
} stream;
typedef struct graph {
  long long kernels;
} graph;
static char dummy_handle[4]; /* contexts, modules, functions */

static stream *recording(void *s) {
  stream *st = (stream *)s;
  return (uintptr_t)s > 2 && st->capturing ? st : NULL; /* 1, 2: the legacy, per-thread ones */
}

/* Device */
int cuInit(unsigned flags) { return flags ? kInvalidValue : kSuccess; }
int cuDeviceGetCount(int *count) { return *count = 1, kSuccess; }
int cuDeviceGet(int *device, int ordinal) { return *device = 0, ordinal ? kInvalidValue : 0; }
int cuDeviceGetName(char *name, int len, int device) {
  (void)device;
  snprintf(name, (size_t)len, "fake CUDA device");
  return kSuccess;
}
int cuDeviceTotalMem_v2(size_t *bytes, int device) {
  (void)device;
  return *bytes = (size_t)80 << 30, kSuccess;
}
int cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  switch (attribute) {
  case 1: /* max threads per block */
  case 2: /* max block dims x, y */
  case 3:
    return *value = 1024, kSuccess;
  case 4:
    return *value = 64, kSuccess;
  case 5: /* max grid dims */
    return *value = 2147483647, kSuccess;
  case 6:
  case 7:
    return *value = 65535, kSuccess;
  case 8: /* shared memory per block */
    return *value = 48 << 10, kSuccess;
  case 9: /* constant memory */
    return *value = 64 << 10, kSuccess;
  case 10: /* warp size */
    return *value = 32, kSuccess;
  case 16: /* multiprocessors */
    return *value = 132, kSuccess;
  case 75: /* compute capability 9.0 */
    return *value = 9, kSuccess;
  default:
    return *value = 0, kSuccess;
  }
}

/* Contexts: a stack per thread. */
static _Thread_local void *contexts[64];
int cuDevicePrimaryCtxRetain(void **context, int device) {
  (void)device;
  return *context = dummy_handle, kSuccess;
}
int cuCtxCreate_v2(void **context, unsigned flags, int device) {
  (void)flags, (void)device;
  *context = dummy_handle;
  return depth < 64 ? (contexts[depth++] = *context, kSuccess) : kInvalidValue;
}
int cuCtxDestroy_v2(void *context) { return (void)context, kSuccess; }
int cuCtxGetCurrent(void **context) { return *context = depth ? contexts[depth - 1] : NULL, 0; }
int cuCtxGetDevice(int *device) { return *device = 0, kSuccess; }
int cuCtxGetApiVersion(void *context, unsigned *version) {
  (void)context;
  return *version = 12040, kSuccess;
}
int cuCtxPushCurrent_v2(void *context) {
  return depth < 64 ? (contexts[depth++] = context, kSuccess) : kInvalidValue;
}
int cuCtxPopCurrent_v2(void **context) {
  if (!depth)
    return kInvalidValue;
  void *top = contexts[--depth];
  if (context)
    *context = top;
  return kSuccess;
}
int cuCtxSynchronize(void) {
  add(kSyncs, 1);
  if (__atomic_load_n(&capturing_streams, __ATOMIC_SEQ_CST))
    add(kCaptureSyncs, 1);
  return kSuccess;
}
int cuProfilerStop(void) { return kSuccess; }

/* Modules: anything loads. */
int cuModuleLoadData(void **module, const void *image) {
  (void)image;
  return *module = dummy_handle, kSuccess;
}
int cuModuleLoadDataEx(void **module, const void *image, unsigned n, int *options, void **values) {
  (void)n, (void)options, (void)values;
  return cuModuleLoadData(module, image);
}
int cuModuleUnload(void *module) { return (void)module, kSuccess; }
int cuModuleGetFunction(void **function, void *module, const char *name) {
  (void)module, (void)name;
  return *function = dummy_handle, kSuccess;
}

/* Memory: host memory, its size kept in a header before it; zeroed, so that
 * what a kernel that never ran "computed" is the same every time (the
 * tuner compares a candidate's outputs with the default schedule's). */
int cuMemAlloc_v2(dptr *pointer, size_t bytes) {
  add(kAllocs, 1);
  size_t rounded = kHeader + (bytes + kHeader - 1) / kHeader * kHeader;
  uint8_t *block = (uint8_t *)aligned_alloc(kHeader, rounded);
  if (!block)
    return kOutOfMemory;
  memset(block, 0, rounded);
  memcpy(block, &bytes, sizeof bytes);
  memcpy(block + sizeof bytes, "fake", 4);
  add(kLiveBytes, (long long)bytes);
  *pointer = (dptr)(uintptr_t)(block + kHeader);
  return kSuccess;
}
int cuMemFree_v2(dptr pointer) {
  add(kFrees, 1);
  uint8_t *block = (uint8_t *)(uintptr_t)pointer - kHeader;
  size_t bytes;
  if (!pointer || pointer % kHeader || memcmp(block + sizeof bytes, "fake", 4) != 0) {
    add(kBadFrees, 1);
    return kInvalidValue;
  }
  memcpy(&bytes, block, sizeof bytes);
  memset(block, 0, kHeader);
  free(block);
  add(kLiveBytes, -(long long)bytes);
  return kSuccess;
}
int cuPointerGetAttribute(void *result, int attribute, dptr pointer) {
  (void)attribute, (void)pointer;
  memcpy(result, &(void *){dummy_handle}, sizeof(void *));
  return kSuccess;
}

static int copy(void *to, const void *from, size_t bytes, void *s) {
  if (recording(s))
    add(kCapturedCopies, 1);
  memmove(to, from, bytes);
  return kSuccess;
}
#define DEV(p) ((void *)(uintptr_t)(p))
int cuMemcpyHtoD_v2(dptr to, const void *from, size_t n) { return copy(DEV(to), from, n, 0); }
int cuMemcpyDtoH_v2(void *to, dptr from, size_t n) { return copy(to, DEV(from), n, 0); }
int cuMemcpyDtoD_v2(dptr to, dptr from, size_t n) { return copy(DEV(to), DEV(from), n, 0); }
int cuMemcpyHtoDAsync_v2(dptr to, const void *from, size_t n, void *s) {
  return copy(DEV(to), from, n, s);
}
int cuMemcpyDtoHAsync_v2(void *to, dptr from, size_t n, void *s) {
  return copy(to, DEV(from), n, s);
}
int cuMemcpyDtoDAsync_v2(dptr to, dptr from, size_t n, void *s) {
  return copy(DEV(to), DEV(from), n, s);
}
int cuMemcpy3D_v2(const void *copy) { return (void)copy, kInvalidValue; } /* unused by cnnc */

/* Kernels: counted, not run. */
int cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                   unsigned bz, unsigned shared, void *s, void **params, void **extra) {
  (void)function, (void)params, (void)extra;
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024 || shared > (48u << 10))
    return kInvalidValue;
  stream *st = recording(s);
  if (st)
    st->kernels += 1;
  add(st ? kCaptured : kKernels, 1);
  return kSuccess;
}

/* Streams and graphs; FAKE_CUDA_FAIL names one that fails. */
static int failing(const char *name) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  return fail && strcmp(fail, name) == 0;
}
int cuStreamCreate(void **s, unsigned flags) {
  (void)flags;
  if (failing(__func__))
    return kUnknown;
  *s = calloc(1, sizeof(stream));
  return *s ? (add(kLiveHandles, 1), kSuccess) : kOutOfMemory;
}
int cuStreamDestroy_v2(void *s) {
  if ((uintptr_t)s <= 2)
    return kInvalidHandle;
  free(s);
  return add(kLiveHandles, -1), kSuccess;
}
int cuStreamSynchronize(void *s) {
  add(kSyncs, 1);
  if (recording(s))
    add(kCaptureSyncs, 1);
  return recording(s) ? kCaptureUnsupported : kSuccess;
}
int cuStreamBeginCapture_v2(void *s, int mode) {
  (void)mode;
  if (failing(__func__))
    return kUnknown;
  stream *st = (stream *)s;
  if ((uintptr_t)s <= 2 || st->capturing)
    return kInvalidValue;
  st->capturing = 1;
  st->kernels = 0;
  __atomic_add_fetch(&capturing_streams, 1, __ATOMIC_SEQ_CST);
  return kSuccess;
}
int cuStreamIsCapturing(void *s, int *status) {
  *status = recording(s) ? 1 : 0; /* CU_STREAM_CAPTURE_STATUS_ACTIVE : _NONE */
  return kSuccess;
}
int cuStreamEndCapture(void *s, void **out) {
  stream *st = recording(s);
  if (!st)
    return kInvalidValue;
  st->capturing = 0;
  __atomic_sub_fetch(&capturing_streams, 1, __ATOMIC_SEQ_CST);
  if (failing(__func__))
    return kUnknown;
  graph *g = (graph *)calloc(1, sizeof *g);
  if (!g)
    return kOutOfMemory;
  g->kernels = st->kernels;
  *out = g;
  return add(kLiveHandles, 1), kSuccess;
}
int cuGraphInstantiateWithFlags(void **exec, void *g, unsigned long long flags) {
  (void)flags;
  if (failing(__func__))
    return kUnknown;
  graph *e = (graph *)malloc(sizeof *e);
  if (!g || !e)
    return free(e), kInvalidValue;
  *e = *(graph *)g;
  *exec = e;
  return add(kLiveHandles, 1), kSuccess;
}
int cuGraphLaunch(void *exec, void *s) {
  if (failing(__func__))
    return kUnknown;
  if (!exec)
    return kInvalidHandle;
  if (recording(s)) /* as the driver: no graph launched into a recording */
    return kCaptureUnsupported;
  add(kGraphLaunches, 1);
  add(kReplayed, ((graph *)exec)->kernels);
  return kSuccess;
}
int cuGraphExecDestroy(void *exec) { return free(exec), add(kLiveHandles, -1), kSuccess; }
int cuGraphDestroy(void *g) { return free(g), add(kLiveHandles, -1), kSuccess; }
