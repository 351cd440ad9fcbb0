#!/usr/bin/env python3
"""Where a compiled model's time goes, by kind of kernel.

Compiles MODEL (a preset or spec, seeded random weights), runs `cnnc bench
--per-kernel` (each kernel's calls timed one by one, medians over the runs),
and splits the median latency over the kernels by their share of those
times. (Halide's profiler, `--target host-profile`, had been used before:
on the 2-core Zen 5 it slowed mobilenet-v2 from 1.5 to 2.4 ms and put a
quarter of it in the depthwise convolutions, which per-call timing puts
at an eighth.) Kernels
are grouped by what they compute, read from `cnnc ir --level kernels`: 1×1
convolutions (expansions, projections; those behind an SE gate apart, and
an expansion computed by its depthwise convolution), depthwise
convolutions by kernel size, dense k×k convolutions (the stem,
Fused-MBConv), the SE/CBAM pools and MLPs, and the classifier; beside each
kind, the GFLOP/s its kernels reach (a convolution's or fully connected
layer's direct FLOPs, 2 per MAC, over their time).

usage: kernel_profile.py --cnnc build/bin/cnnc [--threads N] MODEL...
"""
import argparse
import collections
import re
import subprocess
import tempfile


def flops(signature):
    """The direct FLOPs (2 per MAC) of one call of a kernel, from its
    signature: each convolution's and fully connected layer's. A filter held
    twice over (pixel pairs) serves a result of half the pixels."""
    total = 0
    for op in re.finditer(r"cnn\.(conv2d|depthwise_conv2d|fully_connected)\(([^)]*)\)[^|]*"
                          r"-> \w+\[([\dx]+)\]", signature):
        kind, args = op.group(1), op.group(2).split(",")
        result = [int(d) for d in op.group(3).split("x")]
        weight = re.search(args[1] + r":weight:(\w+):\w+\[([\dx]+)\]", signature)
        if not weight:
            continue
        shape = [int(d) for d in weight.group(2).split("x")]
        pixels = result[0] * (result[2] * result[3] if len(result) == 4 else 1)
        if weight.group(1).endswith("_twice"):
            pixels *= 2
        macs = shape[0] * shape[1] if kind == "fully_connected" else 1
        if kind == "conv2d":
            macs = shape[0] * shape[1] * shape[2] * shape[3]
        elif kind == "depthwise_conv2d":
            macs = shape[0] * shape[2] * shape[3]
        total += 2 * macs * (pixels if kind != "fully_connected" else result[0])
    return total


def kernel_kinds(cnnc, model):
    """Each kernel's kind, by index, from its signature's first op, and its
    FLOPs a run (over all its calls)."""
    listing = subprocess.run([cnnc, "ir", model, "--level", "kernels"], check=True,
                             capture_output=True, text=True).stdout
    calls = collections.Counter(int(k) for k in re.findall(r"^call \d+: k(\d+) ", listing, re.M))
    kinds, work = [], []
    for signature in re.findall(r"^  signature: (.*)$", listing, re.M):
        work.append(flops(signature) * calls[len(work)])
        ops = re.findall(r"cnn\.(\w+)\(", signature)
        filt = re.search(r"weight:filter_\w+:\w+\[(\d+)x(\d+)x(\d+)x(\d+)\]", signature)
        first = ops[0] if ops else "?"
        if first in ("global_pool", "channel_pool"):
            kinds.append("pools: SE/CBAM MLPs, the head and classifier")
        elif "depthwise_conv2d" in ops and "conv2d" in ops:
            kinds.append("1×1 expansion computed by its depthwise convolution")
        elif "depthwise_conv2d" in ops and filt:
            kinds.append(f"{filt.group(3)}×{filt.group(4)} depthwise convolution")
        elif "conv2d" in ops and filt:
            kh, kw = filt.group(3), filt.group(4)
            if (kh, kw) != ("1", "1"):
                kinds.append(f"{kh}×{kw} dense convolution")
            elif first == "mul":
                kinds.append("1×1 projection behind an SE gate")
            else:
                kinds.append("1×1 convolution")
        elif "fully_connected" in ops:
            kinds.append("classifier")
        else:
            kinds.append("+".join(ops) or "?")
    return kinds, work


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    for model in args.models:
        kinds, work = kernel_kinds(args.cnnc, model)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([args.cnnc, "compile", model, "--random-weights", "1", "-o", tmp],
                           check=True, stdout=subprocess.DEVNULL)
            out = subprocess.run([args.cnnc, "bench", tmp, "--threads", str(args.threads),
                                  "--iterations", str(args.iterations), "--per-kernel"],
                                 check=True, capture_output=True, text=True)
        text = out.stdout
        median = float(re.search(r"median ([0-9.]+) ms", text).group(1))
        per_kernel = {int(k): float(t) for k, t in
                      re.findall(r"^\| k(\d+) \| [^|]+ \| \d+ \| ([0-9.]+) \|", text, re.M)}
        total = sum(per_kernel.values())
        by_kind, work_by_kind = collections.Counter(), collections.Counter()
        for k, t in per_kernel.items():
            kind = kinds[k] if k < len(kinds) else "?"
            by_kind[kind] += t
            work_by_kind[kind] += work[k] if k < len(work) else 0
        print(f"\n{model}: median {median:.2f} ms, {args.threads} threads, "
              f"{len(per_kernel)} distinct kernels, each timed call by call\n")
        print("| kernels | share | ms per run | GFLOP/s |")
        print("| --- | --- | --- | --- |")
        for kind, t in by_kind.most_common():
            ms = median * t / total
            rate = f"{work_by_kind[kind] / ms / 1e6:.0f}" if work_by_kind[kind] else "-"
            print(f"| {kind} | {t / total:.0%} | {ms:.2f} | {rate} |")


if __name__ == "__main__":
    main()
