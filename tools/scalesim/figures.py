#!/usr/bin/env python3
"""SCALE-Sim's compute cycles for the layers tests/unit/CostModelTest.cpp checks.

The cost model's cycle count for an output-stationary systolic array
(cost/CostModel.cpp, outputStationaryCycles) must equal SCALE-Sim's stall-free
compute cycles. This script runs SCALE-Sim 3.0.0 on each layer of the test's
table and prints its figures next to the closed form the cost model uses, so
the table can be regenerated and checked. SCALE-Sim needs NumPy < 2, so it
lives in a venv of its own, not the project's:

    python3 -m venv /tmp/scalesim
    /tmp/scalesim/bin/pip install "numpy<2" scalesim==3.0.0
    /tmp/scalesim/bin/python tools/scalesim/figures.py [--native-depthwise] [-o DIR]

How layers are given to SCALE-Sim: it does not pad, so a padded convolution
is given its padded input (EfficientNet-B0's stem, 224 -> 112 with TF "same"
padding, as 225x225); the fully connected layer as a GEMM (M 1, N 1000, K
1280; as a 1x1 convolution on a 1x1 input it gives the same); a depthwise
convolution as one channel, a convolution with one input channel and one
filter (SCALE-Sim's own depthwise layers, named "DP...", are split into C such
layers that run one after another: --native-depthwise runs two, which take
several minutes). The figure is COMPUTE_REPORT.csv's "Total Cycles" less its
stall cycles (0 with buffers this large). Under a minute on 2 cores.
"""
import argparse
import csv
import math
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

CONFIG = """[general]
run_name = {name}

[architecture_presets]
ArrayHeight = {side}
ArrayWidth = {side}
IfmapSramSzkB = 1024
FilterSramSzkB = 1024
OfmapSramSzkB = 1024
IfmapOffset = 0
FilterOffset = 10000000
OfmapOffset = 20000000
Dataflow = os
Bandwidth = 10
ReadRequestBuffer = 32
WriteRequestBuffer = 32

[layout]
IfmapCustomLayout = False
IfmapSRAMBankBandwidth = 10
IfmapSRAMBankNum = 10
IfmapSRAMBankPort = 2
FilterCustomLayout = False
FilterSRAMBankBandwidth = 10
FilterSRAMBankNum = 10
FilterSRAMBankPort = 2

[sparsity]
SparsitySupport = false
SparseRep = ellpack_block
OptimizedMapping = false
BlockSize = 8
RandomNumberGeneratorSeed = 40

[run_presets]
InterfaceBandwidth = CALC
UseRamulatorTrace = False
"""

# name: ("conv", (input height, width (padded), kernel, channels, filters, stride))
#    or ("gemm", (M, N, K))
LAYERS = {
    "stem": ("conv", (225, 225, 3, 3, 32, 2)),
    "pointwise_expand": ("conv", (56, 56, 1, 24, 144, 1)),
    "pointwise_project": ("conv", (14, 14, 1, 672, 112, 1)),
    "conv3x3": ("conv", (30, 30, 3, 40, 80, 1)),
    "fully_connected": ("gemm", (1, 1000, 1280)),
    "depthwise3x3_channel": ("conv", (114, 114, 3, 1, 1, 1)),
    "depthwise5x5s2_channel": ("conv", (31, 31, 5, 1, 1, 2)),
}
NATIVE_DEPTHWISE = {
    "DP_depthwise3x3_32ch": ("conv", (114, 114, 3, 32, 1, 1)),
    "DP_depthwise5x5s2_240ch": ("conv", (31, 31, 5, 240, 1, 2)),
}


def matrix(kind, shape):
    """Sr (output pixels), Sc (filters), T (products per output) of a layer."""
    if kind == "gemm":
        m, n, k = shape
        return m, n, k
    height, width, kernel, channels, filters, stride = shape
    out_h = (height - kernel) // stride + 1
    out_w = (width - kernel) // stride + 1
    return out_h * out_w, filters, kernel * kernel * channels


def closed_form(pixels, filters, reduction, side):
    """cost/CostModel.cpp's outputStationaryCycles."""
    folds = math.ceil(pixels / side) * math.ceil(filters / side)
    return folds * (reduction + 2 * side - 2) - 1


def simulate(job):
    from scalesim.scale_sim import scalesim

    name, side, kind, shape, root = job
    tag = f"{name}_{side}x{side}"
    folder = os.path.join(root, tag)
    os.makedirs(folder, exist_ok=True)
    paths = {f: os.path.join(folder, f) for f in ("scale.cfg", "topology.csv", "layout.csv")}
    with open(paths["scale.cfg"], "w") as f:
        f.write(CONFIG.format(name=tag, side=side))
    with open(paths["topology.csv"], "w") as f:
        if kind == "gemm":
            f.write("Layer, M, N, K,\n" + f"{name}, {', '.join(map(str, shape))},\n")
        else:
            h, w, k, c, n, s = shape
            f.write("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                    "Channels, Num Filter, Strides,\n" + f"{name}, {h}, {w}, {k}, {k}, {c}, {n}, {s},\n")
    with open(paths["layout.csv"], "w") as f:
        f.write("Layer name,\n")  # read even without a custom layout
    quiet, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        sim = scalesim(save_disk_space=True, verbose=False, config=paths["scale.cfg"],
                       topology=paths["topology.csv"], layout=paths["layout.csv"],
                       input_type_gemm=kind == "gemm")
        sim.run_scale(top_path=folder)
    finally:
        sys.stdout = quiet
    cycles, sublayers = 0, 0
    with open(os.path.join(folder, tag, "COMPUTE_REPORT.csv")) as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            values = [v.strip() for v in row if v.strip()]
            cycles += int(float(values[2])) - int(float(values[3]))  # total less stalls
            sublayers += 1
    pixels, filters, reduction = matrix(kind, shape)
    if sublayers > 1:  # a native depthwise layer: one channel per sublayer
        reduction //= shape[3]
    expected = sublayers * closed_form(pixels, filters, reduction, side)
    return name, side, pixels, filters, reduction, sublayers, cycles, expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--native-depthwise", action="store_true")
    parser.add_argument("-o", "--output", help="where SCALE-Sim writes its runs")
    args = parser.parse_args()
    root = args.output or tempfile.mkdtemp(prefix="scalesim-")
    layers = dict(LAYERS, **(NATIVE_DEPTHWISE if args.native_depthwise else {}))
    jobs = [(name, side, kind, shape, root) for side in (32, 128)
            for name, (kind, shape) in layers.items()
            if side == 32 or not name.startswith("DP_")]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        results = list(pool.map(simulate, jobs))
    print("layer, array, Sr, Sc, T, sublayers, SCALE-Sim cycles, closed form")
    for name, side, pixels, filters, reduction, sublayers, cycles, expected in results:
        print(f"{name}, {side}x{side}, {pixels}, {filters}, {reduction}, {sublayers}, {cycles}, "
              f"{expected}{'' if cycles == expected else '  MISMATCH'}")
    sys.exit(0 if all(r[6] == r[7] for r in results) else 1)


if __name__ == "__main__":
    main()
