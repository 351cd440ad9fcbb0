#!/usr/bin/env python3
"""cnnc against ONNX Runtime and OpenVINO, side by side, on this machine.

For each model: torchvision builds it with seeded random weights, which are
exported to ONNX (for ORT and OpenVINO) and saved as safetensors (for cnnc
compile). All three run batch 1, FP32, with the same thread count, one after
another in the same run; the script checks that their logits agree, then
prints median latencies, cnnc's ratio to each peer beside the goals (at most
0.8 of ORT's time and 0.85 of OpenVINO's), and how much of this machine's
FP32 peak cnnc reaches (FLOPs from `cnnc stats`, 2 per MAC; the peak measured
by `cnnc hardware host`, scaled to the threads used).
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
import openvino as ov  # noqa: E402

warnings.filterwarnings("ignore")

MODELS = [  # cnnc preset, torchvision builder, resolution
    ("efficientnet-b0", "efficientnet_b0", 224),
    ("mobilenet-v2", "mobilenet_v2", 224),
    ("mobilenet-v3-large", "mobilenet_v3_large", 224),
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


def time_openvino(onnx_path, x, threads, iterations, warmup):
    """OpenVINO's CPU plugin on the same ONNX file: FP32 (no bf16 or f16
    inference precision), latency mode, `threads` threads."""
    compiled = ov.Core().compile_model(onnx_path, "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    for _ in range(warmup):
        request.infer({0: x})
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        request.infer({0: x})
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times)), np.array(request.get_output_tensor(0).data)


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
            ov_ms, ov_out = time_openvino(onnx_path, x, args.threads, args.iterations,
                                          args.warmup)
            ours = np.load(f"{tmp}/y.npy")
            error = max(float(np.abs(ours - peer).max() / np.abs(peer).max())
                        for peer in (ort_out, ov_out))
            bench = json.loads(subprocess.run(
                [args.cnnc, "bench", out_dir, "--threads", str(args.threads), "--iterations",
                 str(args.iterations), "--warmup", str(args.warmup), "--json"],
                check=True, capture_output=True, text=True).stdout)
            gflops = model_flops(args.cnnc, preset) / (bench["median_ms"] / 1e3) / 1e9
            rows.append((preset, resolution, bench["median_ms"], ort_ms, ov_ms, gflops))
            print(f"{preset}: cnnc {bench['median_ms']:.2f} ms, ORT {ort_ms:.2f} ms, "
                  f"OpenVINO {ov_ms:.2f} ms, max rel. difference {error:.1e}", flush=True)

    print(f"\n{args.threads} thread(s), batch 1, median of {args.iterations} runs, "
          f"ONNX Runtime {ort.__version__}, OpenVINO {ov.__version__.split('-')[0]}, cnnc target "
          f"{args.target}; FP32 peak on {args.threads} thread(s) {peak / 1e9:.1f} GFLOP/s "
          f"(cnnc hardware host); goals: cnnc / ORT <= 0.8, cnnc / OpenVINO <= 0.85\n")
    print("| model | resolution | cnnc (ms) | ORT (ms) | OpenVINO (ms) | cnnc / ORT "
          "| cnnc / OpenVINO | cnnc GFLOP/s | of FP32 peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for preset, resolution, ours, ort_ms, ov_ms, gflops in rows:
        print(f"| {preset} | {resolution} | {ours:.2f} | {ort_ms:.2f} | {ov_ms:.2f} "
              f"| {ours / ort_ms:.2f} | {ours / ov_ms:.2f} | {gflops:.1f} "
              f"| {gflops * 1e9 / peak:.0%} |")


if __name__ == "__main__":
    main()
