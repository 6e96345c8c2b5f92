#!/usr/bin/env python3
"""Reads `lowbit-run --expected` outputs (one file per calibrator, named
<calibrator>.txt) and prints each SQNR and whether it beats min-max.

Usage: compare_sqnr.py DIR minmax percentile entropy mse
"""

import os
import re
import sys


def sqnr(path):
    with open(path) as f:
        return float(re.search(r"sqnr_db=(\S+)", f.read()).group(1))


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    values = {n: sqnr(os.path.join(folder, n + ".txt")) for n in names}
    base = values[names[0]]
    for name in names:
        verdict = "" if name == names[0] else (
            " beats %s" % names[0] if values[name] > base else " does NOT beat %s" % names[0])
        print("%s: output SQNR %.2f dB%s" % (name, values[name], verdict))


if __name__ == "__main__":
    main()
