#!/usr/bin/python3
"""Writes the models of shape-ops.mlir and int-matmul.mlir (Where, Expand,
ConstantOfShape, Shape, Slice, com.microsoft MatMulNBits, MatMulInteger)
with their inputs and numpy reference outputs (Debian python3-onnx and
python3-numpy).

  /usr/bin/python3 make_shape_models.py   (writes next to this script)
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(11)


def save(name, nodes, inputs, outputs, feeds, expected, inits=(), opset=17,
         domains=(), check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in domains]
    model = helper.make_model(graph, opset_imports=opsets,
                              producer_name="lowbit-make_shape_models")
    model.ir_version = 8
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))
    for i, array in enumerate(feeds):
        np.save(os.path.join(HERE, "%s_in%d.npy" % (name, i)), array)
    for i, array in enumerate(expected):
        np.save(os.path.join(HERE, "%s_out%d.npy" % (name, i)), array)


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def i64(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def f32(*shape):
    return RNG.uniform(-1, 1, size=shape).astype(np.float32)


def shape_ops():
    # Where with broadcasting; Expand of a [3, 1] input to [2, 3, 4];
    # Shape (folded) feeding ConstantOfShape; Shape with start.
    cond = np.array([[True, False, True], [False, False, True]])
    a, b = f32(2, 3), f32(3)
    x = f32(3, 1)
    nodes = [
        helper.make_node("Where", ["cond", "a", "b"], ["w"], name="where"),
        helper.make_node("Expand", ["x", "eshape"], ["e"], name="expand"),
        helper.make_node("Shape", ["e"], ["s"], name="shape"),
        helper.make_node("ConstantOfShape", ["s"], ["k"], name="cos",
                         value=helper.make_tensor("v", TensorProto.FLOAT, [1],
                                                  [1.5])),
        helper.make_node("Mul", ["e", "k"], ["ek"], name="mul"),
        helper.make_node("Shape", ["e"], ["tail"], name="shape_tail", start=-2),
        helper.make_node("ConstantOfShape", ["tail"], ["ones"], name="cos_i32",
                         value=helper.make_tensor("v", TensorProto.INT32, [1],
                                                  [7])),
        # Shape arithmetic on constants folds: [2] ++ -[-12] -> [2, 12].
        helper.make_node("Slice", ["s", "zero", "one"], ["prefix"],
                         name="prefix"),
        helper.make_node("Neg", ["minus12"], ["rest"], name="neg"),
        helper.make_node("Concat", ["prefix", "rest"], ["rshape"],
                         name="concat", axis=0),
        helper.make_node("Reshape", ["ek", "rshape"], ["r"], name="reshape"),
    ]
    save("shape_ops", nodes,
         [vi("cond", TensorProto.BOOL, [2, 3]), vi("a", TensorProto.FLOAT, [2, 3]),
          vi("b", TensorProto.FLOAT, [3]), vi("x", TensorProto.FLOAT, [3, 1])],
         [vi("w", TensorProto.FLOAT, [2, 3]),
          vi("ek", TensorProto.FLOAT, [2, 3, 4]),
          vi("tail", TensorProto.INT64, [2]),
          vi("ones", TensorProto.INT32, [3, 4]),
          vi("r", TensorProto.FLOAT, [2, 12])],
         [cond, a, b, x],
         [np.where(cond, a, b), np.broadcast_to(x, (2, 3, 4)) * np.float32(1.5),
          np.array([3, 4], np.int64), np.full((3, 4), 7, np.int32),
          (np.broadcast_to(x, (2, 3, 4)) * np.float32(1.5)).reshape(2, 12)],
         inits=[i64("eshape", [2, 1, 4]), i64("zero", [0]), i64("one", [1]),
                i64("minus12", [-12])])


def slices():
    # Positive steps > 1, negative indices, clamped ends (extract_slice) and
    # negative steps (a generic), with and without axes/steps.
    x = f32(4, 6, 5)
    nodes = [
        helper.make_node("Slice", ["x", "s1", "e1", "a1", "st1"], ["y1"],
                         name="slice_pos"),
        helper.make_node("Slice", ["x", "s2", "e2", "a2", "st2"], ["y2"],
                         name="slice_neg"),
        helper.make_node("Slice", ["x", "s3", "e3"], ["y3"], name="slice_plain"),
    ]
    inits = [i64("s1", [1, -4]), i64("e1", [100, -1]), i64("a1", [0, -2]),
             i64("st1", [2, 1]),
             i64("s2", [-1, 4]), i64("e2", [np.iinfo(np.int64).min, 0]),
             i64("a2", [2, 1]), i64("st2", [-2, -3]),
             i64("s3", [0, 2, -3]), i64("e3", [-1, 3, 5])]
    y1 = x[1:100:2, -4:-1, :]
    y2 = x[:, 4:0:-3, ::-2]
    y3 = x[0:-1, 2:3, -3:5]
    save("slice", nodes, [vi("x", TensorProto.FLOAT, [4, 6, 5])],
         [vi("y1", TensorProto.FLOAT, list(y1.shape)),
          vi("y2", TensorProto.FLOAT, list(y2.shape)),
          vi("y3", TensorProto.FLOAT, list(y3.shape))],
         [x], [np.ascontiguousarray(y) for y in (y1, y2, y3)], inits=inits)


def pack_nibbles(codes):
    """Packs uint4 codes along the last axis, element 2i in the low nibble."""
    codes = codes.astype(np.uint8)
    return (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)


def matmul_nbits():
    # com.microsoft MatMulNBits, 4 bits, K = 32, N = 8, block 16: with packed
    # zero-points on a 3-D activation, and with the default zero-point 8 and
    # a bias on a 1-D activation. Reference: the operator's definition,
    # y = x @ ((q - zp) * scale)^T (+ bias).
    k, n, block = 32, 8, 16
    blocks = k // block
    q = RNG.integers(0, 16, size=(n, k)).astype(np.uint8)
    scales = RNG.uniform(0.01, 0.1, size=(n, blocks)).astype(np.float32)
    zp = RNG.integers(0, 16, size=(n, blocks)).astype(np.uint8)
    b = pack_nibbles(q).reshape(n, blocks, block // 2)
    zp_packed = pack_nibbles(zp).reshape(-1)          # blocks is even here
    bias = f32(n)
    x = f32(2, 3, k)
    v = f32(k)
    rep = lambda a: np.repeat(a, block, axis=1)
    w_zp = (q.astype(np.float32) - rep(zp)) * rep(scales)
    w_8 = (q.astype(np.float32) - 8) * rep(scales)
    attrs = dict(bits=4, block_size=block, K=k, N=n, domain="com.microsoft")
    nodes = [
        helper.make_node("MatMulNBits", ["x", "B", "scales", "zp"], ["y"],
                         name="mm_zp", **attrs),
        helper.make_node("MatMulNBits", ["v", "B", "scales", "", "", "bias"],
                         ["z"], name="mm_bias", **attrs),
    ]
    inits = [numpy_helper.from_array(b, "B"),
             numpy_helper.from_array(scales.reshape(-1), "scales"),
             numpy_helper.from_array(zp_packed, "zp"),
             numpy_helper.from_array(bias, "bias")]
    save("matmul_nbits", nodes,
         [vi("x", TensorProto.FLOAT, [2, 3, k]), vi("v", TensorProto.FLOAT, [k])],
         [vi("y", TensorProto.FLOAT, [2, 3, n]), vi("z", TensorProto.FLOAT, [n])],
         [x, v], [(x @ w_zp.T).astype(np.float32),
                  (v @ w_8.T + bias).astype(np.float32)],
         inits=inits, domains=[("com.microsoft", 1)], check=False)


def matmul_integer():
    # uint8 x int8 with scalar zero-points (3-D x 2-D), and int8 x uint8
    # without; int32 results.
    a = RNG.integers(0, 256, size=(2, 3, 4)).astype(np.uint8)
    b = RNG.integers(-128, 128, size=(4, 5)).astype(np.int8)
    c = RNG.integers(-128, 128, size=(3, 4)).astype(np.int8)
    d = RNG.integers(0, 256, size=(4, 2)).astype(np.uint8)
    nodes = [
        helper.make_node("MatMulInteger", ["a", "b", "azp", "bzp"], ["y"],
                         name="mmi_zp"),
        helper.make_node("MatMulInteger", ["c", "d"], ["z"], name="mmi"),
    ]
    inits = [numpy_helper.from_array(b, "b"),
             numpy_helper.from_array(np.array(128, np.uint8), "azp"),
             numpy_helper.from_array(np.array(-3, np.int8), "bzp")]
    y = (a.astype(np.int32) - 128) @ (b.astype(np.int32) + 3)
    z = c.astype(np.int32) @ d.astype(np.int32)
    save("matmul_integer", nodes,
         [vi("a", TensorProto.UINT8, [2, 3, 4]),
          vi("c", TensorProto.INT8, [3, 4]), vi("d", TensorProto.UINT8, [4, 2])],
         [vi("y", TensorProto.INT32, [2, 3, 5]), vi("z", TensorProto.INT32, [3, 2])],
         [a, c, d], [y.astype(np.int32), z.astype(np.int32)], inits=inits)


def invalid():
    # Models the importer must reject with one diagnostic.
    q = np.zeros((4, 2, 8), np.uint8)
    save("nbits_bits8",
         [helper.make_node("MatMulNBits", ["x", "B", "s"], ["y"], name="mm8",
                           bits=8, block_size=16, K=32, N=4,
                           domain="com.microsoft")],
         [vi("x", TensorProto.FLOAT, [1, 32])],
         [vi("y", TensorProto.FLOAT, [1, 4])], [], [],
         inits=[numpy_helper.from_array(q, "B"),
                numpy_helper.from_array(np.ones(8, np.float32), "s")],
         domains=[("com.microsoft", 1)], check=False)
    save("slice_step0",
         [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"],
                           name="slice0")],
         [vi("x", TensorProto.FLOAT, [4])], [vi("y", TensorProto.FLOAT, None)],
         [], [], inits=[i64("st", [0]), i64("en", [4]), i64("ax", [0]),
                        i64("sp", [0])], check=False)
    save("mmi_per_row_zp",
         [helper.make_node("MatMulInteger", ["a", "b", "azp"], ["y"],
                           name="mmi_rows")],
         [vi("a", TensorProto.UINT8, [2, 3]), vi("b", TensorProto.UINT8, [3, 2])],
         [vi("y", TensorProto.INT32, [2, 2])], [], [],
         inits=[numpy_helper.from_array(np.array([1, 2], np.uint8), "azp")])


def main():
    invalid()
    shape_ops()
    slices()
    matmul_nbits()
    matmul_integer()


if __name__ == "__main__":
    main()
