#!/usr/bin/env python3
"""Writes the model of the ONNX export tests and its input.

  make_export_model.py OUT_DIR

OUT_DIR/model.onnx (opset 17): x[8x64] -> MatMul "up" (64->128) -> Relu ->
Gemm "down" (transB = 1, bias; 128->64) -> MatMul "head" (64->32) -> y, and
z = y - ReduceMean(y, axes = [1]) (the axes attribute that opset 18 turned
into an input: raising the opset must rewrite it). OUT_DIR/x.npy and
OUT_DIR/samples/a.npy, b.npy: seeded inputs.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)
    rng = np.random.default_rng(3)
    w_up = (rng.standard_normal((64, 128)) * 0.15).astype(np.float32)
    w_down = (rng.standard_normal((64, 128)) * 0.1).astype(np.float32)  # [N, K]
    b_down = (rng.standard_normal(64) * 0.1).astype(np.float32)
    w_head = (rng.standard_normal((64, 32)) * 0.15).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "up.weight"], ["h"], name="up"),
        helper.make_node("Relu", ["h"], ["a"], name="relu"),
        helper.make_node("Gemm", ["a", "down.weight", "down.bias"], ["d"],
                         name="down", transB=1),
        helper.make_node("MatMul", ["d", "head.weight"], ["y"], name="head"),
        helper.make_node("ReduceMean", ["y"], ["m"], name="mean", axes=[1],
                         keepdims=1),
        helper.make_node("Sub", ["y", "m"], ["z"], name="center"),
    ]
    graph = helper.make_graph(
        nodes, "export_test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 32]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [8, 32])],
        initializer=[numpy_helper.from_array(w_up, "up.weight"),
                     numpy_helper.from_array(w_down, "down.weight"),
                     numpy_helper.from_array(b_down, "down.bias"),
                     numpy_helper.from_array(w_head, "head.weight")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lowbit-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    np.save(os.path.join(out, "x.npy"), rng.standard_normal((8, 64)).astype(np.float32))
    for name in ("a", "b"):
        np.save(os.path.join(out, "samples", name + ".npy"),
                rng.standard_normal((8, 64)).astype(np.float32))


if __name__ == "__main__":
    main()
