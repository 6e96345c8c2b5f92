#!/usr/bin/env python3
"""Times one lowbit GEMV kernel against cuBLAS f16 with CUDA events.

  gemv_bench.py --lowbit-opt=BIN --model=gemv.mlir --chip=sm_90a
                [--weight-set-gb=1.0] [--iters=200] [--cublas=auto|PATH|none]

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
- times cublasGemmEx with f16 A/B/C and f32 compute on the same [M, K] x
  [K, N] product (the f16 weight set rotated the same way);
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


def compile_kernel(lowbit_opt, model, chip, workdir):
    """Returns (name, [(shape, element)], grid, block, ptx text)."""
    dump = subprocess.run(
        [lowbit_opt, model, "--lowbit-lower-to-nvvm=chip=%s format=none" % chip,
         "--mlir-print-ir-after=gpu-kernel-outlining", "-o", os.devnull],
        capture_output=True, text=True)
    if dump.returncode:
        fail("lowbit-opt failed on %s:\n%s" % (model, dump.stderr))
    funcs = re.findall(r"gpu\.func @(\w+)\((.*?)\) kernel attributes "
                       r"\{known_block_size = array<i32: (\d+), (\d+), (\d+)>,"
                       r" known_grid_size = array<i32: (\d+), (\d+), (\d+)>\}",
                       dump.stderr)
    if len(funcs) != 1:
        fail("expected one kernel with known sizes in %s, found %d (is the "
             "GEMV strategy applicable to it?)" % (model, len(funcs)))
    name, params = funcs[0][0], funcs[0][1]
    block = tuple(int(v) for v in funcs[0][2:5])
    grid = tuple(int(v) for v in funcs[0][5:8])
    args = []
    for shape, element in re.findall(r"memref<((?:\d+x)*)(\w+)>", params):
        dims = [int(d) for d in shape.split("x") if d]
        if element not in ELEMENT_BYTES:
            fail("unexpected element type %s in the kernel signature" % element)
        args.append((dims, element))
    if params.count(":") != len(args):
        fail("the kernel takes non-memref arguments: %s" % params)
    ptx_dir = os.path.join(workdir, "ptx")
    compiled = subprocess.run(
        [lowbit_opt, model,
         "--lowbit-lower-to-nvvm=chip=%s ptx-dir=%s" % (chip, ptx_dir),
         "-o", os.devnull], capture_output=True, text=True)
    if compiled.returncode:
        fail("lowbit-opt failed on %s:\n%s" % (model, compiled.stderr))
    with open(os.path.join(ptx_dir, "%s.%s.ptx" % (name, chip))) as f:
        ptx = f.read()
    return name, args, grid, block, ptx


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


def cublas_gemm(cuda, path, m, n, k, copies, iters):
    """Median ms of cublasGemmEx f16 (f32 compute) for y[M, N] = x[M, K] w[K, N]
    over `copies` rotated weights, or None when cuBLAS is not available."""
    candidates = [path] if path not in ("auto", "none") else [
        "libcublas.so.13", "libcublas.so.12", "libcublas.so",
        "/usr/local/cuda/lib64/libcublas.so"]
    if path == "none":
        return None, "cuBLAS skipped"
    lib = None
    for candidate in candidates:
        try:
            lib = ctypes.CDLL(candidate)
            break
        except OSError:
            continue
    if lib is None:
        return None, "no libcublas found (%s)" % ", ".join(candidates)
    handle = ctypes.c_void_p()
    if lib.cublasCreate_v2(ctypes.byref(handle)) != 0:
        return None, "cublasCreate failed"
    x = cuda.alloc(m * k * 2)
    y = cuda.alloc(m * n * 2)
    weights = [cuda.alloc(k * n * 2) for _ in range(copies)]
    alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)
    CUDA_R_16F, COMPUTE_32F, OP_N, OP_T, DEFAULT = 2, 68, 0, 1, -1
    lib.cublasGemmEx.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64,
        ctypes.c_int, ctypes.c_int, ctypes.c_uint64, ctypes.c_int,
        ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_int]

    # Row-major y = x w^T with w [N, K] row-major is, column-major,
    # y^T [N, M] = (w as [K, N] col-major)^T x^T: A = w (op T, lda K),
    # B = x (op N, ldb K), C = y (ldc N).
    def gemm(i):
        status = lib.cublasGemmEx(handle, OP_T, OP_N, n, m, k,
                                  ctypes.byref(alpha), weights[i % copies],
                                  CUDA_R_16F, k, x, CUDA_R_16F, k,
                                  ctypes.byref(beta), y, CUDA_R_16F, n,
                                  COMPUTE_32F, DEFAULT)
        if status != 0:
            fail("cublasGemmEx failed with status %d" % status)

    for i in range(10):
        gemm(i)
    median, _ = cuda.time_batches(gemm, min(copies * 4, 64),
                                  max(1, iters // 10))
    lib.cublasDestroy_v2(handle)
    for ptr in [x, y] + weights:
        cuda.lib.cuMemFree_v2(ctypes.c_uint64(ptr))
    return median, "cuBLAS f16"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lowbit-opt", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--chip", default="sm_90a")
    parser.add_argument("--weight-set-gb", type=float, default=1.0)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--cublas", default="auto")
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        name, params, grid, block, ptx = compile_kernel(
            args.lowbit_opt, args.model, args.chip, workdir)
    cuda = Cuda()
    module, function = ctypes.c_void_p(), ctypes.c_void_p()
    image = ctypes.create_string_buffer(ptx.encode())
    cuda.check(cuda.lib.cuModuleLoadData(ctypes.byref(module), image),
               "cuModuleLoadData (PTX JIT)")
    cuda.check(cuda.lib.cuModuleGetFunction(ctypes.byref(function), module,
                                            name.encode()),
               "cuModuleGetFunction")

    sizes = []
    for dims, element in params:
        count = 1
        for d in dims:
            count *= d
        sizes.append(count * ELEMENT_BYTES[element])
    weight_arg = max(range(len(sizes)), key=lambda i: sizes[i])
    copies = max(1, int(-(-args.weight_set_gb * 2**30 // sizes[weight_arg])))
    buffers = [cuda.alloc(size) for size in sizes]
    weights = [buffers[weight_arg]] + [cuda.alloc(sizes[weight_arg])
                                       for _ in range(copies - 1)]

    # One parameter array per weight copy, built once.
    param_sets = []
    for i in range(copies):
        values = []
        for j, (dims, _) in enumerate(params):
            ptr = weights[i] if j == weight_arg else buffers[j]
            values += memref_params(ptr, dims)
        pointers = (ctypes.c_void_p * len(values))(
            *[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in values])
        param_sets.append((values, pointers))

    def launch(i):
        cuda.check(cuda.lib.cuLaunchKernel(function, *grid, *block, 0, None,
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

    blas_ms, blas_what = cublas_gemm(
        cuda, args.cublas, args.m, args.n, args.k,
        max(1, int(-(-args.weight_set_gb * 2**30 // (args.k * args.n * 2)))),
        args.iters)
    speedup = "%.2f" % (blas_ms / median) if blas_ms else "n/a"
    print("device=%r m=%d k=%d n=%d weight_copies=%d lowbit_ms=%.4f "
          "lowbit_min_ms=%.4f lowbit_gbs=%.1f hbm_copy_gbs=%.1f "
          "hbm_fraction=%.3f cublas_ms=%s speedup=%s cublas=%r" % (
              cuda.name, args.m, args.k, args.n, copies, median, best,
              lowbit_gbs, hbm_gbs, lowbit_gbs / hbm_gbs,
              "%.4f" % blas_ms if blas_ms else "n/a", speedup, blas_what))


if __name__ == "__main__":
    main()
