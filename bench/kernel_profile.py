#!/usr/bin/env python3
"""Where a compiled model's time goes, by kind of kernel.

Compiles MODEL (a preset or spec, seeded random weights) with Halide's
profiler (`--target host-profile`), runs `cnnc bench`, and splits the median
latency over the kernels by their share of the profiler's samples. Kernels
are grouped by what they compute, read from `cnnc ir --level kernels`: 1×1
convolutions (expansions, projections; those that fold an SE scale into
their weights apart), depthwise convolutions by kernel size, dense k×k
convolutions (the stem, Fused-MBConv), the SE/CBAM pools and MLPs, and the
classifier. The profiler itself costs a few percent.

usage: kernel_profile.py --cnnc build/bin/cnnc [--threads N] MODEL...
"""
import argparse
import collections
import re
import subprocess
import tempfile


def kernel_kinds(cnnc, model):
    """Each kernel's kind, by index, from its signature's first op."""
    listing = subprocess.run([cnnc, "ir", model, "--level", "kernels"], check=True,
                             capture_output=True, text=True).stdout
    kinds = []
    for signature in re.findall(r"^  signature: (.*)$", listing, re.M):
        ops = re.findall(r"cnn\.(\w+)\(", signature)
        filt = re.search(r"weight:filter_\w+:\w+\[(\d+)x(\d+)x(\d+)x(\d+)\]", signature)
        first = ops[0] if ops else "?"
        if first in ("global_pool", "channel_pool"):
            kinds.append("pools: SE/CBAM MLPs, the head and classifier")
        elif "depthwise_conv2d" in ops and filt:
            kinds.append(f"{filt.group(3)}×{filt.group(4)} depthwise convolution")
        elif "conv2d" in ops and filt:
            kh, kw = filt.group(3), filt.group(4)
            if (kh, kw) != ("1", "1"):
                kinds.append(f"{kh}×{kw} dense convolution")
            elif first == "mul":
                kinds.append("1×1 projection, SE scale folded in")
            else:
                kinds.append("1×1 convolution")
        elif "fully_connected" in ops:
            kinds.append("classifier")
        else:
            kinds.append("+".join(ops) or "?")
    return kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    for model in args.models:
        kinds = kernel_kinds(args.cnnc, model)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([args.cnnc, "compile", model, "--random-weights", "1", "--target",
                            "host-profile", "-o", tmp], check=True, stdout=subprocess.DEVNULL)
            out = subprocess.run([args.cnnc, "bench", tmp, "--threads", str(args.threads),
                                  "--iterations", str(args.iterations)], check=True,
                                 capture_output=True, text=True)
        text = out.stdout + out.stderr
        median = float(re.search(r"median ([0-9.]+) ms", text).group(1))
        per_kernel = {int(k): float(t) for k, t in
                      re.findall(r"_k(\d+)\n total time: ([0-9.]+) ms", text)}
        total = sum(per_kernel.values())
        by_kind = collections.Counter()
        for k, t in per_kernel.items():
            by_kind[kinds[k] if k < len(kinds) else "?"] += t
        print(f"\n{model}: median {median:.2f} ms, {args.threads} threads, "
              f"{len(per_kernel)} distinct kernels (Halide profiler)\n")
        print("| kernels | share | ms per run |")
        print("| --- | --- | --- |")
        for kind, t in by_kind.most_common():
            print(f"| {kind} | {t / total:.0%} | {median * t / total:.2f} |")


if __name__ == "__main__":
    main()
