# Sourced by the scripts that run the sanitizer build. Debian's LLVM and MLIR
# libraries are not instrumented, yet the LLVM headers our instrumented code
# includes poison SmallVector's spare capacity (LLVM_ADDRESS_SANITIZER_BUILD):
# memory the uninstrumented library then writes legitimately is reported as
# use-after-poison at MLIRContext creation. allow_user_poisoning=0 ignores
# that manual poisoning and nothing else; every other check stays on.
# Leaks are checked except Halide's and LLVM's process-lifetime caches
# (tests/sanitizer/lsan.supp).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASAN_OPTIONS="allow_user_poisoning=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizer/lsan.supp"
