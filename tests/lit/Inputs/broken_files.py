"""Writes files that break a format's rules in one way each, as a fuzzer found
them or a careless tool writes them, for the tests that check every input is
refused by name.

usage: broken_files.py safetensors GOOD.safetensors OUTDIR
       broken_files.py npy OUTDIR
       broken_files.py images OUTDIR
       broken_files.py manifest MODELDIR OUTDIR"""
import io
import json
import os
import struct
import sys
import zlib


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def safetensors(good, out):
    data = open(good, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    payload = data[8 + length:]
    names = [n for n in header if n != "__metadata__"]

    def pack(text, body):
        encoded = text.encode()
        return struct.pack("<Q", len(encoded)) + encoded + body

    first, second = names[0], names[1]
    # The same name twice: the JSON text holds both entries.
    text = json.dumps(header)
    entry = json.dumps({first: header[first]})[1:-1]
    write(f"{out}/duplicate.safetensors", pack(text[:-1] + ", " + entry + "}", payload))
    # The second tensor overlapping the first, and a hole after the first.
    overlap = json.loads(json.dumps(header))
    start, end = overlap[second]["data_offsets"]
    overlap[second]["data_offsets"] = [start - 4, end - 4]
    write(f"{out}/overlap.safetensors", pack(json.dumps(overlap), payload))
    hole = {k: v for k, v in header.items() if k != first}
    write(f"{out}/hole.safetensors", pack(json.dumps(hole), payload))
    write(f"{out}/trailing.safetensors", pack(json.dumps(header), payload + b"\0" * 16))
    write(f"{out}/deep.safetensors", pack("{" + '"a":' + "[" * 100000, b""))
    write(f"{out}/huge-header.safetensors", struct.pack("<Q", 1 << 40) + b"{}")
    write(f"{out}/not-object.safetensors", pack("[1, 2]", b""))


def npy_file(header, payload=b"", version=(1, 0)):
    text = header.encode()
    return b"\x93NUMPY" + bytes(version) + struct.pack("<H", len(text)) + text + payload


def npy(out):
    def header(shape, extra=""):
        return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + extra + "}\n"

    write(f"{out}/overflow.npy", npy_file(header("(4611686018427387904, 4)")))
    write(f"{out}/unknown-key.npy", npy_file(header("(1,)", ", 'x': 1"), b"\0" * 4))
    write(f"{out}/negative.npy", npy_file(header("(-1,)"), b"\0" * 4))
    write(f"{out}/version.npy", npy_file(header("(1,)"), b"\0" * 4, (9, 0)))
    write(f"{out}/not-dict.npy", npy_file("'descr': '<f4', 'fortran_order': False\n", b"\0" * 4))
    write(f"{out}/twice.npy",
          npy_file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
                   b"\0" * 4))


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def images(out):
    # A PNG whose header claims 65500x65500 pixels (8 GB decoded), 60 bytes long.
    ihdr = struct.pack(">IIBBBBB", 65500, 65500, 8, 2, 0, 0, 0)
    write(f"{out}/huge.png", b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
          png_chunk(b"IDAT", zlib.compress(b"")) + png_chunk(b"IEND", b""))
    # A real 8x8 JPEG with its frame header patched to 65500x65500.
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 65500, 65500)
    write(f"{out}/huge.jpg", bytes(data))


def manifest(model, out):
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(model):
        if name != "cnnc-model.json":
            os.symlink(os.path.abspath(f"{model}/{name}"), f"{out}/{name}")
    write(f"{out}/cnnc-model.json", b"[" * 100000)


if __name__ == "__main__":
    kind, args = sys.argv[1], sys.argv[2:]
    {"safetensors": safetensors, "npy": npy, "images": images, "manifest": manifest}[kind](*args)
