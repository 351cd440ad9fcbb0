#!/usr/bin/env python3
"""Real networks on the Hexagon NPU target, bit for bit against x86.

For each network: its weights (EfficientNet-Lite0's trained ImageNet weights,
from the package scripts/setup.sh installs; seeded random weights for the
others), one calibration (the first calibration photos), the model compiled
with --precision int8 for Hexagon and for this machine, and both run on the
same input: the Hexagon model under qemu-hexagon, the x86 one in process.
Their logits must be equal bit for bit (an INT8 model's logits are its
dequantized int8 outputs, so equal logits are equal integers). On Lite0 the
two also run a photo through `cnnc run --image ... --top 5` and must print
the same lines. Each network's packets per inference (`cnnc bench`, cnnc's
QEMU plugin) are printed: figures to record, not checked.

Skipped (exit 0, saying why) where this machine has no qemu-hexagon.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
CALIBRATION_PHOTOS = 2  # enough to calibrate for a bit-exactness check, and quick


def run(*command):
    """Runs a command; its stdout, or exit with what it said."""
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    print(f"  {time.monotonic() - start:6.1f} s  {' '.join(command[1:3])}", flush=True)
    return done.stdout


def photos(folder):
    """The photos of a folder of fetch-photos.sh, in order."""
    return sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))


def weights_for(model, tmp, cnnc):
    """A weights file for `model` and an input batch for it (x.npy)."""
    weights, x = os.path.join(tmp, "w.safetensors"), os.path.join(tmp, "x.npy")
    python = sys.executable
    if model == "efficientnet-lite0":
        run(python, os.path.join(ROOT, "scripts", "export-lite0.py"), weights)
        rng = np.random.default_rng(7)
        np.save(x, rng.normal(0.0, 1.0, (1, 3, 224, 224)).astype(np.float32))
    else:
        run(python, os.path.join(ROOT, "tests", "tools", "make_weights.py"), cnnc, model, weights,
            "--input", x)
    return weights, x


def check(model, args, tmp):
    weights, x = weights_for(model, tmp, args.cnnc)
    calibration = os.path.join(tmp, "calibration")
    os.makedirs(calibration)
    for photo in photos(args.calibration)[:CALIBRATION_PHOTOS]:
        os.symlink(os.path.abspath(os.path.join(args.calibration, photo)),
                   os.path.join(calibration, photo))
    outputs = {}
    for target in ("hexagon", "host"):
        out = os.path.join(tmp, target)
        # Hexagon requantizes in fixed point: x86 must take the same rule.
        run(args.cnnc, "compile", model, "--weights", weights, "--precision", "int8",
            "--calibrate", calibration, "--requantization", "fixed-point", "--target", target,
            "-o", out)
        outputs[target] = os.path.join(tmp, target + ".npy")
        run(args.cnnc, "run", out, "--input", x, "--output", outputs[target])
    hexagon, host = (np.load(outputs[t]) for t in ("hexagon", "host"))
    if hexagon.shape != host.shape or not (hexagon == host).all():
        sys.exit(f"FAIL: {model}: Hexagon's logits differ from x86's "
                 f"(max |difference| {np.abs(hexagon - host).max()})")
    line = f"{model}: Hexagon and x86 logits equal bit for bit ({host.size} values)"
    if model == "efficientnet-lite0":
        photo = os.path.join(args.photos, photos(args.photos)[0])
        tops = {t: run(args.cnnc, "run", os.path.join(tmp, t), "--image", photo, "--top", "5")
                for t in ("hexagon", "host")}
        if tops["hexagon"] != tops["host"]:
            sys.exit(f"FAIL: {model}: --image {photo} --top 5 differs:\n"
                     f"hexagon:\n{tops['hexagon']}\nx86:\n{tops['host']}")
        line += f"; --image --top 5 the same on {os.path.basename(photo)}"
    bench = run(args.cnnc, "bench", os.path.join(tmp, "hexagon"), "--iterations", "1",
                "--warmup", "0").splitlines()
    counted = [l for l in bench if l.startswith(("executed", "the kernels executing"))]
    print("\n  ".join([line] + counted), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--calibration", required=True, help="calibration photos")
    parser.add_argument("--photos", required=True, help="evaluation photos (for --image)")
    parser.add_argument("--models", default="efficientnet-lite0,mobilenet-v2,efficientnet-b0")
    args = parser.parse_args()
    if not shutil.which("qemu-hexagon"):
        print("skipped: no qemu-hexagon on PATH (scripts/setup.sh installs qemu-user)")
        return
    for model in args.models.split(","):
        with tempfile.TemporaryDirectory(prefix="cnnc-hexagon-") as tmp:
            check(model, args, tmp)
    print("OK")


if __name__ == "__main__":
    main()
