#!/usr/bin/env bash
# Installs, builds, and runs the main job: describe a preset (default efficientnet-b0).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
"$root/build/bin/cnnc" stats "${1:-efficientnet-b0}"
