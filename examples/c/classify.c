/* classify.c - runs a cnnc-compiled model from C.
 *
 * usage: classify_c MODEL.weights [THREADS]
 * Feeds a synthetic image (a smooth gradient), prints the five highest
 * logits, checks that a model created from the weights in memory agrees, and
 * shows the error a wrong input size gets. */
#include CNNC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file in memory (for create_from_memory); NULL if unreadable. */
static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = malloc(*size ? *size : 1);
  if (data && fread(data, 1, *size, f) != *size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

static int check(cnnc_status status, const char *what) {
  if (status.code == CNNC_OK)
    return 1;
  fprintf(stderr, "%s failed: %s\n", what, status.message);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.weights [THREADS]\n", argv[0]);
    return 2;
  }
  cnnc_options options = cnnc_default_options();
  options.num_threads = argc > 2 ? atoi(argv[2]) : 0;
  cnnc_model *model = NULL;
  if (!check(CNNC_MODEL_CREATE(argv[1], &options, &model), "create"))
    return 1;

  cnnc_model_info info = cnnc_info(model);
  float *input = malloc(info.input_count * sizeof *input);
  float *output = malloc(info.output_count * sizeof *output);
  for (size_t i = 0; i < info.input_count; ++i)
    input[i] = (float)(i % 251) / 125.0f - 1.0f;
  int ok = check(cnnc_run(model, input, info.input_count, output, info.output_count), "run");

  if (ok) {
    printf("%s: %lldx%lldx%lldx%lld -> %lld classes\ntop-5:", info.name,
           (long long)info.input_shape[0], (long long)info.input_shape[1],
           (long long)info.input_shape[2], (long long)info.input_shape[3],
           (long long)info.output_shape[1]);
    for (int k = 0; k < 5 && k < (int)info.output_count; ++k) {
      size_t best = 0;
      for (size_t i = 1; i < info.output_count; ++i)
        if (output[i] > output[best])
          best = i;
      printf(" %zu (%.4f)", best, output[best]);
      output[best] = -1e30f;
    }
    printf("\n");

    /* The same weights from memory give the same logits. */
    size_t size = 0;
    void *weights = read_file(argv[1], &size);
    cnnc_model *from_memory = NULL;
    float *again = malloc(info.output_count * sizeof *again);
    float *first = malloc(info.output_count * sizeof *first);
    ok = weights && check(cnnc_run(model, input, info.input_count, first, info.output_count),
                          "run") &&
         check(CNNC_MODEL_CREATE_FROM_MEMORY(weights, size, &options, &from_memory),
               "create from memory") &&
         check(cnnc_run(from_memory, input, info.input_count, again, info.output_count), "run");
    if (ok)
      printf("from memory: %s logits\n",
             memcmp(first, again, info.output_count * sizeof *again) == 0 ? "same" : "DIFFERENT");
    cnnc_destroy(from_memory);
    free(weights);
    free(again);
    free(first);

    /* A wrong input size is refused with a message, not a crash. */
    cnnc_status wrong = cnnc_run(model, input, info.input_count - 1, output, info.output_count);
    printf("wrong input size: %s\n", wrong.message);
  }
  free(input);
  free(output);
  cnnc_destroy(model);
  return ok ? 0 : 1;
}
