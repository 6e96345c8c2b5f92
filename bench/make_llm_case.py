#!/usr/bin/env python3
"""Writes the model of bench/llm_methods_table.sh: one LLM-style MLP block
whose weights are heavy-tailed and whose input has outlier channels.

  make_llm_case.py OUT_DIR

OUT_DIR/model.mlir  x[32, 256] -> norm scale (x * gamma, a linalg.generic,
                    which SmoothQuant folds 1/s into) -> fc1 (W1[256, 256]
                    + bias) -> fc2 (W2[256, 128]); K = 256 is a multiple of
                    the int4 group size 128
OUT_DIR/samples/    32 calibration inputs: N(0, 1) plus a rank-8 shared
                    component (correlated channels, which GPTQ exploits),
                    with 6 channels 20-60x larger (fixed per channel, as in
                    LLM activations)
OUT_DIR/eval.npy    one held-out input drawn the same way

Weights are Student-t with 3 degrees of freedom (heavy tails). Seeded;
standard library only (like test/Integration/Calibration/Inputs/
make_smooth_case.py, at a size where int4 g128 is meaningful).
"""

import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "test", "Tools", "lowbit-run", "Inputs"))
import make_npy  # noqa: E402

M, K, H, N = 32, 256, 256, 128
RANK = 8
OUTLIERS = (5, 37, 90, 141, 200, 233)


def blob(values):
    return "0x04000000" + struct.pack("<%df" % len(values), *values).hex().upper()


def dense(values):
    return "dense<[%s]>" % ", ".join("%.9g" % v for v in values)


def student_t(rng, dof=3):
    z = rng.gauss(0.0, 1.0)
    chi2 = sum(rng.gauss(0.0, 1.0) ** 2 for _ in range(dof))
    return z / math.sqrt(chi2 / dof)


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)
    rng = random.Random(2025)
    factors = [1.0] * K
    for c in OUTLIERS:
        factors[c] = rng.uniform(20.0, 60.0)
    loads = [[rng.gauss(0.0, 0.7) for _ in range(K)] for _ in range(RANK)]
    gamma = [rng.uniform(0.5, 1.5) for _ in range(K)]
    w1 = [0.04 * student_t(rng) for _ in range(K * H)]
    b1 = [rng.gauss(0.0, 0.1) for _ in range(H)]
    w2 = [0.04 * student_t(rng) for _ in range(H * N)]
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(f"""#map = affine_map<(d0, d1) -> (d0, d1)>
#last = affine_map<(d0, d1) -> (d1)>
func.func @main(%x: tensor<{M}x{K}xf32>) -> tensor<{M}x{N}xf32> {{
  %gamma = arith.constant {dense(gamma)} : tensor<{K}xf32>
  %e0 = tensor.empty() : tensor<{M}x{K}xf32>
  %norm = linalg.generic {{indexing_maps = [#map, #last, #map], iterator_types = ["parallel", "parallel"]}} ins(%x, %gamma : tensor<{M}x{K}xf32>, tensor<{K}xf32>) outs(%e0 : tensor<{M}x{K}xf32>) {{
  ^bb0(%a: f32, %g: f32, %o: f32):
    %m = arith.mulf %a, %g : f32
    linalg.yield %m : f32
  }} -> tensor<{M}x{K}xf32>
  %w1 = arith.constant dense_resource<fc1.weight> : tensor<{K}x{H}xf32>
  %b1 = arith.constant {dense(b1)} : tensor<{H}xf32>
  %e1 = tensor.empty() : tensor<{M}x{H}xf32>
  %bias = linalg.broadcast ins(%b1 : tensor<{H}xf32>) outs(%e1 : tensor<{M}x{H}xf32>) dimensions = [0]
  %h = linalg.matmul ins(%norm, %w1 : tensor<{M}x{K}xf32>, tensor<{K}x{H}xf32>) outs(%bias : tensor<{M}x{H}xf32>) -> tensor<{M}x{H}xf32> loc("fc1")
  %w2 = arith.constant dense_resource<fc2.weight> : tensor<{H}x{N}xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<{M}x{N}xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<{M}x{H}xf32>, tensor<{H}x{N}xf32>) outs(%acc : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32> loc("fc2")
  return %y : tensor<{M}x{N}xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ fc1.weight: "{blob(w1)}", fc2.weight: "{blob(w2)}" }} }}
#-}}
""")

    def activation():
        values = []
        for _ in range(M):
            f = [rng.gauss(0.0, 1.0) for _ in range(RANK)]
            for j in range(K):
                v = rng.gauss(0.0, 1.0) + sum(f[r] * loads[r][j] for r in range(RANK))
                values.append(v * factors[j])
        return values

    for i in range(32):
        make_npy.write_npy(os.path.join(out, "samples", "s%02d.npy" % i), "f4",
                           (M, K), activation())
    make_npy.write_npy(os.path.join(out, "eval.npy"), "f4", (M, K), activation())


if __name__ == "__main__":
    main()
