/* cnnc_runtime.c - the thin runtime linked into every compiled model.
 *
 * create: checks the weights (size, magic, signature, checksum), copies them
 * into aligned memory (a GPU model: into device memory, cnnc_device.c),
 * allocates the activation arena and builds every halide_buffer_t the kernel
 * calls need. run: points the input and output buffers at the caller's memory
 * (a GPU model: copies them in and out) and calls the kernels in order. */
#define _POSIX_C_SOURCE 200809L /* fstat, fileno */
#include "cnnc_device.h"
#include "cnnc_lookup.h"

#include "HalideRuntime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct cnnc_model {
  const cnnc_model_desc *desc;
  cnnc_options options;
  uint8_t *weights;
  uint8_t *arena;
  halide_buffer_t *buffers; /* one per call argument, all calls */
  halide_dimension_t *dims; /* four per buffer */
  void **argv;              /* one pointer per call argument */
  /* The model's input and output as one buffer each, which every call's
   * input and output arguments are bound to (bind_io): the caller's memory on
   * a CPU, device buffers of the model's own on a GPU. */
  halide_buffer_t input_stage, output_stage;
  halide_dimension_t input_dims[4], output_dims[2];
  /* A GPU model's device memory, and (CUDA) its launches: scratch memory and
   * the run recorded as a graph (cnnc_stream_api). */
  cnnc_device *device;
  void *launches;
  void *pending_stream; /* a caller's CUDA stream the last run may still be queued on */
};

/* Halide's runtime reports an error here before it returns the error code:
 * kept per thread for the status message, not printed. */
static _Thread_local char halide_message[256];

void halide_error(void *user_context, const char *message) {
  (void)user_context;
  snprintf(halide_message, sizeof halide_message, "%s", message);
  size_t n = strlen(halide_message);
  while (n && (halide_message[n - 1] == '\n' || halide_message[n - 1] == ' '))
    halide_message[--n] = 0;
}

const char *cnnc_halide_message(void) { return halide_message; }

static const cnnc_status kOk = {CNNC_OK, ""};

cnnc_options cnnc_default_options(void) {
  cnnc_options options = {0, CNNC_LAYOUT_NCHW, 0};
  return options;
}

static struct halide_type_t halide_type_of(cnnc_dtype dtype) {
  struct halide_type_t type;
  type.lanes = 1;
  type.bits = (uint8_t)(8 * cnnc_dtype_bytes(dtype));
  switch (dtype) {
  case CNNC_DTYPE_F32:
  case CNNC_DTYPE_F16:
    type.code = halide_type_float;
    break;
  case CNNC_DTYPE_BF16:
    type.code = halide_type_bfloat;
    break;
  case CNNC_DTYPE_I8:
  case CNNC_DTYPE_I32:
    type.code = halide_type_int;
    break;
  case CNNC_DTYPE_U8:
    type.code = halide_type_uint;
    break;
  }
  return type;
}

static size_t input_count(const cnnc_model_desc *d) {
  return (size_t)(d->input_shape[0] * d->input_shape[1] * d->input_shape[2] * d->input_shape[3]);
}

static size_t output_count(const cnnc_model_desc *d) {
  return (size_t)(d->output_shape[0] * d->output_shape[1]);
}

/* Dims of the model input in Halide order (c, x, y, n), strided by layout. */
static void input_dims(const cnnc_model *m, halide_dimension_t *dims) {
  int32_t n = (int32_t)m->desc->input_shape[0], c = (int32_t)m->desc->input_shape[1];
  int32_t h = (int32_t)m->desc->input_shape[2], w = (int32_t)m->desc->input_shape[3];
  int nchw = m->options.input_layout == CNNC_LAYOUT_NCHW;
  halide_dimension_t d[4] = {{0, c, nchw ? h * w : 1, 0},
                             {0, w, nchw ? 1 : c, 0},
                             {0, h, w * (nchw ? 1 : c), 0},
                             {0, n, c * h * w, 0}};
  memcpy(dims, d, sizeof d);
}

