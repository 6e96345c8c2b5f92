#!/usr/bin/python3
"""Writes the quickstart model as ONNX: a transformer-style MLP block.

    h      = x · W_up               [T, 512] x [512, 1536]   node mlp.up
    a      = h * sigmoid(1.702 h)   (GELU, sigmoid approximation)
    y      = a · W_down + x         [T, 1536] x [1536, 512]   node mlp.down
    logits = y · W_head             [T, 512] x [512, 256]     node lm_head

Weights are seeded Student-t (nu = 5) samples scaled by 1/sqrt(fan_in), the
heavy tails real checkpoints have. Runs with Debian's python3-onnx and
python3-numpy (/usr/bin/python3).

Usage: generate_mlp_onnx.py OUTPUT.onnx [--tokens T]
"""

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, FFN, CLASSES = 512, 1536, 256


def student_t(rng, rows, cols, nu=5.0):
    scale = np.sqrt((nu - 2.0) / nu) / np.sqrt(rows)
    return (rng.standard_t(nu, size=(rows, cols)) * scale).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--tokens", type=int, default=16)
    args = parser.parse_args()
    rng = np.random.default_rng(20261130)
    weights = [
        numpy_helper.from_array(student_t(rng, HIDDEN, FFN), "mlp.up.weight"),
        numpy_helper.from_array(student_t(rng, FFN, HIDDEN), "mlp.down.weight"),
        numpy_helper.from_array(student_t(rng, HIDDEN, CLASSES), "lm_head.weight"),
        numpy_helper.from_array(np.array(1.702, dtype=np.float32), "gelu.alpha"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "mlp.up.weight"], ["h"], name="mlp.up"),
        helper.make_node("Mul", ["h", "gelu.alpha"], ["h_scaled"], name="mlp.gelu.scale"),
        helper.make_node("Sigmoid", ["h_scaled"], ["gate"], name="mlp.gelu.sigmoid"),
        helper.make_node("Mul", ["h", "gate"], ["a"], name="mlp.gelu"),
        helper.make_node("MatMul", ["a", "mlp.down.weight"], ["d"], name="mlp.down"),
        helper.make_node("Add", ["d", "x"], ["y"], name="residual"),
        helper.make_node("MatMul", ["y", "lm_head.weight"], ["logits"], name="lm_head"),
    ]
    graph = helper.make_graph(
        nodes, "lowbit_quickstart_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [args.tokens, HIDDEN])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [args.tokens, CLASSES])],
        initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lowbit examples")
    onnx.checker.check_model(model)
    onnx.save(model, args.output)


if __name__ == "__main__":
    main()
