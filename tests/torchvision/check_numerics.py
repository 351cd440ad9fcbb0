#!/usr/bin/env python3
"""cnnc's logits against PyTorch's on the same random weights and input.

For each model: torchvision builds it with seeded random weights and batch-norm
statistics, cnnc runs it (`cnnc eval`, the unfused reference path), and
max |cnnc - torch| must be at most 1e-4 of max |torch logit|.
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

CASES = [  # preset, torchvision builder, resolution, weights dtype
    ("efficientnet-b0", "efficientnet_b0", 224, torch.float32),
    ("mobilenet-v3-large", "mobilenet_v3_large", 224, torch.float32),
    ("efficientnetv2-s", "efficientnet_v2_s", 384, torch.float32),
    ("mobilenet-v2", "mobilenet_v2", 224, torch.float16),
]
TOLERANCE = 1e-4


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cnnc", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    passed = failed = 0
    for preset, builder, resolution, dtype in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            weights, inputs, expected = make_fixture(builder, resolution, tmp, seed=7, dtype=dtype)
            out = f"{tmp}/cnnc.npy"
            subprocess.run([args.cnnc, "eval", preset, "--weights", weights, "--input", inputs,
                            "--output", out], check=True)
            got = np.load(out)
            error = float(np.abs(got - expected).max())
            scale = float(np.abs(expected).max())
            ok = got.shape == expected.shape and error <= TOLERANCE * scale
            passed += ok
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {preset} ({str(dtype)[6:]} weights): "
                  f"max |cnnc - torch| = {error:.3g}, max |logit| = {scale:.3g}, "
                  f"ratio {error / scale:.2g} (limit {TOLERANCE:g})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