/* The model's output in Halide order (classes, n), dense. */
static void output_dims(const cnnc_model *m, halide_dimension_t *dims) {
  int32_t n = (int32_t)m->desc->output_shape[0], k = (int32_t)m->desc->output_shape[1];
  halide_dimension_t d[2] = {{0, k, 1, 0}, {0, n, k, 0}};
  memcpy(dims, d, sizeof d);
}

static void float_buffer(halide_buffer_t *b, halide_dimension_t *dims, int rank) {
  memset(b, 0, sizeof *b);
  b->type = halide_type_of(CNNC_DTYPE_F32);
  b->dimensions = rank;
  b->dim = dims;
}

/* Points every input and output argument at the memory of `in` and `out`. */
static void bind_io(cnnc_model *m, const halide_buffer_t *in, const halide_buffer_t *out) {
  size_t k = 0;
  for (int i = 0; i < m->desc->num_calls; ++i)
    for (int a = 0; a < m->desc->calls[i].num_args; ++a, ++k) {
      cnnc_tensor_kind kind = m->desc->calls[i].args[a].kind;
      const halide_buffer_t *source = kind == CNNC_TENSOR_INPUT    ? in
                                      : kind == CNNC_TENSOR_OUTPUT ? out
                                                                   : NULL;
      if (source) {
        m->buffers[k].host = source->host;
        m->buffers[k].device = source->device;
        m->buffers[k].device_interface = source->device_interface;
      }
    }
}

static cnnc_status build_buffers(cnnc_model *m) {
  size_t k = 0;
  for (int i = 0; i < m->desc->num_calls; ++i) {
    const cnnc_call *call = &m->desc->calls[i];
    for (int a = 0; a < call->num_args; ++a, ++k) {
      const cnnc_tensor_ref *ref = &call->args[a];
      halide_buffer_t *b = &m->buffers[k];
      halide_dimension_t *dims = &m->dims[4 * k];
      memset(b, 0, sizeof *b);
      b->type = halide_type_of(ref->dtype);
      b->dimensions = ref->rank;
      b->dim = dims;
      if (ref->kind == CNNC_TENSOR_INPUT) {
        input_dims(m, dims);
      } else {
        int32_t stride = 1;
        for (int d = 0; d < ref->rank; ++d) {
          dims[d].min = 0;
          dims[d].extent = ref->extents[d];
          dims[d].stride = stride;
          dims[d].flags = 0;
          stride *= ref->extents[d];
        }
      }
      m->argv[k] = b;
      int stored = ref->kind == CNNC_TENSOR_ARENA || ref->kind == CNNC_TENSOR_WEIGHT;
      if (stored && m->device) {
        cnnc_status s =
            cnnc_device_view(m->device, ref->kind == CNNC_TENSOR_WEIGHT, ref->offset, b);
        if (s.code != CNNC_OK)
          return s;
      } else if (ref->kind == CNNC_TENSOR_ARENA)
        b->host = m->arena + ref->offset;
      else if (ref->kind == CNNC_TENSOR_WEIGHT)
        b->host = m->weights + ref->offset;
    }
  }
  return kOk;
}

/* A call's output table is applied in chunks of this many bytes, over
 * Halide's thread pool: big enough that a chunk outweighs handing it out. */
enum { kLookupChunk = 16 * 1024 };

typedef struct lookup_job {
  uint8_t *data;
  size_t size;
  const uint8_t *table;
} lookup_job;

static int lookup_chunk(void *user_context, int chunk, uint8_t *closure) {
  (void)user_context;
  const lookup_job *job = (const lookup_job *)closure;
  size_t begin = (size_t)chunk * kLookupChunk;
  size_t end = begin + kLookupChunk < job->size ? begin + kLookupChunk : job->size;
  cnnc_lookup_u8(job->data + begin, end - begin, job->table);
  return 0;
}

