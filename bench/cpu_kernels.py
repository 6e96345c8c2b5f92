#!/usr/bin/env python3
"""lowbit's generated CPU matmul kernels against oneDNN, ONNX Runtime and the
memory roofline, measured side by side in one run; prints one table.

  cpu_kernels.py --build BUILD --work DIR [--quick] [--threads 2]

Run through bench/cpu_kernels.sh, which installs the peers (Debian's
libdnnl-dev, onnxruntime in a venv under BUILD) and builds the read helper.

For each weight shape (N, K) one seeded f32 weight W[K, N] ~ N(0, 0.02^2) is
written as a tensor-level model `y = x @ W` with a dynamic M, and once more
in bf16 (W, x and y; the W4A16 model in 16-bit floats). lowbit quantizes
them with its pipelines and compiles each variant with lowbit-compile into
a shared object called through its C entry point; ONNX Runtime gets the
same weight as an ONNX MatMul (f32, and f16 for the 16-bit model: ORT's CPU
MatMulNBits takes f16 activations, not bf16), quantized by its own tools;
oneDNN multiplies the same shapes through dnnl_sgemm / dnnl_gemm_u8s8s32.

Everything runs on --threads threads: ORT's intra-op pool, oneDNN's
OpenMP threads (libgomp), the eviction (libgomp), the plain read and
lowbit's kernels (lowbit-compile --threads; both libomp). The activation quantization of W8A8
(per-token maximum, quantize) is still sequential loops in lowbit.

With --isa avx2 the run compares the AVX2 code on the same machine:
lowbit compiles for x86-64-v3 (AVX2, FMA; W8A8 by pmaddwd, no VNNI) and
oneDNN is held to AVX2 (DNNL_MAX_CPU_ISA=AVX2); ONNX Runtime, which cannot
be held to an ISA, is left out, and so are the bf16-product variants.

Every timed call is preceded by a read of an eviction set of 512 MB, so the
weights come from DRAM (the compiled weights are constants inside the
object, hence one copy; the eviction set replaces the rotation over many
copies). Every call is paired with a plain read (lowbit_bench_read, the same
threads) of as many bytes as the weight codes, also after an eviction, so
"x read" = t(read) / t(kernel) is a fraction of the bandwidth roofline
measured within the same second. Peer ratios are medians of per-repetition
ratios of calls made one after the other.
"""

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

EVICT_BYTES = 512 << 20


class Descriptor(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 2),
                ("strides", ctypes.c_int64 * 2)]


