#!/usr/bin/env python3
"""Writes the models of bench/gpu/run_h200.sh.

  make_gemv_case.py check OUT_DIR --m=M --k=K --n=N [--seed=S]
      OUT_DIR/linear.mlir: @main(x: [M, K] f16) -> [M, N] f16, a float
      linear layer (linalg.matmul with a seeded N(0, 0.02^2) f16 weight
      constant [K, N]) for lowbit-opt --lowbit-w4a16 / -w8a16 / -nf4 /
      -fp8 to quantize; OUT_DIR/x.npy: a seeded N(0, 1) f16 input. @main
      has llvm.emit_c_interface and lowbit.signature, so that a copy
      lowered by hand with lowbit-opt also runs in lowbit-run.

  make_gemv_case.py time OUT_DIR --m=M --k=K --n=N [--group=128]
      OUT_DIR/gemv.mlir: @main(x: [M, K] f16) -> [M, N] f16, one
      lowbit.dequant_matmul with a splat i4 weight and seeded group-wise
      f16 scales (a real [N, K / group] table, so the kernel reads it as
      it would a model's): the compiled kernel depends on the shapes only,
      and the timing harness (gemv_bench.py) brings its own device
      buffers, so the model need not hold real weights (a 1 GB blob would
      take minutes to print and parse).

  make_gemv_case.py gemm OUT_DIR --m=M --k=K --n=N --codes=i8|f8E4M3FN
      OUT_DIR/gemm.mlir: @main(a: [M, K] codes, sa: [M] f32, w: [N, K]
      codes) -> [M, N] f16, one lowbit.matmul (W8A8 or FP8 x FP8) with
      per-row activation scales and per-channel weight scales, for the
      tensor-core kernel of lowbit-gpu-quant-matmul; the codes are
      arguments, so the timing harness brings them (its buffers' values do
      not change the time).

Standard library only.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "Tools", "lowbit-run",
                                "Inputs"))
import make_npy  # noqa: E402


def f16_blob(values):
    """A dense_resource blob (4-byte alignment header) of f16 values."""
    return "0x02000000" + struct.pack("<%de" % len(values), *values).hex().upper()


def bf16_blob(values):
    """A dense_resource blob of bf16 values (f32 rounded to nearest even)."""
    words = []
    for bits in struct.unpack("<%dI" % len(values),
                              struct.pack("<%df" % len(values), *values)):
        words.append((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16)
    return "0x02000000" + struct.pack("<%dH" % len(words), *words).hex().upper()


def write_check(out, m, k, n, seed, dtype="f16"):
    """The check model; with bf16, x and the weight are bf16 behind an f32
    interface (lowbit-run has no bf16 arrays): x is rounded to bf16 in the
    model and y extended to f32."""
    rng = random.Random(seed)
    weight = [rng.gauss(0.0, 0.02) for _ in range(k * n)]
    io = "f16" if dtype == "f16" else "f32"
    types = dict(m=m, k=k, n=n, t=dtype, io=io)
    lines = ["func.func @main(%x: tensor<{m}x{k}x{io}>) -> "
             "tensor<{m}x{n}x{io}> attributes {{llvm.emit_c_interface, "
             "lowbit.signature = (tensor<{m}x{k}x{io}>) -> "
             "tensor<{m}x{n}x{io}>}} {{"]
    x, y = "%x", "%y"
    if io != dtype:
        lines.append("  %xb = arith.truncf %x : tensor<{m}x{k}x{io}> to "
                     "tensor<{m}x{k}x{t}>")
        x = "%xb"
    lines += [
        "  %w = arith.constant dense_resource<weight> : tensor<{k}x{n}x{t}>",
        "  %zero = arith.constant 0.0 : {t}",
        "  %empty = tensor.empty() : tensor<{m}x{n}x{t}>",
        "  %acc = linalg.fill ins(%zero : {t}) outs(%empty : "
        "tensor<{m}x{n}x{t}>) -> tensor<{m}x{n}x{t}>",
        "  %y = linalg.matmul ins(" + x + ", %w : tensor<{m}x{k}x{t}>, "
        "tensor<{k}x{n}x{t}>) outs(%acc : tensor<{m}x{n}x{t}>) -> "
        "tensor<{m}x{n}x{t}>"]
    if io != dtype:
        lines.append("  %yf = arith.extf %y : tensor<{m}x{n}x{t}> to "
                     "tensor<{m}x{n}x{io}>")
        y = "%yf"
    lines += ["  return " + y + " : tensor<{m}x{n}x{io}>", "}}"]
    blob = f16_blob(weight) if dtype == "f16" else bf16_blob(weight)
    with open(os.path.join(out, "linear.mlir"), "w") as f:
        f.write("\n".join(lines).format(**types) + "\n")
        f.write("{-#\n  dialect_resources: { builtin: {\n    weight: \"%s\"\n"
                "  } }\n#-}\n" % blob)
    x = [rng.gauss(0.0, 1.0) for _ in range(m * k)]
    make_npy.write_npy(os.path.join(out, "x.npy"), "f2" if io == "f16" else "f4",
                       [m, k], x)


def write_time(out, m, k, n, group, seed):
    if k % group:
        sys.exit("make_gemv_case.py: K=%d is not a multiple of the group "
                 "size %d" % (k, group))
    rng = random.Random(seed)
    scales = [0.01 * (1.0 + rng.random()) for _ in range(n * (k // group))]
    with open(os.path.join(out, "gemv.mlir"), "w") as f:
        f.write(
            "func.func @main(%%x: tensor<%dx%dxf16>) -> tensor<%dx%dxf16> {\n"
            "  %%w = arith.constant dense<1> : tensor<%dx%dxi4>\n"
            "  %%y = lowbit.dequant_matmul %%x, %%w as #lowbit.scheme<i4, "
            "group = %d, axis = 1, scale = f16> scales(dense_resource<scales> "
            ": tensor<%dx%dxf16>) : tensor<%dx%dxf16>, tensor<%dx%dxi4> -> "
            "tensor<%dx%dxf16>\n"
            "  return %%y : tensor<%dx%dxf16>\n"
            "}\n" % (m, k, m, n, n, k, group, n, k // group, m, k, n, k, m, n,
                     m, n))
        f.write("{-#\n  dialect_resources: { builtin: {\n    scales: \"%s\"\n"
                "  } }\n#-}\n" % f16_blob(scales))


def write_gemm(out, m, k, n, codes, seed):
    rng = random.Random(seed)
    scales = ", ".join("%.6e" % (0.001 * (1.0 + rng.random()))
                       for _ in range(n))
    with open(os.path.join(out, "gemm.mlir"), "w") as f:
        f.write(
            "func.func @main(%%a: tensor<%dx%dx%s>, %%sa: tensor<%dxf32>, "
            "%%w: tensor<%dx%dx%s>) -> tensor<%dx%dxf16> {\n"
            "  %%y = lowbit.matmul %%a, %%w lhs(as #lowbit.scheme<%s, axis = 0> "
            "scales(%%sa : tensor<%dxf32>)) rhs(as #lowbit.scheme<%s, axis = 0> "
            "scales(dense<[%s]> : tensor<%dxf32>)) : tensor<%dx%dx%s>, "
            "tensor<%dx%dx%s> -> tensor<%dx%dxf16>\n"
            "  return %%y : tensor<%dx%dxf16>\n"
            "}\n" % (m, k, codes, m, n, k, codes, m, n, codes, m, codes,
                     scales, n, m, k, codes, n, k, codes, m, n, m, n))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["check", "time", "gemm"])
    parser.add_argument("out")
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--group", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--codes", default="i8", choices=["i8", "f8E4M3FN"])
    parser.add_argument("--dtype", default="f16", choices=["f16", "bf16"],
                        help="check: the activation type (bf16 behind an "
                        "f32 interface)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.kind == "check":
        write_check(args.out, args.m, args.k, args.n, args.seed, args.dtype)
    elif args.kind == "gemm":
        write_gemm(args.out, args.m, args.k, args.n, args.codes, args.seed)
    else:
        write_time(args.out, args.m, args.k, args.n, args.group, args.seed)


if __name__ == "__main__":
    main()
