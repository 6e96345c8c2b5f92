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
       "MatMulInteger", "Split", "Pad", "GatherElements", "ReduceMin",
       "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2",
       "ReduceLogSum", "ReduceLogSumExp", "QLinearMatMul",
       "DynamicQuantizeLinear", "Clip", "Round", "Max", "Min", "Sum", "Mean"]

# Backend test directories whose names follow neither spelling of the op.
EXTRA_PREFIXES = {"Pad": ["constant_pad", "edge_pad", "reflect_pad",
                          "wrap_pad"]}


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def test_prefixes(ops=OPS):
    """The test_<op> prefixes of `ops`: snake case (test_reduce_sum) and
    lower case (test_matmul, test_quantizelinear), longest first."""
    prefixes = set()
    for op in ops:
        prefixes.add("test_" + snake(op))
        prefixes.add("test_" + op.lower())
        prefixes.update("test_" + p for p in EXTRA_PREFIXES.get(op, []))
    return sorted(prefixes, key=len, reverse=True)


def select_tests(names, prefixes):
    return [n for n in sorted(names)
            if any(n == p or n.startswith(p + "_") for p in prefixes)]


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

    names = os.listdir(args.data)
    tests = sorted(names) if args.all else select_tests(names,
                                                        test_prefixes())
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
