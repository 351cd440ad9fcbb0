#!/usr/bin/env bash
# Installs, builds and runs every test (GoogleTest units and lit tests, through CTest).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
"$root/.venv/bin/ctest" --test-dir "$root/build" --output-on-failure "$@"
