#!/usr/bin/env bash
# Installs, builds and runs every test: the main build's (GoogleTest units, lit
# tests, PyTorch parity, through CTest), then the sanitizer build's (ASan +
# UBSan: the unit tests, a small model compiled and run, every fuzz target
# over its seeds and regression inputs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
"$root/.venv/bin/ctest" --test-dir "$root/build" --output-on-failure "$@"
"$root/scripts/build-sanitized.sh"
source "$root/scripts/sanitizer-env.sh"
"$root/.venv/bin/ctest" --test-dir "$root/build-sanitized" --output-on-failure -L sanitized "$@"