/* table[x] for every byte x of a dense host buffer, in place. */
static void apply_table(const halide_buffer_t *b, const uint8_t *table) {
  lookup_job job = {b->host, 1, table};
  for (int d = 0; d < b->dimensions; ++d)
    job.size *= (size_t)b->dim[d].extent;
  int chunks = (int)((job.size + kLookupChunk - 1) / kLookupChunk);
  if (chunks > 1)
    halide_do_par_for(NULL, lookup_chunk, 0, chunks, (uint8_t *)&job);
  else
    cnnc_lookup_u8(job.data, job.size, table);
}

static double now_micros(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

/* Calls the kernels in order; with `call_micros`, each call's wall-clock
 * microseconds (its output table included) are written there. A GPU kernel
 * call returns once the kernel is queued: timed, each is waited for before
 * the next starts (halide_device_sync, after one for the input's copy), so
 * that its time is its own, its launch and the wait included. The wait is
 * the device's (a CUDA context's, on the default stream): a profile, not
 * what a replayed run costs. */
static cnnc_status run_kernels_timed(cnnc_model *m, double *call_micros) {
  size_t k = 0;
  if (call_micros && m->device && halide_device_sync(NULL, &m->input_stage) != 0)
    return cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_run: copying the input to the GPU: %s",
                            halide_message);
  for (int i = 0; i < m->desc->num_calls; ++i) {
    const cnnc_call *call = &m->desc->calls[i];
    halide_message[0] = 0;
    double start = call_micros ? now_micros() : 0;
    int err = call->kernel(m->argv + k);
    if (err == 0 && call_micros && m->device)
      err = halide_device_sync(NULL, &m->output_stage);
    if (err != 0)
      return cnnc_make_status(m->device ? CNNC_DEVICE_FAILED : CNNC_KERNEL_FAILED,
                              "cnnc_run: kernel %d (%s) failed with Halide error %d%s%s", i,
                              call->name, err, halide_message[0] ? ": " : "", halide_message);
    if (call->output_table) /* u8 tensors: host memory (GPU models are float) */
      apply_table(&m->buffers[k + (size_t)call->output_arg], call->output_table);
    if (call_micros)
      call_micros[i] = now_micros() - start;
    k += (size_t)call->num_args;
  }
  return kOk;
}

static cnnc_status run_kernels(cnnc_model *m) { return run_kernels_timed(m, NULL); }

static cnnc_status run_model(void *m) { return run_kernels((cnnc_model *)m); }

/* A GPU model's device memory: weights, arena, tensor views, the input and
 * output buffers; then one run, so that the GPU code is loaded and the
 * intermediates Halide allocates inside kernels are in place before the
 * first real run (CUDA: in scratch memory of the model's own, the run
 * recorded as a graph; OpenCL: in Halide's cache). */
static cnnc_status open_device(cnnc_model *m, const uint8_t *weights) {
  const cnnc_model_desc *desc = m->desc;
  halide_message[0] = 0;
  size_t views = 0;
  for (int i = 0; i < desc->num_calls; ++i)
    views += (size_t)desc->calls[i].num_args;
  m->device = (cnnc_device *)calloc(1, sizeof *m->device);
  if (!m->device)
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cnnc_create: out of memory");
  if (desc->streams) /* installs the API's context and stream hooks */
    desc->streams->select_stream(NULL);
  cnnc_status s = cnnc_device_open(m->device, desc->device_interface(), weights,
                                   desc->weights_bytes, desc->arena_bytes, views);
  if (s.code != CNNC_OK)
    return s;
  s = cnnc_device_alloc(m->device, &m->input_stage, "input");
  if (s.code == CNNC_OK)
    s = cnnc_device_alloc(m->device, &m->output_stage, "output");
  if (s.code == CNNC_OK)
    s = build_buffers(m);
  if (s.code != CNNC_OK)
    return s;
  bind_io(m, &m->input_stage, &m->output_stage);
  if (desc->streams)
    return desc->streams->open(run_model, m, !m->options.launch_each_kernel, &m->launches);
  s = run_kernels(m);
  if (s.code == CNNC_OK && halide_device_sync(NULL, &m->output_stage) != 0)
    s = cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_create: the first GPU run failed: %s",
                         halide_message);
  return s;
}

