#!/usr/bin/env python3
"""Runs an ONNX model with ONNX Runtime and compares its outputs with .npy
files written by lowbit-run.

  run_onnxruntime.py [--rtol=R] MODEL.onnx INPUT.npy EXPECTED_0.npy [EXPECTED_1.npy...]
  run_onnxruntime.py --describe MODEL.onnx

Each output must satisfy |relative L2 error| <= R (default 1e-5) and
max |y - e| <= 10 R max |e|: ONNX Runtime and lowbit dequantize the same
codes with the same scales in f32, so only the GEMM's summation order
differs (K <= 128 here). ONNX Runtime's QDQ-to-MatMulNBits fusion quantizes
activations to int8 unless asked not to (accuracy level 4 by default); the
session asks for level 1 (f32), the arithmetic lowbit's W4A16 does.

--describe prints the graph: opsets, one line per node with its attributes
and the initializers it reads (element type and dims), then the external
initializers and all initializers by name.
"""

import sys

import numpy as np
import onnx
import onnxruntime as ort


def describe(path):
    model = onnx.load(path, load_external_data=False)
    print("ir_version", model.ir_version)
    for opset in sorted(model.opset_import, key=lambda o: o.domain):
        print("opset", opset.domain or "ai.onnx", opset.version)
    inits = {t.name: t for t in model.graph.initializer}
    # Debian's onnx 1.12 predates these codes.
    newer = {17: "FLOAT8E4M3FN", 19: "FLOAT8E5M2", 21: "UINT4", 22: "INT4"}

    def type_name(code):
        return newer.get(code) or onnx.TensorProto.DataType.Name(code)

    for node in model.graph.node:
        attrs = " ".join("%s=%s" % (a.name, onnx.helper.get_attribute_value(a))
                         for a in node.attribute)
        types = " ".join("%s:%s%s" % (i, type_name(inits[i].data_type), list(inits[i].dims))
                         for i in node.input if i in inits)
        print("node", node.op_type, node.domain or "", node.name, attrs, "|", types)
    external = sorted(t.name for t in model.graph.initializer
                      if t.data_location == onnx.TensorProto.EXTERNAL)
    print("external", " ".join(external))
    print("initializers", " ".join(sorted(inits)))


def main():
    if sys.argv[1] == "--describe":
        describe(sys.argv[2])
        return
    args = sys.argv[1:]
    rtol = 1e-5
    if args[0].startswith("--rtol="):
        rtol = float(args.pop(0).split("=", 1)[1])
    path, x = args[0], np.load(args[1])
    options = ort.SessionOptions()
    options.add_session_config_entry("session.qdq_matmulnbits_accuracy_level", "1")
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: x})
    failed = False
    for i, expected_path in enumerate(args[2:]):
        expected = np.load(expected_path).astype(np.float64)
        got = outputs[i].astype(np.float64)
        rel = np.linalg.norm(got - expected) / np.linalg.norm(expected)
        max_abs = np.abs(got - expected).max()
        ok = rel <= rtol and max_abs <= 10 * rtol * np.abs(expected).max()
        failed |= not ok
        print("output %d: %s rel_l2=%.2e max_abs=%.2e" % (i, "ok" if ok else "MISMATCH", rel, max_abs))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
