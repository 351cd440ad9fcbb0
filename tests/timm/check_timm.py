#!/usr/bin/env python3
"""Checks cnnc against timm's models.

Structure: for every preset that follows a timm model (the TensorFlow ports
tf_efficientnet_*, tf_efficientnetv2_*) and for presets that torchvision and
timm both build, cnnc's parameter count must equal timm's, and the timm alias
of every cnnc weight, with its shape, must equal timm's state_dict (batch-norm
num_batches_tracked aside), so that timm checkpoints load by name. timm builds
these models with its initializers turned off: only names and shapes are read,
and tf_efficientnet_l2 (480M parameters) would otherwise take seconds to
initialize.

Numerics: tf_efficientnet_b0, built by timm with seeded random weights and
batch-norm statistics, against a spec written here (base efficientnet-b0 with
TensorFlow SAME padding and batch-norm epsilon 1e-3) compiled with the timm
state_dict (the naming scheme auto-detected) and run, and evaluated by cnnc's
reference evaluator: max |cnnc - timm| must be at most 1e-4 of max |timm logit|.
The same weights compiled under --weight-scheme torchvision must be refused.
"""
import argparse
import contextlib
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
import timm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torchvision"))
from fixtures import randomize, save_safetensors  # noqa: E402

warnings.filterwarnings("ignore")

PRESETS = {  # preset → timm model
    # presets that follow timm's TensorFlow ports
    "efficientnet-b8": "tf_efficientnet_b8",
    "efficientnet-l2": "tf_efficientnet_l2",
    "efficientnetv2-xl": "tf_efficientnetv2_xl",
    "efficientnetv2-b0": "tf_efficientnetv2_b0",
    "efficientnetv2-b1": "tf_efficientnetv2_b1",
    "efficientnetv2-b2": "tf_efficientnetv2_b2",
    "efficientnetv2-b3": "tf_efficientnetv2_b3",
    "efficientnet-lite0": "tf_efficientnet_lite0",
    # presets that torchvision and timm both build
    "efficientnet-b0": "efficientnet_b0",
    "efficientnetv2-s": "tf_efficientnetv2_s",
    "mobilenet-v2": "mobilenetv2_100",
}

WEIGHT_LINE = re.compile(
    r'cnn\.weight "([^"]+)"(?: buffer)?(?: \{aliases = \{([^}]*)\}\})? : tensor<([^>]*)>')
TIMM_ALIAS = re.compile(r'\btimm = "([^"]+)"')
SHOW = 5  # names listed per kind of mismatch
TOLERANCE = 1e-4
SPEC = """\
base: efficientnet-b0
name: tf-efficientnet-b0
padding: same
batch_norm_eps: 1.0e-3
"""


@contextlib.contextmanager
def no_init():
    """Makes torch's and timm's weight initializers no-ops while a model is built
    (the weights are left as torch.empty made them)."""
    def noop(tensor, *_args, **_kwargs):
        return tensor

    saved = []
    patches = ((torch.Tensor, ("normal_", "uniform_", "fill_", "zero_", "trunc_normal_")),
               (torch.nn.init, ("normal_", "uniform_", "trunc_normal_", "constant_", "zeros_",
                                "ones_", "kaiming_uniform_", "kaiming_normal_",
                                "xavier_uniform_", "xavier_normal_", "orthogonal_")))
    for owner, names in patches:
        for name in names:
            if hasattr(owner, name):
                saved.append((owner, name, getattr(owner, name)))
                setattr(owner, name, noop)
    try:
        yield
    finally:
        for owner, name, function in reversed(saved):
            setattr(owner, name, function)


def cnnc_timm_weights(cnnc, preset):
    """{timm alias: shape} of cnnc's weights, and problems (weights without a timm
    alias, lines not understood)."""
    ir = subprocess.run([cnnc, "ir", preset], check=True, capture_output=True, text=True).stdout
    weights, problems = {}, []
    matches = WEIGHT_LINE.findall(ir)
    if len(matches) != ir.count("cnn.weight "):
        problems.append(f"{ir.count('cnn.weight ') - len(matches)} cnn.weight lines not parsed")
    unaliased = []
    for name, aliases, dims in matches:
        alias = TIMM_ALIAS.search(aliases)
        shape = [int(d) for d in dims.split("x")[:-1]]  # "32x3x3x3xf32" → [32, 3, 3, 3]
        if alias is None:
            unaliased.append(f"{name} {shape}")
        elif alias.group(1) in weights:
            problems.append(f"timm alias {alias.group(1)} used twice")
        else:
            weights[alias.group(1)] = shape
    if unaliased:
        problems.append(f"{len(unaliased)} weights without a timm alias: "
                        + ", ".join(unaliased[:SHOW]))
    return weights, problems


def listed(what, names, shapes):
    more = f" (+{len(names) - SHOW} more)" if len(names) > SHOW else ""
    return f"{len(names)} {what}: " + ", ".join(f"{n} {shapes[n]}" for n in names[:SHOW]) + more


