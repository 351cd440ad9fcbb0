#!/usr/bin/env python3
"""Writes random weights (safetensors) for any cnnc model, read off `cnnc ir`,
optionally broken in one way, and optionally an input .npy: fixtures for the
tests of bad input."""
import argparse
import json
import re
import struct
import subprocess

import numpy as np

from cnnc_ir import weights

INPUT = re.compile(r"func\.func @\S+\(%arg0: tensor<([0-9x]+)xf32>\)")


def encode(values, dtype):
    if dtype == "F32":
        return values.astype("<f4").tobytes()
    if dtype == "F16":
        return values.astype("<f2").tobytes()
    bits = values.astype("<f4").view("<u4")  # BF16: the high half of float32
    return ((bits + 0x8000) >> 16).astype("<u2").tobytes()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("cnnc")
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--dtype", default="F32", choices=["F32", "F16", "BF16"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scheme", help="name tensors under this checkpoint scheme's aliases "
                   "(timm, efficientnet_pytorch) instead of torchvision's names")
    p.add_argument("--prefix", default="", help="put this before every name (a wrapper's)")
    p.add_argument("--drop", help="leave this tensor out")
    p.add_argument("--reshape", help="give this tensor one more row")
    p.add_argument("--extra", help="add a tensor by this name")
    p.add_argument("--constant", action="append", default=[], metavar="NAME=VALUE",
                   help="fill this tensor with one value (repeatable)")
    p.add_argument("--truncate", type=int, help="cut this many bytes off the end")
    p.add_argument("--flip-byte", type=int, help="flip the bits of the byte at this offset")
    p.add_argument("--input", help="also write a random input .npy here")
    p.add_argument("--input-dtype", default="float32")
    p.add_argument("--input-resolution", type=int, help="override the input's height and width")
    args = p.parse_args()

    ir = subprocess.run([args.cnnc, "ir", args.model], check=True, capture_output=True,
                        text=True).stdout
    rng = np.random.default_rng(args.seed)
    tensors = {}
    for name, aliases, shape in weights(ir):
        if args.scheme:
            name = aliases[args.scheme]
        name = args.prefix + name
        if name.endswith("running_var"):
            tensors[name] = rng.uniform(0.5, 2.0, shape)
        else:
            tensors[name] = rng.normal(0.0, 0.1, shape)
    if args.drop:
        del tensors[args.drop]
    if args.reshape:
        t = tensors[args.reshape]
        tensors[args.reshape] = np.zeros([t.shape[0] + 1] + list(t.shape[1:]))
    if args.extra:
        tensors[args.extra] = np.zeros([4])
    for assignment in args.constant:
        name, value = assignment.split("=")
        tensors[name] = np.full(tensors[name].shape, float(value))

    header, chunks, offset = {}, [], 0
    for name, values in tensors.items():
        data = encode(values, args.dtype)
        header[name] = {"dtype": args.dtype, "shape": list(values.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    blob = bytearray(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))
    if args.truncate:
        blob = blob[:-args.truncate]
    if args.flip_byte is not None:
        blob[args.flip_byte] ^= 0xFF
    with open(args.out, "wb") as f:
        f.write(blob)

    if args.input:
        shape = [int(d) for d in INPUT.search(ir).group(1).split("x")]
        if args.input_resolution:
            shape[2] = shape[3] = args.input_resolution
        np.save(args.input, rng.normal(0.0, 1.0, shape).astype(args.input_dtype))


if __name__ == "__main__":
    main()
