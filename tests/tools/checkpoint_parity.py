"""What the checks of cnnc against other libraries' checkpoints share
(tests/timm/check_timm.py, tests/pretrained/check_efficientnet_pytorch.py):
reading the name each cnnc weight has under a checkpoint naming scheme out of
`cnnc ir`, comparing {name: shape} maps, building big models without their
initializers, and checking one model's logits through cnnc's reference
evaluator and its compiled path."""
import argparse
import contextlib
import subprocess
import tempfile

import numpy as np
import torch

from cnnc_ir import weights as ir_weights
from fixtures import save_safetensors

SHOW = 5  # names listed per kind of mismatch
TOLERANCE = 1e-4


def parse_args(doc, names, default, numerics):
    """The checkers' command line: --cnnc, the models to check (default: all),
    and --no-numerics to skip the logits check of `numerics`."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", required=True, help="path of the cnnc binary")
    parser.add_argument(names, nargs="*", default=default,
                        help=f"{names} whose structure to check (default: all)")
    parser.add_argument("--no-numerics", action="store_true",
                        help=f"skip the {numerics} numerics checks")
    args = parser.parse_args()
    torch.set_num_threads(2)
    return args


class Report:
    """Prints one ok/FAIL line per check and counts them."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, label, detail):
        self.passed += ok
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label}: {detail}", flush=True)


@contextlib.contextmanager
def no_init():
    """Makes torch's weight initializers no-ops while a model is built (the
    weights are left as torch.empty made them): only names and shapes are read,
    and a 480M-parameter model would otherwise take seconds to initialize."""
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


def shapes(state_dict):
    """{name: shape} of a state_dict, batch-norm num_batches_tracked aside."""
    return {k: list(v.shape) for k, v in state_dict.items()
            if not k.endswith("num_batches_tracked")}


def cnnc_alias_weights(cnnc, preset, scheme):
    """{name under `scheme` (an alias key: timm, efficientnet_pytorch): shape} of
    cnnc's weights, and problems (weights without that alias, lines not understood)."""
    ir = subprocess.run([cnnc, "ir", preset], check=True, capture_output=True, text=True).stdout
    weights, problems = {}, []
    parsed = ir_weights(ir)
    if len(parsed) != ir.count("cnn.weight "):
        problems.append(f"{ir.count('cnn.weight ') - len(parsed)} cnn.weight lines not parsed")
    unaliased = []
    for name, aliases, shape in parsed:
        alias = aliases.get(scheme)
        if alias is None:
            unaliased.append(f"{name} {shape}")
        elif alias in weights:
            problems.append(f"{scheme} alias {alias} used twice")
        else:
            weights[alias] = shape
    if unaliased:
        problems.append(f"{len(unaliased)} weights without a {scheme} alias: "
                        + ", ".join(unaliased[:SHOW]))
    return weights, problems


def listed(what, names, shapes_by_name):
    more = f" (+{len(names) - SHOW} more)" if len(names) > SHOW else ""
    return (f"{len(names)} {what}: " + ", ".join(f"{n} {shapes_by_name[n]}" for n in names[:SHOW])
            + more)


def differences(ours, theirs, we, they):
    """Problems between two {name: shape}: names missing, extra, mis-shaped."""
    problems = []
    missing = sorted(theirs.keys() - ours.keys())
    extra = sorted(ours.keys() - theirs.keys())
    if missing:
        problems.append(listed(f"missing (in {they}, not in {we})", missing, theirs))
    if extra:
        problems.append(listed(f"extra (in {we}, not in {they})", extra, ours))
    misshaped = [n for n in sorted(ours.keys() & theirs.keys()) if ours[n] != theirs[n]]
    if misshaped:
        problems.append(f"{len(misshaped)} mis-shaped: " + ", ".join(
            f"{n} {we} {ours[n]} != {they} {theirs[n]}" for n in misshaped[:SHOW]))
    return problems


def check_logits(cnnc, report, model, spec, label, scheme, they, extra_check=None):
    """`model` (seeded weights, eval mode) against cnnc on the spec text `spec`,
    loaded from model.state_dict() under its own names: the reference evaluator
    and the compiled model (host) must each equal its logits within TOLERANCE of
    the largest, and the compile must say it read `scheme`-named weights.
    `extra_check(tmp, spec_path, weights_path)`, if given, runs with the files."""
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        expected = model(x).numpy()
    scale = float(np.abs(expected).max())
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, weights = f"{tmp}/{label}.yaml", f"{tmp}/weights.safetensors"
        inputs, out = f"{tmp}/input.npy", f"{tmp}/y.npy"
        with open(spec_path, "w") as f:
            f.write(spec)
        save_safetensors(weights, model.state_dict())
        np.save(inputs, x.numpy())

        def compare(what, command):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                report(False, what, f"exit {result.returncode}: {result.stderr.strip()}")
                return
            got = np.load(out)
            if got.shape != expected.shape:
                report(False, what, f"shape {got.shape} != {they} {expected.shape}")
                return
            error = float(np.abs(got - expected).max())
            report(error <= TOLERANCE * scale, what,
                   f"max |cnnc - {they}| = {error:.3g}, max |logit| = {scale:.3g}, "
                   f"ratio {error / scale:.2g} (limit {TOLERANCE:g})")

        compare(f"{label} reference evaluator, {scheme} weights",
                [cnnc, "eval", spec_path, "--weights", weights, "--input", inputs, "--output", out])
        lib = f"{tmp}/lib"
        result = subprocess.run([cnnc, "compile", spec_path, "--weights", weights, "-o", lib],
                                capture_output=True, text=True)
        said = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            report(False, f"{label} compile (auto scheme)", f"exit {result.returncode}: {said}")
        else:
            report(f"{scheme}-named weights" in said,
                   f"{label} compile (auto scheme detects {scheme})", said or "(no output)")
            compare(f"{label} compiled, {scheme} weights",
                    [cnnc, "run", lib, "--input", inputs, "--output", out])
        if extra_check:
            extra_check(tmp, spec_path, weights)
