#!/usr/bin/env python3
"""Checks the vector kernels' decoding of every NF4, FP4 and FP8 code.

For each format, a dequant_matmul whose weight row n holds code n at every
one of its K = 128 positions (all 16 codes of a 4-bit format, all 256 of an
8-bit one, NaNs and infinities included), scale 1. FP8 rows times x = ones(1, K): y[n] = K * value(n), exact in f32
whatever the summation order (K is a power of two, FP8 values have at most
4 significant bits), and NaN or +-inf where the code is. The 4-bit formats
(finite, but NF4's levels use all 24 bits) times x = (1, 0, ..., 0):
y[n] = value(n), once with K = 128 (lane words) and once with K = 96
(packed bytes at 8 and 16 lanes). The kernel's result must equal the value
of the format's
definition (docs/Numerics.md), written here independently of lowbit's
code, exactly.

Usage: check_code_decoding.py BUILD_BIN_DIR WORK_DIR TARGET_CPU
"""

import math
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "Tools", "lowbit-run", "Inputs"))
import make_npy  # noqa: E402

K = 128

NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0]


def minifloat(code, exp_bits, man_bits, bias, nan_all_ones, ieee):
    sign = -1.0 if code >> (exp_bits + man_bits) & 1 else 1.0
    mag = code & ((1 << (exp_bits + man_bits)) - 1)
    exp, man = mag >> man_bits, mag & ((1 << man_bits) - 1)
    if nan_all_ones and mag == (1 << (exp_bits + man_bits)) - 1:
        return math.nan
    if ieee and exp == (1 << exp_bits) - 1:
        return sign * math.inf if man == 0 else math.nan
    if exp == 0:
        return sign * man * 2.0 ** (1 - bias - man_bits)
    return sign * ((1 << man_bits) + man) * 2.0 ** (exp - bias - man_bits)


FORMATS = {
    # name: (element type, number of codes, value of a code)
    "nf4": ("i4", 16, lambda c: NF4[c]),
    "f4E2M1FN": ("f4E2M1FN", 16, lambda c: minifloat(c, 2, 1, 1, False, False)),
    "f8E4M3FN": ("f8E4M3FN", 256, lambda c: minifloat(c, 4, 3, 7, True, False)),
    "f8E5M2": ("f8E5M2", 256, lambda c: minifloat(c, 5, 2, 15, False, True)),
}


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def check(bin_dir, work, fmt, target, K):
    element, n, value = FORMATS[fmt]
    if n == 16:
        data = bytes(c | (c << 4) for c in range(n) for _ in range(K // 2))
    else:
        data = bytes(c for c in range(n) for _ in range(K))
    model = os.path.join(work, "%s-k%d.mlir" % (fmt, K))
    with open(model, "w") as f:
        f.write(f"""func.func @main(%x: tensor<1x{K}xf32>) -> tensor<1x{n}xf32> {{
  %w = arith.constant dense_resource<w.q> : tensor<{n}x{K}x{element}>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<{fmt}> scales(1.0 : f32) : tensor<1x{K}xf32>, tensor<{n}x{K}x{element}> -> tensor<1x{n}xf32>
  return %y : tensor<1x{n}xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ w.q: "0x04000000{data.hex().upper()}" }} }}
#-}}
""")
    # The kernel must apply (no generic loops left).
    ir = subprocess.run([os.path.join(bin_dir, "lowbit-opt"), model,
                         "--lowbit-cpu-kernels"], check=True,
                        capture_output=True, text=True).stdout
    if "lowbit.dequant_matmul" in ir:
        print("FAIL %s: lowbit-cpu-kernels left the op" % fmt)
        return False
    xin = os.path.join(work, "%s-k%d.x.npy" % (fmt, K))
    yout = os.path.join(work, "%s-k%d.y.npy" % (fmt, K))
    ones = n == 256
    make_npy.write_npy(xin, "f4", (1, K),
                       [1.0] * K if ones else [1.0] + [0.0] * (K - 1))
    subprocess.run([os.path.join(bin_dir, "lowbit-run"), model,
                    "--input=" + xin, "--output=" + yout,
                    "--target-cpu=" + target], check=True, capture_output=True)
    _, _, y = make_npy.read_npy(yout)
    for code in range(n):
        ref = value(code)
        got = y[code]
        if ones:
            ref *= K
        ok = math.isnan(got) if math.isnan(ref) else got == f32(ref)
        if not ok:
            print("FAIL %s: code 0x%02X gives %r, expected %r"
                  % (fmt, code, got, ref))
            return False
    print("ok %s (K = %d): %d codes" % (fmt, K, n))
    return True


def main():
    bin_dir, work, target = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    # 4-bit formats twice: K = 128 reads them as lane words (repacked at
    # compile time), K = 96 as packed bytes at 8 and 16 lanes.
    failures = [f for f in FORMATS
                if not all(check(bin_dir, work, f, target, k)
                           for k in ((K, 96) if FORMATS[f][1] == 16 else (K,)))]
    print("%d of %d formats decode exactly"
          % (len(FORMATS) - len(failures), len(FORMATS)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