/* Refuses a CPU that lacks a feature the kernels use: they would die with
 * SIGILL. Names every missing feature. */
static cnnc_status check_cpu(const cnnc_model_desc *d) {
  enum { kWords = (halide_target_feature_end + 63) / 64 };
  char missing[160] = "";
  for (int i = 0; i < d->num_cpu_features; ++i) {
    uint64_t mask[kWords] = {0};
    int f = d->cpu_features[i].halide_feature;
    mask[f / 64] = (uint64_t)1 << (f % 64);
    if (!halide_can_use_target_features(kWords, mask)) {
      size_t used = strlen(missing);
      snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "",
               d->cpu_features[i].name);
    }
  }
  if (missing[0])
    return cnnc_make_status(CNNC_UNSUPPORTED_CPU,
                            "model '%s' was compiled for %s; this CPU lacks %s", d->name, d->target,
                            missing);
  return kOk;
}

cnnc_status cnnc_create_from_memory(const cnnc_model_desc *desc, const void *data, size_t size,
                                    const cnnc_options *options, cnnc_model **out) {
  if (!desc || !data || !out)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT, "cnnc_create: null argument");
  *out = NULL;
  cnnc_options opts = options ? *options : cnnc_default_options();
  if (opts.num_threads < 0 ||
      (opts.input_layout != CNNC_LAYOUT_NCHW && opts.input_layout != CNNC_LAYOUT_NHWC))
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "cnnc_create: bad options (threads %d, layout %d)", opts.num_threads,
                            (int)opts.input_layout);

  cnnc_status cpu = check_cpu(desc);
  if (cpu.code != CNNC_OK)
    return cpu;

  cnnc_status weights = cnnc_check_weights(desc, data, size);
  if (weights.code != CNNC_OK)
    return weights;
  const uint8_t *bytes = (const uint8_t *)data;

  size_t num_args = 0;
  for (int i = 0; i < desc->num_calls; ++i)
    num_args += (size_t)desc->calls[i].num_args;
  cnnc_model *m = (cnnc_model *)calloc(1, sizeof *m);
  if (!m)
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cnnc_create: out of memory");
  m->desc = desc;
  m->options = opts;
  size_t weight_bytes = cnnc_aligned(desc->weights_bytes);
  size_t arena_bytes = cnnc_aligned(desc->arena_bytes);
  int on_device = desc->device_interface != NULL; /* weights and arena live on the GPU */
  if (!on_device) {
    m->weights =
        (uint8_t *)aligned_alloc(CNNC_ALIGNMENT, weight_bytes ? weight_bytes : CNNC_ALIGNMENT);
    m->arena = (uint8_t *)aligned_alloc(CNNC_ALIGNMENT, arena_bytes ? arena_bytes : CNNC_ALIGNMENT);
  }
  m->buffers = (halide_buffer_t *)calloc(num_args, sizeof *m->buffers);
  m->dims = (halide_dimension_t *)calloc(4 * num_args, sizeof *m->dims);
  m->argv = (void **)calloc(num_args, sizeof *m->argv);
  if ((!on_device && (!m->weights || !m->arena)) || !m->buffers || !m->dims || !m->argv) {
    cnnc_destroy(m);
    return cnnc_make_status(CNNC_OUT_OF_MEMORY,
                            "cnnc_create: out of memory (%zu bytes of weights, %zu of "
                            "arena)",
                            weight_bytes, arena_bytes);
  }
  float_buffer(&m->input_stage, m->input_dims, 4);
  input_dims(m, m->input_dims);
  float_buffer(&m->output_stage, m->output_dims, 2);
  output_dims(m, m->output_dims);
  cnnc_status built;
  if (on_device) {
    built = open_device(m, bytes + CNNC_WEIGHTS_HEADER_BYTES);
  } else {
    memcpy(m->weights, bytes + CNNC_WEIGHTS_HEADER_BYTES, desc->weights_bytes);
    built = build_buffers(m);
  }
  if (built.code != CNNC_OK) {
    cnnc_destroy(m);
    return built;
  }
  if (desc->use_thread_pool)
    desc->use_thread_pool(opts.num_threads);
  else if (opts.num_threads > 0)
    halide_set_num_threads(opts.num_threads);
  *out = m;
  return kOk;
}

