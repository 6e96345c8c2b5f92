#!/usr/bin/env python3
"""Runs ONNX backend node tests end to end through lowbit.

For each test directory (model.onnx, test_data_set_0/input_*.pb,
output_*.pb): lowbit-translate --import-onnx, then lowbit-run on the
TensorProto inputs (matched to the graph inputs by name) with --expected set
to the reference outputs, at rtol 1e-3, atol 1e-7 (the issue's tolerances;
float32 kernels against references that ONNX computed in float32 or
float64).

  conformance.py BIN_DIR WORK_DIR --list passing.txt     check the listed tests
  conformance.py BIN_DIR WORK_DIR --discover OUT.txt     try every test of the
      ops the importer covers, write the passing ones to OUT.txt

Needs only the standard library and Debian's libonnx-testdata.
"""

import argparse
import os
import subprocess
import sys

DATA = "/usr/share/libonnx-testdata/data/node"
RTOL, ATOL = "1e-3", "1e-7"


def run_test(bin_dir, work, name):
    """Returns None on success, else a one-line reason."""
    test_dir = os.path.join(DATA, name)
    data = os.path.join(test_dir, "test_data_set_0")
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    mlir = os.path.join(out, "model.mlir")
    proc = subprocess.run([os.path.join(bin_dir, "lowbit-translate"),
                           "--import-onnx", os.path.join(test_dir, "model.onnx"),
                           "-o", mlir], capture_output=True, text=True)
    if proc.returncode != 0:
        return "import: " + (proc.stderr.strip().splitlines() or ["?"])[0]
    args = [os.path.join(bin_dir, "lowbit-run"), mlir,
            "--rtol=" + RTOL, "--atol=" + ATOL]
    for kind, flag in (("input", "--input="), ("output", "--expected=")):
        i = 0
        while os.path.exists(os.path.join(data, "%s_%d.pb" % (kind, i))):
            args.append(flag + os.path.join(data, "%s_%d.pb" % (kind, i)))
            i += 1
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l for l in (proc.stdout + proc.stderr).splitlines()
                 if "FAIL" in l or "error" in l]
        return "run: " + (lines[0] if lines else "exit %d" % proc.returncode)
    return None


def discover_names():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                    "Target", "ONNX"))
    import run_backend_tests  # noqa: E402
    return run_backend_tests.select_tests(os.listdir(DATA),
                                          run_backend_tests.test_prefixes())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin_dir")
    parser.add_argument("work")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--list")
    group.add_argument("--discover")
    args = parser.parse_args()
    if args.list:
        with open(args.list) as f:
            names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    else:
        names = discover_names()
    passed, failed = [], []
    for name in names:
        reason = run_test(args.bin_dir, args.work, name)
        if reason is None:
            passed.append(name)
        else:
            failed.append(name)
            print("FAIL %s: %s" % (name, reason))
    if args.discover:
        with open(args.discover, "w") as f:
            f.write("# ONNX backend node tests that import, run and match their\n"
                    "# reference outputs (rtol %s, atol %s). This list may only grow:\n"
                    "# regenerate with conformance.py --discover.\n" % (RTOL, ATOL))
            f.write("".join(n + "\n" for n in passed))
    print("%d of %d ONNX node tests pass end to end" % (len(passed), len(names)))
    sys.exit(1 if failed and args.list else 0)


if __name__ == "__main__":
    main()
