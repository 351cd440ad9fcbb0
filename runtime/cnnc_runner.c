/* cnnc_runner.c - runs a compiled model where cnnc itself cannot load it.
 *
 * `cnnc compile` builds this program for the model's target and links it with
 * lib<name>.a, so that `cnnc run` and `cnnc bench` work on a model for another
 * architecture: cnnc starts the runner through a launcher (qemu-aarch64, or a
 * command prefix such as `ssh board`) and exchanges raw float32 files with it.
 * The model's header and create function come in as CNNC_MODEL_HEADER and
 * CNNC_MODEL_CREATE, as for the examples.
 *
 *   cnnc-runner WEIGHTS run INPUT.f32 OUTPUT.f32 LAYOUT THREADS
 *   cnnc-runner WEIGHTS bench ITERATIONS WARMUP LAYOUT THREADS
 *
 * LAYOUT is nchw or nhwc. run reads input_count floats and writes
 * output_count floats; bench prints one line "ms <milliseconds>" per timed run,
 * and calls cnnc_count_mark() just before and after each, where an emulator's
 * count plugin (tools/qemu-count) notes its running totals.
 * Errors go to stderr with exit status 1. */
#define _POSIX_C_SOURCE 199309L
#include CNNC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, const char *message) {
  fprintf(stderr, "cnnc-runner: %s: %s\n", what, message);
  return 1;
}

/* Reads exactly `count` floats from `path`; the file must hold no more. */
static int read_floats(const char *path, float *data, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(path, "cannot open");
  size_t got = fread(data, sizeof *data, count, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != count || extra) {
    char message[128];
    snprintf(message, sizeof message, "holds %s float32 values than the model's %zu",
             extra ? "more" : "fewer", count);
    return fail(path, message);
  }
  return 0;
}

static int write_floats(const char *path, const float *data, size_t count) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return fail(path, "cannot create");
  size_t put = fwrite(data, sizeof *data, count, f);
  if (fclose(f) != 0 || put != count)
    return fail(path, "cannot write");
  return 0;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* Does nothing; an emulator's plugin watches for calls to it by name. */
__attribute__((noinline, used)) void cnnc_count_mark(void) { __asm__ volatile("" ::: "memory"); }

static int usage(void) {
  fprintf(stderr, "usage: cnnc-runner WEIGHTS run INPUT.f32 OUTPUT.f32 nchw|nhwc THREADS\n"
                  "       cnnc-runner WEIGHTS bench ITERATIONS WARMUP nchw|nhwc THREADS\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc != 7)
    return usage();
  int bench = strcmp(argv[2], "bench") == 0;
  if (!bench && strcmp(argv[2], "run") != 0)
    return usage();
  cnnc_options options = cnnc_default_options();
  options.input_layout = strcmp(argv[5], "nhwc") == 0 ? CNNC_LAYOUT_NHWC : CNNC_LAYOUT_NCHW;
  options.num_threads = atoi(argv[6]);
  cnnc_model *model = NULL;
  cnnc_status status = CNNC_MODEL_CREATE(argv[1], &options, &model);
  if (status.code != CNNC_OK)
    return fail("create", status.message);

  cnnc_model_info info = cnnc_info(model);
  float *input = calloc(info.input_count ? info.input_count : 1, sizeof *input);
  float *output = calloc(info.output_count ? info.output_count : 1, sizeof *output);
  int rc = !input || !output ? fail("runner", "out of memory") : 0;
  if (!rc && !bench) {
    rc = read_floats(argv[3], input, info.input_count);
    if (!rc) {
      status = cnnc_run(model, input, info.input_count, output, info.output_count);
      rc = status.code != CNNC_OK ? fail("run", status.message)
                                  : write_floats(argv[4], output, info.output_count);
    }
  } else if (!rc) {
    int iterations = atoi(argv[3]), warmup = atoi(argv[4]);
    for (size_t i = 0; i < info.input_count; ++i) /* deterministic, roughly unit scale */
      input[i] = (float)((i * 2654435761u) % 2001) / 1000.0f - 1.0f;
    for (int i = 0; !rc && i < warmup + iterations; ++i) {
      double start = now_ms();
      cnnc_count_mark();
      status = cnnc_run(model, input, info.input_count, output, info.output_count);
      cnnc_count_mark();
      double elapsed = now_ms() - start;
      if (status.code != CNNC_OK)
        rc = fail("run", status.message);
      else if (i >= warmup)
        printf("ms %.6f\n", elapsed);
    }
  }
  free(input);
  free(output);
  cnnc_destroy(model);
#ifdef __hexagon__
  /* Halide's noos Hexagon runtime frees its allocation pool at exit without
   * skipping the slots it never filled (a read through a null pointer):
   * leave without running destructors, once the output is out. */
  fflush(NULL);
  _Exit(rc);
#endif
  return rc;
}
