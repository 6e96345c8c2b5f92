#!/usr/bin/env python3
"""Writes the model of the ONNX export tests and its input.

  make_export_model.py OUT_DIR [--variant=shared|fp16]

OUT_DIR/model.onnx (opset 17): x[8x64] -> MatMul "up" (64->128) -> Relu ->
Gemm "down" (transB = 1, bias; 128->64) -> MatMul "head" (64->32) -> y, and
z = y - ReduceMean(y, axes = [1]) (the axes attribute that opset 18 turned
into an input: raising the opset must rewrite it). OUT_DIR/x.npy and
OUT_DIR/samples/a.npy, b.npy: seeded inputs.

--variant=shared: unnamed nodes, x[8x64] -> MatMul(x, W) -> Split in two
(opset 13 style: no sizes, which opset 18 wants as num_outputs) -> Concat
-> MatMul(., W) -> y: two matmuls reading one weight W.
--variant=fp16: x[8x64] f16 -> MatMul "a" (64x64 f16) -> Relu -> MatMul "b"
(64x32 f16) -> y f16.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def shared(out, rng):
    w = (rng.standard_normal((64, 64)) * 0.15).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["h"]),
        helper.make_node("Split", ["h"], ["h0", "h1"], axis=1),
        helper.make_node("Concat", ["h1", "h0"], ["c"], axis=1),
        helper.make_node("MatMul", ["c", "W"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "shared_weight",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 64])],
        initializer=[numpy_helper.from_array(w, "W")])
    return graph, np.float32


def fp16(out, rng):
    wa = (rng.standard_normal((64, 64)) * 0.15).astype(np.float16)
    wb = (rng.standard_normal((64, 32)) * 0.15).astype(np.float16)
    nodes = [
        helper.make_node("MatMul", ["x", "wa"], ["h"], name="a"),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        helper.make_node("MatMul", ["r", "wb"], ["y"], name="b"),
    ]
    graph = helper.make_graph(
        nodes, "fp16",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [8, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [8, 32])],
        initializer=[numpy_helper.from_array(wa, "wa"),
                     numpy_helper.from_array(wb, "wb")])
    return graph, np.float16


def main():
    out = sys.argv[1]
    variant = next((a.split("=", 1)[1] for a in sys.argv[2:]
                    if a.startswith("--variant=")), None)
    if variant:
        os.makedirs(out, exist_ok=True)
        rng = np.random.default_rng(5)
        graph, dtype = {"shared": shared, "fp16": fp16}[variant](out, rng)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="lowbit-test")
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, "model.onnx"))
        np.save(os.path.join(out, "x.npy"), rng.standard_normal((8, 64)).astype(dtype))
        return
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
