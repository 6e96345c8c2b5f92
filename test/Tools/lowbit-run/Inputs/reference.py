#!/usr/bin/env python3
"""Float64 references for the lowbit-run tests, in plain Python.

  reference.py silu-mlp X.npy W.npy B.npy OUT.npy
      OUT = silu(X @ W) + B with silu(h) = h / (1 + exp(-h)), B broadcast
      over the rows; computed in float64 and rounded to float32 once.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_npy import read_npy, write_npy  # noqa: E402


def silu_mlp(x_path, w_path, b_path, out_path):
    _, (m, k), x = read_npy(x_path)
    _, (k2, n), w = read_npy(w_path)
    _, (n2,), b = read_npy(b_path)
    assert k == k2 and n == n2
    out = []
    for i in range(m):
        for j in range(n):
            h = math.fsum(x[i * k + p] * w[p * n + j] for p in range(k))
            out.append(h / (1.0 + math.exp(-h)) + b[j])
    write_npy(out_path, "f4", [m, n], out)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "silu-mlp":
        silu_mlp(*sys.argv[2:])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
