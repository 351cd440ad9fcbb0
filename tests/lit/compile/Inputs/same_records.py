"""Whether two tuning databases hold the same records in the same order,
whenever each was measured (the "time" field aside).

usage: same_records.py A.jsonl B.jsonl   (prints "same N records" or exits 1)"""
import json
import sys


def records(path):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for row in rows:
        row.pop("time", None)
    return rows


a, b = records(sys.argv[1]), records(sys.argv[2])
if a != b:
    sys.exit(f"differ: {len(a)} and {len(b)} records")
print(f"same {len(a)} records")