def check_structure(cnnc, preset, builder):
    stats = json.loads(subprocess.run([cnnc, "stats", preset, "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    with no_init():
        model = timm.create_model(builder, pretrained=False)
    problems = []
    params = sum(p.numel() for p in model.parameters())
    if stats["params"] != params:
        problems.append(f"params {stats['params']:,} != timm {params:,}")
    theirs = {k: list(v.shape) for k, v in model.state_dict().items()
              if not k.endswith("num_batches_tracked")}
    del model
    ours, alias_problems = cnnc_timm_weights(cnnc, preset)
    problems += alias_problems
    missing = sorted(theirs.keys() - ours.keys())
    extra = sorted(ours.keys() - theirs.keys())
    if missing:
        problems.append(listed("missing (in timm, no cnnc weight)", missing, theirs))
    if extra:
        problems.append(listed("extra (cnnc alias not in timm)", extra, ours))
    misshaped = [n for n in sorted(ours.keys() & theirs.keys()) if ours[n] != theirs[n]]
    if misshaped:
        problems.append(f"{len(misshaped)} mis-shaped: " + ", ".join(
            f"{n} cnnc {ours[n]} != timm {theirs[n]}" for n in misshaped[:SHOW]))
    return params, len(theirs), problems


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", required=True, help="path of the cnnc binary")
    parser.add_argument("presets", nargs="*", default=list(PRESETS),
                        help="presets whose structure to check (default: all)")
    parser.add_argument("--no-numerics", action="store_true",
                        help="skip the tf_efficientnet_b0 numerics checks")
    args = parser.parse_args()
    torch.set_num_threads(2)
    start = time.monotonic()
    passed = failed = 0

    def report(ok, label, detail):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label}: {detail}", flush=True)

    for preset in args.presets:
        builder = PRESETS[preset]
        params, count, problems = check_structure(args.cnnc, preset, builder)
        report(not problems, f"{preset} ↔ timm {builder}", "; ".join(problems) or
               f"params {params:,}, {count} weight names and shapes equal to timm")

    if not args.no_numerics:
        with tempfile.TemporaryDirectory() as tmp:
            model = randomize(timm.create_model("tf_efficientnet_b0", pretrained=False), seed=11)
            x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(12))
            with torch.no_grad():
                expected = model(x).numpy()
            spec, weights = f"{tmp}/tf-efficientnet-b0.yaml", f"{tmp}/weights.safetensors"
            inputs, out = f"{tmp}/input.npy", f"{tmp}/y.npy"
            with open(spec, "w") as f:
                f.write(SPEC)
            save_safetensors(weights, model.state_dict())
            np.save(inputs, x.numpy())
            scale = float(np.abs(expected).max())

            def compare(label, command):
                result = subprocess.run(command, capture_output=True, text=True)
                if result.returncode != 0:
                    report(False, label, f"exit {result.returncode}: {result.stderr.strip()}")
                    return
                got = np.load(out)
                if got.shape != expected.shape:
                    report(False, label, f"shape {got.shape} != timm {expected.shape}")
                    return
                error = float(np.abs(got - expected).max())
                report(error <= TOLERANCE * scale, label,
                       f"max |cnnc - timm| = {error:.3g}, max |logit| = {scale:.3g}, "
                       f"ratio {error / scale:.2g} (limit {TOLERANCE:g})")

            lib = f"{tmp}/lib"
            result = subprocess.run([args.cnnc, "compile", spec, "--weights", weights, "-o", lib],
                                    capture_output=True, text=True)
            said = (result.stdout + result.stderr).strip()
            if result.returncode != 0:
                report(False, "tf-efficientnet-b0 compile (auto scheme)",
                       f"exit {result.returncode}: {said}")
            else:
                report(bool(re.search(r"\btimm(-named| names)\b", said)),
                       "tf-efficientnet-b0 compile (auto scheme detects timm)", said or "(no output)")
                compare("tf-efficientnet-b0 compiled, timm weights",
                        [args.cnnc, "run", lib, "--input", inputs, "--output", out])
            compare("tf-efficientnet-b0 reference evaluator, timm weights",
                    [args.cnnc, "eval", spec, "--weights", weights, "--input", inputs,
                     "--output", out])

            result = subprocess.run([args.cnnc, "compile", spec, "--weights", weights,
                                     "--weight-scheme", "torchvision", "-o", f"{tmp}/tv"],
                                    capture_output=True, text=True)
            said = (result.stdout + result.stderr).strip()
            missing = re.findall(r"missing tensor '[^']+'.*", said)
            report(result.returncode != 0 and bool(missing),
                   "tf-efficientnet-b0 timm weights under --weight-scheme torchvision",
                   (f"refused (exit {result.returncode}), {len(missing)} missing tensors listed, "
                    "first: " + (missing[0] if missing else "none")) if result.returncode else
                   "accepted: " + (said or "(no output)")[:300])

    print(f"{passed} passed, {failed} failed ({time.monotonic() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
