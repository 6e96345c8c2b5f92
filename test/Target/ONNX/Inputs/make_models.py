#!/usr/bin/python3
"""Writes the small ONNX models of the lowbit-translate lit tests.

Run with Debian's python3-onnx and python3-numpy (the /usr/bin/python3):

  /usr/bin/python3 test/Target/ONNX/Inputs/make_models.py test/Target/ONNX/Inputs

The outputs are checked in; rerun after changing this file. Weights come
from a fixed numpy seed so the files are reproducible.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
RNG = np.random.RandomState(0)


def f32(*shape):
    return RNG.uniform(-1, 1, size=shape).astype(np.float32)


def save(model, name, opset=17, domains=()):
    model.opset_import[0].version = opset
    for domain, version in domains:
        model.opset_import.append(helper.make_opsetid(domain, version))
    model.ir_version = 8
    onnx.save(model, os.path.join(OUT, name))


def graph(nodes, name, inputs, outputs, inits=()):
    return helper.make_model(
        helper.make_graph(nodes, name, inputs, outputs, list(inits)),
        producer_name="lowbit-make_models")


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def mlp():
    # y = relu(x W1^T + b1) W2 + b2 (Gemm with transB, then MatMul + Add).
    w1, b1 = f32(16, 8), f32(16)
    w2, b2 = f32(16, 4), f32(4)
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1",
                         transB=1),
        helper.make_node("Relu", ["h"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "w2"], ["m"], name="fc2"),
        helper.make_node("Add", ["m", "b2"], ["y"], name="fc2_bias"),
    ]
    inits = [numpy_helper.from_array(w1, "w1"),
             numpy_helper.from_array(b1, "b1"),
             numpy_helper.from_array(w2, "w2"),
             # float_data instead of raw_data.
             helper.make_tensor("b2", TensorProto.FLOAT, [4], b2.tolist())]
    save(graph(nodes, "mlp", [vi("x", [2, 8])], [vi("y", [2, 4])], inits),
         "mlp.onnx")
    x = f32(2, 8)
    y = np.maximum(x @ w1.T + b1, 0) @ w2 + b2
    np.save(os.path.join(OUT, "mlp_x.npy"), x)
    np.save(os.path.join(OUT, "mlp_y.npy"), y.astype(np.float32))


def elementwise():
    unary = ["Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Erf"]
    nodes = [helper.make_node(op, ["a"], [op.lower()], name=op.lower())
             for op in unary]
    nodes += [
        helper.make_node("Add", ["a", "b"], ["add"], name="add"),
        helper.make_node("Sub", ["a", "b"], ["sub"], name="sub"),
        helper.make_node("Mul", ["a", "b"], ["mul"], name="mul"),
        helper.make_node("Div", ["a", "b"], ["div"], name="div"),
        helper.make_node("Pow", ["a", "two"], ["pow"], name="pow"),
        helper.make_node("Cast", ["a"], ["cast"], name="cast",
                         to=TensorProto.INT32),
    ]
    outs = [vi(op.lower(), [2, 3]) for op in unary]
    outs += [vi(n, [2, 3]) for n in ["add", "sub", "mul", "div", "pow"]]
    outs += [vi("cast", [2, 3], TensorProto.INT32)]
    inits = [numpy_helper.from_array(np.array(2.0, np.float32), "two")]
    save(graph(nodes, "elementwise", [vi("a", [2, 3]), vi("b", [3])], outs,
               inits), "elementwise.onnx")


def transformer():
    # Embedding, LayerNorm, attention-like batched MatMul, Softmax, Gelu.
    table = f32(10, 4)
    nodes = [
        helper.make_node("Gather", ["table", "ids"], ["emb"], name="embed"),
        helper.make_node("LayerNormalization", ["emb", "gamma", "beta"],
                         ["ln"], name="ln", axis=-1, epsilon=1e-5),
        helper.make_node("MatMul", ["ln", "wq"], ["q"], name="q_proj"),
        helper.make_node("Transpose", ["q"], ["qt"], name="qt",
                         perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "qt"], ["scores"], name="scores"),
        helper.make_node("Softmax", ["scores"], ["probs"], name="softmax",
                         axis=-1),
        helper.make_node("Gelu", ["probs"], ["act"], name="gelu",
                         approximate="tanh"),
        helper.make_node("ReduceMean", ["act"], ["mean"], name="mean",
                         axes=[2], keepdims=1),
        helper.make_node("ReduceSum", ["act", "axes1"], ["sum"], name="sum",
                         keepdims=0),
        helper.make_node("ReduceMax", ["act"], ["max"], name="max",
                         axes=[1, 2], keepdims=0),
        helper.make_node("Reshape", ["q", "shape"], ["flat"], name="flat"),
        helper.make_node("Unsqueeze", ["sum", "axes1"], ["unsq"], name="unsq"),
        helper.make_node("Squeeze", ["unsq", "axes1"], ["sq"], name="sq"),
        helper.make_node("Concat", ["sq", "sq"], ["cat"], name="cat", axis=1),
        helper.make_node("Identity", ["cat"], ["ident"], name="ident"),
        helper.make_node("Constant", [], ["k"], name="const_k",
                         value=helper.make_tensor("k", TensorProto.FLOAT,
                                                  [], [0.5])),
        helper.make_node("Mul", ["ident", "k"], ["scaled"], name="scale"),
    ]
    inits = [numpy_helper.from_array(table, "table"),
             numpy_helper.from_array(np.ones(4, np.float32), "gamma"),
             numpy_helper.from_array(np.zeros(4, np.float32), "beta"),
             numpy_helper.from_array(f32(4, 6), "wq"),
             numpy_helper.from_array(np.array([1], np.int64), "axes1"),
             numpy_helper.from_array(np.array([0, -1], np.int64), "shape")]
    model = graph(nodes, "transformer",
                  [vi("ids", [2, 3], TensorProto.INT64)],
                  [vi("mean", [2, 3, 1]), vi("max", [2]), vi("flat", [2, 18]),
                   vi("scaled", [2, 6])], inits)
    # Gelu is an opset-20 op: Debian's onnx 1.12 knows opset 17 at most, so
    # import it at 20 while the rest of the graph reads as opset 20 too.
    save(model, "transformer.onnx", opset=20)


def qdq():
    w = RNG.randint(-127, 128, size=(4, 3)).astype(np.int8)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"],
                         name="quant_x"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                         name="dequant_x"),
        helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"],
                         name="dequant_w", axis=1),
        helper.make_node("MatMul", ["xd", "wd"], ["y"], name="matmul"),
    ]
    inits = [numpy_helper.from_array(np.array(0.05, np.float32), "xs"),
             numpy_helper.from_array(np.array(128, np.uint8), "xz"),
             numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.array([0.1, 0.2, 0.3], np.float32),
                                     "ws")]
    save(graph(nodes, "qdq", [vi("x", [2, 4])], [vi("y", [2, 3])], inits),
         "qdq.onnx")


def dynamic():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    save(graph(nodes, "dynamic", [vi("x", ["batch", 8])],
               [vi("y", ["batch", 8])]), "dynamic.onnx")


def external():
    w = f32(8, 4)
    t = numpy_helper.from_array(w, "w")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    with open(os.path.join(OUT, "external.bin"), "wb") as f:
        f.write(b"\0" * 64)  # the tensor starts at offset 64
        f.write(w.tobytes())
    for key, value in [("location", "external.bin"), ("offset", "64"),
                       ("length", str(w.nbytes))]:
        entry = t.external_data.add()
        entry.key, entry.value = key, value
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul")]
    save(graph(nodes, "external", [vi("x", [2, 8])], [vi("y", [2, 4])], [t]),
         "external.onnx")
    # The same model pointing past the end of its data file.
    t.external_data[2].value = str(w.nbytes * 2)
    save(graph(nodes, "external", [vi("x", [2, 8])], [vi("y", [2, 4])], [t]),
         "external_bad.onnx")


def errors():
    nodes = [helper.make_node("Hardmax", ["x"], ["y"], name="hardmax")]
    save(graph(nodes, "unsupported", [vi("x", [2, 8])], [vi("y", [2, 8])]),
         "unsupported_op.onnx")
    nodes = [helper.make_node("Identity", ["x"], ["y"], name="ident")]
    save(graph(nodes, "strings", [vi("x", [2], TensorProto.STRING)],
               [vi("y", [2], TensorProto.STRING)]), "unsupported_type.onnx")
    data = open(os.path.join(OUT, "mlp.onnx"), "rb").read()
    with open(os.path.join(OUT, "truncated.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])
    flipped = bytearray(data)
    for i in range(0, 64, 7):  # corrupt the header: tags and lengths
        flipped[i] ^= 0xFF
    with open(os.path.join(OUT, "bitflipped.onnx"), "wb") as f:
        f.write(bytes(flipped))


if __name__ == "__main__":
    mlp()
    elementwise()
    transformer()
    qdq()
    dynamic()
    external()
    errors()
