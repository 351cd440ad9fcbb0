# Sourced by the scripts that run the sanitizer build. Debian's LLVM and MLIR
# libraries are not instrumented, yet the LLVM headers our instrumented code
# includes poison SmallVector's spare capacity (LLVM_ADDRESS_SANITIZER_BUILD):
# memory the uninstrumented library then writes legitimately is reported as
# use-after-poison at MLIRContext creation. allow_user_poisoning=0 ignores
# that manual poisoning and nothing else: leak detection and every other
# check stay on. See docs/robustness.md.
export ASAN_OPTIONS="allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
