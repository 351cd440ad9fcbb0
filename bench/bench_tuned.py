#!/usr/bin/env python3
"""A model compiled with a tuning database against the same model with the
target's default schedules, side by side on this machine.

Compiles MODEL twice (seeded random weights; once plain, once with
`--tuning-db DB`), then times both with `cnnc bench` in alternating rounds,
each keeping its best round's median, so that a busy moment on a shared
machine falls on both alike. Prints both medians and the speed-up.

usage: bench_tuned.py --cnnc build/bin/cnnc --db tuned.jsonl MODEL [--rounds 5]
"""
import argparse
import json
import subprocess
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        builds = {"default": [], "tuned": ["--tuning-db", args.db]}
        for name, extra in builds.items():
            out = subprocess.run([args.cnnc, "compile", args.model, "--random-weights", "1",
                                  "-o", f"{tmp}/{name}"] + extra, check=True,
                                 capture_output=True, text=True).stdout
            if name == "tuned":
                print(out.strip().split("\n")[-1])
        best = {}
        for _ in range(args.rounds):
            for name in builds:
                result = json.loads(subprocess.run(
                    [args.cnnc, "bench", f"{tmp}/{name}", "--threads", str(args.threads),
                     "--iterations", str(args.iterations), "--json"], check=True,
                    capture_output=True, text=True).stdout)
                best[name] = min(best.get(name, float("inf")), result["median_ms"])
    print(f"{args.model}: default schedules {best['default']:.2f} ms, tuned {best['tuned']:.2f} ms, "
          f"speed-up {best['default'] / best['tuned']:.2f}x ({args.threads} threads, best of "
          f"{args.rounds} alternating rounds of {args.iterations} runs)")


if __name__ == "__main__":
    main()
