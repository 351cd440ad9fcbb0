#!/usr/bin/env python3
"""One cnnc build against another, side by side, on this machine.

Both builds compile the same presets (seeded random weights) for the same
target; their `cnnc bench` runs are interleaved round by round, so that the
machine's drift hits both alike. Prints each build's median of the round
medians and the ratio new / baseline. Use it to show that a change keeps (or
improves) speed: build the baseline from another checkout, e.g.
  git worktree add ../base HEAD~1 && (cd ../base && ./scripts/build.sh)
  bench/bench_vs_build.py --baseline ../base/build/bin/cnnc --cnnc build/bin/cnnc
"""
import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile


def cpu_isa():
    """The vector extensions this CPU reports, for the record beside the numbers."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line.split(":", 1)[1].split() for line in f if line.startswith("flags"))
    except (OSError, StopIteration):
        return platform.machine()
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni")
    return " ".join(f for f in wanted if f in flags) or platform.machine()


def median_ms(cnnc, model_dir, threads, iterations):
    out = subprocess.run([cnnc, "bench", model_dir, "--threads", str(threads), "--iterations",
                          str(iterations), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the cnnc binary to compare against")
    parser.add_argument("--cnnc", required=True, help="the cnnc binary under test")
    parser.add_argument("--target", default="host")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("models", nargs="*", default=["efficientnet-b0", "mobilenet-v2"])
    args = parser.parse_args()

    print(f"# {platform.node()}, {cpu_isa()}, target {args.target}, {args.threads} threads, "
          f"{args.rounds} rounds of {args.iterations} runs")
    print("| model | baseline (ms) | this build (ms) | this / baseline |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            dirs = {}
            for label, cnnc in (("baseline", args.baseline), ("new", args.cnnc)):
                dirs[label] = f"{tmp}/{model}-{label}"
                subprocess.run([cnnc, "compile", model, "--random-weights", "1", "--target",
                                args.target, "-o", dirs[label]], check=True,
                               stdout=subprocess.DEVNULL)
            times = {"baseline": [], "new": []}
            for _ in range(args.rounds):
                for label, cnnc in (("baseline", args.baseline), ("new", args.cnnc)):
                    times[label].append(median_ms(cnnc, dirs[label], args.threads,
                                                  args.iterations))
            base, new = (statistics.median(times[k]) for k in ("baseline", "new"))
            print(f"| {model} | {base:.2f} | {new:.2f} | {new / base:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
