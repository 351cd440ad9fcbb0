#!/usr/bin/env python3
"""Checks cnnc's presets against torchvision's models of the same name.

For every preset torchvision also builds: the parameter count must be equal,
and the multiply-accumulates (convolutions and linear layers, counted here with
forward hooks on torchvision's modules) must be equal. For the EfficientNet
family, cnnc's weight names and shapes must also equal torchvision's state_dict
(batch-norm num_batches_tracked aside), so its weights load by name.
"""
import argparse
import json
import os
import subprocess
import sys
import warnings

import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from cnnc_ir import weights  # noqa: E402

warnings.filterwarnings("ignore")

# preset → (torchvision builder, whether cnnc names weights as torchvision does)
PRESETS = {
    "efficientnet-b0": ("efficientnet_b0", True),
    "efficientnet-b1": ("efficientnet_b1", True),
    "efficientnet-b2": ("efficientnet_b2", True),
    "efficientnet-b3": ("efficientnet_b3", True),
    "efficientnet-b4": ("efficientnet_b4", True),
    "efficientnet-b5": ("efficientnet_b5", True),
    "efficientnet-b6": ("efficientnet_b6", True),
    "efficientnet-b7": ("efficientnet_b7", True),
    "efficientnetv2-s": ("efficientnet_v2_s", True),
    "efficientnetv2-m": ("efficientnet_v2_m", True),
    "efficientnetv2-l": ("efficientnet_v2_l", True),
    "mobilenet-v2": ("mobilenet_v2", True),
    "mobilenet-v3-small": ("mobilenet_v3_small", True),
    "mobilenet-v3-large": ("mobilenet_v3_large", True),
}



def count_macs(model, resolution):
    macs = 0

    def conv_hook(module, _inputs, output):
        nonlocal macs
        kh, kw = module.kernel_size
        macs += output.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module, _inputs, output):
        nonlocal macs
        macs += output.numel() * module.in_features

    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            module.register_forward_hook(conv_hook)
        elif isinstance(module, torch.nn.Linear):
            module.register_forward_hook(linear_hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution))
    return macs


def cnnc_weights(cnnc, preset):
    ir = subprocess.run([cnnc, "ir", preset], check=True, capture_output=True, text=True).stdout
    return {name: shape for name, _, shape in weights(ir)}


def check(cnnc, preset, builder, same_names):
    stats = json.loads(
        subprocess.run([cnnc, "stats", preset, "--json"], check=True, capture_output=True,
                       text=True).stdout)
    model = getattr(tvm, builder)().eval()
    problems = []
    params = sum(p.numel() for p in model.parameters())
    if stats["params"] != params:
        problems.append(f"params {stats['params']:,} != torchvision {params:,}")
    macs = count_macs(model, stats["resolution"])
    if stats["macs"] != macs:
        problems.append(f"MACs {stats['macs']:,} != torchvision {macs:,}")
    if same_names:
        ours = cnnc_weights(cnnc, preset)
        theirs = {k: list(v.shape) for k, v in model.state_dict().items()
                  if not k.endswith("num_batches_tracked")}
        for name in sorted(theirs.keys() - ours.keys())[:5]:
            problems.append(f"missing weight {name} {theirs[name]}")
        for name in sorted(ours.keys() - theirs.keys())[:5]:
            problems.append(f"extra weight {name} {ours[name]}")
        for name in sorted(ours.keys() & theirs.keys()):
            if ours[name] != theirs[name]:
                problems.append(f"weight {name}: {ours[name]} != torchvision {theirs[name]}")
    return params, macs, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cnnc", required=True, help="path of the cnnc binary")
    parser.add_argument("presets", nargs="*", default=list(PRESETS))
    args = parser.parse_args()
    torch.set_num_threads(2)
    passed = failed = 0
    for preset in args.presets:
        builder, same_names = PRESETS[preset]
        params, macs, problems = check(args.cnnc, preset, builder, same_names)
        if problems:
            failed += 1
            print(f"FAIL {preset}: " + "; ".join(problems))
        else:
            passed += 1
            names = ", weight names" if same_names else ""
            print(f"ok   {preset}: params {params:,}, MACs {macs:,}{names} equal to torchvision")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
