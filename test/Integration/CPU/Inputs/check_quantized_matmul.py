#!/usr/bin/env python3
"""Checks compiled quantized matmuls against an independent reference.

For each case: a random float weight and activation; lowbit-opt quantizes the
weight (lowbit-quantize-weights, and lowbit-quantize-activations for the
integer cases) and prints the IR; this script reads the codes, scales and
zero-points back out of the printed resources, decodes them with its own
implementation of each format (written from the formats' definitions, not
from lowbit's code), computes the matmul in float64, and compares it with
what lowbit-run computes from the same IR on the CPU.

Tolerance: the compiled code accumulates in f32, so each output may differ
from the float64 sum by about K * 2^-24 * sum_k |x_k w_k|; we allow
rel = 4 * K * 2^-24 of that magnitude, plus 1e-6 absolute.

Usage: check_quantized_matmul.py BUILD_BIN_DIR WORK_DIR [TARGET_CPU [bf16|half]]

With TARGET_CPU, runs KERNEL_CASES instead (shapes that lowbit-cpu-kernels
turns into vector kernels at every vector width: K and the group size
multiples of 32; M not a multiple of its 4-row blocks, or several blocks) with lowbit-run
--target-cpu=TARGET_CPU, i.e. that target's vector width and FMA use.

With bf16, runs BF16_CASES with --bf16-products: the decode-then-GEMM kernel
(and the streaming kernel's bf16 pairs, which round the 4-bit values before
scaling) rounds activations and dequantized weights to bf16 (8 significant bits,
nearest even, unit roundoff u = 2^-9) and sums their exact products in f32,
so each product may be off by about 2u of its magnitude: we allow
(3 * 2^-9 + 4 * K * 2^-24) * sum_k |x_k w_k| plus 1e-6 absolute. A product
with the wrong activation or weight is off by its own size, far more.

With half, runs HALF_CASES: models whose matmul takes bf16 or f16
activations and weights (a W4A16 model in 16-bit floats; the f32 input is
rounded to that type first and the result extended back), without
--bf16-products. The reference rounds x to the 16-bit type, sums exactly
and rounds the sum to it; on top of the f32 tolerance we allow the
result's own rounding (u = 2^-9 for bf16, 2^-11 for f16, of the magnitude)
and, for bf16 on targets with AVX512-BF16 (whose kernels then multiply in
bf16, rounding the decode-then-GEMM kernel's dequantized weights), another
2 * 2^-9.
"""

import math
import os
import random
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "Tools", "lowbit-run", "Inputs"))
import make_npy  # noqa: E402

NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0]


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def fp4_e2m1(code):
    sign = -1.0 if code & 8 else 1.0
    exp, man = (code >> 1) & 3, code & 1
    if exp == 0:
        return sign * man * 0.5
    return sign * (1 + man / 2) * 2.0 ** (exp - 1)


def fp8(code, exp_bits, bias):
    man_bits = 7 - exp_bits
    sign = -1.0 if code & 0x80 else 1.0
    exp = (code >> man_bits) & ((1 << exp_bits) - 1)
    man = code & ((1 << man_bits) - 1)
    if exp == 0:
        return sign * man / (1 << man_bits) * 2.0 ** (1 - bias)
    return sign * (1 + man / (1 << man_bits)) * 2.0 ** (exp - bias)


def decode(fmt, code):
    """The value of one code (unscaled, zero-point not subtracted)."""
    if fmt == "i8":
        return code - 256 if code >= 128 else code
    if fmt == "i4":
        return code - 16 if code >= 8 else code
    if fmt in ("u8", "u4"):
        return code
    if fmt == "nf4":
        return NF4[code]
    if fmt == "f4E2M1FN":
        return fp4_e2m1(code)
    if fmt == "f8E4M3FN":
        return fp8(code, 4, 7)
    if fmt == "f8E5M2":
        return fp8(code, 5, 15)
    raise ValueError(fmt)


