#!/usr/bin/env python3
"""Compiles the GPU benchmark's models for CUDA into PACK, ready to travel to a
machine with a GPU (bench/gpu/run_on_gpu.py measures them there).

For each model: torchvision builds it with seeded weights (seeded_weights.py,
which the GPU machine's PyTorch reproduces), and `cnnc compile --target cuda`
compiles it for batch 1 and for batch 256. The pack holds both libraries, the
batch-1 weights file compressed, and the batch-256 file's 64-byte header: the
two files differ only in the model signature the header carries, so the GPU
side rebuilds the second from the first instead of carrying it."""
import argparse
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "torchvision"))
from fixtures import save_safetensors  # noqa: E402
from seeded_weights import digest, fill  # noqa: E402

MODELS = [  # preset, torchvision builder, resolution
    ("efficientnet-b0", "efficientnet_b0", 224),
    ("mobilenet-v2", "mobilenet_v2", 224),
    ("efficientnetv2-s", "efficientnet_v2_s", 384),
]
BATCHES = [1, 256]
SEED = 11
HEADER_BYTES = 64


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cnnc", required=True)
    p.add_argument("pack")
    p.add_argument("--models", help="comma-separated presets (default: all three)")
    args = p.parse_args()
    chosen = args.models.split(",") if args.models else [m[0] for m in MODELS]
    shutil.rmtree(args.pack, ignore_errors=True)
    os.makedirs(args.pack)
    manifest = {"seed": SEED, "models": []}
    for preset, builder, resolution in MODELS:
        if preset not in chosen:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            weights = os.path.join(tmp, "weights.safetensors")
            model = fill(getattr(tvm, builder)(), SEED)
            save_safetensors(weights, model.state_dict())
            entry = {"preset": preset, "builder": builder, "resolution": resolution,
                     "weights_sha256": digest(model), "libraries": {}}
            for batch in BATCHES:
                out = os.path.join(tmp, f"b{batch}")
                subprocess.run([args.cnnc, "compile", preset, "--weights", weights, "--target",
                                "cuda", "--batch", str(batch), "-o", out], check=True)
                with open(os.path.join(out, "cnnc-model.json")) as f:
                    compiled = json.load(f)
                entry["identifier"] = compiled["identifier"]
                library = f"{preset}-b{batch}.so"
                shutil.copy(os.path.join(out, compiled["library"]),
                            os.path.join(args.pack, library))
                with open(os.path.join(out, compiled["weights"]), "rb") as f:
                    data = f.read()
                if batch == BATCHES[0]:
                    with open(os.path.join(args.pack, f"{preset}.weights.xz"), "wb") as f:
                        f.write(lzma.compress(data[HEADER_BYTES:], preset=1))
                with open(os.path.join(args.pack, f"{preset}-b{batch}.header"), "wb") as f:
                    f.write(data[:HEADER_BYTES])
                entry["libraries"][str(batch)] = library
            manifest["models"].append(entry)
            print(f"packed {preset}", flush=True)
    with open(os.path.join(args.pack, "pack.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    size = sum(os.path.getsize(os.path.join(args.pack, n)) for n in os.listdir(args.pack))
    print(f"pack {args.pack}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
