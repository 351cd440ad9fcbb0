/* cnnc_run_timed through the C API, as a profiling application calls it:
 * each kernel call timed, the calls named and mapped to their kernels, the
 * logits those of cnnc_run, and a wrongly sized array refused.
 * usage: run_timed WEIGHTS */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include CNNC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_micros(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

int main(int argc, char **argv) {
  cnnc_options options = cnnc_default_options();
  cnnc_model *model = NULL;
  cnnc_status s = CNNC_MODEL_CREATE(argc > 1 ? argv[1] : "", &options, &model);
  if (s.code != CNNC_OK) {
    fprintf(stderr, "%s\n", s.message);
    return 1;
  }
  cnnc_model_info info = cnnc_info(model);
  size_t num_calls = cnnc_num_calls(model);
  float *input = calloc(info.input_count, sizeof *input);
  float *plain = calloc(info.output_count, sizeof *plain);
  float *timed = calloc(info.output_count, sizeof *timed);
  double *micros = calloc(num_calls, sizeof *micros);
  for (size_t i = 0; i < info.input_count; ++i)
    input[i] = (float)((i * 7919) % 255) / 255.0f;
  s = cnnc_run(model, input, info.input_count, plain, info.output_count);
  double start = now_micros();
  cnnc_status t =
      cnnc_run_timed(model, input, info.input_count, timed, info.output_count, micros, num_calls);
  double whole = now_micros() - start;
  if (s.code != CNNC_OK || t.code != CNNC_OK) {
    fprintf(stderr, "%s%s\n", s.message, t.message);
    return 1;
  }
  double sum = 0;
  int timedCalls = 0, named = 0, kernelsInRange = 1, kernels = 0;
  for (size_t c = 0; c < num_calls; ++c) {
    sum += micros[c];
    timedCalls += micros[c] > 0;
    named += cnnc_call_name(model, (int)c) != NULL;
    int k = cnnc_call_kernel(model, (int)c);
    kernelsInRange &= k >= 0 && (size_t)k < num_calls;
    kernels = k + 1 > kernels ? k + 1 : kernels;
  }
  printf("%zu calls, %d timed, %d named, kernels k0..k%d%s\n", num_calls, timedCalls, named,
         kernels - 1, kernelsInRange ? "" : " (out of range)");
  printf("calls within the run: %s\n", sum <= whole ? "yes" : "no");
  printf("same logits as cnnc_run: %s\n",
         memcmp(plain, timed, info.output_count * sizeof *plain) == 0 ? "yes" : "no");
  printf("out of range: %s %d\n", cnnc_call_name(model, (int)num_calls) ? "named" : "NULL",
         cnnc_call_kernel(model, -1));
  t = cnnc_run_timed(model, input, info.input_count, timed, info.output_count, micros,
                     num_calls - 1);
  printf("short array: %s\n", t.message);
  cnnc_destroy(model);
  free(input);
  free(plain);
  free(timed);
  free(micros);
  return 0;
}
