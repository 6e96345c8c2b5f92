#!/usr/bin/python3
"""Imports ONNX backend node tests with lowbit-translate and reports.

  test/Target/ONNX/run_backend_tests.py [--tool build/bin/lowbit-translate]
      [--data /usr/share/libonnx-testdata/data/node] [--all]

Without --all only the tests of the ops lowbit's importer covers are tried
(their directory name starts with test_<op in snake case>). Prints one line
per test (OK, or FAIL with the first line of the diagnostic), then counts.
A crash (signal) is reported as CRASH. Exit status 0 unless a test crashed.
"""

import argparse
import os
import re
import subprocess
import sys

OPS = ["MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid",
       "Tanh", "Exp", "Log", "Sqrt", "Neg", "Erf", "Pow", "Softmax",
       "LogSoftmax", "Gelu", "LayerNormalization", "Reshape", "Transpose",
       "Identity", "Constant", "Cast", "Gather", "Squeeze", "Unsqueeze",
       "Concat", "ReduceMean", "ReduceSum", "ReduceMax", "QuantizeLinear",
       "DequantizeLinear", "Reciprocal", "LeakyRelu", "Flatten", "Abs",
       "Where", "ConstantOfShape", "Shape", "Size", "Expand", "Slice",
       "MatMulInteger"]


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", default=os.path.join(
        root, "build", "bin", "lowbit-translate"))
    parser.add_argument("--data",
                        default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args()

    prefixes = sorted({"test_" + snake(op) for op in OPS}, key=len,
                      reverse=True)
    tests = []
    for name in sorted(os.listdir(args.data)):
        if args.all or any(name == p or name.startswith(p + "_")
                           for p in prefixes):
            tests.append(name)
    ok = fail = crash = 0
    for name in tests:
        model = os.path.join(args.data, name, "model.onnx")
        proc = subprocess.run([args.tool, "--import-onnx", model, "-o",
                               os.devnull], capture_output=True, text=True)
        if proc.returncode == 0:
            ok += 1
            print(f"OK    {name}")
        elif proc.returncode < 0 or proc.returncode > 1:
            crash += 1
            print(f"CRASH {name}: exit {proc.returncode}")
        else:
            fail += 1
            first = proc.stderr.strip().splitlines()[0] if proc.stderr else ""
            first = first.split("error: ", 1)[-1]
            print(f"FAIL  {name}: {first}")
    print(f"\n{len(tests)} tests: {ok} imported, {fail} failed, "
          f"{crash} crashed")
    return 1 if crash else 0


if __name__ == "__main__":
    sys.exit(main())
