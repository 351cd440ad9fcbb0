/* run_counts.c - what a CUDA model asks of the driver at create, at each run
 * and at destroy, counted by the fake driver (fake_cuda.c).
 *
 * usage: run_counts LIBMODEL.so IDENTIFIER MODEL.weights [capture]
 * with the fake as libcuda.so.1 on LD_LIBRARY_PATH. Creates the model twice,
 * replaying its recorded graph and then with launch_each_kernel = 1; each
 * time prints cnnc_info's replays_graph and no_graph_why, then what create,
 * three cnnc_run calls on a zero input, one cnnc_run_device, one
 * cnnc_run_timed (each kernel launched and waited for) and destroy did
 * to the fake's counters (the logits are garbage: the fake runs no kernel).
 * With `capture`, instead one cnnc_run_device on a stream the application
 * records a graph of its own on. */
#include "cnnc_runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef cnnc_status (*create_fn)(const char *, const cnnc_options *, cnnc_model **);
static long long (*count)(const char *);
static int (*device_alloc)(unsigned long long *, size_t);
static int (*device_free)(unsigned long long);
static int (*stream_create)(void **, unsigned);
static int (*stream_destroy)(void *);
static int (*begin_capture)(void *, int);
static int (*end_capture)(void *, void **);
static int (*graph_destroy)(void *);

static const char *const counted[] = {"allocs",     "frees",          "kernels",
                                      "captured",   "graph_launches", "replayed",
                                      "live_bytes", "live_handles",   "context_depth"};
enum { kCounted = sizeof counted / sizeof counted[0] };

typedef struct snapshot {
  long long value[kCounted];
} snapshot;

static snapshot now(void) {
  snapshot s;
  for (int i = 0; i < kCounted; ++i)
    s.value[i] = count(counted[i]);
  return s;
}

/* Prints what happened since *since, and moves it on. */
static void step(const char *what, snapshot *since) {
  snapshot s = now();
  printf("  %s:", what);
  for (int i = 0; i < kCounted; ++i)
    printf(" %s=%lld", counted[i], s.value[i] - since->value[i]);
  printf("\n");
  *since = s;
}

static int check(cnnc_status status, const char *what) {
  if (status.code != CNNC_OK)
    printf("  %s failed: %s\n", what, status.message);
  return status.code == CNNC_OK;
}

