#!/usr/bin/env python3
"""cnnc's logits against PyTorch's on the same random weights and input.

For each model: torchvision builds it with seeded random weights and batch-norm
statistics, and cnnc runs it twice: with its unfused reference evaluator
(`cnnc eval`) and compiled for this machine (`cnnc compile` + `cnnc run`, the
input once NCHW and once NHWC). Each time max |cnnc - torch| must be at most
1e-4 of max |torch logit|.
"""
import argparse
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

from fixtures import make_fixture

warnings.filterwarnings("ignore")

CASES = [  # preset, torchvision builder, resolution, weights dtype, also compiled
    ("efficientnet-b0", "efficientnet_b0", 224, torch.float32, True),
    ("mobilenet-v3-large", "mobilenet_v3_large", 224, torch.float32, True),
    ("efficientnetv2-s", "efficientnet_v2_s", 384, torch.float32, True),
    ("mobilenet-v2", "mobilenet_v2", 224, torch.float16, False),
]
TOLERANCE = 1e-4


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cnnc", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    passed = failed = 0

    def check(label, got, expected):
        nonlocal passed, failed
        error = float(np.abs(got - expected).max())
        scale = float(np.abs(expected).max())
        ok = got.shape == expected.shape and error <= TOLERANCE * scale
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label}: max |cnnc - torch| = {error:.3g}, "
              f"max |logit| = {scale:.3g}, ratio {error / scale:.2g} (limit {TOLERANCE:g})",
              flush=True)

    for preset, builder, resolution, dtype, compiled in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            weights, inputs, expected, _ = make_fixture(builder, resolution, tmp, seed=7,
                                                        dtype=dtype)
            out = f"{tmp}/y.npy"
            subprocess.run([args.cnnc, "eval", preset, "--weights", weights, "--input", inputs,
                            "--output", out], check=True)
            check(f"{preset} reference ({str(dtype)[6:]} weights)", np.load(out), expected)
            if not compiled:
                continue
            subprocess.run([args.cnnc, "compile", preset, "--weights", weights, "-o",
                            f"{tmp}/lib"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.cnnc, "run", f"{tmp}/lib", "--input", inputs, "--output", out],
                           check=True)
            check(f"{preset} compiled for host, NCHW input", np.load(out), expected)
            np.save(f"{tmp}/nhwc.npy", np.ascontiguousarray(np.load(inputs).transpose(0, 2, 3, 1)))
            subprocess.run([args.cnnc, "run", f"{tmp}/lib", "--input", f"{tmp}/nhwc.npy",
                            "--output", out, "--layout", "nhwc", "--threads", "1"], check=True)
            check(f"{preset} compiled for host, NHWC input", np.load(out), expected)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
