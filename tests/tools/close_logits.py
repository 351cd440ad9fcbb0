"""Whether two logits files agree within a tolerance of the largest logit.

usage: close_logits.py A.npy B.npy [TOLERANCE]   (default 1e-4)

Prints "close" or what differs, and exits 1 when they do not agree.
"""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
if a.shape != b.shape:
    sys.exit(f"shapes differ: {a.shape} and {b.shape}")
worst = float(np.abs(a - b).max())
scale = float(np.abs(a).max())
if worst > tolerance * scale:
    sys.exit(f"differ by {worst:.3g}, more than {tolerance:g} of the largest logit {scale:.3g}")
print("close")
