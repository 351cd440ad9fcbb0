#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures (once) and builds cnnc into build/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="$root/build"
if [[ ! -f "$build/build.ninja" ]]; then
  "$root/.venv/bin/cmake" -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
"$root/.venv/bin/cmake" --build "$build"
