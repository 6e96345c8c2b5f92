#!/usr/bin/env python3
"""Prints max |a - b| / max |b| over two .npy outputs of the same shape.

Usage: max_rel_error.py A.npy B.npy
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "Tools", "lowbit-run", "Inputs"))
import make_npy  # noqa: E402


def main():
    a = make_npy.read_npy(sys.argv[1])
    b = make_npy.read_npy(sys.argv[2])
    (_, shape_a, va), (_, shape_b, vb) = a, b
    assert shape_a == shape_b, "shapes differ: %s vs %s" % (shape_a, shape_b)
    scale = max(abs(v) for v in vb)
    err = max(abs(x - y) for x, y in zip(va, vb))
    print("max relative error %.3g" % (err / scale))


if __name__ == "__main__":
    main()
