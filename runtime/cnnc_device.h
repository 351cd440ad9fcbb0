/* cnnc_device.h - device memory of a GPU model (private to the runtime).
 *
 * The weights and the activation arena are one device allocation each, made
 * at create; every tensor a kernel reads or writes is a view into one of them
 * (a Halide device crop), and the model's input and output have a device
 * buffer each that run copies into and out of. So run allocates nothing, and
 * a tensor's host pointer stays NULL: no Halide pipeline copies anything
 * behind the runtime's back. */
#ifndef CNNC_DEVICE_H
#define CNNC_DEVICE_H

#include "cnnc_model_desc.h"

#include "HalideRuntime.h"

typedef struct cnnc_device {
  const struct halide_device_interface_t *interface;
  halide_buffer_t weights, arena; /* bytes, in rows of CNNC_ALIGNMENT */
  halide_dimension_t weights_dims[2], arena_dims[2];
  halide_buffer_t *views;        /* one per tensor view, released at close */
  halide_dimension_t *view_dims; /* two per view */
  size_t num_views, max_views;
} cnnc_device;

/* Allocates the weights and the arena on the device and uploads the weights.
 * `max_views` bounds the calls to cnnc_device_view. */
cnnc_status cnnc_device_open(cnnc_device *d, const struct halide_device_interface_t *interface,
                             const uint8_t *weights, size_t weights_bytes, size_t arena_bytes,
                             size_t max_views);

/* Points `tensor` (dense, its type and dims set) at `offset` bytes into the
 * weights (`in_weights`) or the arena on the device. */
cnnc_status cnnc_device_view(cnnc_device *d, int in_weights, int64_t offset,
                             halide_buffer_t *tensor);

/* Gives `b` (dims set, host NULL) device memory of its own; `what` names it
 * in the message. */
cnnc_status cnnc_device_alloc(cnnc_device *d, halide_buffer_t *b, const char *what);

/* Gives `b`'s device memory back to the driver (not to Halide's cache). */
void cnnc_device_free(halide_buffer_t *b);

/* Releases the views and the device memory (safe on a partly opened device). */
void cnnc_device_close(cnnc_device *d);

/* While `on`, the kernels this thread runs take their intermediates from
 * scratch memory of their model's own, not from Halide's cache. */
void cnnc_device_own_scratch(int on);

/* The last error Halide's runtime reported on this thread, or "". */
const char *cnnc_halide_message(void);

#endif /* CNNC_DEVICE_H */
