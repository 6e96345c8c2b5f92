#!/usr/bin/env python3
"""Times one lowbit kernel (a GEMV, or a GEMM with --peer) against cuBLAS.

  gemv_bench.py --lowbit-opt=BIN --model=gemv.mlir --chip=sm_90a
                [--weight-set-gb=1.0] [--iters=200] [--cublas=auto|PATH|none]
                [--peer=f16|i8|fp8]

Compiles MODEL (bench/gpu/make_gemv_case.py time) with lowbit-opt
--lowbit-lower-to-nvvm twice: once with format=none to read the outlined
kernel's signature (the gpu.func's memref arguments, known grid and block
sizes), once with ptx-dir to get its PTX. Then, through the CUDA driver
(libcuda.so.1, ctypes; no compiler needed):

- allocates every memref argument in device memory and fills it with the
  f16 bit pattern of 1.0 (the values do not change the time); the weight
  (the largest argument) gets as many copies as make a weight set of at
  least --weight-set-gb, used round-robin so that the 50 MB L2 never holds
  the next weight;
- launches the kernel (memref arguments as {allocated, aligned, offset,
  sizes, strides}), warms up, and times --iters launches in batches of up
  to 64 between two CUDA events, each batch enqueued while the stream is
  still busy with memsets so that host launch overhead is not timed: the
  median and the minimum time per launch over the batches;
- for the wgmma kernel (TMA tensor-map arguments), allocates the
  activation and weight codes itself, encodes their tensor maps
  (cuTensorMapEncodeTiled, as the runtime does) and launches with the
  kernel's dynamic shared memory (opted in above 48 KiB);
- times the cuBLAS peer on the same [M, K] x [K, N] product, its weight
  set rotated the same way: --peer=f16 (default) cublasGemmEx with f16
  A/B/C and f32 compute; --peer=i8 cublasGemmEx with i8 A/B, i32 C and
  i32 compute (the W8A8 GEMM, bench/gpu/make_gemv_case.py gemm); --peer=fp8
  cublasLtMatmul with E4M3 A/B, f16 D and f32 compute (the FP8 GEMM);
- times cuMemcpyDtoD over a 1 GiB buffer: the copy moves 2 GiB (read plus
  write), the reference for the HBM bandwidth.

Prints one line of key=value pairs (parsed by run_h200.sh). Exits 1 with
"no CUDA driver found" when libcuda cannot be loaded or initialised.
"""

import argparse
import ctypes
import os
import re
import statistics
import subprocess
import sys
import tempfile

ELEMENT_BYTES = {"i8": 1, "f16": 2, "bf16": 2, "f32": 4, "i32": 4,
                 "f8E4M3FN": 1, "f8E5M2": 1}


def fail(message):
    print("gemv_bench.py: error: " + message, file=sys.stderr)
    sys.exit(1)


