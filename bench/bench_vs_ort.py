#!/usr/bin/env python3
"""cnnc against ONNX Runtime, side by side, on this machine.

For each model: torchvision builds it with seeded random weights, which are
exported to ONNX (for ORT) and saved as safetensors (for cnnc compile). Both
run batch 1 with the same thread count; the script checks that their logits
agree, then prints median latencies and the cnnc/ORT ratio, and how much of
this machine's FP32 peak cnnc reaches (FLOPs from `cnnc stats`, 2 per MAC; the
peak measured by `cnnc hardware host`, scaled to the threads used).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "torchvision"))
from fixtures import make_fixture  # noqa: E402

import onnxruntime as ort  # noqa: E402

warnings.filterwarnings("ignore")

MODELS = [  # cnnc preset, torchvision builder, resolution
    ("efficientnet-b0", "efficientnet_b0", 224),
    ("mobilenet-v2", "mobilenet_v2", 224),
    ("efficientnetv2-s", "efficientnet_v2_s", 384),
]


def time_ort(onnx_path, x, threads, iterations, warmup):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    for _ in range(warmup):
        out = session.run(None, {name: x})[0]
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        session.run(None, {name: x})
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times)), out


def fp32_peak(cnnc, threads):
    """FP32 operations per second on `threads` threads, from cnnc's measurement of
    every hardware thread."""
    profile = subprocess.run([cnnc, "hardware", "host"], check=True, capture_output=True,
                             text=True).stdout
    peak = float(re.search(r"fp32: ([0-9.e+]+)", profile).group(1))
    return peak * min(threads, os.cpu_count()) / os.cpu_count()


def model_flops(cnnc, preset):
    """FLOPs of one inference: 2 per multiply-accumulate."""
    stats = json.loads(subprocess.run([cnnc, "stats", preset, "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    return 2 * stats["macs"]


def add_timing_arguments(parser):
    """The options of every side-by-side benchmark here: cnnc, threads, runs."""
    parser.add_argument("--cnnc", required=True, help="path of the cnnc binary")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_timing_arguments(parser)
    parser.add_argument("--target", default="host")
    parser.add_argument("models", nargs="*", default=[m[0] for m in MODELS])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peak = fp32_peak(args.cnnc, args.threads)
    rows = []
    for preset, builder, resolution in MODELS:
        if preset not in args.models:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            weights, inputs, _, model = make_fixture(builder, resolution, tmp, seed=3)
            x = np.load(inputs)
            onnx_path = f"{tmp}/model.onnx"
            torch.onnx.export(model, torch.from_numpy(x), onnx_path, opset_version=13,
                              input_names=["input"], output_names=["logits"])
            out_dir = f"{tmp}/cnnc"
            subprocess.run([args.cnnc, "compile", preset, "--weights", weights, "--target",
                            args.target, "-o", out_dir], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.cnnc, "run", out_dir, "--input", inputs, "--output",
                            f"{tmp}/y.npy", "--threads", str(args.threads)], check=True)
            ort_ms, ort_out = time_ort(onnx_path, x, args.threads, args.iterations, args.warmup)
            ours = np.load(f"{tmp}/y.npy")
            error = float(np.abs(ours - ort_out).max() / np.abs(ort_out).max())
            bench = json.loads(subprocess.run(
                [args.cnnc, "bench", out_dir, "--threads", str(args.threads), "--iterations",
                 str(args.iterations), "--warmup", str(args.warmup), "--json"],
                check=True, capture_output=True, text=True).stdout)
            gflops = model_flops(args.cnnc, preset) / (bench["median_ms"] / 1e3) / 1e9
            rows.append((preset, resolution, bench["median_ms"], ort_ms, error, gflops))
            print(f"{preset}: cnnc {bench['median_ms']:.2f} ms, ORT {ort_ms:.2f} ms, "
                  f"ratio {bench['median_ms'] / ort_ms:.2f}, max rel. difference {error:.1e}",
                  flush=True)

    print(f"\n{args.threads} thread(s), batch 1, median of {args.iterations} runs, "
          f"ONNX Runtime {ort.__version__}, cnnc target {args.target}; FP32 peak on "
          f"{args.threads} thread(s) {peak / 1e9:.1f} GFLOP/s (cnnc hardware host)\n")
    print("| model | resolution | cnnc (ms) | ORT (ms) | cnnc / ORT | cnnc GFLOP/s | of FP32 peak |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for preset, resolution, ours, theirs, _, gflops in rows:
        print(f"| {preset} | {resolution} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} "
              f"| {gflops:.1f} | {gflops * 1e9 / peak:.0%} |")


if __name__ == "__main__":
    main()
