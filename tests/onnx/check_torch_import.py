#!/usr/bin/env python3
"""ONNX files exported from PyTorch import into cnnc and give PyTorch's logits.

Each model gets seeded random weights and batch-norm statistics (so that the
exporter's folding of batch norms into convolutions carries real values), is
written with `torch.onnx.export` (opset 17, the exporter's own constant
folding), and is then run by cnnc straight from the .onnx file: with its
reference evaluator (`cnnc eval`) and, for torchvision's efficientnet_b0 and
mobilenet_v2, compiled for this machine (`cnnc compile` + `cnnc run`).
mobilenet_v2 is exported with a dynamic batch dimension and compiled for a
batch of 2. timm's models cover its way of writing SE (ReduceMean), its
EfficientNet-Lite, and its TensorFlow ports, whose SAME padding the graph
computes from shapes (Shape, Gather, Ceil, ..., Pad), which cnnc folds. Each time max |cnnc - torch| must be at most 1e-4 of
max |torch logit|.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import timm
import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torchvision"))
from fixtures import randomize  # noqa: E402

warnings.filterwarnings("ignore")

CASES = [  # name, builder, batch, compiled
    ("torchvision efficientnet_b0", lambda: tvm.efficientnet_b0(), 1, True),
    ("torchvision mobilenet_v2", lambda: tvm.mobilenet_v2(), 2, True),
    ("torchvision mobilenet_v3_large", lambda: tvm.mobilenet_v3_large(), 1, False),
    ("timm efficientnet_lite0", lambda: timm.create_model("efficientnet_lite0"), 1, False),
    ("timm mobilenetv3_large_100", lambda: timm.create_model("mobilenetv3_large_100"), 1, False),
    # TensorFlow's SAME padding, computed from the input's shape in the graph.
    ("timm tf_efficientnet_b0", lambda: timm.create_model("tf_efficientnet_b0"), 1, False),
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
        error = float(np.abs(got - expected).max()) if got.shape == expected.shape else np.inf
        scale = float(np.abs(expected).max())
        ok = error <= TOLERANCE * scale
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label}: max |cnnc - torch| = {error:.3g}, "
              f"max |logit| = {scale:.3g}, ratio {error / scale:.2g} (limit {TOLERANCE:g})",
              flush=True)

    for label, build, batch, compiled in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            model = randomize(build(), seed=11)
            x = torch.randn(batch, 3, 224, 224, generator=torch.Generator().manual_seed(12))
            with torch.no_grad():
                expected = model(x).numpy()
            onnx_path, inputs, out = f"{tmp}/model.onnx", f"{tmp}/input.npy", f"{tmp}/y.npy"
            dynamic = {"input": {0: "batch"}} if batch > 1 else None
            torch.onnx.export(model, x[:1], onnx_path, opset_version=17, input_names=["input"],
                              dynamic_axes=dynamic)
            np.save(inputs, x.numpy())
            subprocess.run([args.cnnc, "eval", onnx_path, "--input", inputs, "--output", out],
                           check=True)
            check(f"{label} (reference evaluator)", np.load(out), expected)
            if not compiled:
                continue
            lib = f"{tmp}/lib"
            subprocess.run([args.cnnc, "compile", onnx_path, "--batch", str(batch), "-o", lib],
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.cnnc, "run", lib, "--input", inputs, "--output", out],
                           check=True)
            check(f"{label} (compiled for this machine, batch {batch})", np.load(out), expected)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
