#!/usr/bin/env python3
"""A model compiled with a tuning database against the same model with the
target's default schedules, side by side on this machine.

Compiles MODEL twice (once plain, once with `--tuning-db DB`; with the
compile options given after MODEL, such as `--precision int8 --calibrate DIR
--weights W.safetensors`, which must be those the tune was given; seeded
random weights where they choose none), then times both with `cnnc bench DEFAULT --against TUNED`:
both libraries loaded into one process and run one after the other, each
first every other time, so that a busy moment on a shared machine falls on
both alike. Repeats that for a few rounds and prints the median round's
times and speed-up, and the range of the rounds' speed-ups.

usage: bench_tuned.py --cnnc build/bin/cnnc --db tuned.jsonl MODEL [--rounds 5] [COMPILE OPTIONS]
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
    args, compile_options = parser.parse_known_args()
    if "--weights" not in compile_options and "--random-weights" not in compile_options:
        compile_options += ["--random-weights", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        builds = {"default": [], "tuned": ["--tuning-db", args.db]}
        for name, extra in builds.items():
            out = subprocess.run([args.cnnc, "compile", args.model, "-o", f"{tmp}/{name}"] +
                                 compile_options + extra, check=True,
                                 capture_output=True, text=True).stdout
            if name == "tuned":
                print(out.strip().split("\n")[-1])
        rounds = []
        for _ in range(args.rounds):
            rounds.append(json.loads(subprocess.run(
                [args.cnnc, "bench", f"{tmp}/default", "--against", f"{tmp}/tuned", "--threads",
                 str(args.threads), "--iterations", str(args.iterations), "--json"], check=True,
                capture_output=True, text=True).stdout))
    rounds.sort(key=lambda r: r["median_ms"] / r["against_median_ms"])
    middle = rounds[len(rounds) // 2]
    speedups = [r["median_ms"] / r["against_median_ms"] for r in rounds]
    print(f"{args.model}: default schedules {middle['median_ms']:.2f} ms, tuned "
          f"{middle['against_median_ms']:.2f} ms, speed-up {speedups[len(speedups) // 2]:.2f}x "
          f"(the median of {args.rounds} rounds, {speedups[0]:.2f}x to {speedups[-1]:.2f}x; "
          f"{args.threads} threads, {args.iterations} runs of each per round, alternating)")


if __name__ == "__main__":
    main()
