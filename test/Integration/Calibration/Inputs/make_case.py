#!/usr/bin/env python3
"""Writes a calibration case with heavy-tailed activations.

  make_case.py OUT_DIR

OUT_DIR/model.mlir   one linear layer x[16, 64] · W[64, 32] (seeded Gaussian W)
OUT_DIR/samples/     32 calibration inputs: Laplace(0, 1) activations with
                     0.2% outliers of magnitude 40-60 (seeded)
OUT_DIR/eval.npy     one more input drawn the same way

Standard library only (make_npy from the lowbit-run test inputs).
"""

import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "Tools", "lowbit-run", "Inputs"))
import make_npy  # noqa: E402

M, K, N = 16, 64, 32


def laplace(rng):
    u = rng.random() - 0.5
    return -math.copysign(1.0, u) * math.log(1.0 - 2.0 * abs(u))


def activation(rng):
    values = []
    for _ in range(M * K):
        if rng.random() < 0.0005:
            values.append(math.copysign(rng.uniform(20.0, 30.0), rng.random() - 0.5))
        else:
            values.append(laplace(rng))
    return values


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)
    rng = random.Random(77)
    weight = [rng.gauss(0.0, 0.2) for _ in range(K * N)]
    blob = "0x04000000" + struct.pack("<%df" % len(weight), *weight).hex().upper()
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(f"""func.func @main(%x: tensor<{M}x{K}xf32>) -> tensor<{M}x{N}xf32> {{
  %w = arith.constant dense_resource<fc.weight> : tensor<{K}x{N}xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{M}x{N}xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  %y = linalg.matmul ins(%x, %w : tensor<{M}x{K}xf32>, tensor<{K}x{N}xf32>) outs(%acc : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32> loc("fc")
  return %y : tensor<{M}x{N}xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ fc.weight: "{blob}" }} }}
#-}}
""")
    for i in range(32):
        make_npy.write_npy(os.path.join(out, "samples", "s%02d.npy" % i), "f4",
                           (M, K), activation(rng))
    make_npy.write_npy(os.path.join(out, "eval.npy"), "f4", (M, K), activation(rng))


if __name__ == "__main__":
    main()
