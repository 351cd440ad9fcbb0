#!/usr/bin/env python3
"""Measures the CUDA models of a pack (bench/gpu/prepare.py) on this machine's
GPU, side by side with PyTorch, and checks their logits against PyTorch's.

Each library is loaded into this process (ctypes) and called through the C API:
cnnc_run on host buffers, and cnnc_run_device on PyTorch's device tensors and
stream, which is what the timings use, as PyTorch's own are on data already on
the GPU. Per model: logits against PyTorch FP32 (TF32 off) within 1e-4 of the
largest logit, for batch 1 and 256; batch-1 latency (median of CUDA-event
timed runs) and batch-256 throughput, for cnnc and for PyTorch eager FP32,
eager TF32, eager AMP (float16 autocast) and torch.compile FP32 (while the
time budget lasts: it compiles for minutes). A pack's schedule variants
(prepare.py --variant) are checked and timed too, as cnnc_NAME; with
--profile, the JSON also lists each cnnc library's GPU kernels of one run in
launch order, so that variants compare kernel by kernel. A model replays
its run from the CUDA graph it recorded at create; the same library created
to launch each kernel (cnnc_options.launch_each_kernel) is checked and timed
too, as cnnc_each_kernel: what the graph gains. Prints a table, and writes it
as JSON where --json says."""
import argparse
import ctypes
import json
import lzma
import os
import statistics
import sys
import time

import numpy as np
import torch
import torchvision.models as tvm

from seeded_weights import digest, fill

TOLERANCE = 1e-4
HEADER_BYTES = 64


class Status(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 512)]


class Options(ctypes.Structure):
    _fields_ = [("num_threads", ctypes.c_int), ("input_layout", ctypes.c_int),
                ("launch_each_kernel", ctypes.c_int)]


class Info(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("input_shape", ctypes.c_int64 * 4),
                ("output_shape", ctypes.c_int64 * 2), ("input_dtype", ctypes.c_int),
                ("output_dtype", ctypes.c_int), ("input_count", ctypes.c_size_t),
                ("output_count", ctypes.c_size_t), ("arena_bytes", ctypes.c_size_t),
                ("weights_bytes", ctypes.c_size_t), ("on_device", ctypes.c_int),
                ("replays_graph", ctypes.c_int), ("no_graph_why", ctypes.c_char_p)]


class CnncModel:
    """A compiled model loaded through its C API."""

    def __init__(self, library, identifier, weights, launch_each_kernel=False):
        self.lib = ctypes.CDLL(library)
        create = getattr(self.lib, f"cnnc_{identifier}_create_from_file")
        create.restype = Status
        create.argtypes = [ctypes.c_char_p, ctypes.POINTER(Options), ctypes.POINTER(ctypes.c_void_p)]
        self.lib.cnnc_run.restype = Status
        self.lib.cnnc_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                      ctypes.c_void_p, ctypes.c_size_t]
        self.lib.cnnc_run_device.restype = Status
        self.lib.cnnc_run_device.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64,
                                             ctypes.c_void_p]
        self.lib.cnnc_destroy.argtypes = [ctypes.c_void_p]
        self.lib.cnnc_info.restype = Info
        self.lib.cnnc_info.argtypes = [ctypes.c_void_p]
        self.handle = ctypes.c_void_p()
        start = time.time()
        options = Options(0, 0, int(launch_each_kernel))
        self.check(create(weights.encode(), ctypes.byref(options), ctypes.byref(self.handle)))
        self.create_seconds = time.time() - start
        info = self.lib.cnnc_info(self.handle)
        self.no_graph_why = None if info.replays_graph else (info.no_graph_why or b"?").decode()

    @staticmethod
    def check(status):
        if status.code != 0:
            raise RuntimeError(f"cnnc: {status.message.decode()} (status {status.code})")

    def run_host(self, x, classes):
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.zeros((x.shape[0], classes), dtype=np.float32)
        self.check(self.lib.cnnc_run(self.handle, x.ctypes.data, x.size, y.ctypes.data, y.size))
        return y

    def run_device(self, x, y, stream):
        self.check(self.lib.cnnc_run_device(self.handle, x.data_ptr(), y.data_ptr(), stream))

    def close(self):
        self.lib.cnnc_destroy(self.handle)