cnnc_status cnnc_create_from_file(const cnnc_model_desc *desc, const char *path,
                                  const cnnc_options *options, cnnc_model **out) {
  if (!path || !out)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT, "cnnc_create: null argument");
  *out = NULL;
  cnnc_status cpu = check_cpu(desc); /* before the weights: they are not the problem */
  if (cpu.code != CNNC_OK)
    return cpu;
  FILE *f = fopen(path, "rb");
  if (!f)
    return cnnc_make_status(CNNC_BAD_WEIGHTS, "cannot open weights file '%s'", path);
  /* Only a regular file of exactly the model's size is read: a directory, a
   * device or a file of another size is refused before any allocation. */
  struct stat st;
  size_t expected = CNNC_WEIGHTS_HEADER_BYTES + desc->weights_bytes;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return cnnc_make_status(CNNC_BAD_WEIGHTS, "'%s' is not a regular file", path);
  }
  uint8_t magic[8];
  size_t head = fread(magic, 1, sizeof magic, f);
  if (head != sizeof magic || memcmp(magic, CNNC_WEIGHTS_MAGIC, sizeof magic) != 0) {
    fclose(f);
    return cnnc_make_status(CNNC_BAD_WEIGHTS,
                            "%s: not a cnnc weights file (%lld bytes, no %s header)", path,
                            (long long)st.st_size, CNNC_WEIGHTS_MAGIC);
  }
  if ((uint64_t)st.st_size != (uint64_t)expected) {
    fclose(f);
    return cnnc_make_status(CNNC_BAD_WEIGHTS,
                            "%s: weights are truncated or padded: %lld bytes, model '%s' needs %zu",
                            path, (long long)st.st_size, desc->name, expected);
  }
  rewind(f);
  size_t size = (size_t)st.st_size;
  void *data = malloc(size ? size : 1);
  if (!data) {
    fclose(f);
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cannot read '%s': out of memory", path);
  }
  size_t got = fread(data, 1, size, f);
  fclose(f);
  cnnc_status s = got == size
                      ? cnnc_create_from_memory(desc, data, size, options, out)
                      : cnnc_make_status(CNNC_BAD_WEIGHTS, "cannot read weights file '%s'", path);
  free(data);
  if (s.code != CNNC_OK) { /* name the file in the message */
    char message[sizeof s.message];
    snprintf(message, sizeof message, "%s: %s", path, s.message);
    memcpy(s.message, message, sizeof message);
  }
  return s;
}

/* Waits for a run still queued on a caller's stream: every run shares the
 * model's arena, so the next one (on another stream) must not start before. */
static cnnc_status finish_pending(cnnc_model *m) {
  if (!m->pending_stream)
    return kOk;
  m->desc->streams->select_stream(m->pending_stream);
  int error = halide_device_sync(NULL, &m->output_stage);
  m->desc->streams->select_stream(NULL);
  m->pending_stream = NULL;
  if (error)
    return cnnc_make_status(CNNC_DEVICE_FAILED,
                            "cnnc_run: the previous run on the caller's "
                            "stream failed: %s",
                            halide_message);
  return kOk;
}

/* A GPU model's kernels on `stream`, reading and writing the model's own input
 * and output buffers: the recorded run replayed, else (none recorded, or
 * timed: `call_micros`) kernel by kernel. */
static cnnc_status launch_on_device(cnnc_model *m, const char *fn, void *stream,
                                    double *call_micros) {
  const cnnc_stream_api *api = m->desc->streams;
  if (!api)
    return run_kernels_timed(m, call_micros);
  int error = call_micros ? 1 : api->replay(m->launches, stream);
  if (error == 0)
    return kOk;
  if (error != 1)
    return cnnc_make_status(CNNC_DEVICE_FAILED,
                            "%s: replaying the recorded run failed (CUDA error %d)", fn, error);
  api->select_stream(stream);
  api->enter(m->launches);
  cnnc_status s = run_kernels_timed(m, call_micros);
  api->leave(m->launches);
  api->select_stream(NULL);
  return s;
}

