#!/usr/bin/env python3
"""INT8 against FP32 on another x86 machine (an AVX-512 VNNI server), from a pack.

`prepare` (here, with cnnc) compiles efficientnet-b0 with seeded random
weights, calibrated on the calibration photos, for FP32 and for INT8 under
both requantization rules, for each given Halide target, and keeps of each
model only what its runner needs (cnnc-runner and the weights file), plus an
input and the reference evaluator's INT8 logits for it. `run` (there, with
nothing but Python's standard library) checks that each INT8 runner's logits
equal the evaluator's bit for bit, then times every runner, batch 1, with
the same threads, interleaved, and prints the medians.

  bench_int8_pack.py prepare --cnnc build/bin/cnnc --out build/int8-pack TARGET...
  bench_int8_pack.py run build/int8-pack [--threads 1,2] [--iterations 50]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = "efficientnet-b0"
VARIANTS = [("fp32", []), ("int8-fixed-point", ["--requantization", "fixed-point"]),
            ("int8-float32", ["--requantization", "float32"])]


def prepare(args):
    import numpy as np
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "torchvision"))
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
    from fixtures import make_fixture
    from image_input import photo_batch

    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        weights, _, _, _ = make_fixture("efficientnet_b0", 224, tmp, seed=3)
        photos = os.path.join(HERE, "..", ".venv", "share", "cnnc", "photos")
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
        calibration = os.path.join(tmp, "calibration.npy")
        np.save(calibration, photo_batch(os.path.join(photos, "calibration"), 224, mean, std))
        x = photo_batch(os.path.join(photos, "evaluation"), 224, mean, std)[:1]
        np.save(os.path.join(tmp, "x.npy"), x)
        x.astype("<f4").tofile(os.path.join(args.out, "input.f32"))
        for name, flags in VARIANTS[1:]:
            out = os.path.join(tmp, "reference.npy")
            subprocess.run([args.cnnc, "eval", MODEL, "--weights", weights, "--input",
                            os.path.join(tmp, "x.npy"), "--output", out, "--precision", "int8",
                            "--calibrate", calibration] + flags,
                           check=True, stdout=subprocess.DEVNULL)
            np.load(out).astype("<f4").tofile(os.path.join(args.out, f"{name}.expected.f32"))
        for target in args.targets:
            for name, flags in VARIANTS:
                model = os.path.join(tmp, "model")
                int8 = ["--precision", "int8", "--calibrate", calibration] if flags else []
                subprocess.run([args.cnnc, "compile", MODEL, "--weights", weights, "--target",
                                target, "-o", model] + int8 + flags,
                               check=True, stdout=subprocess.DEVNULL)
                dest = os.path.join(args.out, f"{target}.{name}")
                os.makedirs(dest, exist_ok=True)
                shutil.copy(os.path.join(model, "cnnc-runner"), dest)
                shutil.copy(os.path.join(model, f"{MODEL}.weights"), dest)
                shutil.rmtree(model)
    print(f"packed {args.out}")


def runner(pack, model):
    directory = os.path.join(pack, model)
    return [os.path.join(directory, "cnnc-runner"), os.path.join(directory, f"{MODEL}.weights")]


def run(args):
    models = sorted(d for d in os.listdir(args.pack) if os.path.isdir(os.path.join(args.pack, d)))
    for model in models:
        variant = model.split(".", 1)[1]
        if not variant.startswith("int8"):
            continue
        out = os.path.join(args.pack, "out.f32")
        result = subprocess.run(runner(args.pack, model) + [
            "run", os.path.join(args.pack, "input.f32"), out, "nchw", "1"],
            capture_output=True, text=True)
        if result.returncode:
            print(f"{model}: {result.stderr.strip()}")
            continue
        with open(out, "rb") as got, open(os.path.join(args.pack, f"{variant}.expected.f32"),
                                           "rb") as expected:
            print(f"{model}: logits bit-exact against the evaluator: "
                  f"{got.read() == expected.read()}")
    rows = {}
    for threads in [int(t) for t in args.threads.split(",")]:
        times = {m: [] for m in models}
        for _ in range(args.rounds):  # interleaved: the machine's drift hits every model alike
            for model in models:
                result = subprocess.run(runner(args.pack, model) + [
                    "bench", str(args.iterations), str(args.warmup), "nchw", str(threads)],
                    capture_output=True, text=True)
                if result.returncode:
                    times[model] = None
                    continue
                if times[model] is not None:
                    times[model] += [float(line.split()[1]) for line in result.stdout.split("\n")
                                     if line.startswith("ms ")]
        for model, samples in times.items():
            rows[(model, threads)] = statistics.median(samples) if samples else None
    print(json.dumps({f"{m} {t}": v for (m, t), v in rows.items()}))
    print("| target . model | threads | median (ms) |")
    print("| --- | --- | --- |")
    for (model, threads), ms in rows.items():
        print(f"| {model} | {threads} | {'refused' if ms is None else f'{ms:.2f}'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--cnnc", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("targets", nargs="+")
    r = sub.add_parser("run")
    r.add_argument("pack")
    r.add_argument("--threads", default="1,2")
    r.add_argument("--iterations", type=int, default=30)
    r.add_argument("--warmup", type=int, default=5)
    r.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
