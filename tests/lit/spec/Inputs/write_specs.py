"""Writes the absurd specs of limits.yaml into a directory: each asks for a
size far past cnnc's limits, in one of the ways a user can.
usage: write_specs.py DIR"""
import sys

BASE = "base: efficientnet-b0\n"
SPECS = {
    "phi50": BASE + "scaling: {phi: 50}\n",
    "phi30": BASE + "scaling: {phi: 30}\n",
    "phi1000": BASE + "scaling: {phi: 1000}\n",
    "depth": BASE + "scaling: {depth: 1.0e15}\n",
    "repeats": BASE + "stages:\n  - {block: mbconv, expand_ratio: 1, kernel: 3, stride: 1, "
               "channels: 16,\n     repeats: 4611686018427387904}\n",
    "classes": BASE + "num_classes: 1099511627776\n",
    "blocks": BASE + "stages:\n" + "  - {expand_ratio: 1, kernel: 3, stride: 1, channels: 16, "
              "repeats: 200}\n" * 10,
    "expand": BASE + "stages:\n  - {expand_ratio: 1, kernel: 3, stride: 1, channels: 16}\n"
              "  - {expand_ratio: 64444444444444444, kernel: 3, stride: 2, channels: 92}\n",
    "width": BASE + "scaling: {width: 1.0e9}\n",
    "resolution": BASE + "resolution: 9223372036854775807\n",
    "resolution31": BASE + "resolution: 2147483648\n",
    "resolution-mult": BASE + "scaling: {resolution: 1.0e300}\n",
    "divisor": BASE + "channel_divisor: 4611686018427387904\n",
    "resolution8k": BASE + "resolution: 8192\n",
}

for name, text in SPECS.items():
    with open(f"{sys.argv[1]}/{name}.yaml", "w") as f:
        f.write(text)
