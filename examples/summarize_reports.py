#!/usr/bin/env python3
"""Prints the quickstart table from lowbit-quantize-weights JSON reports.

Usage: summarize_reports.py NAME=REPORT.json [NAME=REPORT.json ...]
"""

import json
import math
import sys


def main():
    rows = []
    for arg in sys.argv[1:]:
        name, path = arg.split("=", 1)
        with open(path) as f:
            report = json.load(f)
        total = report["total"]
        sqnrs = [w["sqnr_db"] for w in report["weights"] if w["sqnr_db"] is not None]
        worst = min(report["weights"], key=lambda w: w["sqnr_db"] if w["sqnr_db"] is not None else math.inf)
        rows.append((
            name,
            total["float_bytes"] / 2**20,
            total["quantized_bytes"] / 2**20,
            total["bits_per_weight"],
            total["float_bytes"] / total["quantized_bytes"],
            min(sqnrs) if sqnrs else math.inf,
            worst["name"],
            sum(w["cosine"] for w in report["weights"]) / len(report["weights"]),
        ))
    header = ("scheme", "float MiB", "quant MiB", "bits/w", "smaller", "worst SQNR dB", "worst layer", "mean cosine")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f}x | {r[5]:.2f} | {r[6]} | {r[7]:.5f} |")


if __name__ == "__main__":
    main()
