#!/usr/bin/env bash
# The GPU benchmark on a machine that both builds cnnc and has an NVIDIA GPU:
# compiles the models for CUDA (prepare.py), then measures them against
# PyTorch on the GPU (run_on_gpu.py). Where the GPU machine cannot build cnnc,
# run prepare.py here and carry its pack there (docs/gpu.md).
#   bench/gpu/bench.sh [--json FILE] [other run_on_gpu.py options]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/scripts/build.sh"
pack="$root/build/gpu-bench"
"$root/.venv/bin/python" "$root/bench/gpu/prepare.py" --cnnc "$root/build/bin/cnnc" "$pack"
cd "$root/bench/gpu"
exec python3 run_on_gpu.py "$pack" --profile "$@"
