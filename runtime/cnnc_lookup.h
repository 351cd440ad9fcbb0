/* cnnc_lookup.h - a 256-entry byte table applied to bytes, in place.
 *
 * An INT8 model's activation functions (SiLU, sigmoid, hard-swish, ...) are
 * tables from a quantized input to a quantized output (cnn.lookup). Halide
 * reads a table one lane at a time on CPUs (an extract, a load and an insert
 * per element), which made the tables a fifth of efficientnet-b0's INT8 run;
 * a byte shuffle looks up 16 entries per instruction (x86 pshufb, AArch64
 * tbl), 128 with AVX-512 VBMI's vpermi2b. So a table that ends a kernel group is applied by the runtime, here,
 * to the kernel's output. */
#ifndef CNNC_LOOKUP_H
#define CNNC_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* data[i] = table[data[i]] for i < size, with the fastest byte shuffle this
 * CPU has. */
void cnnc_lookup_u8(uint8_t *data, size_t size, const uint8_t table[256]);

/* The same, one byte at a time: the definition the shuffles must match. */
void cnnc_lookup_u8_portable(uint8_t *data, size_t size, const uint8_t table[256]);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_LOOKUP_H */
