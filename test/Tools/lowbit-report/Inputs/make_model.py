#!/usr/bin/env python3
"""Writes a three-layer MLP as MLIR and a seeded input batch as .npy.

  make_model.py OUT_DIR [--sensitive]

OUT_DIR/model.mlir: x[4x64] -> fc1 (64->128) -> relu -> fc2 (128->128)
-> fc3 (128->32), named locations "fc1", "fc2", "fc3", Gaussian weights.
With --sensitive, one weight in every 32 of fc2 is 10x larger: int4 with
groups of 32 spends its range on the outlier and flushes the rest of the
group to zero, while int8 per channel keeps them, so fc2 is the layer that
needs the higher precision. OUT_DIR/x.npy: the input, float32.
Standard library only (no numpy).
"""

import os
import random
import struct
import sys

M, K1, N1, N2, N3 = 4, 64, 128, 128, 32


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def dense(rows, cols, rng, scale, outlier_every=0):
    values = []
    for r in range(rows):
        row = []
        for c in range(cols):
            v = rng.gauss(0.0, scale)
            if outlier_every and r % outlier_every == c % outlier_every:
                v *= 10.0
            row.append("%.6e" % v)
        values.append("[" + ", ".join(row) + "]")
    return "dense<[" + ", ".join(values) + "]> : tensor<%dx%dxf32>" % (rows, cols)


def main():
    out = sys.argv[1]
    sensitive = "--sensitive" in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(11)
    w1 = dense(K1, N1, rng, 0.1)
    # Weight [K, N]: outliers at K rows r with r % 32 == n % 32, i.e. one
    # per group of 32 along K in every output column.
    w2 = dense(N1, N2, rng, 0.1, 32 if sensitive else 0)
    w3 = dense(N2, N3, rng, 0.1)
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(f"""#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<{M}x{K1}xf32>) -> (tensor<{M}x{N3}xf32> {{onnx.name = "logits"}}) {{
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant {w1}
  %w2 = arith.constant {w2}
  %w3 = arith.constant {w3}
  %e1 = tensor.empty() : tensor<{M}x{N1}xf32>
  %a1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<{M}x{N1}xf32>) -> tensor<{M}x{N1}xf32>
  %h1 = linalg.matmul ins(%x, %w1 : tensor<{M}x{K1}xf32>, tensor<{K1}x{N1}xf32>) outs(%a1 : tensor<{M}x{N1}xf32>) -> tensor<{M}x{N1}xf32> loc("fc1")
  %r1 = linalg.generic {{indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}} ins(%h1 : tensor<{M}x{N1}xf32>) outs(%e1 : tensor<{M}x{N1}xf32>) {{
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  }} -> tensor<{M}x{N1}xf32>
  %e2 = tensor.empty() : tensor<{M}x{N2}xf32>
  %a2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<{M}x{N2}xf32>) -> tensor<{M}x{N2}xf32>
  %h2 = linalg.matmul ins(%r1, %w2 : tensor<{M}x{N1}xf32>, tensor<{N1}x{N2}xf32>) outs(%a2 : tensor<{M}x{N2}xf32>) -> tensor<{M}x{N2}xf32> loc("fc2")
  %e3 = tensor.empty() : tensor<{M}x{N3}xf32>
  %a3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<{M}x{N3}xf32>) -> tensor<{M}x{N3}xf32>
  %y = linalg.matmul ins(%h2, %w3 : tensor<{M}x{N2}xf32>, tensor<{N2}x{N3}xf32>) outs(%a3 : tensor<{M}x{N3}xf32>) -> tensor<{M}x{N3}xf32> loc("fc3")
  return %y : tensor<{M}x{N3}xf32>
}}
""")
    xr = random.Random(5)
    write_npy(os.path.join(out, "x.npy"), (M, K1), [xr.gauss(0.0, 1.0) for _ in range(M * K1)])


if __name__ == "__main__":
    main()
