/* cnnc_qemu_count.c - what `cnnc bench` counts where a model runs emulated.
 *
 * Under qemu-hexagon (or qemu-aarch64) a model's wall time is the emulator's,
 * not the target's, so `cnnc bench` reports what emulation can count exactly
 * instead: the guest instructions (on Hexagon: packets, QEMU's unit of
 * translation) each inference executes, and how many of them use vector
 * registers (HVX on Hexagon, NEON on ARM64).
 *
 * This is a QEMU TCG plugin (QEMU's plugin API version 1, as in Debian's
 * QEMU 7.2). Debian ships no qemu-plugin.h, so the few functions used are
 * declared here as that API documents them. Counting is one inline add per
 * translated block executed; the runner calls cnnc_count_mark() just before
 * and just after each timed inference, and at each such call the plugin
 * writes the running totals to QEMU's log ("-d plugin -D FILE"):
 *
 *   cnnc-count <instructions> <vector instructions>
 *
 * so that one inference's counts are the difference of two lines. At exit it
 * writes each function's own totals (by the symbol of a block's first
 * instruction), which cnnc divides by the runs to tell which kernels execute
 * the most:
 *
 *   cnnc-symbol <name> <instructions> <vector instructions> */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t; /* not read */
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t,
                                           void (*)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op, void *,
                                              uint64_t);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *,
                                            void (*)(unsigned int, void *),
                                            enum qemu_plugin_cb_flags, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, void *), void *);
void qemu_plugin_outs(const char *);
void free(void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Summed over vCPUs without atomics: exact for one thread (Hexagon's noos
 * runtime has none), a close count for more. */
static uint64_t instructions, vectorInstructions;
/* An operand naming a vector register (v0, v1:0, q3: HVX vectors and
 * predicates, NEON vectors) or an HVX memory/gather form. */
static regex_t vectorOperand;

static const char kMark[] = "cnnc_count_mark";

/* Each function's totals. QEMU hands out one string per symbol, so its
 * address is the key; a program has far fewer functions than slots. */
struct SymbolCount {
  const char *name;
  uint64_t instructions, vectorInstructions;
};
enum { kSymbolSlots = 1 << 14 };
static struct SymbolCount symbols[kSymbolSlots];

static struct SymbolCount *countOf(const char *name) {
  size_t slot = ((uintptr_t)name >> 3) % kSymbolSlots;
  for (size_t probe = 0; probe < kSymbolSlots; ++probe, slot = (slot + 1) % kSymbolSlots) {
    if (symbols[slot].name == name)
      return &symbols[slot];
    if (!symbols[slot].name) {
      symbols[slot].name = name;
      return &symbols[slot];
    }
  }
  return NULL; /* full: this function goes uncounted, the totals do not */
}

static void printSymbols(qemu_plugin_id_t id, void *unused) {
  (void)id, (void)unused;
  for (size_t slot = 0; slot < kSymbolSlots; ++slot) {
    if (!symbols[slot].name || !symbols[slot].instructions)
      continue;
    char line[512];
    snprintf(line, sizeof line, "cnnc-symbol %.400s %llu %llu\n", symbols[slot].name,
             (unsigned long long)symbols[slot].instructions,
             (unsigned long long)symbols[slot].vectorInstructions);
    qemu_plugin_outs(line);
  }
}

static void printTotals(unsigned int vcpu, void *unused) {
  (void)vcpu, (void)unused;
  char line[96];
  snprintf(line, sizeof line, "cnnc-count %llu %llu\n", (unsigned long long)instructions,
           (unsigned long long)vectorInstructions);
  qemu_plugin_outs(line);
}

static bool usesVectors(const struct qemu_plugin_insn *insn) {
  char *text = qemu_plugin_insn_disas(insn);
  bool vector = text && regexec(&vectorOperand, text, 0, NULL, 0) == 0;
  free(text);
  return vector;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t count = qemu_plugin_tb_n_insns(tb), vectors = 0;
  for (size_t i = 0; i < count; ++i)
    vectors += usesVectors(qemu_plugin_tb_get_insn(tb, i));
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &instructions, count);
  if (vectors)
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &vectorInstructions,
                                             vectors);
  const char *symbol = count ? qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, 0)) : NULL;
  struct SymbolCount *own = symbol ? countOf(symbol) : NULL;
  if (own) {
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &own->instructions,
                                             count);
    if (vectors)
      qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                               &own->vectorInstructions, vectors);
  }
  /* A call to the marker starts a block at its first instruction. */
  if (symbol && strcmp(symbol, kMark) == 0)
    qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, 0), printTotals,
                                           QEMU_PLUGIN_CB_NO_REGS, NULL);
}

__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  (void)info, (void)argc, (void)argv;
  if (regcomp(&vectorOperand, "(^|[^a-zA-Z0-9_])([vVqQ][0-9]+|vmem|vtmp|vgather|vscatter)",
              REG_EXTENDED | REG_NOSUB) != 0)
    return 1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
  qemu_plugin_register_atexit_cb(id, printSymbols, NULL);
  return 0;
}
