"""Whether two logits files agree within a tolerance of the largest logit, or,
with --sqnr, with a signal-to-quantization-noise ratio of at least DB (A the
signal, B - A the noise): how a quantized model is compared.

usage: close_logits.py A.npy B.npy [TOLERANCE]   (default 1e-4)
       close_logits.py A.npy B.npy --sqnr DB

Prints "close" or what differs, and exits 1 when they do not agree.
"""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.shape != b.shape:
    sys.exit(f"shapes differ: {a.shape} and {b.shape}")
if len(sys.argv) > 4 and sys.argv[3] == "--sqnr":
    wanted = float(sys.argv[4])
    noise = float(((a - b) ** 2).sum())
    sqnr = np.inf if noise == 0 else 10 * np.log10(float((a ** 2).sum()) / noise)
    if sqnr < wanted:
        sys.exit(f"SQNR {sqnr:.1f} dB, under {wanted:g} dB")
    print("close")
    sys.exit(0)
tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
worst = float(np.abs(a - b).max())
scale = float(np.abs(a).max())
if worst > tolerance * scale:
    sys.exit(f"differ by {worst:.3g}, more than {tolerance:g} of the largest logit {scale:.3g}")
print("close")
