/* cnnc_device.c - device memory of a GPU model: see cnnc_device.h. */
#include "cnnc_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set while a model gives its own buffers back: they go to the driver, not to
 * Halide's cache, so that destroy returns the memory. */
static _Thread_local int releasing;

/* Set while a model's kernels run with scratch memory of the model's own
 * (CUDA, cnnc_runtime_cuda.c): their intermediates neither come from nor go
 * to Halide's cache. */
static _Thread_local int own_scratch;

void cnnc_device_own_scratch(int on) { own_scratch = on; }

/* Halide asks this before it takes a device allocation from its cache and
 * before it caches a freed one. Kernels' own intermediates are cached (after
 * the first run, none comes from the driver) unless the model has scratch
 * memory for them; a model's weights, arena and staging buffers are freed.
 * Halide's global reuse setting, which the application may use, is left
 * alone. */
bool halide_can_reuse_device_allocations(void *user_context) {
  (void)user_context;
  return !releasing && !own_scratch;
}

static cnnc_status device_failure(const char *what, int error) {
  const char *halide = cnnc_halide_message();
  return cnnc_make_status(CNNC_DEVICE_FAILED, "cnnc_create: %s failed (Halide error %d)%s%s", what,
                          error, halide[0] ? ": " : "", halide);
}

/* Bytes as a two-dimensional buffer of CNNC_ALIGNMENT-byte rows starting at
 * row `first_row`: Halide's extents are 32-bit, and an arena of a large batch
 * passes 2 GiB. Every offset is a multiple of CNNC_ALIGNMENT. */
static void byte_rows(halide_buffer_t *b, halide_dimension_t dims[2], int64_t first_row,
                      size_t bytes) {
  memset(b, 0, sizeof *b);
  b->type.code = halide_type_uint;
  b->type.bits = 8;
  b->type.lanes = 1;
  b->dimensions = 2;
  b->dim = dims;
  size_t rows = cnnc_aligned(bytes) / CNNC_ALIGNMENT;
  halide_dimension_t d[2] = {{0, CNNC_ALIGNMENT, 1, 0},
                             {(int32_t)first_row, (int32_t)(rows ? rows : 1), CNNC_ALIGNMENT, 0}};
  memcpy(dims, d, sizeof d);
}

static size_t dense_bytes(const halide_buffer_t *b) {
  size_t bytes = (size_t)((b->type.bits + 7) / 8);
  for (int d = 0; d < b->dimensions; ++d)
    bytes *= (size_t)b->dim[d].extent;
  return bytes;
}

cnnc_status cnnc_device_open(cnnc_device *d, const struct halide_device_interface_t *interface,
                             const uint8_t *weights, size_t weights_bytes, size_t arena_bytes,
                             size_t max_views) {
  memset(d, 0, sizeof *d);
  d->interface = interface;
  d->views = (halide_buffer_t *)calloc(max_views ? max_views : 1, sizeof *d->views);
  d->view_dims =
      (halide_dimension_t *)calloc(2 * (max_views ? max_views : 1), sizeof *d->view_dims);
  d->max_views = max_views;
  if (!d->views || !d->view_dims)
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cnnc_create: out of memory");

  /* The upload copies whole rows: the weights go through a copy padded to
   * them, not straight from the caller's buffer, which ends with the last
   * tensor. */
  byte_rows(&d->weights, d->weights_dims, 0, weights_bytes);
  size_t padded = dense_bytes(&d->weights);
  uint8_t *rows = (uint8_t *)calloc(1, padded);
  if (!rows)
    return cnnc_make_status(CNNC_OUT_OF_MEMORY, "cnnc_create: out of memory");
  memcpy(rows, weights, weights_bytes);
  d->weights.host = rows;
  d->weights.flags = halide_buffer_flag_host_dirty;
  int error = halide_copy_to_device(NULL, &d->weights, interface);
  /* Finished before create returns: a model's first run and a caller's
   * stream (CUDA) need not be ordered after the default stream's upload. */
  if (!error)
    error = halide_device_sync(NULL, &d->weights);
  d->weights.host = NULL; /* the device holds the weights now */
  d->weights.flags = 0;
  free(rows);
  if (error)
    return device_failure("uploading the weights to the GPU", error);

  byte_rows(&d->arena, d->arena_dims, 0, arena_bytes);
  error = halide_device_malloc(NULL, &d->arena, interface);
  if (error)
    return device_failure("allocating the activation arena on the GPU", error);
  return cnnc_make_status(CNNC_OK, "");
}

cnnc_status cnnc_device_view(cnnc_device *d, int in_weights, int64_t offset,
                             halide_buffer_t *tensor) {
  if (d->num_views == d->max_views)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT, "cnnc_create: more tensor views than planned");
  const halide_buffer_t *parent = in_weights ? &d->weights : &d->arena;
  size_t parent_bytes = dense_bytes(parent), bytes = dense_bytes(tensor);
  if (offset < 0 || offset % CNNC_ALIGNMENT || (uint64_t)offset > parent_bytes ||
      bytes > parent_bytes - (size_t)offset)
    return cnnc_make_status(CNNC_INVALID_ARGUMENT,
                            "cnnc_create: a tensor of %zu bytes at offset %lld lies outside the "
                            "%s (%zu bytes) or off its %d-byte alignment",
                            bytes, (long long)offset, in_weights ? "weights" : "arena",
                            parent_bytes, CNNC_ALIGNMENT);
  halide_buffer_t *view = &d->views[d->num_views];
  byte_rows(view, &d->view_dims[2 * d->num_views], offset / CNNC_ALIGNMENT, bytes);
  int error = halide_device_crop(NULL, parent, view);
  if (error)
    return device_failure("a view into GPU memory", error);
  ++d->num_views;
  tensor->device = view->device;
  tensor->device_interface = view->device_interface;
  return cnnc_make_status(CNNC_OK, "");
}

cnnc_status cnnc_device_alloc(cnnc_device *d, halide_buffer_t *b, const char *what) {
  int error = halide_device_malloc(NULL, b, d->interface);
  if (error) {
    char step[96];
    snprintf(step, sizeof step, "allocating the model's %s on the GPU", what);
    return device_failure(step, error);
  }
  return cnnc_make_status(CNNC_OK, "");
}

void cnnc_device_free(halide_buffer_t *b) {
  if (!b->device)
    return;
  releasing = 1;
  halide_device_free(NULL, b);
  releasing = 0;
}

void cnnc_device_close(cnnc_device *d) {
  for (size_t i = 0; i < d->num_views; ++i)
    halide_device_release_crop(NULL, &d->views[i]);
  cnnc_device_free(&d->arena);
  cnnc_device_free(&d->weights);
  free(d->views);
  free(d->view_dims);
  memset(d, 0, sizeof *d);
}
