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
import re
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
    p.add_argument("--variant", action="append", default=[], metavar="NAME=DB",
                   help="also compile with the tuning database DB, as variant NAME")
    args = p.parse_args()
    variants = dict(v.split("=", 1) for v in args.variant)
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
                     "weights_sha256": digest(model), "libraries": {},
                     "variants": {name: {} for name in variants}}

            def compile_into_pack(batch, library, extra):
                """Compiles the model for `batch` into the pack as `library`;
                returns the compiled model's description and its weights
                (None for a variant whose database scheduled no kernel)."""
                out = os.path.join(tmp, library)
                said = subprocess.run([args.cnnc, "compile", preset, "--weights", weights,
                                       "--target", "cuda", "--batch", str(batch), "-o", out] + extra,
                                      check=True, capture_output=True, text=True).stdout
                print(said, end="", flush=True)
                if extra and re.search(r"^0 of \d+ kernels scheduled from", said, re.M):
                    return None, None
                with open(os.path.join(out, "cnnc-model.json")) as f:
                    compiled = json.load(f)
                shutil.copy(os.path.join(out, compiled["library"]),
                            os.path.join(args.pack, library))
                with open(os.path.join(out, compiled["weights"]), "rb") as f:
                    return compiled, f.read()

            for batch in BATCHES:
                library = f"{preset}-b{batch}.so"
                compiled, data = compile_into_pack(batch, library, [])
                entry["identifier"] = compiled["identifier"]
                for name, db in variants.items():
                    variant = f"{preset}-b{batch}-{name}.so"
                    variant_data = compile_into_pack(batch, variant, ["--tuning-db", db])[1]
                    if variant_data is None:
                        continue
                    if variant_data != data:
                        sys.exit(f"variant {name} of {preset} has other weights than the defaults")
                    entry["variants"][name][str(batch)] = variant
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
