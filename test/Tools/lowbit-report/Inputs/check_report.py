#!/usr/bin/env python3
"""Checks a lowbit-report JSON against facts computed independently of it.

  check_report.py REPORT.json LOWBIT_RUN_LOG
  check_report.py --only-fc2 REPORT.json

- fc1 reads the model input, so its isolated and end-to-end errors agree;
- fc3 produces the model output, so its end-to-end error is the output's;
- the output SQNR equals what lowbit-run --expected printed for the same
  quantized model (LOWBIT_RUN_LOG), a separate code path;
- byte counts follow from the shapes: int4 codes (half a byte each) plus one
  f32 scale per group of 32;
- fc2, built with outliers, is the most affected layer in isolation.

--only-fc2: a report where a policy keeps fc1 and fc3 float. fc2 then reads
the float model's own input inside the quantized model too, so its isolated
error must equal its end-to-end error (this checks that the isolated run
feeds each layer its own float input), and fc1 stays exact.
"""

import json
import re
import sys


def close(a, b, tol=1e-6):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def only_fc2(path):
    layers = {layer["name"]: layer for layer in json.load(open(path))["layers"]}
    errors = []
    for key in ("sqnr_db", "cosine", "max_abs_error", "relative_error"):
        if not close(layers["fc2"]["isolated"][key], layers["fc2"]["end_to_end"][key]):
            errors.append("fc2 isolated %s != end to end" % key)
    if layers["fc1"]["scheme"] != "float" or layers["fc1"]["isolated"]["sqnr_db"] is not None:
        errors.append("fc1 should be float and exact")
    if layers["fc2"]["scheme"] == "float":
        errors.append("fc2 should be quantized")
    if errors:
        sys.exit("check_report: " + "; ".join(errors))
    print("check_report: ok")


def main():
    if sys.argv[1] == "--only-fc2":
        only_fc2(sys.argv[2])
        return
    report = json.load(open(sys.argv[1]))
    log = open(sys.argv[2]).read()
    expected_sqnr = float(re.search(r"sqnr_db=(\S+)", log).group(1))
    layers = {layer["name"]: layer for layer in report["layers"]}
    errors = []
    if [layer["name"] for layer in report["layers"]] != ["fc1", "fc2", "fc3"]:
        errors.append("layer order %s" % [layer["name"] for layer in report["layers"]])
    fc1, fc2, fc3 = layers["fc1"], layers["fc2"], layers["fc3"]
    for key in ("sqnr_db", "cosine", "max_abs_error", "relative_error"):
        if not close(fc1["isolated"][key], fc1["end_to_end"][key]):
            errors.append("fc1 isolated %s != end to end" % key)
        if not close(fc3["end_to_end"][key], report["outputs"][0][key]):
            errors.append("fc3 end-to-end %s != output's" % key)
    if not close(report["outputs"][0]["sqnr_db"], expected_sqnr, 1e-4):
        errors.append("output SQNR %s != lowbit-run's %s"
                      % (report["outputs"][0]["sqnr_db"], expected_sqnr))
    for layer, (k, n) in ((fc1, (64, 128)), (fc2, (128, 128)), (fc3, (128, 32))):
        if layer["float_bytes"] != 4 * k * n or layer["weight_elements"] != k * n:
            errors.append("%s float size" % layer["name"])
        if layer["quantized_bytes"] != k * n // 2 + 4 * (k * n // 32):
            errors.append("%s quantized_bytes %d" % (layer["name"], layer["quantized_bytes"]))
    if report["total"]["bits_per_weight"] != 5.0:
        errors.append("bits_per_weight %s" % report["total"]["bits_per_weight"])
    if not fc2["isolated"]["sqnr_db"] < min(fc1["isolated"]["sqnr_db"], fc3["isolated"]["sqnr_db"]) - 5:
        errors.append("fc2 is not the most affected layer")
    if fc3["end_to_end"]["sqnr_db"] >= fc3["isolated"]["sqnr_db"]:
        errors.append("fc3 end to end should carry the error of fc1 and fc2")
    if errors:
        sys.exit("check_report: " + "; ".join(errors))
    print("check_report: ok")


if __name__ == "__main__":
    main()
