#!/usr/bin/python3
"""Writes the models of shape-ops.mlir, matmul-integer.mlir,
matmul-nbits.mlir, data-ops.mlir, reductions.mlir, quant-ops.mlir,
variadic.mlir and new-ops-errors.mlir (Where, Expand, ConstantOfShape, Shape, Slice,
com.microsoft MatMulNBits, MatMulInteger, Split, Pad, GatherElements, the
Reduce* family, DynamicQuantizeLinear, QLinearMatMul, variadic
Max/Min/Sum/Mean) with their inputs and numpy reference outputs (Debian
python3-onnx and python3-numpy).

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


def data_ops():
    # Split with constant sizes and into equal parts, Pad in constant (with
    # a negative pad that crops), reflect and edge modes, GatherElements
    # along both axes with negative indices.
    x = f32(4, 6)
    idx = np.array([[0, -1, 2], [5, 1, -6], [3, 3, 0], [-2, 4, 1]], np.int64)
    idx0 = np.array([[3, -4, 1, 0, 2, -1]], np.int64)
    nodes = [
        helper.make_node("Split", ["x", "sizes"], ["s0", "s1"], name="split",
                         axis=1),
        helper.make_node("Split", ["x"], ["e0", "e1"], name="split_equal"),
        helper.make_node("Pad", ["x", "pads_c", "value"], ["pc"],
                         name="pad_constant"),
        helper.make_node("Pad", ["x", "pads_r"], ["pr"], name="pad_reflect",
                         mode="reflect"),
        helper.make_node("Pad", ["x", "pads_e"], ["pe"], name="pad_edge",
                         mode="edge"),
        helper.make_node("GatherElements", ["x", "idx"], ["g1"],
                         name="gather_elements", axis=1),
        helper.make_node("GatherElements", ["x", "idx0"], ["g0"],
                         name="gather_elements0", axis=-2),
    ]
    inits = [i64("sizes", [2, 4]), i64("pads_c", [1, -1, 0, 2]),
             numpy_helper.from_array(np.array(1.5, np.float32), "value"),
             i64("pads_r", [3, 2, 0, 5]), i64("pads_e", [0, 2, 2, 1]),
             numpy_helper.from_array(idx, "idx"),
             numpy_helper.from_array(idx0, "idx0")]
    pc = np.pad(x, ((1, 0), (0, 2)), constant_values=1.5)[:, 1:]
    pr = np.pad(x, ((3, 0), (2, 5)), mode="reflect")
    pe = np.pad(x, ((0, 2), (2, 1)), mode="edge")
    g1 = np.take_along_axis(x, np.where(idx < 0, idx + 6, idx), axis=1)
    g0 = np.take_along_axis(x, np.where(idx0 < 0, idx0 + 4, idx0), axis=0)
    outs = [x[:, :2], x[:, 2:], x[:2], x[2:], pc, pr, pe, g1, g0]
    names = ["s0", "s1", "e0", "e1", "pc", "pr", "pe", "g1", "g0"]
    save("data_ops", nodes, [vi("x", TensorProto.FLOAT, [4, 6])],
         [vi(n, TensorProto.FLOAT, list(o.shape)) for n, o in zip(names, outs)],
         [x], [np.ascontiguousarray(o) for o in outs], inits=inits)


def split18():
    # Opset 18 Split with num_outputs: ceil(7 / 3) = 3, 3, and the last 1.
    x = f32(7, 2)
    save("split18",
         [helper.make_node("Split", ["x"], ["a", "b", "c"], name="split18",
                           num_outputs=3)],
         [vi("x", TensorProto.FLOAT, [7, 2])],
         [vi(n, TensorProto.FLOAT, None) for n in "abc"],
         [x], [x[:3], x[3:6], x[6:]], opset=18, check=False)


def reductions():
    # The Reduce* family beyond Sum/Mean/Max, with attribute axes (opset 17),
    # negative axes, keepdims 0/1 and all axes; ReduceMin/Prod on int32.
    x = RNG.uniform(0.5, 1.5, size=(3, 4, 5)).astype(np.float32)
    n = RNG.integers(-5, 6, size=(3, 4)).astype(np.int32)
    cases = [  # op, input, axes, keepdims, numpy reference
        ("ReduceSumSquare", "x", [1], 1, (x * x).sum(1, keepdims=True)),
        ("ReduceL1", "x", [-1, 0], 0, np.abs(x - 1).sum((0, 2))),
        ("ReduceL2", "x", [2], 1, np.sqrt((x * x).sum(2, keepdims=True))),
        ("ReduceLogSum", "x", [0, 1], 0, np.log(x.sum((0, 1)))),
        ("ReduceLogSumExp", "x", None, 1,
         np.log(np.exp(x).sum(keepdims=True))),
        ("ReduceMin", "x", [1], 0, x.min(1)),
        ("ReduceProd", "x", [2], 0, x.prod(2)),
        ("ReduceMin", "n", [0], 1, n.min(0, keepdims=True)),
        ("ReduceProd", "n", [1], 0, n.prod(1)),
    ]
    nodes, outputs, expected = [], [], []
    for i, (op, src, axes, keep, ref) in enumerate(cases):
        attrs = {"keepdims": keep}
        if axes is not None:
            attrs["axes"] = axes
        inp = "xm1" if op == "ReduceL1" else src
        nodes.append(helper.make_node(op, [inp], ["r%d" % i], name="r%d" % i,
                                      **attrs))
        dtype = TensorProto.INT32 if src == "n" else TensorProto.FLOAT
        outputs.append(vi("r%d" % i, dtype, list(np.shape(ref))))
        expected.append(np.asarray(ref, np.int32 if src == "n" else np.float32))
    nodes.insert(0, helper.make_node("Sub", ["x", "one"], ["xm1"], name="sub"))
    save("reductions", nodes,
         [vi("x", TensorProto.FLOAT, [3, 4, 5]), vi("n", TensorProto.INT32, [3, 4])],
         outputs, [x, n], expected,
         inits=[numpy_helper.from_array(np.array(1, np.float32), "one")])


def qlinear_reference(a, sa, za, b, sb, zb, sy, zy, qmin, qmax):
    """QLinearMatMul as lowbit computes it: the exact i32 accumulation, then
    f32 (sa * sb) * acc / sy rounded half to even."""
    acc = (a.astype(np.int32) - za) @ (b.astype(np.int32) - zb)
    real = acc.astype(np.float32) * (np.float32(sa) * np.float32(sb))
    q = np.rint(real / np.float32(sy)) + np.float32(zy)
    return np.clip(q, qmin, qmax)


def quant_ops():
    # DynamicQuantizeLinear; QLinearMatMul with constant parameters (uint8 x
    # int8 -> uint8: lowbit.matmul) and with a scale known at run time
    # (int8 -> int8: the exact generic); QuantizeLinear/DequantizeLinear with
    # a run-time scale.
    x = f32(3, 5) * 4
    a = RNG.integers(0, 256, size=(2, 3, 8)).astype(np.uint8)
    b = RNG.integers(-128, 128, size=(8, 4)).astype(np.int8)
    c = RNG.integers(-128, 128, size=(3, 8)).astype(np.int8)
    sa, za, sb, zb, sy, zy = 0.02, 120, 0.01, 0, 0.5, 100
    s_run = np.array([0.03], np.float32)
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "qs", "qz"],
                         name="dql"),
        helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb",
                                           "sy", "zy"], ["y"], name="qlmm"),
        helper.make_node("QLinearMatMul", ["c", "s_run", "z8", "b", "sb", "z8",
                                           "sy", "z8"], ["y8"],
                         name="qlmm_runtime"),
        helper.make_node("QuantizeLinear", ["x", "s_run", "z8"], ["xq"],
                         name="q_runtime"),
        helper.make_node("DequantizeLinear", ["xq", "s_run", "z8"], ["xdq"],
                         name="dq_runtime"),
    ]
    inits = [numpy_helper.from_array(np.array(v, t), n) for n, v, t in
             [("sa", sa, np.float32), ("za", za, np.uint8),
              ("sb", sb, np.float32), ("zb", zb, np.int8),
              ("sy", sy, np.float32), ("zy", zy, np.uint8),
              ("z8", 0, np.int8)]] + [numpy_helper.from_array(b, "b")]
    lo, hi = min(0.0, x.min()), max(0.0, x.max())
    qs = np.float32((np.float32(hi) - np.float32(lo)) / np.float32(255))
    qz = np.clip(np.rint(-np.float32(lo) / qs), 0, 255)
    q = np.clip(np.rint(x / qs) + qz, 0, 255).astype(np.uint8)
    y = qlinear_reference(a, sa, za, b, sb, zb, sy, zy, 0, 255).astype(np.uint8)
    y8 = qlinear_reference(c, s_run[0], 0, b, sb, 0, sy, 0, -128,
                           127).astype(np.int8)
    xq = np.clip(np.rint(x / s_run[0]), -128, 127).astype(np.int8)
    xdq = (xq.astype(np.float32) * s_run[0]).astype(np.float32)
    save("quant_ops", nodes,
         [vi("x", TensorProto.FLOAT, [3, 5]), vi("a", TensorProto.UINT8, [2, 3, 8]),
          vi("c", TensorProto.INT8, [3, 8]), vi("s_run", TensorProto.FLOAT, [1])],
         [vi("q", TensorProto.UINT8, [3, 5]), vi("qs", TensorProto.FLOAT, []),
          vi("qz", TensorProto.UINT8, []), vi("y", TensorProto.UINT8, [2, 3, 4]),
          vi("y8", TensorProto.INT8, [3, 4]), vi("xq", TensorProto.INT8, [3, 5]),
          vi("xdq", TensorProto.FLOAT, [3, 5])],
         [x, a, c, s_run],
         [q, np.array(qs, np.float32), np.array(qz, np.uint8), y, y8, xq, xdq],
         inits=inits)


def qlinear_channels():
    # QLinearMatMul with per-column B parameters, all constants (lowbit.matmul
    # with an axis scheme on B^T), and with a per-row A scale that is a graph
    # input (the generic form reads it as [M, 1]).
    a = RNG.integers(0, 256, size=(3, 8)).astype(np.uint8)
    b = RNG.integers(0, 256, size=(8, 4)).astype(np.uint8)
    c = RNG.integers(-128, 128, size=(2, 3, 8)).astype(np.int8)
    d = RNG.integers(-128, 128, size=(8, 4)).astype(np.int8)
    sb = RNG.uniform(0.005, 0.02, size=4).astype(np.float32)
    zb = RNG.integers(100, 156, size=4).astype(np.uint8)
    sa_rows = RNG.uniform(0.01, 0.03, size=3).astype(np.float32)
    za_rows = RNG.integers(-10, 10, size=3).astype(np.int8)
    sd = RNG.uniform(0.005, 0.02, size=4).astype(np.float32)
    sa, za, sy, zy = np.float32(0.02), 128, np.float32(0.25), 128
    nodes = [
        helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb",
                                           "sy", "zy"], ["y"],
                         name="qlmm_cols"),
        helper.make_node("QLinearMatMul", ["c", "sa_rows", "za_rows", "d",
                                           "sd", "zd", "sy", "zy8"], ["y8"],
                         name="qlmm_rows"),
    ]
    inits = [numpy_helper.from_array(v, n) for n, v in
             [("sa", np.array(sa)), ("za", np.array(za, np.uint8)),
              ("b", b), ("sb", sb), ("zb", zb), ("sy", np.array(sy)),
              ("zy", np.array(zy, np.uint8)), ("za_rows", za_rows), ("d", d),
              ("sd", sd), ("zd", np.zeros(4, np.int8)),
              ("zy8", np.array(-3, np.int8))]]
    acc = (a.astype(np.int32) - za) @ (b.astype(np.int32) - zb.astype(np.int32))
    y = np.clip(np.rint(acc.astype(np.float32) * (sa * sb) / sy) + zy, 0, 255)
    acc8 = (c.astype(np.int32) - za_rows.astype(np.int32)[:, None]) @ d.astype(np.int32)
    real8 = acc8.astype(np.float32) * (sa_rows[:, None] * sd[None, :])
    y8 = np.clip(np.rint(real8 / sy) - 3, -128, 127)
    save("qlinear_channels", nodes,
         [vi("a", TensorProto.UINT8, [3, 8]), vi("c", TensorProto.INT8, [2, 3, 8]),
          vi("sa_rows", TensorProto.FLOAT, [3])],
         [vi("y", TensorProto.UINT8, [3, 4]), vi("y8", TensorProto.INT8, [2, 3, 4])],
         [a, c, sa_rows], [y.astype(np.uint8), y8.astype(np.int8)], inits=inits,
         check=False)


def matmul_integer_channels():
    # MatMulInteger with per-row A and per-column B zero-points (constants),
    # and a per-row A zero-point that is a graph input.
    a = RNG.integers(0, 256, size=(2, 3, 4)).astype(np.uint8)
    b = RNG.integers(-128, 128, size=(4, 5)).astype(np.int8)
    c = RNG.integers(-128, 128, size=(3, 4)).astype(np.int8)
    d = RNG.integers(0, 256, size=(4, 2)).astype(np.uint8)
    azp = np.array([120, 128, 131], np.uint8)
    bzp = np.array([-2, 0, 5, 1, -7], np.int8)
    czp = np.array([3, -1, 0], np.int8)
    nodes = [
        helper.make_node("MatMulInteger", ["a", "b", "azp", "bzp"], ["y"],
                         name="mmi_channels"),
        helper.make_node("MatMulInteger", ["c", "d", "czp"], ["z"],
                         name="mmi_runtime_rows"),
    ]
    inits = [numpy_helper.from_array(b, "b"), numpy_helper.from_array(azp, "azp"),
             numpy_helper.from_array(bzp, "bzp")]
    y = (a.astype(np.int32) - azp.astype(np.int32)[:, None]) @ \
        (b.astype(np.int32) - bzp.astype(np.int32)[None, :])
    z = (c.astype(np.int32) - czp.astype(np.int32)[:, None]) @ d.astype(np.int32)
    save("matmul_integer_channels", nodes,
         [vi("a", TensorProto.UINT8, [2, 3, 4]), vi("c", TensorProto.INT8, [3, 4]),
          vi("d", TensorProto.UINT8, [4, 2]), vi("czp", TensorProto.INT8, [3])],
         [vi("y", TensorProto.INT32, [2, 3, 5]), vi("z", TensorProto.INT32, [3, 2])],
         [a, c, d, czp], [y.astype(np.int32), z.astype(np.int32)], inits=inits)


def pad_more():
    # Opset 19 Pad: wrap mode (pads up to the dim: numpy wraps larger pads
    # differently from a periodic extension), the axes input (negative
    # axis), and a constant_value that is a graph input.
    x = f32(3, 4)
    v = np.array(-2.5, np.float32)
    nodes = [
        helper.make_node("Pad", ["x", "pads_w"], ["w"], name="pad_wrap",
                         mode="wrap"),
        helper.make_node("Pad", ["x", "pads_a", "v", "axes"], ["a"],
                         name="pad_axes"),
    ]
    inits = [i64("pads_w", [2, 1, 1, 3]), i64("pads_a", [3, -1]),
             i64("axes", [-1])]
    w = np.pad(x, ((2, 1), (1, 3)), mode="wrap")
    a = np.pad(x, ((0, 0), (3, 0)), constant_values=v)[:, :-1]
    save("pad_more", nodes,
         [vi("x", TensorProto.FLOAT, [3, 4]), vi("v", TensorProto.FLOAT, [])],
         [vi("w", TensorProto.FLOAT, list(w.shape)),
          vi("a", TensorProto.FLOAT, list(a.shape))],
         [x, v], [np.ascontiguousarray(w), np.ascontiguousarray(a)],
         inits=inits, opset=19, check=False)


def dql_scalar():
    # DynamicQuantizeLinear of a rank-0 input (quantized through [1]).
    x = np.array(2.5, np.float32)
    s = np.float32(2.5) / np.float32(255)
    save("dql_scalar",
         [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"],
                           name="dql0")],
         [vi("x", TensorProto.FLOAT, [])],
         [vi("y", TensorProto.UINT8, []), vi("s", TensorProto.FLOAT, []),
          vi("z", TensorProto.UINT8, [])],
         [x], [np.array(255, np.uint8), np.array(s, np.float32),
               np.array(0, np.uint8)])


def variadic():
    # Max/Min/Sum/Mean of one to three broadcasting inputs; uint8 Max.
    a, b, c = f32(2, 3), f32(3), f32(1, 3)
    u, v = (RNG.integers(0, 256, size=(4,)).astype(np.uint8) for _ in range(2))
    nodes = [
        helper.make_node("Max", ["a", "b", "c"], ["mx"], name="max3"),
        helper.make_node("Min", ["a"], ["mn"], name="min1"),
        helper.make_node("Sum", ["a", "b", "c"], ["sm"], name="sum3"),
        helper.make_node("Mean", ["a", "c"], ["me"], name="mean2"),
        helper.make_node("Max", ["u", "v"], ["mu"], name="max_u8"),
    ]
    outs = [np.maximum(np.maximum(a, b), c), a, (a + b) + c,
            ((a + c) / np.float32(2)).astype(np.float32), np.maximum(u, v)]
    names = ["mx", "mn", "sm", "me", "mu"]
    save("variadic", nodes,
         [vi("a", TensorProto.FLOAT, [2, 3]), vi("b", TensorProto.FLOAT, [3]),
          vi("c", TensorProto.FLOAT, [1, 3]), vi("u", TensorProto.UINT8, [4]),
          vi("v", TensorProto.UINT8, [4])],
         [vi(n, TensorProto.UINT8 if n == "mu" else TensorProto.FLOAT,
             list(o.shape)) for n, o in zip(names, outs)],
         [a, b, c, u, v], outs)


def qlinear_batched():
    # QLinearMatMul of [2, 3, 8] by [2, 8, 5], constant parameters:
    # lowbit.matmul over B transposed to [2, 5, 8].
    a = RNG.integers(0, 256, size=(2, 3, 8)).astype(np.uint8)
    b = RNG.integers(-128, 128, size=(2, 8, 5)).astype(np.int8)
    sa, za, sb, sy, zy = (np.float32(0.03), 131, np.float32(0.02),
                          np.float32(0.4), 7)
    inits = [numpy_helper.from_array(v, n) for n, v in
             [("sa", np.array(sa)), ("za", np.array(za, np.uint8)), ("b", b),
              ("sb", np.array(sb)), ("zb", np.array(0, np.int8)),
              ("sy", np.array(sy)), ("zy", np.array(zy, np.int8))]]
    acc = (a.astype(np.int32) - za) @ b.astype(np.int32)
    y = np.clip(np.rint(acc.astype(np.float32) * (sa * sb) / sy) + zy, -128,
                127).astype(np.int8)
    save("qlinear_batched",
         [helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb",
                                             "sy", "zy"], ["y"],
                           name="qlmm_batched")],
         [vi("a", TensorProto.UINT8, [2, 3, 8])],
         [vi("y", TensorProto.INT8, [2, 3, 5])], [a], [y], inits=inits)


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


def more_invalid():
    # Inputs that must be constants but are graph inputs, unsupported
    # attribute values, and shapes that do not split.
    save("pad_runtime_pads",
         [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_dyn")],
         [vi("x", TensorProto.FLOAT, [2, 3]), vi("pads", TensorProto.INT64, [4])],
         [vi("y", TensorProto.FLOAT, None)], [], [], check=False)
    save("pad_bad_mode",
         [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_mode",
                           mode="mirror")],
         [vi("x", TensorProto.FLOAT, [2, 3])], [vi("y", TensorProto.FLOAT, None)],
         [], [], inits=[i64("pads", [0, 1, 0, 1])], check=False)
    save("split_uneven",
         [helper.make_node("Split", ["x"], ["a", "b"], name="split_odd",
                           axis=1)],
         [vi("x", TensorProto.FLOAT, [2, 5])],
         [vi("a", TensorProto.FLOAT, None), vi("b", TensorProto.FLOAT, None)],
         [], [], check=False)
    save("slice_runtime_starts",
         [helper.make_node("Slice", ["x", "starts", "ends"], ["y"],
                           name="slice_dyn")],
         [vi("x", TensorProto.FLOAT, [4]), vi("starts", TensorProto.INT64, [1])],
         [vi("y", TensorProto.FLOAT, None)], [], [], inits=[i64("ends", [3])],
         check=False)
    save("reshape_runtime_shape",
         [helper.make_node("Reshape", ["x", "shape"], ["y"],
                           name="reshape_dyn")],
         [vi("x", TensorProto.FLOAT, [2, 6]), vi("shape", TensorProto.INT64, [2])],
         [vi("y", TensorProto.FLOAT, None)], [], [], check=False)
    save("expand_runtime_shape",
         [helper.make_node("Expand", ["x", "shape"], ["y"], name="expand_dyn")],
         [vi("x", TensorProto.FLOAT, [3, 1]), vi("shape", TensorProto.INT64, [2])],
         [vi("y", TensorProto.FLOAT, None)], [], [], check=False)
    # A node without outputs (ONNX's own Split shape inference would divide
    # by zero on it).
    save("split_no_outputs",
         [helper.make_node("Split", ["x"], [], name="split_none")],
         [vi("x", TensorProto.FLOAT, [2, 4])], [], [], [], check=False)
    save("qlinear_y_per_row",
         [helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb",
                                             "sy", "zy"], ["y"],
                           name="qlmm_y_rows")],
         [vi("a", TensorProto.UINT8, [2, 3]), vi("sy", TensorProto.FLOAT, [2])],
         [vi("y", TensorProto.UINT8, [2, 4])], [], [],
         inits=[numpy_helper.from_array(np.array(v, t), n) for n, v, t in
                [("sa", 0.1, np.float32), ("za", 1, np.uint8),
                 ("sb", 0.1, np.float32), ("zb", 2, np.uint8),
                 ("zy", 3, np.uint8)]] +
         [numpy_helper.from_array(np.ones((3, 4), np.uint8), "b")])


def main():
    invalid()
    more_invalid()
    shape_ops()
    slices()
    matmul_nbits()
    matmul_integer()
    data_ops()
    split18()
    reductions()
    quant_ops()
    qlinear_channels()
    matmul_integer_channels()
    pad_more()
    dql_scalar()
    variadic()
    qlinear_batched()


if __name__ == "__main__":
    main()
