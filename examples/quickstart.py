#!/usr/bin/env python3
"""Quantizes, compiles and runs the example model; prints what each scheme
costs against float: weight bytes, output error, latency.

Usage: quickstart.py BUILD_DIR [--report-dir DIR]

Steps (all with lowbit's own tools):
  1. examples/generate_mlp_onnx.py writes the float model as ONNX (a
     transformer MLP block and a 256-way head, Student-t weights) and
     lowbit-translate --import-onnx turns it into MLIR;
  2. make_inputs writes a seeded activation batch with a few outlier channels,
     as real hidden states have;
  3. lowbit-run runs the float model (the reference output and latency);
  4. per scheme: lowbit-opt quantizes with a named pipeline (writing the
     per-weight JSON report), lowbit-run compiles and runs the result,
     compares it with the float output and times it;
  5. lowbit-report measures what W4A16 g128 costs each layer (isolated and
     end to end) and writes the report as JSON, Markdown and SVG to
     BUILD_DIR/quickstart/report.* (or --report-dir; docs/examples holds the
     copy made with `--report-dir docs/examples`).
"""

import json
import math
import os
import random
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENS, HIDDEN = 16, 512
BENCHMARK_RUNS = 10

SCHEMES = [
    ("w8a8 (dynamic)", "lowbit-w8a8"),
    ("w8a16", "lowbit-w8a16"),
    ("w4a16 g128", "lowbit-w4a16"),
    ("w4a16 g32 clip", "lowbit-w4a16{group-size=32 clip-search=true}"),
    ("nf4 g64", "lowbit-nf4"),
    ("fp8 e4m3", "lowbit-fp8"),
]


def write_npy(path, shape, values):
    """A C-order little-endian float32 .npy file (format 1.0)."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape) if len(shape) != 1 else "%d," % shape[0])
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def make_inputs(path):
    rng = random.Random(7)
    outliers = {rng.randrange(HIDDEN) for _ in range(4)}
    values = []
    for _ in range(TOKENS):
        for c in range(HIDDEN):
            v = rng.gauss(0.0, 1.0)
            values.append(v * 12.0 if c in outliers else v)
    write_npy(path, (TOKENS, HIDDEN), values)


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def lowbit_run(build, model, inputs, extra):
    cmd = [os.path.join(build, "bin", "lowbit-run"), model, "--input=" + inputs,
           "--benchmark=%d" % BENCHMARK_RUNS] + extra
    rc, out = run(cmd)
    timing = re.search(r"median_ms=([0-9.eE+-]+)", out)
    if not timing:
        sys.exit("lowbit-run failed on %s:\n%s" % (model, out))
    metrics = re.search(r"sqnr_db=(\S+) cosine=(\S+)", out)
    max_abs = re.search(r"max_abs=(\S+)", out)
    return {
        "ms": float(timing.group(1)),
        "sqnr": metrics and metrics.group(1),
        "cosine": metrics and metrics.group(2),
        "max_abs": max_abs and max_abs.group(1),
    }


def main():
    build = os.path.abspath(sys.argv[1])
    out = os.path.join(build, "quickstart")
    os.makedirs(out, exist_ok=True)
    report_dir = out
    if "--report-dir" in sys.argv:
        report_dir = os.path.abspath(sys.argv[sys.argv.index("--report-dir") + 1])
        os.makedirs(report_dir, exist_ok=True)
    opt = os.path.join(build, "bin", "lowbit-opt")
    onnx_model = os.path.join(out, "mlp.onnx")
    model = os.path.join(out, "mlp.mlir")
    inputs = os.path.join(out, "x.npy")
    reference = os.path.join(out, "float.npy")
    # Debian's python3-onnx installs for the system interpreter.
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "generate_mlp_onnx.py"),
                    onnx_model, "--tokens", str(TOKENS)], check=True)
    rc, log = run([os.path.join(build, "bin", "lowbit-translate"), "--import-onnx",
                   onnx_model, "-o", model])
    if rc != 0:
        sys.exit("lowbit-translate failed:\n" + log)
    make_inputs(inputs)

    base = lowbit_run(build, model, inputs, ["--output=" + reference])
    float_bytes = None
    rows = []
    for name, pipeline in SCHEMES:
        slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
        report = os.path.join(out, slug + ".json")
        quantized = os.path.join(out, slug + ".mlirbc")
        spec = pipeline[:-1] + " report=%s}" % report if pipeline.endswith("}") \
            else pipeline + "{report=%s}" % report
        rc, log = run([opt, model, "--pass-pipeline=builtin.module(%s)" % spec,
                       "--emit-bytecode", "-o", quantized])
        if rc != 0:
            sys.exit("lowbit-opt failed for %s:\n%s" % (name, log))
        with open(report) as f:
            total = json.load(f)["total"]
        float_bytes = total["float_bytes"]
        result = lowbit_run(build, quantized, inputs, ["--expected=" + reference])
        rows.append((name, total, result))

    print()
    print("lowbit quickstart: %s (imported from ONNX; 3 matmuls, %.2f MiB of f32 weights), input %dx%d"
          % (onnx_model, float_bytes / 2**20, TOKENS, HIDDEN))
    print("| scheme | weight MiB | bits/weight | output SQNR dB | cosine | max abs err | ms | time vs float |")
    print("|---|---|---|---|---|---|---|---|")
    print("| float32 | %.2f | 32.00 | - | - | - | %.2f | 1.00x |" % (float_bytes / 2**20, base["ms"]))
    for name, total, result in rows:
        print("| %s | %.2f | %.2f | %.2f | %.5f | %.4f | %.2f | %.2fx |" % (
            name, total["quantized_bytes"] / 2**20, total["bits_per_weight"],
            float(result["sqnr"]), float(result["cosine"]), float(result["max_abs"]),
            result["ms"], result["ms"] / base["ms"]))
    print()
    print("Output error: the model's output against the float model's on the same input.")
    print("Time: median of %d runs after a warm-up, lowbit-run's JIT for this host on all" % BENCHMARK_RUNS)
    print("cores; every matmul here runs lowbit's vector kernels. This model's 6.5 MB of")
    print("weights stay in cache, so float is not memory-bound; bench/cpu_kernels.sh")
    print("compares the kernels with oneDNN and ONNX Runtime on LLM-sized shapes.")
    print("Artifacts: %s/*.mlirbc (models), *.json (per-weight reports)" % out)

    # Which layer costs what: the per-layer report of W4A16 g128.
    print()
    rc, log = run([os.path.join(build, "bin", "lowbit-report"), model,
                   "--pipeline=lowbit-w4a16", "--input=" + inputs,
                   "--json=" + os.path.join(report_dir, "report-w4a16.json"),
                   "--markdown=" + os.path.join(report_dir, "report-w4a16.md"),
                   "--svg=" + os.path.join(report_dir, "report-w4a16.svg")])
    if rc != 0:
        sys.exit("lowbit-report failed:\n" + log)
    print(log.rstrip())
    print("Per-layer report: %s/report-w4a16.{json,md,svg}" % report_dir)


if __name__ == "__main__":
    main()
