/* run_device.c - what cnnc_run_device says to a model that takes no device
 * buffers of the caller's (a CPU or an OpenCL model), and where the model
 * keeps its tensors. Built against a compiled model's library by the tests:
 *   cc -DCNNC_MODEL_HEADER='"m.h"' -DCNNC_MODEL_CREATE=cnnc_m_create_from_file ...
 *   run_device MODEL.weights */
#include CNNC_MODEL_HEADER

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  cnnc_model *model = NULL;
  cnnc_status status = CNNC_MODEL_CREATE(argv[1], NULL, &model);
  if (status.code != CNNC_OK) {
    fprintf(stderr, "create: %s\n", status.message);
    return 1;
  }
  printf("tensors in %s memory\n", cnnc_info(model).on_device ? "device" : "host");
  /* Stand-in handles: a model that takes none refuses before using them. */
  status = cnnc_run_device(model, 64, 128, NULL);
  printf("cnnc_run_device: status %d: %s\n", (int)status.code, status.message);
  status = cnnc_run_device(model, 0, 128, NULL);
  printf("null input: status %d: %s\n", (int)status.code, status.message);
  cnnc_destroy(model);
  return 0;
}