/* cnnc_run (and cnnc_run_timed) of a GPU model: the input copied to the
 * device, the kernels, the logits copied back. */
static cnnc_status run_on_device_from_host(cnnc_model *m, const float *input, float *output,
                                           double *call_micros) {
  const struct halide_device_interface_t *interface = m->device->interface;
  halide_message[0] = 0;
  cnnc_status pending = finish_pending(m);
  if (pending.code != CNNC_OK)
    return pending;
  m->input_stage.host = (uint8_t *)input;
  m->input_stage.flags = halide_buffer_flag_host_dirty;
  int error = halide_copy_to_device(NULL, &m->input_stage, interface);
  m->input_stage.host = NULL;
  if (error)
    return cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_run: copying the input to the GPU: %s",
                            halide_message);
  cnnc_status s = launch_on_device(m, "cnnc_run", NULL, call_micros);
  if (s.code != CNNC_OK)
    return s;
  m->output_stage.host = (uint8_t *)output;
  m->output_stage.flags = halide_buffer_flag_device_dirty;
  error = halide_copy_to_host(NULL, &m->output_stage);
  m->output_stage.host = NULL;
  m->output_stage.flags = 0;
  if (error)
    return cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_run: copying the logits from the GPU: %s",
                            halide_message);
  return kOk;
}

/* cnnc_run and cnnc_run_timed (`fn`, for messages): the arguments checked,
 * the input and output bound, the kernels run. */
static cnnc_status run_checked(const char *fn, cnnc_model *m, const float *input, size_t input_size,
                               float *output, size_t output_size, double *call_micros) {
  if (!m || !input || !output)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT, "%s: null argument", fn);
  if (m->desc->input_dtype != CNNC_DTYPE_F32 || m->desc->output_dtype != CNNC_DTYPE_F32)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "%s: model '%s' takes dtype %d and gives dtype %d; %s passes float32",
                            fn, m->desc->name, (int)m->desc->input_dtype,
                            (int)m->desc->output_dtype, fn);
  if (input_size != input_count(m->desc))
    return cnnc_make_status(
        CNNC_INVALID_ARGUMENT,
        "%s: input holds %zu floats, model '%s' takes %zu (%lldx%lldx%lldx%lld)", fn, input_size,
        m->desc->name, input_count(m->desc), (long long)m->desc->input_shape[0],
        (long long)m->desc->input_shape[1], (long long)m->desc->input_shape[2],
        (long long)m->desc->input_shape[3]);
  if (output_size != output_count(m->desc))
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "%s: output holds %zu floats, model '%s' gives %zu", fn, output_size,
                            m->desc->name, output_count(m->desc));
  if (m->device)
    return run_on_device_from_host(m, input, output, call_micros);
  m->input_stage.host = (uint8_t *)input;
  m->output_stage.host = (uint8_t *)output;
  bind_io(m, &m->input_stage, &m->output_stage);
  return run_kernels_timed(m, call_micros);
}

cnnc_status cnnc_run(cnnc_model *m, const float *input, size_t input_size, float *output,
                     size_t output_size) {
  return run_checked("cnnc_run", m, input, input_size, output, output_size, NULL);
}

cnnc_status cnnc_run_timed(cnnc_model *m, const float *input, size_t input_size, float *output,
                           size_t output_size, double *call_micros, size_t num_calls) {
  if (m && (!call_micros || num_calls != (size_t)m->desc->num_calls))
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "cnnc_run_timed: model '%s' makes %d kernel calls, given room for %zu",
                            m->desc->name, m->desc->num_calls, call_micros ? num_calls : 0);
  return run_checked("cnnc_run_timed", m, input, input_size, output, output_size, call_micros);
}

size_t cnnc_num_calls(const cnnc_model *m) { return m ? (size_t)m->desc->num_calls : 0; }

