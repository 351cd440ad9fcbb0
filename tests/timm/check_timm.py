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
import json
import os
import re
import subprocess
import sys
import time
import warnings

import timm

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "..", "torchvision"), os.path.join(here, "..", "tools")]
from checkpoint_parity import (Report, check_logits, cnnc_alias_weights, differences,  # noqa: E402
                               no_init, parse_args, shapes)
from fixtures import randomize  # noqa: E402

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

SPEC = """\
base: efficientnet-b0
name: tf-efficientnet-b0
padding: same
batch_norm_eps: 1.0e-3
"""


def check_structure(cnnc, preset, builder):
    stats = json.loads(subprocess.run([cnnc, "stats", preset, "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    with no_init():
        model = timm.create_model(builder, pretrained=False)
    problems = []
    params = sum(p.numel() for p in model.parameters())
    if stats["params"] != params:
        problems.append(f"params {stats['params']:,} != timm {params:,}")
    theirs = shapes(model.state_dict())
    del model
    ours, alias_problems = cnnc_alias_weights(cnnc, preset, "timm")
    return params, len(theirs), problems + alias_problems + differences(ours, theirs, "cnnc",
                                                                        "timm")


def refused_under_torchvision(cnnc, report):
    """The timm-named weights compiled with --weight-scheme torchvision: refused,
    with the missing tensors named."""
    def check(tmp, spec, weights):
        result = subprocess.run([cnnc, "compile", spec, "--weights", weights,
                                 "--weight-scheme", "torchvision", "-o", f"{tmp}/tv"],
                                capture_output=True, text=True)
        said = (result.stdout + result.stderr).strip()
        missing = re.findall(r"missing tensor '[^']+'.*", said)
        report(result.returncode != 0 and bool(missing),
               "tf-efficientnet-b0 timm weights under --weight-scheme torchvision",
               (f"refused (exit {result.returncode}), {len(missing)} missing tensors listed, "
                "first: " + (missing[0] if missing else "none")) if result.returncode else
               "accepted: " + (said or "(no output)")[:300])
    return check


def main():
    args = parse_args(__doc__, "presets", list(PRESETS), "tf_efficientnet_b0")
    start = time.monotonic()
    report = Report()
    for preset in args.presets:
        builder = PRESETS[preset]
        params, count, problems = check_structure(args.cnnc, preset, builder)
        report(not problems, f"{preset} ↔ timm {builder}", "; ".join(problems) or
               f"params {params:,}, {count} weight names and shapes equal to timm")
    if not args.no_numerics:
        model = randomize(timm.create_model("tf_efficientnet_b0", pretrained=False), seed=11)
        check_logits(args.cnnc, report, model, SPEC, "tf-efficientnet-b0", "timm", "timm",
                     refused_under_torchvision(args.cnnc, report))
    print(f"{report.passed} passed, {report.failed} failed ({time.monotonic() - start:.1f} s)")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