def descriptor(array):
    d = Descriptor()
    d.allocated = d.aligned = array.ctypes.data
    d.offset = 0
    d.sizes[0], d.sizes[1] = array.shape
    d.strides[0], d.strides[1] = array.shape[1], 1
    return d


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def to_bf16_bits(values):
    """f32 array -> its bf16 bit patterns (uint16), rounded to nearest even."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits += 0x7FFF + ((bits >> 16) & 1)
    return (bits >> 16).astype(np.uint16)


def write_model(path, weight, dtype="f32"):
    """The float model as MLIR text, in f32 or bf16: the weight is a
    dense_resource blob."""
    k, n = weight.shape
    if dtype == "bf16":
        blob = "0x02000000" + to_bf16_bits(weight).astype("<u2").tobytes().hex()
    else:
        blob = "0x04000000" + weight.astype("<f4").tobytes().hex()
    t = dtype
    with open(path, "w") as f:
        f.write(f"""func.func @main(%x: tensor<?x{k}x{t}>) -> tensor<?x{n}x{t}> {{
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x{k}x{t}>
  %w = arith.constant dense_resource<w> : tensor<{k}x{n}x{t}>
  %zero = arith.constant 0.0 : {t}
  %e = tensor.empty(%m) : tensor<?x{n}x{t}>
  %acc = linalg.fill ins(%zero : {t}) outs(%e : tensor<?x{n}x{t}>) -> tensor<?x{n}x{t}>
  %y = linalg.matmul ins(%x, %w : tensor<?x{k}x{t}>, tensor<{k}x{n}x{t}>)
                     outs(%acc : tensor<?x{n}x{t}>) -> tensor<?x{n}x{t}>
  return %y : tensor<?x{n}x{t}>
}}
{{-#
  dialect_resources: {{
    builtin: {{
      w: "{blob}"
    }}
  }}
#-}}
""")


# lowbit variants: name, lowbit-opt pipeline (None: float), bytes per weight,
# lowbit-compile flags of the variant, the model's float type.
LOWBIT = [
    ("f32", None, 4.0, [], "f32"),
    # The bf16 model unquantized (a layer kept in bf16): panels of bf16
    # pairs by vdpbf16ps where the target has AVX512-BF16.
    ("bf16", None, 2.0, [], "bf16"),
    ("i8 w-only", "--lowbit-w8a16", 1.0, [], "f32"),
    ("i4 g32", "--lowbit-w4a16=group-size=32", 0.5, [], "f32"),
    ("i4 g128", "--lowbit-w4a16", 0.5, [], "f32"),
    # bf16 products (both kernels); only on hosts with AVX512-BF16.
    ("i4 g128 bf16", "--lowbit-w4a16", 0.5, ["--bf16-products"], "f32"),
    # The bf16 model: bf16 products where the target has AVX512-BF16, by
    # default.
    ("i4 g128 A16", "--lowbit-w4a16", 0.5, [], "bf16"),
    ("i4 g32 A16", "--lowbit-w4a16=group-size=32", 0.5, [], "bf16"),
    ("W8A8", "--lowbit-w8a8", 1.0, [], "f32"),
    ("nf4 g64", "--lowbit-nf4", 0.5, [], "f32"),
    ("fp8 e4m3", "--lowbit-fp8", 1.0, [], "f32"),
]


def host_has_bf16():
    with open("/proc/cpuinfo") as cpuinfo:
        return any(line.startswith("flags") and "avx512_bf16" in line.split()
                   for line in cpuinfo)


def compile_lowbit(args, work, model, name, pipeline, flags=()):
    src = model
    if pipeline:
        src = os.path.join(work, f"{name}.mlirbc")
        run([os.path.join(args.build, "bin", "lowbit-opt"), model, pipeline,
             "--emit-bytecode", "-o", src])
    obj = os.path.join(work, f"{name}.o")
    extra = [f"--threads={args.threads}"]
    run([os.path.join(args.build, "bin", "lowbit-compile"), src, "--name=k",
         "-o", obj] + extra + list(flags) + args.lowbit_flag)
    so = os.path.join(work, f"{name}.so")
    run(["cc", "-shared", obj, "-o", so, "-lm", "-lomp"] + args.link_flag)
    lib = ctypes.CDLL(so)
    lib.k_main.argtypes = [ctypes.POINTER(Descriptor),
                           ctypes.POINTER(Descriptor)]
    return lib


def ort_models(work, tag, weight):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import \
        MatMulNBitsQuantizer
    k, n = weight.shape
    paths = {}
    for dtype, suffix in ((np.float32, "f32"), (np.float16, "f16")):
        elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y"])], "mm",
            [helper.make_tensor_value_info("x", elem, ["M", k])],
            [helper.make_tensor_value_info("y", elem, ["M", n])],
            [numpy_helper.from_array(weight.astype(dtype), "w")])
        model = helper.make_model(graph,
                                  opset_imports=[helper.make_opsetid("", 17)])
        path = os.path.join(work, f"ort_{tag}_{suffix}.onnx")
        onnx.save(model, path)
        paths[suffix] = path
    fp = paths.pop("f32")
    fp16 = paths.pop("f16")
    # accuracy_level 4: ORT's int8 products (activations quantized per
    # block), its fast path for 4-bit weights on x86. "f16": the f16 model
    # (f16 activations and result).
    for block, level, source, suffix in ((32, 0, fp, ""), (128, 0, fp, ""),
                                         (128, 4, fp, ""),
                                         (128, 0, fp16, "f16"),
                                         (32, 0, fp16, "f16")):
        q = MatMulNBitsQuantizer(onnx.load(source), bits=4, block_size=block,
                                 is_symmetric=True,
                                 accuracy_level=level or None)
        q.process()
        key = f"b{block}" + (f"a{level}" if level else "") + suffix
        path = os.path.join(work, f"ort_{tag}_nbits_{key}.onnx")
        q.model.save_model_to_file(path)
        paths[key] = path
    path = os.path.join(work, f"ort_{tag}_dyn8.onnx")
    quantize_dynamic(fp, path, per_channel=True, weight_type=QuantType.QInt8)
    paths["dyn8"] = path
    return paths


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--read-lib", required=True,
                   help="the plain read built with libomp (lowbit's runtime)")
    p.add_argument("--gomp-read-lib", required=True,
                   help="the same built with libgomp, for the eviction")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds of timed calls per table cell")
    p.add_argument("--shapes", default="",
                   help="only these N x K shapes, e.g. 4096x11008,4096x4096")
    p.add_argument("--ms", default="", help="only these M, e.g. 128,512")
    p.add_argument("--kernels", default="",
                   help="only these lowbit variants, e.g. 'f32,W8A8' "
                   "(names of LOWBIT)")
    p.add_argument("--lowbit-flag", action="append", default=[])
    p.add_argument("--link-flag", action="append", default=[])
    p.add_argument("--isa", choices=("native", "avx2"), default="native",
                   help="avx2: lowbit for x86-64-v3 against oneDNN held to "
                   "AVX2, no ORT")
    args = p.parse_args()
    avx2 = args.isa == "avx2"
    if avx2:
        # Read by oneDNN at its first call, so set before it is loaded.
        os.environ["DNNL_MAX_CPU_ISA"] = "AVX2"
        args.lowbit_flag.append("--target-cpu=x86-64-v3")
    import onnxruntime as ort

    shapes = [(4096, 4096), (11008, 4096), (4096, 11008)]
    ms = [1, 16, 128, 512]
    if args.quick:
        shapes, ms = [(4096, 4096)], [1, 16, 128]
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split("x"))
                  for s in args.shapes.split(",")]
    if args.ms:
        ms = [int(v) for v in args.ms.split(",")]
    threads = args.threads

    reader = ctypes.CDLL(args.read_lib)
    gomp_reader = ctypes.CDLL(args.gomp_read_lib)
    for lib in (reader, gomp_reader):
        lib.lowbit_bench_read.restype = ctypes.c_uint64
        lib.lowbit_bench_read.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                          ctypes.c_int]
    evict = np.ones(EVICT_BYTES // 8, dtype=np.uint64)
    read_buf = np.ones((4096 * 11008 * 4) // 8, dtype=np.uint64)
    dnnl = ctypes.CDLL("libdnnl.so.2")
    if avx2 and dnnl.dnnl_get_effective_cpu_isa() != 0x7:  # dnnl_cpu_isa_avx2
        sys.exit("cpu_kernels.py: oneDNN did not take DNNL_MAX_CPU_ISA=AVX2")
    i64, f32c, vp = ctypes.c_int64, ctypes.c_float, ctypes.c_void_p
    dnnl.dnnl_sgemm.argtypes = [ctypes.c_char, ctypes.c_char, i64, i64, i64,
                                f32c, vp, i64, vp, i64, f32c, vp, i64]
    dnnl.dnnl_gemm_u8s8s32.argtypes = [
        ctypes.c_char, ctypes.c_char, ctypes.c_char, i64, i64, i64, f32c, vp,
        i64, ctypes.c_uint8, vp, i64, ctypes.c_int8, f32c, vp, i64, vp]
    libc = ctypes.CDLL("libc.so.6")
    libc.free.argtypes = [ctypes.c_void_p]

    def timed(fn):
        gomp_reader.lowbit_bench_read(evict.ctypes.data, EVICT_BYTES, threads)
        # Threads of the runtimes in this process (libgomp for oneDNN and
        # the eviction, libomp for lowbit and the read with KMP_BLOCKTIME=1,
        # ORT's pool) spin a little after their work; let them go idle
        # before timing.
        time.sleep(0.003)
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    def read_fn(nbytes):
        nbytes = int(nbytes) // 64 * 64
        return lambda: reader.lowbit_bench_read(read_buf.ctypes.data, nbytes,
                                                threads)

    rows = []
    rng = np.random.default_rng(0)
    for n, k in shapes:
        tag = f"{n}x{k}"
        work = os.path.join(args.work, tag)
        os.makedirs(work, exist_ok=True)
        weight = rng.normal(0.0, 0.02, size=(k, n)).astype(np.float32)
        print(f"[{tag}] compiling", file=sys.stderr, flush=True)
        models = {}
        for dtype in ("f32", "bf16"):
            models[dtype] = os.path.join(work, f"model_{dtype}.mlir")
            write_model(models[dtype], weight, dtype)
        kernels = {}
        wanted = set(args.kernels.split(",")) if args.kernels else None
        for name, pipeline, bpw, flags, dtype in LOWBIT:
            if wanted is not None and name not in wanted:
                continue
            if "--bf16-products" in flags and (avx2 or not host_has_bf16()):
                continue
            kernels[name] = (compile_lowbit(
                args, work, models[dtype], name.replace(" ", "_"), pipeline,
                flags), bpw, dtype)
        for path in models.values():
            os.remove(path)
        paths = {} if avx2 else ort_models(work, tag, weight)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        sessions = {key: ort.InferenceSession(path, so,
                                              providers=["CPUExecutionProvider"])
                    for key, path in paths.items()}
        wt = np.ascontiguousarray(weight)            # [K, N] for oneDNN
        w8 = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
        for m in ms:
            x = rng.normal(0.0, 1.0, size=(m, k)).astype(np.float32)
            xd = descriptor(x)
            x16 = x.astype(np.float16)
            x_bf16 = to_bf16_bits(x)          # bf16 bit patterns
            x_bf16d = descriptor(x_bf16)
            c = np.empty((m, n), np.float32)
            a8 = rng.integers(0, 256, size=(m, k), dtype=np.uint8)
            c32 = np.empty((m, n), np.int32)
            co = np.zeros(1, np.int32)

            def lowbit_call(name):
                if name not in kernels:
                    return None
                lib, _, dtype = kernels[name]
                arg = x_bf16d if dtype == "bf16" else xd

                def call():
                    r = Descriptor()
                    if lib.k_main(ctypes.byref(arg), ctypes.byref(r)) != 0:
                        raise RuntimeError("lowbit kernel refused its input")
                    libc.free(r.allocated)
                return call

            def sgemm():
                dnnl.dnnl_sgemm(b"N", b"N", m, n, k, 1.0, x.ctypes.data, k,
                                wt.ctypes.data, n, 0.0, c.ctypes.data, n)

            def u8s8():
                dnnl.dnnl_gemm_u8s8s32(b"N", b"N", b"F", m, n, k, 1.0,
                                       a8.ctypes.data, k, 0, w8.ctypes.data,
                                       n, 0, 0.0, c32.ctypes.data, n,
                                       co.ctypes.data)

            def ort_call(key):
                if key not in sessions:
                    return None
                sess = sessions[key]
                feed = {"x": x16 if key.endswith("f16") else x}
                return lambda: sess.run(None, feed)

            # (label, fn, weight bytes, peer label, peer fn, peer bytes)
            cells = [
                ("f32", lowbit_call("f32"), 4 * n * k,
                 "oneDNN sgemm", sgemm, 4 * n * k),
                # The same layer kept in bf16 against what runs it in f32
                # (oneDNN 2.6's C API has no bf16 GEMM).
                ("bf16, bf16 model", lowbit_call("bf16"), 2 * n * k,
                 "oneDNN sgemm", sgemm, 4 * n * k),
                ("i8 weight-only", lowbit_call("i8 w-only"),
                 n * k, None, None, 0),
                ("i4 g32 sym", lowbit_call("i4 g32"), n * k / 2,
                 "ORT MatMulNBits b32", ort_call("b32"), n * k / 2),
                ("i4 g128 sym", lowbit_call("i4 g128"), n * k / 2,
                 "ORT MatMulNBits b128", ort_call("b128"), n * k / 2),
                # Reduced-precision products (bf16 pairs in the streaming
                # kernel, bf16 in the decode-then-GEMM kernel): against
                # ORT's f32 and int8 (accuracy_level 4) products.
                ("i4 g128 sym bf16", lowbit_call("i4 g128 bf16"), n * k / 2,
                 "ORT MatMulNBits b128", ort_call("b128"), n * k / 2),
                ("i4 g128 sym bf16", lowbit_call("i4 g128 bf16"), n * k / 2,
                 "ORT MatMulNBits b128 int8", ort_call("b128a4"), n * k / 2),
                # The 16-bit model (W4A16 proper): lowbit's on bf16
                # activations (bf16 products with AVX512-BF16) against ORT's
                # on f16 ones and on f32 ones.
                ("i4 g128 sym, bf16 model", lowbit_call("i4 g128 A16"),
                 n * k / 2, "ORT MatMulNBits b128 f16", ort_call("b128f16"),
                 n * k / 2),
                ("i4 g128 sym, bf16 model", lowbit_call("i4 g128 A16"),
                 n * k / 2, "ORT MatMulNBits b128", ort_call("b128"),
                 n * k / 2),
                ("i4 g32 sym, bf16 model", lowbit_call("i4 g32 A16"),
                 n * k / 2, "ORT MatMulNBits b32 f16", ort_call("b32f16"),
                 n * k / 2),
                ("W8A8 dyn/token", lowbit_call("W8A8"), n * k,
                 "oneDNN u8s8s32", u8s8, n * k),
                ("W8A8 dyn/token", lowbit_call("W8A8"), n * k,
                 "ORT dynamic int8", ort_call("dyn8"), n * k),
                # No peer here decodes NF4 or FP8 weights on the CPU.
                ("nf4 g64", lowbit_call("nf4 g64"), n * k / 2,
                 None, None, 0),
                ("fp8 e4m3 per channel", lowbit_call("fp8 e4m3"),
                 n * k, None, None, 0),
            ]
            for label, fn, wbytes, peer, pfn, pbytes in cells:
                if fn is None or (peer is not None and pfn is None):
                    continue
                if avx2:
                    label += " (x86-64-v3)"
                    if peer:
                        peer += " (AVX2)"
                fn()  # warm-up (first-touch of pages, ORT's arena)
                if pfn:
                    pfn()
                first = timed(fn) + (timed(pfn) if pfn else 0.0)
                reps = int(max(3, min(15, args.budget / max(first, 1e-6))))
                if first > 20:
                    reps = 1
                t, tr, tp, tpr, speed = [], [], [], [], []
                for _ in range(reps):
                    t.append(timed(fn))
                    tr.append(timed(read_fn(wbytes)))
                    if pfn:
                        tp.append(timed(pfn))
                        tpr.append(timed(read_fn(pbytes)))
                        speed.append(tp[-1] / t[-1])
                ms_ = statistics.median(t) * 1e3
                frac = statistics.median(a / b for a, b in zip(tr, t))
                gbs = wbytes / statistics.median(tr) / 1e9
                row = [f"{n}x{k}", str(m), label, f"{ms_:.3f}",
                       f"{frac:.2f}", f"{gbs:.1f}"]
                if pfn:
                    pfrac = statistics.median(a / b for a, b in zip(tpr, tp))
                    row += [peer, f"{statistics.median(tp) * 1e3:.3f}",
                            f"{pfrac:.2f}",
                            f"{statistics.median(speed):.2f}"]
                else:
                    row += ["-", "-", "-", "-"]
                row.append(str(reps))
                rows.append(row)
                print("  " + " | ".join(row), file=sys.stderr, flush=True)

    head = ["N x K", "M", "lowbit kernel", "ms", "x read", "read GB/s",
            "peer", "peer ms", "peer x read", "lowbit speed-up", "reps"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * 3 + ["---"] + ["---:"] * 4)
          + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