def codes_from_blob(fmt, data, count):
    if fmt in ("i4", "u4", "nf4", "f4E2M1FN"):
        return [(data[i // 2] >> (4 * (i % 2))) & 15 for i in range(count)]
    return list(data[:count])


def resources(ir):
    """name -> bytes (alignment prefix dropped) from the printed IR."""
    out = {}
    for name, hexdata in re.findall(r'^\s*([\w.]+): "0x([0-9A-F]+)"', ir, re.M):
        out[name] = bytes.fromhex(hexdata)[4:]
    return out


def floats_of(data, scale_type):
    if scale_type == "f16":
        return list(struct.unpack("<%de" % (len(data) // 2), data))
    if scale_type == "bf16":
        return [struct.unpack("<f", b"\x00\x00" + data[i:i + 2])[0]
                for i in range(0, len(data), 2)]
    return list(struct.unpack("<%df" % (len(data) // 4), data))


def round_bf16(v):
    """v (an f32) to the nearest bf16, ties to even."""
    bits = struct.unpack("<I", struct.pack("<f", v))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def round_f16(v):
    return struct.unpack("<e", struct.pack("<e", v))[0]


def half_model(m, k, n, weight, half, dynamic=False):
    """The model y = x @ W computed in `half` (bf16 or f16): W is a constant
    of that type, the f32 argument x is rounded to it by arith.truncf and the
    result extended back to f32 by arith.extf (lowbit-run reads and writes
    f32)."""
    rows = "?" if dynamic else "%d" % m
    empty = "tensor.empty(%m)" if dynamic else "tensor.empty()"
    if half == "bf16":
        data = b"".join(struct.pack("<f", round_bf16(v))[2:] for v in weight)
    else:
        data = struct.pack("<%de" % len(weight), *weight)
    blob = "0x02000000" + data.hex().upper()
    x, y = "tensor<%sx%dx" % (rows, k), "tensor<%sx%dx" % (rows, n)
    return f"""func.func @main(%x: {x}f32>) -> {y}f32> {{
  %w = arith.constant dense_resource<w> : tensor<{k}x{n}x{half}>
  %zero = arith.constant 0.0 : {half}
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : {x}f32>
  %xh = arith.truncf %x : {x}f32> to {x}{half}>
  %e = {empty} : {y}{half}>
  %acc = linalg.fill ins(%zero : {half}) outs(%e : {y}{half}>) -> {y}{half}>
  %yh = linalg.matmul ins(%xh, %w : {x}{half}>, tensor<{k}x{n}x{half}>) outs(%acc : {y}{half}>) -> {y}{half}>
  %y = arith.extf %yh : {y}{half}> to {y}f32>
  return %y : {y}f32>
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "{blob}" }} }}
#-}}
"""


def weight_model(m, k, n, weight, batch, dynamic=False):
    """The float model y = x @ W; with `dynamic`, x and y have a dynamic row
    count (tensor<?xK>), so the compiled code chooses between kernels at run
    time."""
    rows = "?" if dynamic else "%d" % m
    xshape = "%dx%dx%d" % (batch, m, k) if batch else "%sx%d" % (rows, k)
    yshape = "%dx%dx%d" % (batch, m, n) if batch else "%sx%d" % (rows, n)
    empty = "tensor.empty()"
    if dynamic:
        empty = "tensor.empty(%m)"
    blob = "0x04000000" + struct.pack("<%df" % len(weight), *weight).hex().upper()
    if batch:
        body = f"""
  %y = linalg.generic {{indexing_maps = [affine_map<(b, i, j, l) -> (b, i, l)>, affine_map<(b, i, j, l) -> (l, j)>, affine_map<(b, i, j, l) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%x, %w : tensor<{xshape}xf32>, tensor<{k}x{n}xf32>) outs(%acc : tensor<{yshape}xf32>) {{
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }} -> tensor<{yshape}xf32>"""
    else:
        body = f"""
  %y = linalg.matmul ins(%x, %w : tensor<{xshape}xf32>, tensor<{k}x{n}xf32>) outs(%acc : tensor<{yshape}xf32>) -> tensor<{yshape}xf32>"""
    return f"""func.func @main(%x: tensor<{xshape}xf32>) -> tensor<{yshape}xf32> {{
  %w = arith.constant dense_resource<w> : tensor<{k}x{n}xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<{xshape}xf32>
  %e = {empty} : tensor<{yshape}xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<{yshape}xf32>) -> tensor<{yshape}xf32>{body}
  return %y : tensor<{yshape}xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "{blob}" }} }}
#-}}
"""


def dequantized_weight(ir, res, n, k):
    """[N][K] float64 weight as the quantized IR describes it."""
    op = re.search(r"lowbit\.(dequant_matmul|matmul) .*", ir).group(0)
    if "rhs(" in op:
        op = op[op.index("rhs("):]
    scheme = re.search(r"#lowbit\.scheme<([^>]*)>", op).group(1)
    parts = [p.strip() for p in scheme.split(",")]
    fmt = parts[0]
    group = next((int(p.split("=")[1]) for p in parts if p.startswith("group")), None)
    axis = next((int(p.split("=")[1]) for p in parts if p.startswith("axis")), None)
    scale_type = next((p.split("=")[1].strip() for p in parts if p.startswith("scale")), "f32")
    codes = codes_from_blob(fmt, res["w.q"], n * k)
    m = re.search(r"scales\(([-0-9.eE+]+) : f\w+\)", op)
    if m:
        scales, per = [float(m.group(1))], "tensor"
    else:
        dq = re.search(r"scale_quant\(blocks = dense_resource<w.scales.blocks> "
                       r": tensor<\d+xf32>, offset = ([-0-9.eE+]+)\)", op)
        if dq:
            # Double-quantized: s_i = code_i * block[i // 256] + offset, in
            # f32 arithmetic (multiply, round, add, round).
            codes_s = [c - 256 if c >= 128 else c for c in res["w.scales.q"]]
            blocks = floats_of(res["w.scales.blocks"], "f32")
            offset = f32(float(dq.group(1)))
            scales = [f32(f32(c * blocks[i // 256]) + offset)
                      for i, c in enumerate(codes_s)]
        else:
            scales = floats_of(res["w.scales"], scale_type)
        per = "group" if group else "axis"
    zps = None
    mz = re.search(r"zero_points\((-?\d+) : i32\)", op)
    if mz:
        zps = [int(mz.group(1))]
    elif "w.zp" in res:
        zps = list(struct.unpack("<%di" % (len(res["w.zp"]) // 4), res["w.zp"]))
    w = [[0.0] * k for _ in range(n)]
    for i in range(n):
        for j in range(k):
            s_index = 0 if per == "tensor" else (i if per == "axis" else i * (k // group) + j // group)
            value = decode(fmt, codes[i * k + j])
            if zps is not None:
                value -= zps[s_index]
            w[i][j] = value * scales[s_index]
    return w, fmt


def quantize_activation_rows(x_rows, k, symmetric, per_token):
    """What lowbit-quantize-activations computes, in f32 like the IR."""
    def params(values):
        if symmetric:
            amax = max(abs(v) for v in values)
            s = f32(max(amax, f32(1.1754943508222875e-38 * 127)) / 127.0)
            return s, 0, -128, 127
        lo, hi = min(min(values), 0.0), max(max(values), 0.0)
        s = f32(f32(max(f32(hi - lo), f32(1.1754943508222875e-38 * 255))) / 255.0)
        z = max(-128.0, min(127.0, round_even(f32(-128.0 - f32(lo / s)))))
        return s, int(z), -128, 127
    out = []
    all_values = [v for r in x_rows for v in r]
    shared = None if per_token else params(all_values)
    for r in x_rows:
        s, z, qmin, qmax = params(r) if per_token else shared
        q = [max(qmin, min(qmax, round_even(f32(v / s)) + z)) for v in r]
        out.append([(c - z) * s for c in q])
    return out


def round_even(v):
    return float(round(v))  # Python rounds half to even


def host_has_avx512bf16():
    with open("/proc/cpuinfo") as cpuinfo:
        return any(line.startswith("flags") and "avx512_bf16" in line.split()
                   for line in cpuinfo)


def run_case(bin_dir, work, case, rng, target=None, bf16=False):
    name, m, k, n, options, batch, act = case[:7]
    dynamic = "dynamic" in case[7:]
    half = next((t for t in case[7:] if t in ("bf16", "f16")), None)
    weight = [f32(rng.gauss(0.0, 0.5) * (3.0 if rng.random() < 0.02 else 1.0))
              for _ in range(k * n)]
    rows = m * (batch or 1)
    x = [[f32(rng.uniform(-2.0, 2.0)) for _ in range(k)] for _ in range(rows)]
    model = os.path.join(work, name + ".mlir")
    with open(model, "w") as f:
        f.write(half_model(m, k, n, weight, half, dynamic) if half else
                weight_model(m, k, n, weight, batch, dynamic))
    if options == "float":
        # The float model itself: W is [K, N] row-major (in `half`, rounded
        # to it).
        quantized = model
        w = [[weight[j * n + i] for j in range(k)] for i in range(n)]
        if half:
            rounded = round_bf16 if half == "bf16" else round_f16
            w = [[rounded(v) for v in row] for row in w]
    else:
        cmd = [os.path.join(bin_dir, "lowbit-opt"), model,
               "--lowbit-quantize-weights=" + options]
        if act:
            cmd.append("--lowbit-quantize-activations=" + act)
        ir = subprocess.run(cmd, check=True, capture_output=True,
                            text=True).stdout
        quantized = os.path.join(work, name + ".q.mlir")
        with open(quantized, "w") as f:
            f.write(ir)
        w, _ = dequantized_weight(ir, resources(ir), n, k)

    xin = os.path.join(work, name + ".x.npy")
    yout = os.path.join(work, name + ".y.npy")
    shape = (batch, m, k) if batch else (m, k)
    make_npy.write_npy(xin, "f4", shape, [v for r in x for v in r])
    subprocess.run([os.path.join(bin_dir, "lowbit-run"), quantized,
                    "--input=" + xin, "--output=" + yout] +
                   (["--target-cpu=" + target] if target else []) +
                   (["--bf16-products"] if bf16 else []),
                   check=True, capture_output=True)
    _, _, y = make_npy.read_npy(yout)

    xs = x
    round_half = None
    if half:
        round_half = round_bf16 if half == "bf16" else round_f16
        xs = [[round_half(v) for v in r] for r in x]
    if act:
        symmetric = "symmetric=false" not in act
        per_token = "granularity=tensor" not in act
        xs = quantize_activation_rows(x, k, symmetric, per_token)
    worst = 0.0
    for r in range(rows):
        for i in range(n):
            ref = math.fsum(xs[r][j] * w[i][j] for j in range(k))
            magnitude = math.fsum(abs(xs[r][j] * w[i][j]) for j in range(k))
            relative = 4 * k * 2.0 ** -24 + (3 * 2.0 ** -9 if bf16 else 0)
            if half:
                ref = round_half(ref)
                relative += 2.0 ** -9 if half == "bf16" else 2.0 ** -11
                # bf16 products on targets with AVX512-BF16.
                if half == "bf16" and target == "native" and \
                        host_has_avx512bf16():
                    relative += 2 * 2.0 ** -9
            allowed = relative * magnitude + 1e-6
            err = abs(y[r * n + i] - ref)
            worst = max(worst, err / allowed)
            if err > allowed:
                print("FAIL %s: y[%d, %d] = %r, reference %r (allowed %g)"
                      % (name, r, i, y[r * n + i], ref, allowed))
                return False
    print("ok %s: M=%d K=%d N=%d%s, worst error %.3f of the allowed"
          % (name, m, k, n, " B=%d" % batch if batch else "", worst))
    return True


CASES = [
    # name, M, K, N, weight options, batch, activation options
    ("i8_tensor_m1", 1, 37, 5, "format=i8 granularity=tensor", 0, None),
    ("i8_channel", 3, 37, 17, "format=i8 granularity=channel", 0, None),
    ("i8_group", 2, 96, 5, "format=i8 granularity=group group-size=32", 0, None),
    ("u8_affine", 3, 37, 5, "format=u8 granularity=channel symmetric=false", 0, None),
    ("i4_tensor_odd_k", 3, 37, 5, "format=i4 granularity=tensor", 0, None),
    ("i4_g32", 1, 96, 17, "format=i4 granularity=group group-size=32", 0, None),
    ("i4_g32_f16", 2, 64, 5, "format=i4 granularity=group group-size=32 scale-type=f16", 0, None),
    ("u4_g32_affine", 3, 96, 5, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("nf4_g32", 2, 64, 5, "format=nf4 granularity=group group-size=32", 0, None),
    ("nf4_channel_odd_k", 1, 37, 5, "format=nf4 granularity=channel", 0, None),
    ("fp4_g32", 2, 64, 5, "format=f4E2M1FN granularity=group group-size=32", 0, None),
    ("e4m3_channel", 3, 37, 5, "format=f8E4M3FN granularity=channel", 0, None),
    ("e5m2_tensor", 1, 40, 5, "format=f8E5M2 granularity=tensor", 0, None),
    ("i4_g32_batched", 3, 64, 5, "format=i4 granularity=group group-size=32", 2, None),
    ("w8a8_token", 3, 37, 5, "format=i8 granularity=channel", 0, "granularity=token"),
    ("w8a8_tensor_affine", 3, 40, 5, "format=i8 granularity=channel", 0, "granularity=tensor symmetric=false"),
    ("w4a8_g32_batched", 2, 64, 5, "format=i4 granularity=group group-size=32", 2, "granularity=token"),
    # Double-quantized scales: 17 x 20 = 340 groups, two blocks of 256.
    ("nf4_g8_double_quant", 2, 160, 17, "format=nf4 granularity=group group-size=8 double-quant=true", 0, None),
    ("i4_g16_double_quant", 1, 64, 5, "format=i4 granularity=group group-size=16 double-quant=true", 0, None),
]

KERNEL_CASES = [
    ("k_i4_g32_m1", 1, 64, 9, "format=i4 granularity=group group-size=32", 0, None),
    ("k_i4_g64_m6", 6, 128, 7, "format=i4 granularity=group group-size=64", 0, None),
    ("k_u4_g32_affine_m5", 5, 96, 5, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("k_i4_tensor", 3, 64, 5, "format=i4 granularity=tensor", 0, None),
    ("k_i4_channel_f16", 4, 64, 5, "format=i4 granularity=channel scale-type=f16", 0, None),
    ("k_i8_channel_m9", 9, 64, 33, "format=i8 granularity=channel", 0, None),
    ("k_u8_g32_affine", 2, 96, 5, "format=u8 granularity=group group-size=32 symmetric=false", 0, None),
    ("k_i8_tensor", 1, 32, 5, "format=i8 granularity=tensor", 0, None),
    # W8A8 (integer kernel; VNNI where the target has it): per token and
    # per tensor activation scales.
    ("k_w8a8_token_m6", 6, 128, 9, "format=i8 granularity=channel", 0, "granularity=token"),
    ("k_w8a8_tensor", 3, 64, 5, "format=i8 granularity=channel", 0, "granularity=tensor"),
    # K = 4160: the integer kernel sums K in 3 blocks (1408, 1408, 1344 with
    # VNNI at 16 lanes; 1392, 1392, 1376 with 8-code steps) into i32.
    ("k_w8a8_kblocks_m5", 5, 4160, 6, "format=i8 granularity=channel", 0, "granularity=token"),
    # N a multiple of the lanes, with VNNI: the W8A8 panel kernel (codes
    # packed in panels of 4-code groups, broadcast activation words). Tiles
    # of 12, 4 and 1 rows; per-tensor activation scales; K = 8448 in two
    # blocks of 4224 (sums carried in i32, epilogue at the end).
    ("k_w8a8_panels_token_m17", 17, 256, 64, "format=i8 granularity=channel", 0, "granularity=token"),
    ("k_w8a8_panels_tensor_m5", 5, 128, 48, "format=i8 granularity=channel", 0, "granularity=tensor"),
    ("k_w8a8_panels_kblocks_m13", 13, 8448, 32, "format=i8 granularity=channel", 0, "granularity=token"),
    # Weight rows interleaved in the groups a step reads (N = 16, 32, 64:
    # tasks of 4 or more columns): 8-bit integer codes, affine u8, FP8, 4-bit
    # bytes (K = 96: not lane words) and NF4 lane words.
    ("k_rows_i8_g32_n64_m5", 5, 128, 64, "format=i8 granularity=group group-size=32", 0, None),
    ("k_rows_u8_affine_n16_m2", 2, 64, 16, "format=u8 granularity=channel symmetric=false", 0, None),
    ("k_rows_e4m3_n32_m3", 3, 64, 32, "format=f8E4M3FN granularity=channel", 0, None),
    ("k_rows_i4_bytes_n32_m3", 3, 96, 32, "format=i4 granularity=group group-size=32", 0, None),
    ("k_rows_nf4_g64_n32_m6", 6, 256, 32, "format=nf4 granularity=group group-size=64", 0, None),
    # K = 8448 read in blocks of at most 2048 codes (the weights repacked
    # task by task, K block by K block): g128 lane words (four blocks of 16
    # groups and one of 2), per channel cut into groups of 4096 codes (4096,
    # 4096, 256: three blocks), NF4 g64 (four blocks of 16 steps, one of 2).
    ("k_kblocks_i4_g128_n32_m3", 3, 8448, 32, "format=i4 granularity=group group-size=128", 0, None),
    ("k_kblocks_i8_channel_n16_m2", 2, 8448, 16, "format=i8 granularity=channel", 0, None),
    ("k_kblocks_nf4_g64_n16_m1", 1, 8448, 16, "format=nf4 granularity=group group-size=64", 0, None),
    # Per channel with K = 4112 = 16 x 257: groups of 4096 codes and a last
    # one of 16.
    ("k_kblocks_i8_channel_k4112_m3", 3, 4112, 16, "format=i8 granularity=channel", 0, None),
    # A float matmul with a constant weight (transposed at compile time).
    ("k_f32_m6", 6, 64, 9, "float", 0, None),
    # ... with K = 2608 read in 3 blocks (880, 880, 848 at 16 lanes), each
    # block's sums added to y.
    ("k_f32_kblocks_m6", 6, 2608, 9, "float", 0, None),
    # N a multiple of the lanes: the panel kernel (weight packed in column
    # panels, outer-product register tiles). M = 17: tiles of 12, 4 and 1
    # rows (16 lanes) or 6, 6, 4 and 1 (fewer); K = 2600 in two blocks of
    # 1300; K = 37 not unrolled; N = 48 one-vector panels at 16 lanes.
    ("k_f32_panels_m17", 17, 2600, 64, "float", 0, None),
    ("k_f32_panels_odd_k_m5", 5, 37, 48, "float", 0, None),
    ("k_f32_panels_m1", 1, 64, 32, "float", 0, None),
    # Several row blocks and a remainder, affine and g128.
    ("k_u4_g32_affine_m12", 12, 64, 9, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("k_i4_g128_m17", 17, 256, 8, "format=i4 granularity=group group-size=128", 0, None),
    # NF4 / FP4 (16-entry table, select tree) and FP8 (fields moved into
    # an f32): group-wise, per channel and per tensor.
    ("k_nf4_g64_m6", 6, 128, 7, "format=nf4 granularity=group group-size=64", 0, None),
    ("k_nf4_channel", 3, 64, 5, "format=nf4 granularity=channel", 0, None),
    ("k_fp4_g32_m5", 5, 96, 5, "format=f4E2M1FN granularity=group group-size=32", 0, None),
    ("k_e4m3_channel_m9", 9, 64, 9, "format=f8E4M3FN granularity=channel", 0, None),
    ("k_e4m3_g32", 2, 96, 5, "format=f8E4M3FN granularity=group group-size=32", 0, None),
    ("k_e5m2_tensor", 3, 64, 5, "format=f8E5M2 granularity=tensor", 0, None),
    ("k_e5m2_g64_m12", 12, 128, 8, "format=f8E5M2 granularity=group group-size=64", 0, None),
    # 4-bit weights repacked into lane words (K a multiple of 8 lanes * 8
    # nibbles at every width): groups spanning several steps, steps holding
    # several groups (down to one vector per group), per tensor and per
    # channel, signed (stored offset by 8), affine, and the tables.
    ("k_words_i4_g16", 2, 256, 5, "format=i4 granularity=group group-size=16", 0, None),
    # Several weight rows per step (N = 16, 32: column blocks of 4) with
    # several groups per step.
    ("k_words_i4_g32_n32_m5", 5, 256, 32, "format=i4 granularity=group group-size=32", 0, None),
    ("k_words_u4_g16_affine_n16_m6", 6, 256, 16, "format=u4 granularity=group group-size=16 symmetric=false", 0, None),
    # Groups shorter than the activation row block: scaled weights.
    ("k_words_i4_g16_m6", 6, 256, 5, "format=i4 granularity=group group-size=16", 0, None),
    ("k_words_u4_g32_affine_m5", 5, 256, 6, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("k_words_i4_g64_affine", 3, 256, 5, "format=i4 granularity=group group-size=64 symmetric=false", 0, None),
    ("k_words_i4_tensor_m7", 7, 384, 5, "format=i4 granularity=tensor", 0, None),
    ("k_words_i4_g256_m1", 1, 512, 9, "format=i4 granularity=group group-size=256", 0, None),
    ("k_words_nf4_g32", 2, 256, 6, "format=nf4 granularity=group group-size=32", 0, None),
    ("k_words_fp4_channel", 1, 256, 4, "format=f4E2M1FN granularity=channel", 0, None),
    # 32 or more rows and N with tasks of whole 8-column tiles: the
    # decode-then-GEMM kernel (weights dequantized block by block into a
    # buffer, transposed activations, register tiles of 3, 2 and 1 vectors
    # of rows; rows past M padded). Lane words signed / affine / NF4, several
    # groups per step, 8-bit integer and FP8 codes, K = 8448 in blocks of the
    # repacked layout, M = 32 (the threshold) and partial vectors.
    ("k_gemm_i4_g128_n64_m37", 37, 512, 64, "format=i4 granularity=group group-size=128", 0, None),
    ("k_gemm_u4_g32_affine_n32_m32", 32, 256, 32, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("k_gemm_nf4_g64_n32_m40", 40, 256, 32, "format=nf4 granularity=group group-size=64", 0, None),
    ("k_gemm_i8_channel_n64_m33", 33, 96, 64, "format=i8 granularity=channel", 0, None),
    ("k_gemm_e4m3_g32_n32_m64", 64, 128, 32, "format=f8E4M3FN granularity=group group-size=32", 0, None),
    ("k_gemm_kblocks_i4_g128_n32_m34", 34, 8448, 32, "format=i4 granularity=group group-size=128", 0, None),
    # A dynamic row count (the kernel chosen at run time) with several
    # column tiles per task (N = 256: tasks of 16 columns), two chunks of
    # rows (M = 260 over chunks of 240 at 16 lanes, 360 at 8 lanes: one) and
    # a full-width write-back; and below the threshold at run time.
    ("k_gemm_dyn_u4_g64_affine_n256_m260", 260, 256, 256, "format=u4 granularity=group group-size=64 symmetric=false", 0, None, "dynamic"),
    ("k_gemm_dyn_i4_g128_n64_m7", 7, 256, 64, "format=i4 granularity=group group-size=128", 0, None, "dynamic"),
]

# The decode-then-GEMM kernel with bf16 products (AVX512-BF16): lane words
# (signed g128 with rows padded, affine g32 with several groups per step,
# NF4), 8-bit codes, K = 8448 in blocks of the repacked layout, from 32 rows
# (the threshold). Fewer rows take the streaming kernel,
# which multiplies lane words as bf16 pairs when their groups span whole
# steps (i4 g128 and g256, NF4 g128, u4 affine g128 and per channel, i4 per
# channel with K = 8448 in K blocks and a shorter last group; M = 1, 3, 5,
# 7, 15, 24) and keeps f32 products otherwise (i4 g32).
BF16_CASES = [
    ("b_gemm_i4_g128_n64_m37", 37, 512, 64, "format=i4 granularity=group group-size=128", 0, None),
    ("b_gemm_u4_g32_affine_n32_m32", 32, 256, 32, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("b_gemm_nf4_g64_n32_m40", 40, 256, 32, "format=nf4 granularity=group group-size=64", 0, None),
    ("b_gemm_i8_channel_n64_m35", 35, 96, 64, "format=i8 granularity=channel", 0, None),
    ("b_gemm_kblocks_i4_g128_n32_m33", 33, 8448, 32, "format=i4 granularity=group group-size=128", 0, None),
    ("b_stream_i4_g128_n32_m5", 5, 256, 32, "format=i4 granularity=group group-size=128", 0, None),
    ("b_gemm_dyn_u4_g64_affine_n256_m260", 260, 256, 256, "format=u4 granularity=group group-size=64 symmetric=false", 0, None, "dynamic"),
    ("b_stream_dyn_i4_g128_n64_m7", 7, 256, 64, "format=i4 granularity=group group-size=128", 0, None, "dynamic"),
    ("b_stream_i4_g128_n64_m1", 1, 512, 64, "format=i4 granularity=group group-size=128", 0, None),
    ("b_stream_nf4_g128_n32_m1", 1, 384, 32, "format=nf4 granularity=group group-size=128", 0, None),
    ("b_stream_i4_g256_n48_m15", 15, 512, 48, "format=i4 granularity=group group-size=256", 0, None, "dynamic"),
    ("b_stream_kblocks_i4_channel_n32_m3", 3, 8448, 32, "format=i4 granularity=channel", 0, None),
    ("b_stream_i4_g32_n32_m2", 2, 256, 32, "format=i4 granularity=group group-size=32", 0, None),
    # Groups shorter than a step (128 codes): bf16 pairs whose two nibbles
    # fall in two groups, one table per pair of groups (g16: four, g32: two,
    # g64: one per step), zero-points and K blocks included.
    ("b_stream_i4_g16_n32_m4", 4, 256, 32, "format=i4 granularity=group group-size=16", 0, None),
    ("b_stream_u4_g64_affine_n32_m9", 9, 384, 32, "format=u4 granularity=group group-size=64 symmetric=false", 0, None),
    ("b_stream_nf4_g64_n48_m16", 16, 256, 48, "format=nf4 granularity=group group-size=64", 0, None, "dynamic"),
    ("b_stream_kblocks_u4_g32_affine_n32_m3", 3, 8448, 32, "format=u4 granularity=group group-size=32 symmetric=false", 0, None),
    ("b_stream_u4_g128_affine_n32_m3", 3, 256, 32, "format=u4 granularity=group group-size=128 symmetric=false", 0, None),
    ("b_stream_u4_channel_affine_n32_m1", 1, 512, 32, "format=u4 granularity=channel symmetric=false", 0, None, "dynamic"),
    ("b_stream_dyn_i4_g128_n32_m24", 24, 256, 32, "format=i4 granularity=group group-size=128", 0, None, "dynamic"),
]


# bf16 and f16 activations (and weights) in the model: both weight-only
# kernels and the float kernels on the activations extended to f32, the
# sums rounded back. Streaming kernel lane
# words (g128: bf16 pairs where the target has AVX512-BF16; g32), 8-bit
# codes, the decode-then-GEMM kernel from 32 rows, a dynamic row count on
# either side of the threshold.
HALF_CASES = [
    ("h_bf16_i4_g128_n32_m1", 1, 512, 32, "format=i4 granularity=group group-size=128", 0, None, "bf16"),
    ("h_bf16_i4_g32_n32_m3", 3, 256, 32, "format=i4 granularity=group group-size=32", 0, None, "bf16"),
    ("h_bf16_u4_g128_affine_n32_m5", 5, 256, 32, "format=u4 granularity=group group-size=128 symmetric=false", 0, None, "bf16"),
    ("h_bf16_i8_channel_n16_m2", 2, 128, 16, "format=i8 granularity=channel", 0, None, "bf16"),
    ("h_bf16_gemm_i4_g128_n64_m37", 37, 512, 64, "format=i4 granularity=group group-size=128", 0, None, "bf16"),
    ("h_bf16_dyn_i4_g128_n64_m33", 33, 256, 64, "format=i4 granularity=group group-size=128", 0, None, "bf16", "dynamic"),
    ("h_bf16_dyn_nf4_g64_n32_m4", 4, 256, 32, "format=nf4 granularity=group group-size=64", 0, None, "bf16", "dynamic"),
    ("h_f16_i4_g128_n32_m1", 1, 512, 32, "format=i4 granularity=group group-size=128", 0, None, "f16"),
    ("h_f16_e4m3_channel_n16_m3", 3, 128, 16, "format=f8E4M3FN granularity=channel", 0, None, "f16"),
    ("h_f16_gemm_u4_g32_affine_n32_m32", 32, 256, 32, "format=u4 granularity=group group-size=32 symmetric=false", 0, None, "f16"),
    # Float matmuls (the weight widened to f32 at compile time): the panel
    # kernel (N a multiple of the lanes; K = 2600 in two blocks) and the
    # inner-product kernel (N = 9).
    ("h_bf16_float_panels_n64_m17", 17, 2600, 64, "float", 0, None, "bf16"),
    ("h_f16_float_panels_n32_m5", 5, 256, 32, "float", 0, None, "f16"),
    ("h_bf16_float_inner_n9_m3", 3, 128, 9, "float", 0, None, "bf16", "dynamic"),
    # With AVX512-BF16 (native here) bf16 panels hold pairs of k: K = 4402
    # is 2201 pairs in two blocks, no unrolling; an odd K keeps the 16-bit
    # panels widened after each load.
    ("h_bf16_float_pairs_n32_m13", 13, 4402, 32, "float", 0, None, "bf16"),
    ("h_bf16_float_odd_k_n16_m2", 2, 129, 16, "float", 0, None, "bf16"),
]


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    target = sys.argv[3] if len(sys.argv) > 3 else None
    mode = sys.argv[4] if len(sys.argv) > 4 else None
    bf16 = mode == "bf16"
    cases = (BF16_CASES if bf16 else HALF_CASES if mode == "half"
             else KERNEL_CASES if target else CASES)
    os.makedirs(work, exist_ok=True)
    rng = random.Random(1234)
    failures = [c[0] for c in cases
                if not run_case(bin_dir, work, c, rng, target, bf16)]
    print("%d of %d cases match the reference" % (len(cases) - len(failures), len(cases)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
