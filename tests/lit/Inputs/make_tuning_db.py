"""Writes a tuning database for a model's first two kernels as `cnnc tune`
would, under this machine's context (`cnnc tune --context`), for the tests of
`compile --tuning-db`: kernel k0 gets a slow but valid record, a faster one
that computed a wrong result, and a faster one measured on another machine;
k1 a record whose schedule the target's space does not allow; and a line that
is not a record.

With `autoscheduled`, instead every kernel gets one record: the schedule
Halide's Adams2019 autoscheduler chooses; `autoscheduled TARGET DEVICE` files
them under TARGET and the device fingerprint DEVICE (a board's, measured
behind a launcher). With `unsliced`, every kernel whose
default cuts its reductions into slices over threads (parallel=slices: a
feature-vector kernel's) gets the same schedule on one thread instead. With `generic`, every kernel whose rows are spread over threads by
default gets a generic schedule of the same lanes that spreads them too.
With `gpu-autoscheduled NAME TARGET [IR OPTIONS]` (a GPU target), every
kernel gets `autoscheduled NAME` (li2018, anderson2021).
With `row-channels`, every Winograd convolution (filter_oi_t_winograd) gets its
default with its channel blocks outside its blocks of tiles. With `shared TARGET` (a GPU target), every blocked kernel whose default reads
its input inline gets padded=block instead (on a GPU: gathered per thread
block into shared memory), under TARGET's context; compile applies it where
the convolution pads its input and the tile fits. With `pixels TARGET`, every
blocked kernel gets its default with warp=pixels (its warps along pixels),
which compile applies to the dense convolutions.

Options after TARGET go to `cnnc ir` (`--batch 256`: the kernels of that
batch, whose signatures differ).

usage: make_tuning_db.py CNNC MODEL OUT.jsonl
       [autoscheduled [TARGET DEVICE]|gpu-autoscheduled NAME TARGET [IR OPTIONS]|unsliced|generic|row-channels|shared TARGET [IR OPTIONS]|
        pixels TARGET [IR OPTIONS]]"""
import json
import subprocess
import sys

cnnc, model, out = sys.argv[1:4]
mode = sys.argv[4] if len(sys.argv) > 4 else ""
if mode == "gpu-autoscheduled":
    target = ["--target", sys.argv[6]]
    ir_options = sys.argv[7:]
else:
    target = (["--target", sys.argv[5]]
              if mode in ("shared", "pixels", "autoscheduled") and len(sys.argv) > 5 else [])
    ir_options = sys.argv[6:] if target and mode != "autoscheduled" else []
context = json.loads(subprocess.run([cnnc, "tune", "--context"] + target, check=True,
                                    capture_output=True, text=True).stdout)
if mode == "autoscheduled" and target:
    context["device"] = sys.argv[6]
listing = subprocess.run([cnnc, "ir", model, "--level", "kernels"] + target + ir_options, check=True,
                         capture_output=True, text=True).stdout
signatures = [line[len("  signature: "):] for line in listing.split("\n")
              if line.startswith("  signature: ")]
defaults = [line[len("  schedule:  "):] for line in listing.split("\n")
            if line.startswith("  schedule:  ")]


def record(kernel, schedule, micros, status="ok", **changes):
    r = {"schema": 1, "cnnc": context["cnnc"], "halide": context["halide"],
         "target": context["target"], "device": context["device"], "kernel": kernel,
         "schedule": schedule, "status": status, "median_us": micros, "min_us": micros,
         "max_us": micros, "runs": 5 if status == "ok" else 0, "seed": 1,
         "time": "2026-11-27T17:00:00Z", "message": "" if status == "ok" else "on purpose"}
    r.update(changes)
    return json.dumps(r)


if mode == "gpu-autoscheduled":
    with open(out, "w") as f:
        f.write("".join(record(s, "autoscheduled " + sys.argv[5], 10.0) + "\n" for s in signatures))
    sys.exit(0)

if mode == "autoscheduled":
    with open(out, "w") as f:
        f.write("".join(record(s, "autoscheduled adams2019", 10.0) + "\n" for s in signatures))
    sys.exit(0)

if sys.argv[4:] == ["generic"]:
    with open(out, "w") as f:
        for s, d in zip(signatures, defaults):
            if "parallel=rows" in d:
                lanes = d.split("lanes=")[1].split()[0]
                f.write(record(s, f"generic lanes={lanes} parallel=rows", 10.0) + "\n")
    sys.exit(0)

if sys.argv[4:5] == ["shared"]:
    with open(out, "w") as f:
        f.write("".join(record(s, d.replace("padded=inline", "padded=block"), 10.0) + "\n"
                        for s, d in zip(signatures, defaults)
                        if d.startswith("blocked") and "padded=inline" in d))
    sys.exit(0)

if sys.argv[4:5] == ["pixels"]:
    with open(out, "w") as f:
        f.write("".join(record(s, d + " warp=pixels", 10.0) + "\n"
                        for s, d in zip(signatures, defaults) if d.startswith("blocked")))
    sys.exit(0)

if sys.argv[4:] == ["row-channels"]:
    with open(out, "w") as f:
        f.write("".join(record(s, d.replace("parallel=rows", "parallel=row-channels"), 10.0) + "\n"
                        for s, d in zip(signatures, defaults)
                        if "filter_oi_t_winograd" in s and "parallel=rows" in d))
    sys.exit(0)

if sys.argv[4:] == ["unsliced"]:
    with open(out, "w") as f:
        f.write("".join(record(s, d.replace("parallel=slices", "parallel=none"), 10.0) + "\n"
                        for s, d in zip(signatures, defaults) if "parallel=slices" in d))
    sys.exit(0)

# k0's default with its rows not spread over threads: legal on every CPU
# target, whatever its vector width.
tuned = defaults[0].replace("parallel=rows", "parallel=none")
assert tuned != defaults[0], defaults[0]
lines = [
    record(signatures[0], tuned, 50.0),
    record(signatures[0], "blocked lanes=8 channels=16 pixels=1 unroll parallel=rows padded=block",
           0, status="wrong-result"),
    record(signatures[0], "generic lanes=8 parallel=rows", 1.0, device="cpu=elsewhere; cores=96"),
    "{\"schema\": 1, \"kernel\": ",
    record(signatures[1], "blocked lanes=7 channels=7 pixels=4 unroll parallel=rows padded=block",
           1.0),
]
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
