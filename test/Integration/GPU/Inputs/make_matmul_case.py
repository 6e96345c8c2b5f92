#!/usr/bin/env python3
"""Writes a lowbit.matmul of constant codes for quant-matmul-host-emulation.mlir.

  make_matmul_case.py OUT_DIR --m=M --k=K --n=N [--lhs=FMT] [--rhs=FMT]
                      [--result=f32|i8|u8] [--seed=S]

OUT_DIR/linear.mlir: @main(bias: [N] f32) -> [M, N] (f32, or i8 codes with
--result=i8|u8), one lowbit.matmul of constant codes (FMT: i8, f8E4M3FN or
f8E5M2; seeded random bytes, FP8 NaN and infinity codes left out) with
per-row activation scales and per-channel weight scales, and with
--result=i8 a requantize(...) to i8 per output channel, with --result=u8
one to affine u8 per tensor (scales chosen so that some results clamp);
OUT_DIR/x.npy: a seeded bias. Used for FP8 (activations in FP8 are not
quantized at run time by the CPU lowering yet, hence constant codes) and
for the requantize epilogue. Standard library only.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "Tools", "lowbit-run",
                                "Inputs"))
import make_npy  # noqa: E402


def valid(fmt, code):
    if fmt == "f8E4M3FN":
        return code & 0x7F != 0x7F
    if fmt == "f8E5M2":
        return code & 0x7C != 0x7C  # exponent 11111: inf/NaN
    return code != 0x80  # i8: -128 left out, as symmetric quantizers do


def codes(rng, fmt, count):
    out = []
    while len(out) < count:
        c = rng.randrange(256)
        if valid(fmt, c):
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
    p.add_argument("--result", default="f32", choices=["f32", "i8", "u8"])
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    m, k, n = a.m, a.k, a.n
    sa = ", ".join("%.6e" % (0.01 * (1 + rng.random())) for _ in range(m))
    sw = ", ".join("%.6e" % (0.001 * (1 + rng.random())) for _ in range(n))
    result_type = {"f32": "f32", "i8": "i8", "u8": "i8"}[a.result]
    requantize = ""
    if a.result == "i8":
        so = ", ".join("%.6e" % (0.004 * (1 + rng.random())) for _ in range(n))
        requantize = (" requantize(as #lowbit.scheme<i8, axis = 1> "
                      "scales(dense<[%s]> : tensor<%dxf32>))" % (so, n))
    elif a.result == "u8":
        requantize = (" requantize(as #lowbit.scheme<u8, affine> "
                      "scales(6.0e-03 : f32) zero_points(%d : i32))"
                      % rng.randrange(100, 156))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "linear.mlir"), "w") as f:
        f.write(
            "func.func @main(%%bias: tensor<%dxf32>) -> tensor<%dx%dx%s> "
            "attributes {llvm.emit_c_interface, lowbit.signature = "
            "(tensor<%dxf32>) -> tensor<%dx%dx%s>} {\n"
            "  %%a = arith.constant dense<\"%s\"> : tensor<%dx%dx%s>\n"
            "  %%w = arith.constant dense<\"%s\"> : tensor<%dx%dx%s>\n"
            "  %%y = lowbit.matmul %%a, %%w lhs(as #lowbit.scheme<%s, axis = 0> "
            "scales(dense<[%s]> : tensor<%dxf32>)) rhs(as #lowbit.scheme<%s, "
            "axis = 0> scales(dense<[%s]> : tensor<%dxf32>)) bias(%%bias : "
            "tensor<%dxf32>)%s : tensor<%dx%dx%s>, tensor<%dx%dx%s> -> "
            "tensor<%dx%dx%s>\n"
            "  return %%y : tensor<%dx%dx%s>\n}\n"
            % (n, m, n, result_type, n, m, n, result_type,
               codes(rng, a.lhs, m * k), m, k, a.lhs,
               codes(rng, a.rhs, n * k), n, k, a.rhs,
               a.lhs, sa, m, a.rhs, sw, n, n, requantize, m, k, a.lhs, n, k,
               a.rhs, m, n, result_type, m, n, result_type))
    bias = [rng.gauss(0.0, 0.1) for _ in range(n)]
    make_npy.write_npy(os.path.join(a.out, "x.npy"), "f4", [n], bias)


if __name__ == "__main__":
    main()
