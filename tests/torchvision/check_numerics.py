#!/usr/bin/env python3
"""cnnc's logits against PyTorch's on the same random weights and input.

For each model: torchvision builds it with seeded random weights and batch-norm
statistics, and cnnc runs it with its unfused reference evaluator (`cnnc eval`)
and compiled for each of its targets (`cnnc compile --target T` + `cnnc run`,
the input once NCHW and once NHWC): for this machine, for ARM64, run under
qemu-aarch64 from an x86 machine, and with the GPU schedules for OpenCL, run on
PoCL (this CPU as an OpenCL device). A custom spec with Fused-MBConv, SE and
CBAM, which torchvision has no model of, is checked the same way against its
PyTorch twin (spec_twin.py). Each time max |cnnc - torch| must be at most
1e-4 of max |torch logit|.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

from fixtures import make_fixture, save_safetensors

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from spec_twin import make_spec_fixture  # noqa: E402

warnings.filterwarnings("ignore")

# ARM64 needs the cross toolchain (and, off ARM, QEMU): scripts/setup.sh installs both.
ARM64 = ["arm64"]
# The GPU schedules: scripts/setup.sh installs PoCL.
GPU = ["opencl"]
CASES = [  # preset, torchvision builder, resolution, weights dtype, compiled for
    ("efficientnet-b0", "efficientnet_b0", 224, torch.float32, ["host"] + ARM64 + GPU),
    ("mobilenet-v3-large", "mobilenet_v3_large", 224, torch.float32, ["host"] + ARM64 + GPU),
    # 8.4 GMACs: minutes under an emulator, so host only.
    ("efficientnetv2-s", "efficientnet_v2_s", 384, torch.float32, ["host"]),
    ("mobilenet-v2", "mobilenet_v2", 224, torch.float16, []),
]
# Custom specs torchvision has no model of, against their PyTorch twin
# (spec_twin.py, written from the spec language's documented semantics).
TINY_CBAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lit", "Inputs",
                         "tiny-cbam.yaml")
SPEC_CASES = [  # spec, compiled for
    (TINY_CBAM, ["host"] + GPU),  # Fused-MBConv, MBConv with CBAM, MBConv with SE + CBAM
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

    def check_compiled(model, weights, inputs, expected, targets, tmp):
        """The reference evaluator, then each target's library, NCHW and NHWC."""
        out = f"{tmp}/y.npy"
        subprocess.run([args.cnnc, "eval", model, "--weights", weights, "--input", inputs,
                        "--output", out], check=True)
        yield "reference", np.load(out)
        np.save(f"{tmp}/nhwc.npy", np.ascontiguousarray(np.load(inputs).transpose(0, 2, 3, 1)))
        for target in targets:
            lib = f"{tmp}/{target}"
            subprocess.run([args.cnnc, "compile", model, "--weights", weights, "--target",
                            target, "-o", lib], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.cnnc, "run", lib, "--input", inputs, "--output", out],
                           check=True)
            yield f"compiled for {target}, NCHW input", np.load(out)
            subprocess.run([args.cnnc, "run", lib, "--input", f"{tmp}/nhwc.npy", "--output",
                            out, "--layout", "nhwc", "--threads", "1"], check=True)
            yield f"compiled for {target}, NHWC input", np.load(out)

    for preset, builder, resolution, dtype, targets in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            weights, inputs, expected, _ = make_fixture(builder, resolution, tmp, seed=7,
                                                        dtype=dtype)
            for label, got in check_compiled(preset, weights, inputs, expected, targets, tmp):
                if label == "reference":
                    label += f" ({str(dtype)[6:]} weights)"
                check(f"{preset} {label}", got, expected)

    for spec, targets in SPEC_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            tensors, x, expected = make_spec_fixture(args.cnnc, spec, seed=7)
            weights, inputs = f"{tmp}/weights.safetensors", f"{tmp}/input.npy"
            save_safetensors(weights, tensors)
            np.save(inputs, x.numpy())
            name = os.path.basename(spec)
            for label, got in check_compiled(spec, weights, inputs, expected, targets, tmp):
                check(f"{name} (PyTorch twin) {label}", got, expected)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
