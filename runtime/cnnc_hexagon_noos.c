/* cnnc_hexagon_noos.c - what Halide's noos Hexagon runtime leaves to its program.
 *
 * Kernels built for Halide's `hexagon-...-noos` target expect the program
 * that contains them to provide printing and the HVX unit's locking, which a
 * DSP's operating system (QuRT) provides on a phone. cnnc-runner, the program
 * that runs a Hexagon model under qemu-hexagon (Linux user mode, musl), gets
 * them from this file; the model's static library does not contain it, so
 * that a QuRT program can link the library with QuRT's own. */
#include <stdio.h>

/* Halide's messages (errors go through cnnc_runtime.c's halide_error). */
void halide_print(void *user_context, const char *message) {
  (void)user_context;
  fputs(message, stderr);
}

/* The emulated DSP has one HVX context, always this thread's: locking it
 * always succeeds. (QuRT's qurt_hvx_lock waits for a free context.) */
int qurt_hvx_lock(int mode) {
  (void)mode;
  return 0;
}

int qurt_hvx_unlock(void) { return 0; }