def cuda_time_ms(fn, iterations, warmup):
    """Median milliseconds of `fn` between CUDA events on the current stream."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(iterations):
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def profile(fn, label, runs=3, top=12):
    """The GPU kernels `fn` launches, by total time (CUPTI sees every kernel of
    the process, the ones Halide's runtime launches included); returns the
    kernels of its last run in launch order, as [name, microseconds]."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile
    fn()
    torch.cuda.synchronize()
    with torch_profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(runs):
            fn()
        torch.cuda.synchronize()
    kernels = [e for e in prof.key_averages() if e.device_type.name == "CUDA"]
    total = sum(e.self_device_time_total for e in kernels) / runs
    print(f"     profile {label}: {len(kernels)} distinct GPU kernels, {total / 1e3:.3f} ms "
          f"of GPU time per run; the longest:", flush=True)
    for e in sorted(kernels, key=lambda e: -e.self_device_time_total)[:top]:
        print(f"       {e.self_device_time_total / runs / 1e3:8.3f} ms  {e.count // runs:4d}x  "
              f"{e.key[:90]}", flush=True)
    try:  # the launch order is an extra: a profiler without it must not stop the run
        launched = sorted((e for e in prof.events() if e.device_type.name == "CUDA"),
                          key=lambda e: e.time_range.start)
        per_run = len(launched) // runs
        return [[e.name, round(e.time_range.elapsed_us(), 2)] for e in launched[-per_run:]]
    except Exception as error:
        print(f"     profile {label}: no launch order ({error})", flush=True)
        return []


def check_parity(row, key, got, expected, what):
    """Records max |got - expected| / max |expected| in `row` under `key` and
    raises, naming `what`, where it passes TOLERANCE."""
    ratio = (got - expected).abs().max().item() / expected.abs().max().item()
    row[key] = ratio
    if ratio > TOLERANCE:
        raise RuntimeError(f"{what}: max |cnnc - torch| / max |logit| = {ratio:.2g} > "
                           f"{TOLERANCE:g}")
    return ratio


def set_tf32(enabled):
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled


def rebuild_weights(pack, preset, batch, out_dir):
    """The weights file of `batch`: its header, then the shared payload."""
    path = os.path.join(out_dir, f"{preset}-b{batch}.weights")
    with open(os.path.join(pack, f"{preset}-b{batch}.header"), "rb") as f:
        header = f.read()
    with open(os.path.join(pack, f"{preset}.weights.xz"), "rb") as f:
        payload = lzma.decompress(f.read())
    with open(path, "wb") as f:
        f.write(header + payload)
    return path


def measure_variant(args, entry, name, library, weights, x, expected, row, iterations, warmup,
                    launch_each_kernel=False):
    """Checks and times one variant of a model on `x` (another schedule, or
    the same library launching each kernel), as the defaults were; returns its
    median milliseconds."""
    batch = x.shape[0]
    model = CnncModel(os.path.join(args.pack, library), entry["identifier"], weights,
                      launch_each_kernel)
    try:
        stream = torch.cuda.current_stream()
        y = torch.empty_like(expected)
        model.run_device(x, y, stream.cuda_stream)
        torch.cuda.synchronize()
        ratio = check_parity(row, f"parity_{name}_b{batch}", y, expected,
                             f"variant {name}, batch {batch}")
        print(f"ok   {entry['preset']} batch {batch}, variant {name}: max |cnnc - torch| / "
              f"max |logit| = {ratio:.2g}", flush=True)
        ms = cuda_time_ms(lambda: model.run_device(x, y, stream.cuda_stream), iterations, warmup)
        if args.profile:
            row[f"launches_{name}_b{batch}"] = profile(
                lambda: model.run_device(x, y, stream.cuda_stream),
                f"{entry['preset']} batch {batch}, variant {name}")
        return ms
    finally:
        model.close()


def measure(entry, seed, args, began):
    """Parity and timings of one model, at each batch of the pack."""
    preset, resolution = entry["preset"], entry["resolution"]
    net = fill(getattr(tvm, entry["builder"])(), seed)
    if digest(net) != entry["weights_sha256"]:
        raise RuntimeError("this PyTorch draws other seeded weights than the pack's; "
                           "the logits cannot be compared")
    net = net.cuda()
    stream = torch.cuda.current_stream()
    row = {"preset": preset, "resolution": resolution}
    for batch_text, library in entry["libraries"].items():
        batch = int(batch_text)
        if args.batches and batch_text not in args.batches.split(","):
            continue
        weights = rebuild_weights(args.pack, preset, batch, os.environ.get("TMPDIR", "/tmp"))
        model = CnncModel(os.path.join(args.pack, library), entry["identifier"], weights)
        row[f"create_s_b{batch}"] = round(model.create_seconds, 2)
        row[f"graph_b{batch}"] = model.no_graph_why or "replayed"
        print(f"     {preset} batch {batch}: created in {model.create_seconds:.2f} s; runs "
              + ("replay a CUDA graph" if not model.no_graph_why
                 else f"launch each kernel: {model.no_graph_why}"), flush=True)
        generator = torch.Generator().manual_seed(batch)
        x = torch.randn(batch, 3, resolution, resolution, generator=generator).cuda()
        set_tf32(False)
        with torch.no_grad():
            expected = net(x).float()
        y = torch.empty_like(expected)
        model.run_device(x, y, stream.cuda_stream)
        torch.cuda.synchronize()
        host = torch.from_numpy(model.run_host(x.cpu().numpy(), expected.shape[1])).cuda()
        for label, got in (("cnnc_run_device", y), ("cnnc_run (host buffers)", host)):
            ratio = check_parity(row, f"parity_{label.split()[0]}_b{batch}", got, expected,
                                 f"batch {batch}, {label}")
            print(f"ok   {preset} batch {batch}, {label}: max |cnnc - torch| / max |logit| = "
                  f"{ratio:.2g} (limit {TOLERANCE:g})", flush=True)
        iterations = args.iterations if batch == 1 else max(5, args.iterations // 5)
        warmup = 10 if batch == 1 else 3
        timings = {"cnnc": cuda_time_ms(lambda: model.run_device(x, y, stream.cuda_stream),
                                        iterations, warmup)}
        with torch.no_grad():
            set_tf32(False)
            timings["torch_fp32"] = cuda_time_ms(lambda: net(x), iterations, warmup)
            set_tf32(True)
            timings["torch_tf32"] = cuda_time_ms(lambda: net(x), iterations, warmup)
            with torch.autocast("cuda", dtype=torch.float16):
                timings["torch_amp"] = cuda_time_ms(lambda: net(x), iterations, warmup)
            set_tf32(False)
            if time.time() - began < args.compile_budget:
                compiled = torch.compile(net)
                start = time.time()
                compiled(x)
                row[f"torch_compile_s_b{batch}"] = round(time.time() - start, 1)
                timings["torch_compile_fp32"] = cuda_time_ms(lambda: compiled(x), iterations,
                                                             warmup)
        if args.profile:
            row[f"launches_b{batch}"] = profile(lambda: model.run_device(x, y, stream.cuda_stream),
                                                f"{preset} batch {batch}")
        model.close()
        variants = [("each_kernel", library, True)] + [
            (name, libraries[batch_text], False)
            for name, libraries in entry.get("variants", {}).items() if batch_text in libraries]
        for name, variant_library, launch_each_kernel in variants:
            try:  # a variant's failure must not hide the defaults' figures
                timings[f"cnnc_{name}"] = measure_variant(
                    args, entry, name, variant_library, weights, x, expected, row,
                    iterations, warmup, launch_each_kernel)
            except Exception as error:
                print(f"FAIL {preset} batch {batch}, variant {name}: {error}", flush=True)
                row[f"error_{name}_b{batch}"] = str(error)
        os.remove(weights)
        for name, ms in timings.items():
            row[f"{name}_b{batch}_ms"] = round(ms, 3)
            if batch > 1:
                row[f"{name}_b{batch}_images_per_s"] = round(batch / ms * 1e3, 1)
        summary = ", ".join(f"{name} {ms:.3f} ms" for name, ms in timings.items())
        print(f"     {preset} batch {batch}: {summary}", flush=True)
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pack")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--compile-budget", type=float, default=240.0,
                   help="seconds after which torch.compile is no longer tried")
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--profile", action="store_true",
                   help="print each cnnc model's longest GPU kernels (torch.profiler)")
    p.add_argument("--models", help="comma-separated presets of the pack (default: all)")
    p.add_argument("--batches", help="comma-separated batches of the pack (default: all)")
    args = p.parse_args()
    began = time.time()
    with open(os.path.join(args.pack, "pack.json")) as f:
        pack = json.load(f)
    device = torch.cuda.get_device_name(0)
    torch.backends.cudnn.benchmark = True
    results = {"device": device, "torch": torch.__version__, "models": []}
    print(f"device: {device}; torch {torch.__version__}", flush=True)
    failed = 0
    for entry in pack["models"]:
        if args.models and entry["preset"] not in args.models.split(","):
            continue
        try:
            results["models"].append(measure(entry, pack["seed"], args, began))
        except Exception as error:  # one model's failure must not hide the others' figures
            failed += 1
            print(f"FAIL {entry['preset']}: {error}", flush=True)
            results["models"].append({"preset": entry["preset"], "error": str(error)})
    results["seconds"] = round(time.time() - began, 1)
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