def split_top_level(text):
    """`text` split at the commas outside <>, (), [] and {}."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "<([{":
            depth += 1
        elif c in ">)]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:].strip())
    return parts


def compile_kernel(lowbit_opt, model, chip, workdir):
    """Returns (name, [(shape, element)], grid, block, dynamic shared
    memory bytes, ptx text); tensor-map arguments are (None, "tensormap")."""
    dump = subprocess.run(
        [lowbit_opt, model, "--lowbit-lower-to-nvvm=chip=%s format=none" % chip,
         "--mlir-print-ir-after=gpu-kernel-outlining", "-o", os.devnull],
        capture_output=True, text=True)
    if dump.returncode:
        fail("lowbit-opt failed on %s:\n%s" % (model, dump.stderr))
    # The staged tensor-core kernel also has shared-memory attributions,
    # "workgroup(...)", which are no parameters.
    funcs = re.findall(r"gpu\.func @(\w+)\((.*?)\)(?: workgroup\(.*?\))? "
                       r"kernel attributes "
                       r"\{known_block_size = array<i32: (\d+), (\d+), (\d+)>,"
                       r" known_grid_size = array<i32: (\d+), (\d+), (\d+)>\}",
                       dump.stderr)
    if len(funcs) != 1:
        fail("expected one kernel with known sizes in %s, found %d (is the "
             "GEMV strategy applicable to it?)" % (model, len(funcs)))
    name, params = funcs[0][0], funcs[0][1]
    block = tuple(int(v) for v in funcs[0][2:5])
    grid = tuple(int(v) for v in funcs[0][5:8])
    # Memrefs, and !llvm.ptr for the TMA tensor maps of the wgmma kernel
    # (lowbit-gpu-staged-matmul: the activations' map, then the weights').
    args = []
    for param in split_top_level(params):
        kind = param.split(":", 1)[1].strip() if ":" in param else ""
        if kind == "!llvm.ptr":
            args.append((None, "tensormap"))
            continue
        match = re.fullmatch(r"memref<((?:\d+x)*)(\w+)>", kind)
        if not match:
            fail("the kernel takes an argument the harness cannot fill (a "
                 "static identity-layout memref or a tensor map expected): "
                 "%s" % param)
        shape, element = match.groups()
        dims = [int(d) for d in shape.split("x") if d]
        if element not in ELEMENT_BYTES:
            fail("unexpected element type %s in the kernel signature" % element)
        args.append((dims, element))
    # Dynamic shared memory of the launch (the wgmma kernel's stages).
    smem = 0
    size = re.search(r"gpu\.launch_func .*dynamic_shared_memory_size "
                     r"(%\w+)", dump.stderr)
    if size:
        value = re.search(re.escape(size.group(1)) +
                          r" = arith\.constant (\d+) : i32", dump.stderr)
        if not value:
            fail("cannot read the dynamic shared memory size of the launch")
        smem = int(value.group(1))
    ptx_dir = os.path.join(workdir, "ptx")
    compiled = subprocess.run(
        [lowbit_opt, model,
         "--lowbit-lower-to-nvvm=chip=%s ptx-dir=%s" % (chip, ptx_dir),
         "-o", os.devnull], capture_output=True, text=True)
    if compiled.returncode:
        fail("lowbit-opt failed on %s:\n%s" % (model, compiled.stderr))
    with open(os.path.join(ptx_dir, "%s.%s.ptx" % (name, chip))) as f:
        ptx = f.read()
    return name, args, grid, block, smem, ptx


class Cuda:
    """The few driver entry points the harness needs."""

    def __init__(self):
        try:
            self.lib = ctypes.CDLL("libcuda.so.1")
        except OSError as e:
            fail("no CUDA driver found (%s)" % e)
        if self.lib.cuInit(0) != 0:
            fail("no CUDA driver found (cuInit failed)")
        device = ctypes.c_int()
        self.check(self.lib.cuDeviceGet(ctypes.byref(device), 0), "cuDeviceGet")
        self.ctx = ctypes.c_void_p()
        self.check(self.lib.cuDevicePrimaryCtxRetain(ctypes.byref(self.ctx),
                                                     device), "ctx")
        self.check(self.lib.cuCtxSetCurrent(self.ctx), "cuCtxSetCurrent")
        name = ctypes.create_string_buffer(256)
        self.lib.cuDeviceGetName(name, 255, device)
        self.name = name.value.decode()
        self.lib.cuMemAlloc_v2.argtypes = [ctypes.POINTER(ctypes.c_uint64),
                                           ctypes.c_size_t]
        self.lib.cuMemsetD16_v2.argtypes = [ctypes.c_uint64, ctypes.c_ushort,
                                            ctypes.c_size_t]
        self.lib.cuMemcpyDtoD_v2.argtypes = [ctypes.c_uint64, ctypes.c_uint64,
                                             ctypes.c_size_t]
        self.lib.cuEventElapsedTime.argtypes = [
            ctypes.POINTER(ctypes.c_float), ctypes.c_void_p, ctypes.c_void_p]
        self.lib.cuEventRecord.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.lib.cuLaunchKernel.argtypes = [
            ctypes.c_void_p] + [ctypes.c_uint] * 7 + [
                ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                ctypes.c_void_p]
        self.lib.cuMemsetD32_v2.argtypes = [ctypes.c_uint64, ctypes.c_uint,
                                             ctypes.c_size_t]
        self.busy = None
        self.start, self.stop = ctypes.c_void_p(), ctypes.c_void_p()
        self.check(self.lib.cuEventCreate(ctypes.byref(self.start), 0), "event")
        self.check(self.lib.cuEventCreate(ctypes.byref(self.stop), 0), "event")

    @staticmethod
    def check(result, what):
        if result != 0:
            fail("%s failed with CUDA error %d" % (what, result))

    def tensor_map(self, ptr, rows, cols):
        """A TMA tensor map of the [rows, cols] bytes at `ptr` (128 x 128
        boxes, 128-byte swizzle: the wgmma kernel's), copied to the device;
        its device address."""
        encode = self.lib.cuTensorMapEncodeTiled
        encode.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64),
            ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
        raw = ctypes.create_string_buffer(128 + 64)
        aligned = (ctypes.addressof(raw) + 63) // 64 * 64
        u64, u32 = ctypes.c_uint64, ctypes.c_uint
        UINT8, NO_INTERLEAVE, SWIZZLE_128B, L2_256B, OOB_ZERO = 0, 0, 3, 3, 0
        self.check(encode(aligned, UINT8, 2, ptr, (u64 * 2)(cols, rows),
                          (u64 * 1)(cols), (u32 * 2)(128, 128),
                          (u32 * 2)(1, 1), NO_INTERLEAVE, SWIZZLE_128B,
                          L2_256B, OOB_ZERO), "cuTensorMapEncodeTiled")
        device = self.alloc(128)
        self.lib.cuMemcpyHtoD_v2.argtypes = [ctypes.c_uint64, ctypes.c_void_p,
                                             ctypes.c_size_t]
        self.check(self.lib.cuMemcpyHtoD_v2(device, aligned, 128),
                   "cuMemcpyHtoD")
        return device

    def alloc(self, nbytes):
        ptr = ctypes.c_uint64()
        self.check(self.lib.cuMemAlloc_v2(ctypes.byref(ptr), max(nbytes, 2)),
                   "cuMemAlloc(%d)" % nbytes)
        # 0x3C00 is 1.0 in f16; as bytes, valid codes of every format.
        self.check(self.lib.cuMemsetD16_v2(ptr.value, 0x3C00,
                                           max(nbytes, 2) // 2), "memset")
        return ptr.value

    def time_batches(self, fn, batch, reps):
        """Median ms per call of fn(i), timed in `reps` batches of `batch`
        calls between two events. Before each batch the stream is kept busy
        with memsets (several ms), so the host enqueues the whole batch
        while the GPU is still working and launch overhead is not timed."""
        if self.busy is None:
            self.busy = ctypes.c_uint64()
            self.check(self.lib.cuMemAlloc_v2(ctypes.byref(self.busy), 2**31),
                       "cuMemAlloc(busy)")
        times, i = [], 0
        for _ in range(reps):
            for _ in range(4):
                self.check(self.lib.cuMemsetD32_v2(self.busy.value, 0,
                                                   2**29), "busy")
            self.check(self.lib.cuEventRecord(self.start, None), "record")
            for _ in range(batch):
                fn(i)
                i += 1
            self.check(self.lib.cuEventRecord(self.stop, None), "record")
            self.check(self.lib.cuEventSynchronize(self.stop), "sync")
            ms = ctypes.c_float()
            self.check(self.lib.cuEventElapsedTime(ctypes.byref(ms),
                                                   self.start, self.stop),
                       "elapsed")
            times.append(ms.value / batch)
        return statistics.median(times), min(times)

    def time_once(self, fn):
        """ms of one call of fn() between two events."""
        self.check(self.lib.cuEventRecord(self.start, None), "record")
        fn()
        self.check(self.lib.cuEventRecord(self.stop, None), "record")
        self.check(self.lib.cuEventSynchronize(self.stop), "sync")
        ms = ctypes.c_float()
        self.check(self.lib.cuEventElapsedTime(ctypes.byref(ms), self.start,
                                               self.stop), "elapsed")
        return ms.value


def memref_params(ptr, dims):
    """The kernel parameters of one memref: allocated, aligned, offset,
    sizes, strides (row-major)."""
    strides, stride = [], 1
    for d in reversed(dims):
        strides.insert(0, stride)
        stride *= d
    return ([ctypes.c_uint64(ptr), ctypes.c_uint64(ptr), ctypes.c_int64(0)] +
            [ctypes.c_int64(d) for d in dims] +
            [ctypes.c_int64(s) for s in strides])


def load_first(names):
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def cublas_gemm(cuda, path, m, n, k, copies, iters, peer="f16"):
    """Median ms of the cuBLAS peer for y[M, N] = x[M, K] w[N, K]^T over
    `copies` rotated weights, or None when cuBLAS is not available."""
    if path == "none":
        return None, "cuBLAS skipped"
    if peer == "fp8":
        return cublaslt_fp8(cuda, path, m, n, k, copies, iters)
    candidates = [path] if path != "auto" else [
        "libcublas.so.13", "libcublas.so.12", "libcublas.so",
        "/usr/local/cuda/lib64/libcublas.so"]
    lib = load_first(candidates)
    if lib is None:
        return None, "no libcublas found (%s)" % ", ".join(candidates)
    handle = ctypes.c_void_p()
    if lib.cublasCreate_v2(ctypes.byref(handle)) != 0:
        return None, "cublasCreate failed"
    CUDA_R_16F, CUDA_R_8I, CUDA_R_32I = 2, 3, 10
    COMPUTE_32F, COMPUTE_32I, OP_N, OP_T, DEFAULT = 68, 72, 0, 1, -1
    if peer == "i8":
        in_type, out_type, compute, in_bytes, out_bytes = (
            CUDA_R_8I, CUDA_R_32I, COMPUTE_32I, 1, 4)
        alpha, beta = ctypes.c_int32(1), ctypes.c_int32(0)
        what = "cuBLAS i8 (i32 accumulate)"
    else:
        in_type, out_type, compute, in_bytes, out_bytes = (
            CUDA_R_16F, CUDA_R_16F, COMPUTE_32F, 2, 2)
        alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)
        what = "cuBLAS f16"
    x = cuda.alloc(m * k * in_bytes)
    y = cuda.alloc(m * n * out_bytes)
    weights = [cuda.alloc(k * n * in_bytes) for _ in range(copies)]
    lib.cublasGemmEx.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64,
        ctypes.c_int, ctypes.c_int, ctypes.c_uint64, ctypes.c_int,
        ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_int]

    # Row-major y = x w^T with w [N, K] row-major is, column-major,
    # y^T [N, M] = (w as [K, N] col-major)^T x^T: A = w (op T, lda K),
    # B = x (op N, ldb K), C = y (ldc N). The "TN" form is also the one
    # cuBLAS's int8 tensor-core kernels want.
    def gemm(i):
        status = lib.cublasGemmEx(handle, OP_T, OP_N, n, m, k,
                                  ctypes.byref(alpha), weights[i % copies],
                                  in_type, k, x, in_type, k,
                                  ctypes.byref(beta), y, out_type, n,
                                  compute, DEFAULT)
        if status != 0:
            fail("cublasGemmEx (%s) failed with status %d" % (what, status))

    for i in range(10):
        gemm(i)
    median, _ = cuda.time_batches(gemm, min(copies * 4, 64),
                                  max(1, iters // 10))
    lib.cublasDestroy_v2(handle)
    for ptr in [x, y] + weights:
        cuda.lib.cuMemFree_v2(ctypes.c_uint64(ptr))
    return median, what


def cublaslt_fp8(cuda, path, m, n, k, copies, iters):
    """Median ms of cublasLtMatmul E4M3 x E4M3 -> f16 (f32 compute), the
    same TN product as cublas_gemm."""
    candidates = [path.replace("libcublas", "libcublasLt")] if path != "auto" \
        else ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so",
              "/usr/local/cuda/lib64/libcublasLt.so"]
    lib = load_first(candidates)
    if lib is None:
        return None, "no libcublasLt found (%s)" % ", ".join(candidates)
    CUDA_R_16F, CUDA_R_32F, CUDA_R_8F_E4M3 = 2, 0, 28
    COMPUTE_32F, OP_N, OP_T = 68, 0, 1
    TRANSA, TRANSB = 3, 4  # cublasLtMatmulDescAttributes_t
    vp = ctypes.c_void_p
    handle, desc = vp(), vp()
    if lib.cublasLtCreate(ctypes.byref(handle)) != 0:
        return None, "cublasLtCreate failed"
    if lib.cublasLtMatmulDescCreate(ctypes.byref(desc), COMPUTE_32F,
                                    CUDA_R_32F) != 0:
        return None, "cublasLtMatmulDescCreate failed"
    for attr, op in ((TRANSA, OP_T), (TRANSB, OP_N)):
        value = ctypes.c_int32(op)
        lib.cublasLtMatmulDescSetAttribute(desc, attr, ctypes.byref(value),
                                           ctypes.c_size_t(4))

    def layout(dtype, rows, cols, ld):
        handle_ = vp()
        lib.cublasLtMatrixLayoutCreate(ctypes.byref(handle_), dtype,
                                       ctypes.c_uint64(rows),
                                       ctypes.c_uint64(cols),
                                       ctypes.c_int64(ld))
        return handle_

    a_layout = layout(CUDA_R_8F_E4M3, k, n, k)
    b_layout = layout(CUDA_R_8F_E4M3, k, m, k)
    c_layout = layout(CUDA_R_16F, n, m, n)
    x = cuda.alloc(m * k)
    y = cuda.alloc(m * n * 2)
    weights = [cuda.alloc(k * n) for _ in range(copies)]
    workspace_size = 32 << 20
    workspace = cuda.alloc(workspace_size)
    alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)
    lib.cublasLtMatmul.argtypes = [
        vp, vp, vp, ctypes.c_uint64, vp, ctypes.c_uint64, vp, vp,
        ctypes.c_uint64, vp, ctypes.c_uint64, vp, vp, ctypes.c_uint64,
        ctypes.c_size_t, vp]

    def gemm(i):
        status = lib.cublasLtMatmul(
            handle, desc, ctypes.byref(alpha), weights[i % copies], a_layout,
            x, b_layout, ctypes.byref(beta), y, c_layout, y, c_layout, None,
            workspace, workspace_size, None)
        if status != 0:
            fail("cublasLtMatmul (FP8) failed with status %d" % status)

    for i in range(10):
        gemm(i)
    median, _ = cuda.time_batches(gemm, min(copies * 4, 64),
                                  max(1, iters // 10))
    lib.cublasLtDestroy(handle)
    for ptr in [x, y, workspace] + weights:
        cuda.lib.cuMemFree_v2(ctypes.c_uint64(ptr))
    return median, "cublasLt FP8 E4M3"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lowbit-opt", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--chip", default="sm_90a")
    parser.add_argument("--weight-set-gb", type=float, default=1.0)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--cublas", default="auto")
    parser.add_argument("--peer", default="f16", choices=["f16", "i8", "fp8"],
                        help="the cuBLAS call to compare with")
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        name, params, grid, block, smem, ptx = compile_kernel(
            args.lowbit_opt, args.model, args.chip, workdir)
    cuda = Cuda()
    module, function = ctypes.c_void_p(), ctypes.c_void_p()
    image = ctypes.create_string_buffer(ptx.encode())
    cuda.check(cuda.lib.cuModuleLoadData(ctypes.byref(module), image),
               "cuModuleLoadData (PTX JIT)")
    cuda.check(cuda.lib.cuModuleGetFunction(ctypes.byref(function), module,
                                            name.encode()),
               "cuModuleGetFunction")

    # The wgmma kernel reads the codes through two tensor maps (activations
    # [M, K], then weights [N, K]; bytes): the harness owns those buffers,
    # and the weight set rotates through one weight map per copy.
    maps = [j for j, (_, element) in enumerate(params)
            if element == "tensormap"]
    if maps and len(maps) != 2:
        fail("expected two tensor-map arguments, found %d" % len(maps))
    sizes = []
    for dims, element in params:
        count = 1
        for d in dims or []:
            count *= d
        sizes.append(count * ELEMENT_BYTES.get(element, 0))
    if maps:
        sizes[maps[0]], sizes[maps[1]] = args.m * args.k, args.n * args.k
        weight_arg = maps[1]
    else:
        weight_arg = max(range(len(sizes)), key=lambda i: sizes[i])
    copies = max(1, int(-(-args.weight_set_gb * 2**30 // sizes[weight_arg])))
    buffers = [cuda.alloc(size) for size in sizes]
    weights = [buffers[weight_arg]] + [cuda.alloc(sizes[weight_arg])
                                       for _ in range(copies - 1)]
    if maps:
        buffers[maps[0]] = cuda.tensor_map(buffers[maps[0]], args.m, args.k)
        weights = [cuda.tensor_map(w, args.n, args.k) for w in weights]

    # One parameter array per weight copy, built once.
    param_sets = []
    for i in range(copies):
        values = []
        for j, (dims, element) in enumerate(params):
            ptr = weights[i] if j == weight_arg else buffers[j]
            if element == "tensormap":
                values.append(ctypes.c_uint64(ptr))
            else:
                values += memref_params(ptr, dims)
        pointers = (ctypes.c_void_p * len(values))(
            *[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in values])
        param_sets.append((values, pointers))

    if smem > 48 * 1024:
        MAX_DYNAMIC_SHARED_SIZE_BYTES = 8
        cuda.check(cuda.lib.cuFuncSetAttribute(
            function, MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
            "cuFuncSetAttribute(%d bytes of shared memory)" % smem)

    def launch(i):
        cuda.check(cuda.lib.cuLaunchKernel(function, *grid, *block, smem, None,
                                           param_sets[i % copies][1], None),
                   "cuLaunchKernel")

    for i in range(10):
        launch(i)
    cuda.check(cuda.lib.cuCtxSynchronize(), "warm-up")
    median, best = cuda.time_batches(launch, min(copies * 4, 64),
                                     max(1, args.iters // 10))
    moved = sum(sizes)  # weight, scales, activations, result
    lowbit_gbs = moved / (median * 1e-3) / 1e9

    # HBM reference: a 1 GiB device-to-device copy (2 GiB moved).
    size = 2**30
    src, dst = cuda.alloc(size), cuda.alloc(size)
    copy = [cuda.time_once(lambda: cuda.check(
        cuda.lib.cuMemcpyDtoD_v2(dst, src, size), "copy")) for _ in range(10)]
    hbm_gbs = 2 * size / (statistics.median(copy) * 1e-3) / 1e9

    peer_bytes = 2 if args.peer == "f16" else 1
    blas_ms, blas_what = cublas_gemm(
        cuda, args.cublas, args.m, args.n, args.k,
        max(1, int(-(-args.weight_set_gb * 2**30 //
                     (args.k * args.n * peer_bytes)))),
        args.iters, args.peer)
    speedup = "%.2f" % (blas_ms / median) if blas_ms else "n/a"
    tops = 2.0 * args.m * args.n * args.k / (median * 1e-3) / 1e12
    print("device=%r m=%d k=%d n=%d weight_copies=%d lowbit_ms=%.4f "
          "lowbit_min_ms=%.4f lowbit_gbs=%.1f lowbit_tops=%.1f "
          "hbm_copy_gbs=%.1f hbm_fraction=%.3f cublas_ms=%s speedup=%s "
          "cublas=%r" % (
              cuda.name, args.m, args.k, args.n, copies, median, best,
              lowbit_gbs, tops, hbm_gbs, lowbit_gbs / hbm_gbs,
              "%.4f" % blas_ms if blas_ms else "n/a", speedup, blas_what))


if __name__ == "__main__":
    main()
