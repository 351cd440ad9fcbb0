#!/usr/bin/env bash
# Installs, builds, and runs the main job on a preset (default efficientnet-b0):
# describe it, compile it for this machine, check it on an input, time it.
# Weights are seeded random ones (no network here for pretrained weights); pass
# your own with `cnnc compile MODEL --weights W.safetensors`.
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