const char *cnnc_call_name(const cnnc_model *m, int call) {
  return m && call >= 0 && call < m->desc->num_calls ? m->desc->calls[call].name : NULL;
}

int cnnc_call_kernel(const cnnc_model *m, int call) {
  return m && call >= 0 && call < m->desc->num_calls ? m->desc->calls[call].kernel_index : -1;
}

cnnc_status cnnc_run_device(cnnc_model *m, uint64_t input, uint64_t output, void *stream) {
  if (!m || !input || !output)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT, "cnnc_run_device: null argument");
  if (!m->device)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "cnnc_run_device: model '%s' was compiled for %s and keeps its "
                            "tensors in host memory; call cnnc_run",
                            m->desc->name, m->desc->target);
  /* An OpenCL model's buffers live in the OpenCL context Halide's runtime
   * made for itself, which no caller's cl_mem belongs to. */
  const cnnc_stream_api *api = m->desc->streams;
  if (!api)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "cnnc_run_device: model '%s' (%s) takes no device buffers of the "
                            "caller's yet (its OpenCL context is the runtime's own); call cnnc_run",
                            m->desc->name, m->desc->target);
  halide_message[0] = 0;
  if (stream != m->pending_stream) {
    cnnc_status pending = finish_pending(m);
    if (pending.code != CNNC_OK)
      return pending;
  }
  /* The recorded run reads and writes the model's own buffers: the caller's
   * are copied in and out on the same stream (device to device). */
  int error = api->copy(m->input_stage.device, input, input_count(m->desc) * sizeof(float), stream);
  if (error)
    return cnnc_make_status(CNNC_DEVICE_FAILED,
                            "cnnc_run_device: cannot read the input from the given device buffer "
                            "(CUDA error %d)",
                            error);
  cnnc_status s = launch_on_device(m, "cnnc_run_device", stream, NULL);
  if (s.code == CNNC_OK && (error = api->copy(output, m->output_stage.device,
                                              output_count(m->desc) * sizeof(float), stream)) != 0)
    s = cnnc_make_status(CNNC_DEVICE_FAILED,
                         "cnnc_run_device: cannot write the logits into the given device buffer "
                         "(CUDA error %d)",
                         error);
  /* Work may be queued from the first copy on, failed or not: a caller's
   * stream stays pending (the next run or destroy waits for it, and reports
   * its failure), the default stream is waited for now. */
  m->pending_stream = stream;
  if (!stream) {
    int failed = halide_device_sync(NULL, &m->output_stage);
    if (s.code == CNNC_OK && failed)
      s = cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_run_device: %s", halide_message);
  }
  return s;
}

cnnc_model_info cnnc_info(const cnnc_model *m) {
  cnnc_model_info info;
  memset(&info, 0, sizeof info);
  if (!m)
    return info;
  info.name = m->desc->name;
  memcpy(info.input_shape, m->desc->input_shape, sizeof info.input_shape);
  memcpy(info.output_shape, m->desc->output_shape, sizeof info.output_shape);
  info.input_dtype = m->desc->input_dtype;
  info.output_dtype = m->desc->output_dtype;
  info.input_count = input_count(m->desc);
  info.output_count = output_count(m->desc);
  info.arena_bytes = m->desc->arena_bytes;
  info.weights_bytes = m->desc->weights_bytes;
  info.on_device = m->device != NULL;
  if (m->launches) {
    info.no_graph_why = m->desc->streams->why_not_recorded(m->launches);
    info.replays_graph = info.no_graph_why == NULL;
  }
  return info;
}

void cnnc_destroy(cnnc_model *m) {
  if (!m)
    return;
  if (m->device) {
    finish_pending(m); /* nothing may still write into memory given back */
    if (m->launches)
      m->desc->streams->close(m->launches);
    cnnc_device_free(&m->input_stage);
    cnnc_device_free(&m->output_stage);
    cnnc_device_close(m->device);
    free(m->device);
  }
  free(m->weights);
  free(m->arena);
  free(m->buffers);
  free(m->dims);
  free(m->argv);
  free(m);
}
