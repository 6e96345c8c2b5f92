#!/usr/bin/python3
"""Writes the models of review-fixes.mlir with their inputs and numpy
reference outputs (Debian python3-onnx and python3-numpy).

  make_review_models.py   (writes next to this script)
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, nodes, inputs, outputs, feeds, expected, opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))
    for i, array in enumerate(feeds):
        np.save(os.path.join(HERE, "%s_in%d.npy" % (name, i)), array)
    for i, array in enumerate(expected):
        np.save(os.path.join(HERE, "%s_out%d.npy" % (name, i)), array)


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def main():
    # Max of uint8 values above 127 (signless i8 inside: compare unsigned).
    a = np.array([10, 200, 128], np.uint8)
    b = np.array([100, 50, 127], np.uint8)
    save("max_u8", [helper.make_node("Max", ["a", "b"], ["y"], name="max")],
         [vi("a", TensorProto.UINT8, [3]), vi("b", TensorProto.UINT8, [3])],
         [vi("y", TensorProto.UINT8, [3])], [a, b], [np.maximum(a, b)])
    # ReduceMax of uint8.
    save("reducemax_u8",
         [helper.make_node("ReduceMax", ["a"], ["y"], name="rmax", keepdims=0)],
         [vi("a", TensorProto.UINT8, [3])], [vi("y", TensorProto.UINT8, [])],
         [a], [np.array(a.max(), np.uint8)])
    # MatMul with a 1-D left and a 1-D right operand.
    rng = np.random.default_rng(5)
    v = rng.standard_normal(4).astype(np.float32)
    m = rng.standard_normal((4, 5)).astype(np.float32)
    save("matmul_1d_2d", [helper.make_node("MatMul", ["v", "m"], ["y"], name="mm")],
         [vi("v", TensorProto.FLOAT, [4]), vi("m", TensorProto.FLOAT, [4, 5])],
         [vi("y", TensorProto.FLOAT, [5])], [v, m], [v @ m])
    t = rng.standard_normal((2, 3, 4)).astype(np.float32)
    save("matmul_3d_1d", [helper.make_node("MatMul", ["t", "v"], ["y"], name="mm")],
         [vi("t", TensorProto.FLOAT, [2, 3, 4]), vi("v", TensorProto.FLOAT, [4])],
         [vi("y", TensorProto.FLOAT, [2, 3])], [t, v], [t @ v])
    # f16 -> bf16 -> f32 (bf16 is not a numpy type: compare after the cast back).
    h = np.array([1.0, -2.5, 3.140625, 65504.0], np.float16)
    bf = (h.astype(np.float32).view(np.uint32) + 0x7FFF +
          ((h.astype(np.float32).view(np.uint32) >> 16) & 1)) >> 16 << 16
    save("cast_f16_bf16",
         [helper.make_node("Cast", ["h"], ["b"], name="to_bf16", to=TensorProto.BFLOAT16),
          helper.make_node("Cast", ["b"], ["y"], name="to_f32", to=TensorProto.FLOAT)],
         [vi("h", TensorProto.FLOAT16, [4])], [vi("y", TensorProto.FLOAT, [4])],
         [h], [bf.astype(np.uint32).view(np.float32)])


if __name__ == "__main__":
    main()
