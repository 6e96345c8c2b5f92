#!/usr/bin/env python3
"""Runs lowbit-translate on truncated and bit-flipped copies of models.

  fuzz_import.py TOOL WORKDIR MODEL...

Every truncation at 40 evenly spaced lengths and 60 seeded random single-
and multi-byte flips per model. Fails (exit 1) when a run crashes or exits
with anything but 0/1, or when a failed run leaves its output file.
"""

import os
import random
import subprocess
import sys


def main():
    tool, workdir, models = sys.argv[1], sys.argv[2], sys.argv[3:]
    runs = imported = rejected = crashed = 0
    rng = random.Random(1234)
    for model in models:
        data = open(model, "rb").read()
        variants = [data[:len(data) * i // 40] for i in range(40)]
        for _ in range(60):
            flipped = bytearray(data)
            for _ in range(rng.choice([1, 1, 2, 8])):
                flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            variants.append(bytes(flipped))
        for i, variant in enumerate(variants):
            path = os.path.join(workdir, "fuzz.onnx")
            out = os.path.join(workdir, "fuzz.mlir")
            with open(path, "wb") as f:
                f.write(variant)
            if os.path.exists(out):
                os.remove(out)
            proc = subprocess.run([tool, "--import-onnx", path, "-o", out],
                                  capture_output=True, text=True,
                                  errors="replace")
            runs += 1
            if proc.returncode == 0:
                imported += 1
            elif proc.returncode == 1 and "error:" in proc.stderr:
                rejected += 1
                if os.path.exists(out):
                    print(f"{model} variant {i}: output left after failure")
                    crashed += 1
            else:
                crashed += 1
                print(f"{model} variant {i}: exit {proc.returncode}\n"
                      f"{proc.stderr[-2000:]}")
                with open(os.path.join(workdir, f"crash{crashed}.onnx"),
                          "wb") as f:
                    f.write(variant)
    print(f"fuzz: {runs} runs, {imported} imported, {rejected} rejected, "
          f"{crashed} crashed")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