static int run_mode(void *lib, create_fn create, const char *weights, int launch_each_kernel,
                    int capture) {
  cnnc_options (*default_options)(void) = (cnnc_options(*)(void))dlsym(lib, "cnnc_default_options");
  cnnc_model_info (*info)(const cnnc_model *) =
      (cnnc_model_info(*)(const cnnc_model *))dlsym(lib, "cnnc_info");
  cnnc_status (*run)(cnnc_model *, const float *, size_t, float *, size_t) =
      (cnnc_status(*)(cnnc_model *, const float *, size_t, float *, size_t))dlsym(lib, "cnnc_run");
  cnnc_status (*run_device)(cnnc_model *, uint64_t, uint64_t, void *) =
      (cnnc_status(*)(cnnc_model *, uint64_t, uint64_t, void *))dlsym(lib, "cnnc_run_device");
  cnnc_status (*run_timed)(cnnc_model *, const float *, size_t, float *, size_t, double *,
                           size_t) =
      (cnnc_status(*)(cnnc_model *, const float *, size_t, float *, size_t, double *,
                      size_t))dlsym(lib, "cnnc_run_timed");
  size_t (*num_calls)(const cnnc_model *) =
      (size_t(*)(const cnnc_model *))dlsym(lib, "cnnc_num_calls");
  void (*destroy)(cnnc_model *) = (void (*)(cnnc_model *))dlsym(lib, "cnnc_destroy");

  cnnc_options options = default_options();
  options.launch_each_kernel = launch_each_kernel;
  printf("launch_each_kernel=%d\n", launch_each_kernel);
  snapshot before = now(), since = before;
  cnnc_model *model = NULL;
  if (!check(create(weights, &options, &model), "create"))
    return 0;
  step("create", &since);
  cnnc_model_info i = info(model);
  printf("  replays_graph=%d no_graph_why=%s\n", i.replays_graph,
         i.no_graph_why ? i.no_graph_why : "(none)");

  float *input = (float *)calloc(i.input_count, sizeof *input);
  float *output = (float *)calloc(i.output_count, sizeof *output);
  unsigned long long device_input = 0, device_output = 0;
  int ok = input && output && device_alloc(&device_input, i.input_count * sizeof *input) == 0 &&
           device_alloc(&device_output, i.output_count * sizeof *output) == 0;
  since = now();
  for (int r = 1; ok && r <= 3; ++r) {
    ok = check(run(model, input, i.input_count, output, i.output_count), "cnnc_run");
    char what[32];
    snprintf(what, sizeof what, "cnnc_run %d", r);
    step(what, &since);
  }
  if (ok && check(run_device(model, device_input, device_output, NULL), "cnnc_run_device"))
    step("cnnc_run_device", &since);
  size_t calls = num_calls(model);
  double *micros = (double *)calloc(calls, sizeof *micros);
  long long syncs = count("syncs");
  if (ok && !capture && micros &&
      check(run_timed(model, input, i.input_count, output, i.output_count, micros, calls),
            "cnnc_run_timed")) {
    step("cnnc_run_timed", &since);
    /* The input's copy waited for, then each call (the logits' copy back
     * waits by itself). */
    printf("  cnnc_run_timed waited for the input and each of its %zu calls: %s\n", calls,
           count("syncs") - syncs == (long long)calls + 1 ? "yes" : "no");
  }
  free(micros);
  void *stream = NULL, *graph = NULL;
  if (ok && capture && stream_create(&stream, 1) == 0 && begin_capture(stream, 2) == 0) {
    since = now();
    ok = check(run_device(model, device_input, device_output, stream),
               "cnnc_run_device into the application's graph") &&
         end_capture(stream, &graph) == 0;
    step("cnnc_run_device into the application's graph", &since);
    graph_destroy(graph);
    stream_destroy(stream);
    since = now();
  }
  destroy(model);
  step("destroy", &since);
  device_free(device_input);
  device_free(device_output);
  free(input);
  free(output);
  since = before;
  step("since before create", &since);
  return ok;
}

int main(int argc, char **argv) {
  int capture = argc == 5 && strcmp(argv[4], "capture") == 0;
  if (argc != 4 && !capture) {
    fprintf(stderr, "usage: %s LIBMODEL.so IDENTIFIER MODEL.weights [capture]\n", argv[0]);
    return 2;
  }
  void *fake = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  count = fake ? (long long (*)(const char *))dlsym(fake, "fake_cuda_count") : NULL;
  if (!count) {
    fprintf(stderr, "run_counts: libcuda.so.1 is not the fake driver (fake_cuda.c)\n");
    return 2;
  }
  device_alloc = (int (*)(unsigned long long *, size_t))dlsym(fake, "cuMemAlloc_v2");
  device_free = (int (*)(unsigned long long))dlsym(fake, "cuMemFree_v2");
  stream_create = (int (*)(void **, unsigned))dlsym(fake, "cuStreamCreate");
  stream_destroy = (int (*)(void *))dlsym(fake, "cuStreamDestroy_v2");
  begin_capture = (int (*)(void *, int))dlsym(fake, "cuStreamBeginCapture_v2");
  end_capture = (int (*)(void *, void **))dlsym(fake, "cuStreamEndCapture");
  graph_destroy = (int (*)(void *))dlsym(fake, "cuGraphDestroy");
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  char name[256];
  snprintf(name, sizeof name, "cnnc_%s_create_from_file", argv[2]);
  create_fn create = lib ? (create_fn)dlsym(lib, name) : NULL;
  if (!create) {
    fprintf(stderr, "run_counts: %s\n", dlerror());
    return 2;
  }
  if (capture)
    return run_mode(lib, create, argv[3], 0, 1) ? 0 : 1;
  int ok = run_mode(lib, create, argv[3], 0, 0) && run_mode(lib, create, argv[3], 1, 0);
  return ok ? 0 : 1;
}
