#!/usr/bin/env python3
"""Variants of one lowbit kernel side by side: each variant's compiled
matmul alternated with the plain read of its weight-code bytes (the
roofline of cpu_kernels.py, after the same 512 MB eviction), or warm.

  kernel_variants.py --build BUILD --shape NxK --m M [--reps 30] [--warm]
      NAME=PIPELINE[|FLAGS[|COMPILER]] ...

PIPELINE is the lowbit-opt pipeline applied to the seeded f32 model of
cpu_kernels.py (e.g. --lowbit-w4a16=group-size=32; empty: the float model;
--dtype bf16: the model in bf16), FLAGS comma-separated
lowbit-compile flags, COMPILER another lowbit-compile binary (an older
build, to compare code generation). Prints per variant the median time
and the median of t(read) / t(kernel) over the pairs, the read sized by
--bytes-per-weight (4-bit codes by default); with --warm, the
median of back-to-back calls (weights in cache) instead. The variants are
measured in turn within each repetition, so they see the same moments of
the machine's drifting bandwidth. Run after bench/cpu_kernels.sh has built
BUILD/bench-cpu-kernels/libread*.so, with its environment
(KMP_BLOCKTIME=1, OMP_NUM_THREADS=2).
"""

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpu_kernels import (EVICT_BYTES, Descriptor, descriptor,  # noqa: E402
                         to_bf16_bits, write_model)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--shape", required=True, help="N x K, e.g. 4096x4096")
    p.add_argument("--m", type=int, default=1)
    p.add_argument("--reps", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warm", action="store_true")
    p.add_argument("--dtype", choices=("f32", "bf16"), default="f32",
                   help="the model's float type (bf16: W, x and y)")
    p.add_argument("--bytes-per-weight", type=float, default=0.5,
                   help="code bytes per weight the read is sized by "
                   "(0.5: 4-bit, 1: 8-bit)")
    p.add_argument("variants", nargs="+")
    args = p.parse_args()

    n, k = (int(v) for v in args.shape.split("x"))
    bench = os.path.join(args.build, "bench-cpu-kernels")
    work = os.path.join(bench, "variants")
    os.makedirs(work, exist_ok=True)
    reader = ctypes.CDLL(os.path.join(bench, "libread.so"))
    gomp_reader = ctypes.CDLL(os.path.join(bench, "libread_gomp.so"))
    for lib in (reader, gomp_reader):
        lib.lowbit_bench_read.restype = ctypes.c_uint64
        lib.lowbit_bench_read.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                          ctypes.c_int]
    libc = ctypes.CDLL("libc.so.6")
    libc.free.argtypes = [ctypes.c_void_p]
    evict = np.ones(EVICT_BYTES // 8, dtype=np.uint64)

    weight = np.random.default_rng(0).normal(0.0, 0.02,
                                             size=(k, n)).astype(np.float32)
    model = os.path.join(work, "model.mlir")
    write_model(model, weight, args.dtype)
    x = np.random.default_rng(1).normal(0.0, 1.0,
                                        size=(args.m, k)).astype(np.float32)
    xd = descriptor(to_bf16_bits(x) if args.dtype == "bf16" else x)
    calls = {}
    for spec in args.variants:
        name, _, rest = spec.partition("=")
        fields = rest.split("|")
        pipeline = fields[0]
        flags = [f for f in (fields[1] if len(fields) > 1 else "").split(",")
                 if f]
        compiler = (fields[2] if len(fields) > 2 and fields[2] else
                    os.path.join(args.build, "bin", "lowbit-compile"))
        stem = os.path.join(work, name)
        subprocess.run([os.path.join(args.build, "bin", "lowbit-opt"), model]
                       + ([pipeline] if pipeline else [])
                       + ["--emit-bytecode", "-o", stem + ".mlirbc"],
                       check=True)
        subprocess.run([compiler, stem + ".mlirbc", "--name=k", "-o",
                        stem + ".o", f"--threads={args.threads}"] + flags,
                       check=True)
        subprocess.run(["cc", "-shared", stem + ".o", "-o", stem + ".so",
                        "-lm", "-lomp"], check=True)
        lib = ctypes.CDLL(stem + ".so")
        lib.k_main.argtypes = [ctypes.POINTER(Descriptor)] * 2

        def call(lib=lib):
            r = Descriptor()
            if lib.k_main(ctypes.byref(xd), ctypes.byref(r)) != 0:
                raise RuntimeError("lowbit kernel refused its input")
            libc.free(r.allocated)
        call()
        calls[name] = call
    os.remove(model)

    def timed(fn):
        gomp_reader.lowbit_bench_read(evict.ctypes.data, EVICT_BYTES,
                                      args.threads)
        time.sleep(0.003)
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    if args.warm:
        for name, call in calls.items():
            for _ in range(20):
                call()
            times = []
            for _ in range(max(args.reps, 100)):
                t0 = time.perf_counter()
                call()
                times.append(time.perf_counter() - t0)
            print(f"{args.shape} M={args.m} {name}: warm "
                  f"{statistics.median(times) * 1e3:.4f} ms")
        return

    read_bytes = max(64, int(n * k * args.bytes_per_weight) // 64 * 64)
    read_buf = np.ones(read_bytes // 8, dtype=np.uint64)

    def read():
        reader.lowbit_bench_read(read_buf.ctypes.data, read_bytes,
                                 args.threads)

    results = {name: ([], []) for name in calls}
    for _ in range(args.reps):
        for name, call in calls.items():
            t = timed(call)
            results[name][0].append(t)
            results[name][1].append(timed(read) / t)
    for name, (times, fractions) in results.items():
        print(f"{args.shape} M={args.m} {name}: "
              f"{statistics.median(times) * 1e3:.3f} ms, x read "
              f"{statistics.median(fractions):.3f}")


if __name__ == "__main__":
    main()
