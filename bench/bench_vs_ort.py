#!/usr/bin/env python3
"""cnnc against ONNX Runtime and OpenVINO, side by side, on this machine.

For each model: torchvision builds it with seeded random weights, which are
exported to ONNX (for ORT and OpenVINO) and saved as safetensors (for cnnc
compile). All three run batch 1, FP32, with the same thread count, in one
process, their runs interleaved: rounds in which each runtime runs a block
(a warm-up run, then timed runs), each round starting with the next runtime,
so that a slow spell of a shared machine falls on all three alike (timed one
after another, the ratios moved by 30% between runs). The script checks that
their logits agree, then prints median latencies, cnnc's ratio to each peer beside the goals (at most
0.8 of ORT's time and 0.85 of OpenVINO's), and how much of this machine's
FP32 peak cnnc reaches (FLOPs from `cnnc stats`, 2 per MAC; the peak measured
by `cnnc hardware host`, scaled to the threads used). The FLOPs are a direct
convolution's: cnnc computes 3×3 convolutions at stride 1 by Winograd, with a
quarter of the products, so a model made mostly of them (efficientnetv2-s)
can pass the peak in this column.
"""
import argparse
import ctypes
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


def ort_runner(onnx_path, x, threads):
    """One ONNX Runtime inference as a call, and its logits."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda: session.run(None, {name: x}), session.run(None, {name: x})[0]


def openvino_runner(onnx_path, x, threads):
    """One inference of OpenVINO's CPU plugin on the same ONNX file as a call:
    FP32 (no bf16 or f16 inference precision), latency mode, `threads`
    threads; and its logits."""
    compiled = ov.Core().compile_model(onnx_path, "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    request.infer({0: x})
    return lambda: request.infer({0: x}), np.array(request.get_output_tensor(0).data)


class CnncStatus(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 512)]


class CnncOptions(ctypes.Structure):
    _fields_ = [("num_threads", ctypes.c_int), ("input_layout", ctypes.c_int),
                ("launch_each_kernel", ctypes.c_int)]


def cnnc_runner(model_dir, preset, x, threads, classes):
    """One inference of a compiled model, loaded into this process through
    its C API (lib<name>.so), as a call; and its `classes` logits."""
    lib = ctypes.CDLL(os.path.join(model_dir, f"lib{preset}.so"))
    create = getattr(lib, f"cnnc_{preset.replace('-', '_')}_create_from_file")
    create.restype = CnncStatus
    lib.cnnc_run.restype = CnncStatus
    floats = ctypes.POINTER(ctypes.c_float)
    lib.cnnc_run.argtypes = [ctypes.c_void_p, floats, ctypes.c_size_t, floats, ctypes.c_size_t]
    model = ctypes.c_void_p()
    status = create(os.path.join(model_dir, f"{preset}.weights").encode(),
                    ctypes.byref(CnncOptions(threads, 0)), ctypes.byref(model))
    if status.code:
        sys.exit(f"cnnc: {status.message.decode()}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.zeros(classes, dtype=np.float32)

    def run():
        status = lib.cnnc_run(model, x.ctypes.data_as(floats), x.size, y.ctypes.data_as(floats),
                              y.size)
        if status.code:
            sys.exit(f"cnnc: {status.message.decode()}")

    run()
    return run, y.copy()


BLOCK_RUNS = 10
AVX2_NOTE = " (OpenVINO capped at AVX2, ORT not)"


def interleaved_medians(runners, iterations, warmup):
    """Median milliseconds of each of `runners` (name: call) over `iterations`
    timed runs, in rounds of a block of BLOCK_RUNS each: `warmup` runs (spread
    over the rounds, at least one a block: another runtime's idle threads
    may still be spinning), then the block's timed runs. Short blocks in many
    rounds: a slow spell of a shared machine (they last seconds) falls on
    every runtime alike."""
    rounds = max(1, iterations // BLOCK_RUNS)
    times = {name: [] for name in runners}
    names = list(runners)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            for _ in range(max(1, warmup // rounds)):
                runners[name]()
            for _ in range(iterations // rounds + (r < iterations % rounds)):
                start = time.perf_counter()
                runners[name]()
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: float(np.median(t)) for name, t in times.items()}


def time_ort(onnx_path, x, threads, iterations, warmup):
    """ONNX Runtime alone: median milliseconds and the logits."""
    run, out = ort_runner(onnx_path, x, threads)
    return interleaved_medians({"ort": run}, iterations, warmup)["ort"], out


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
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_timing_arguments(parser)
    parser.add_argument("--target", default="host")
    parser.add_argument("models", nargs="*", default=[m[0] for m in MODELS])
    args = parser.parse_args()
    if args.target == "x86-64-avx2":
        # What an AVX2-only machine would see, on a newer one: OpenVINO's
        # kernels (oneDNN) read this before their first model. ONNX Runtime's
        # cannot be capped: its column stays this CPU's full ISA.
        os.environ["ONEDNN_MAX_CPU_ISA"] = "AVX2"
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
            runners, outputs = {}, {}
            runners["ort"], outputs["ort"] = ort_runner(onnx_path, x, args.threads)
            runners["openvino"], outputs["openvino"] = openvino_runner(onnx_path, x,
                                                                       args.threads)
            runners["cnnc"], outputs["cnnc"] = cnnc_runner(out_dir, preset, x, args.threads,
                                                           outputs["ort"].size)
            error = max(float(np.abs(outputs["cnnc"] - outputs[peer]).max() /
                              np.abs(outputs[peer]).max()) for peer in ("ort", "openvino"))
            ms = interleaved_medians(runners, args.iterations, args.warmup)
            ours, ort_ms, ov_ms = ms["cnnc"], ms["ort"], ms["openvino"]
            gflops = model_flops(args.cnnc, preset) / (ours / 1e3) / 1e9
            rows.append((preset, resolution, ours, ort_ms, ov_ms, gflops))
            print(f"{preset}: cnnc {ours:.2f} ms, ORT {ort_ms:.2f} ms, "
                  f"OpenVINO {ov_ms:.2f} ms, max rel. difference {error:.1e}", flush=True)

    print(f"\n{args.threads} thread(s), batch 1, median of {args.iterations} runs each, "
          f"interleaved in blocks of {BLOCK_RUNS}, "
          f"ONNX Runtime {ort.__version__}, OpenVINO {ov.__version__.split('-')[0]}, cnnc target "
          f"{args.target}{AVX2_NOTE if args.target == 'x86-64-avx2' else ''}; "
          f"FP32 peak on {args.threads} thread(s) {peak / 1e9:.1f} GFLOP/s "
          f"(cnnc hardware host); goals: cnnc / ORT <= 0.8, cnnc / OpenVINO <= 0.85; "
          "GFLOP/s counts a direct convolution's FLOPs (3x3 convolutions at stride 1 compute "
          "by Winograd, with a quarter of the products)\n")
    print("| model | resolution | cnnc (ms) | ORT (ms) | OpenVINO (ms) | cnnc / ORT "
          "| cnnc / OpenVINO | cnnc GFLOP/s | of FP32 peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for preset, resolution, ours, ort_ms, ov_ms, gflops in rows:
        print(f"| {preset} | {resolution} | {ours:.2f} | {ort_ms:.2f} | {ov_ms:.2f} "
              f"| {ours / ort_ms:.2f} | {ours / ov_ms:.2f} | {gflops:.1f} "
              f"| {gflops * 1e9 / peak:.0%} |")


if __name__ == "__main__":
    main()
