#!/usr/bin/env python3
"""Writes an FP8 lowbit.matmul case for quant-matmul-host-emulation.mlir.

  make_fp8_matmul_case.py OUT_DIR --m=M --k=K --n=N --lhs=FMT --rhs=FMT
                          [--seed=S]

OUT_DIR/linear.mlir: @main(bias: [N] f32) -> [M, N] f32, one lowbit.matmul
of constant FP8 codes (FMT: f8E4M3FN or f8E5M2; seeded random bytes, NaN
and infinity codes left out) with per-row activation scales and
per-channel weight scales; OUT_DIR/x.npy: a seeded bias. FP8 activations
are not quantized at run time by the CPU lowering yet, hence constant
codes. Standard library only.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "Tools", "lowbit-run",
                                "Inputs"))
import make_npy  # noqa: E402


def finite(fmt, code):
    if fmt == "f8E4M3FN":
        return code & 0x7F != 0x7F
    return code & 0x7C != 0x7C  # E5M2: exponent 11111 is inf/NaN


def codes(rng, fmt, count):
    out = []
    while len(out) < count:
        c = rng.randrange(256)
        if finite(fmt, c):
            out.append(c)
    return "0x" + bytes(out).hex().upper()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--m", type=int, required=True)
    p.add_argument("--k", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--lhs", default="f8E4M3FN")
    p.add_argument("--rhs", default="f8E4M3FN")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    m, k, n = a.m, a.k, a.n
    sa = ", ".join("%.6e" % (0.01 * (1 + rng.random())) for _ in range(m))
    sw = ", ".join("%.6e" % (0.001 * (1 + rng.random())) for _ in range(n))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "linear.mlir"), "w") as f:
        f.write(
            "func.func @main(%%bias: tensor<%dxf32>) -> tensor<%dx%dxf32> "
            "attributes {llvm.emit_c_interface, lowbit.signature = "
            "(tensor<%dxf32>) -> tensor<%dx%dxf32>} {\n"
            "  %%a = arith.constant dense<\"%s\"> : tensor<%dx%dx%s>\n"
            "  %%w = arith.constant dense<\"%s\"> : tensor<%dx%dx%s>\n"
            "  %%y = lowbit.matmul %%a, %%w lhs(as #lowbit.scheme<%s, axis = 0> "
            "scales(dense<[%s]> : tensor<%dxf32>)) rhs(as #lowbit.scheme<%s, "
            "axis = 0> scales(dense<[%s]> : tensor<%dxf32>)) bias(%%bias : "
            "tensor<%dxf32>) : tensor<%dx%dx%s>, tensor<%dx%dx%s> -> "
            "tensor<%dx%dxf32>\n"
            "  return %%y : tensor<%dx%dxf32>\n}\n"
            % (n, m, n, n, m, n,
               codes(rng, a.lhs, m * k), m, k, a.lhs,
               codes(rng, a.rhs, n * k), n, k, a.rhs,
               a.lhs, sa, m, a.rhs, sw, n, n, m, k, a.lhs, n, k, a.rhs,
               m, n, m, n))
    bias = [rng.gauss(0.0, 0.1) for _ in range(n)]
    make_npy.write_npy(os.path.join(a.out, "x.npy"), "f4", [n], bias)


if __name__ == "__main__":
    main()
