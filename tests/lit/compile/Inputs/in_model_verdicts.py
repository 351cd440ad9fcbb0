"""Whether `cnnc ir --level kernels --tuning-db DB` schedules every kernel the
in-model check timed as its fastest inside the model (in the latest check
that timed it), and how many of those differ from the kernel's fastest record
alone.

usage: in_model_verdicts.py DB.jsonl KERNELS.txt   (exits 1 on a wrong verdict)"""
import json
import re
import sys

alone, in_model = {}, {}
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)
        if r["status"] != "ok":
            continue
        if r.get("scope", "kernel") == "model":
            check, times = in_model.get(r["kernel"].strip(), (0, {}))
            if r["check"] > check:
                check, times = r["check"], {}
            if r["check"] == check:
                times[r["schedule"]] = r["median_us"]
            in_model[r["kernel"].strip()] = (check, times)
        else:
            best = alone.get(r["kernel"].strip())
            if best is None or r["median_us"] < best[1]:
                alone[r["kernel"].strip()] = (r["schedule"], r["median_us"])

with open(sys.argv[2]) as f:
    listing = f.read()
applied = dict(re.findall(r"^  signature: (.*?) *\n  schedule: +(.*?) +\(tuned\)$", listing, re.M))

otherwise = 0
for kernel, (_, times) in in_model.items():
    verdict = min(times, key=times.get)
    if applied.get(kernel) != verdict:
        sys.exit(f"kernel {kernel}: applied {applied.get(kernel)!r}, fastest inside the model "
                 f"{verdict!r}")
    if verdict != alone.get(kernel, (None,))[0]:
        otherwise += 1
print(f"{len(in_model)} kernels checked inside the model; {otherwise} scheduled otherwise than "
      f"their fastest alone; every verdict the fastest inside the model")
