#!/usr/bin/env bash
# Configures (once) and builds the sanitizer build into build-sanitized/: clang,
# AddressSanitizer + UndefinedBehaviorSanitizer, and the libFuzzer targets of
# tests/fuzz (CMake option CNNC_SANITIZE). -O1 keeps the build short and the
# reports readable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="$root/build-sanitized"
if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang-14 CXX=clang++-14 "$root/.venv/bin/cmake" -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-O1 -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
    -DCNNC_SANITIZE=ON >/dev/null
fi
"$root/.venv/bin/cmake" --build "$build"
