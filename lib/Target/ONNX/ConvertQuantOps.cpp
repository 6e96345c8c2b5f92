//===- ConvertQuantOps.cpp - quantized ONNX ops to lowbit/linalg ----------===//
//
//   QuantizeLinear / DequantizeLinear  lowbit.quantize / lowbit.dequantize;
//              constant scales and zero-points are attributes, run-time ones
//              operands
//   com.microsoft MatMulNBits  lowbit.dequant_matmul (u4, group-wise)
//   MatMulInteger  contraction generic, extsi/extui, i32 accumulation (A and
//              B centered in i32 first for per-row/column zero-points)
//   DynamicQuantizeLinear  min/max reductions, scalar arith for the scale
//              and zero-point, lowbit.quantize with them as operands
//   QLinearMatMul  lowbit.matmul with requantize (constant parameters), or
//              an exact i32 contraction generic and a requantizing generic
//
//===----------------------------------------------------------------------===//

#include "ConvertUtils.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"

#include <cstring>
#include <numeric>

using namespace mlir;
using namespace mlir::lowbit;
using namespace mlir::lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear
//===----------------------------------------------------------------------===//

/// lowbit.quantize (`isQuantize`) or lowbit.dequantize of `x` to
/// `elementType`. A rank-0 x goes through [1]: lowbit's lowering handles
/// rank >= 1, and a per-tensor scheme is all a scalar can have.
static Value buildQDQ(NodeCtx &c, bool isQuantize, Value x, Type elementType,
                      Value scales, Value zeroPoints, SchemeAttr scheme,
                      Attribute scalesAttr, Attribute zeroPointsAttr) {
  bool scalar = tensorType(x).getRank() == 0;
  Value in = scalar ? reshapeTo(c.b, c.loc, x, {1}) : x;
  auto type = RankedTensorType::get(tensorType(in).getShape(), elementType);
  Value result =
      isQuantize
          ? Value(QuantizeOp::create(c.b, c.loc, type, in, scales, zeroPoints,
                                     scheme, scalesAttr, zeroPointsAttr))
          : Value(DequantizeOp::create(c.b, c.loc, type, in, scales, zeroPoints,
                                       scheme, scalesAttr, zeroPointsAttr));
  return scalar ? reshapeTo(c.b, c.loc, result, {}) : result;
}

/// QuantizeLinear / DequantizeLinear whose scale or zero-point is computed
/// at run time (per tensor or per axis): lowbit.quantize / dequantize with
/// scale and zero-point operands (the zero-point widened to i32).
static LogicalResult convertRuntimeQDQ(NodeCtx &c, Value x,
                                       StorageFormat format, bool isQuantize) {
  FailureOr<Value> s = c.in(1);
  if (failed(s))
    return failure();
  RankedTensorType st = tensorType(*s), xt = tensorType(x);
  int64_t rank = xt.getRank();
  bool perTensor = st.getNumElements() == 1 && st.getRank() <= 1;
  int64_t axis = perTensor ? -1 : normalizeAxis(c.intAttr("axis", 1), rank);
  if (c.intAttr("block_size", 0) != 0 ||
      (!perTensor && (axis < 0 || axis >= rank || st.getRank() != 1 ||
                      st.getDimSize(0) != xt.getDimSize(axis))))
    return c.error() << "a scale or zero-point computed at run time must be "
                        "per tensor or per axis, got scale "
                     << st << " for input " << xt;
  Type scaleType = st.getElementType();
  if (!scaleType.isF32() && !scaleType.isF16() && !scaleType.isBF16())
    return c.error() << "scale type " << scaleType << " is not supported";
  bool isFloat8 =
      format == StorageFormat::F8E4M3FN || format == StorageFormat::F8E5M2;
  Value zp;
  if (c.has(2) && !isFloat8) {
    FailureOr<Value> z = c.in(2);
    if (failed(z))
      return failure();
    RankedTensorType zt = tensorType(*z);
    bool shapeFits = perTensor ? zt.getNumElements() == 1 && zt.getRank() <= 1
                               : zt.getShape() == st.getShape();
    if (!shapeFits || !isa<IntegerType>(zt.getElementType()))
      return c.error() << "the zero-point " << zt
                       << " must be integers shaped like the scale " << st;
    bool isUnsigned = c.isUnsigned(2);
    Type i32 = c.b.getI32Type();
    FailureOr<Value> wide = elementwise(
        c, {*z}, i32, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return isUnsigned ? Value(arith::ExtUIOp::create(b, loc, i32, a[0]))
                            : Value(arith::ExtSIOp::create(b, loc, i32, a[0]));
        });
    if (failed(wide))
      return failure();
    zp = *wide;
  }
  auto scheme = SchemeAttr::get(
      c.b.getContext(), format,
      perTensor ? Granularity::Tensor : Granularity::Axis, axis, 0,
      /*symmetric=*/!zp, scaleType);
  c.out(0, buildQDQ(c, isQuantize, x,
                    isQuantize ? scheme.getStorageType() : scaleType, *s, zp,
                    scheme, Attribute(), Attribute()));
  return success();
}

/// Builds the lowbit.quantize / lowbit.dequantize of a QDQ node.
LogicalResult onnx_import::convertQDQ(NodeCtx &c) {
  bool isQuantize = c.node.opType == "QuantizeLinear";
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  if (!c.has(1))
    return c.error() << "the scale is missing";
  const OnnxTensor *scale = c.imp.getConstant(c.node.inputs[1]);
  const OnnxTensor *zeroPoint =
      c.has(2) ? c.imp.getConstant(c.node.inputs[2]) : nullptr;
  bool runtimeParams = !scale || (c.has(2) && !zeroPoint);
  int codeType;
  if (isQuantize)
    codeType = zeroPoint ? zeroPoint->dataType
               : c.has(2)
                   ? c.imp.getDataType(c.node.inputs[2])
                   : static_cast<int>(c.intAttr("output_dtype", ox::kUInt8));
  else
    codeType = c.imp.getDataType(c.node.inputs[0]);
  StorageFormat format;
  switch (codeType) {
  case ox::kInt8:
    format = StorageFormat::I8;
    break;
  case ox::kUInt8:
    format = StorageFormat::U8;
    break;
  case ox::kInt4:
    format = StorageFormat::I4;
    break;
  case ox::kUInt4:
    format = StorageFormat::U4;
    break;
  case ox::kFloat8E4M3FN:
    format = StorageFormat::F8E4M3FN;
    break;
  case ox::kFloat8E5M2:
    format = StorageFormat::F8E5M2;
    break;
  default:
    return c.error() << "quantized type " << ox::dataTypeName(codeType)
                     << " is not supported";
  }
  if (runtimeParams)
    return convertRuntimeQDQ(c, *x, format, isQuantize);
  FailureOr<Type> scaleType = c.imp.getElementType(
      scale->dataType, c.loc, "scale of node '" + c.node.name + "'");
  if (failed(scaleType))
    return failure();
  if (!scaleType->isF32() && !scaleType->isF16() && !scaleType->isBF16())
    return c.error() << "scale type " << *scaleType << " is not supported";
  RankedTensorType xt = tensorType(*x);
  int64_t rank = xt.getRank();
  int64_t blockSize = c.intAttr("block_size", 0);
  bool perTensor =
      scale->numElements() == 1 && scale->dims.size() <= 1 && blockSize == 0;
  int64_t axis = perTensor ? -1 : normalizeAxis(c.intAttr("axis", 1), rank);
  if (!perTensor && (axis < 0 || axis >= rank))
    return c.error() << "axis out of range for rank " << rank;
  Granularity granularity = perTensor       ? Granularity::Tensor
                            : blockSize > 0 ? Granularity::Group
                                            : Granularity::Axis;
  SmallVector<int64_t> scaleShape;
  if (granularity == Granularity::Axis) {
    if (scale->dims.size() != 1 || scale->dims[0] != xt.getDimSize(axis))
      return c.error() << "per-axis scale must have " << xt.getDimSize(axis)
                       << " elements";
    scaleShape = {xt.getDimSize(axis)};
  } else if (granularity == Granularity::Group) {
    scaleShape.assign(scale->dims.begin(), scale->dims.end());
  }

  // Zero-points: i32, affine when any is non-zero.
  SmallVector<int32_t> zps;
  if (zeroPoint) {
    if (zeroPoint->numElements() != scale->numElements())
      return c.error() << "zero-point and scale sizes differ";
    if (format == StorageFormat::F8E4M3FN || format == StorageFormat::F8E5M2) {
      zps.assign(zeroPoint->numElements(), 0);
    } else {
      FailureOr<SmallVector<int64_t>> values = c.imp.getInts(*zeroPoint, c.loc);
      if (failed(values))
        return failure();
      zps.assign(values->begin(), values->end());
    }
  }
  bool symmetric = llvm::all_of(zps, [](int32_t z) { return z == 0; });
  MLIRContext *ctx = c.b.getContext();
  auto scheme = SchemeAttr::get(
      ctx, format, granularity, axis,
      granularity == Granularity::Group ? blockSize : 0, symmetric, *scaleType);

  FailureOr<ArrayRef<char>> scaleBytes = c.imp.getBytes(*scale, c.loc);
  if (failed(scaleBytes))
    return failure();
  Attribute scalesAttr, zpAttr;
  if (perTensor) {
    // f32 scales read as numbers; 16-bit ones keep their bits (getFloats
    // would report f16 as a type error).
    FailureOr<SmallVector<double>> s =
        scaleType->isF32() ? c.imp.getFloats(*scale, c.loc)
                           : FailureOr<SmallVector<double>>(failure());
    if (scaleType->isF32() && succeeded(s)) {
      scalesAttr = FloatAttr::get(*scaleType, s->front());
    } else {
      uint16_t bits;
      std::memcpy(&bits, scaleBytes->data(), 2);
      const llvm::fltSemantics &sem =
          cast<FloatType>(*scaleType).getFloatSemantics();
      scalesAttr = FloatAttr::get(*scaleType, APFloat(sem, APInt(16, bits)));
    }
    if (!symmetric)
      zpAttr = IntegerAttr::get(IntegerType::get(ctx, 32), zps.front());
  } else {
    auto scaleTensorType = RankedTensorType::get(scaleShape, *scaleType);
    scalesAttr = DenseResourceElementsAttr::get(
        scaleTensorType, scale->name.empty() ? "scale" : scale->name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(*scaleBytes, 8));
    if (!symmetric) {
      ArrayRef<char> zpBytes(reinterpret_cast<const char *>(zps.data()),
                             zps.size() * 4);
      std::string key =
          zeroPoint->name.empty() ? "zero_point" : zeroPoint->name;
      zpAttr = DenseResourceElementsAttr::get(
          RankedTensorType::get(scaleShape, IntegerType::get(ctx, 32)), key,
          HeapAsmResourceBlob::allocateAndCopyWithAlign(zpBytes, 8));
    }
  }

  c.out(0, buildQDQ(c, isQuantize, *x,
                    isQuantize ? scheme.getStorageType() : *scaleType, Value(),
                    Value(), scheme, scalesAttr, zpAttr));
  return success();
}

//===----------------------------------------------------------------------===//
// com.microsoft MatMulNBits, MatMulInteger
//===----------------------------------------------------------------------===//

/// MatMulNBits (bits = 4): B is uint8 [N, ceil(K / block), block / 2] with
/// element 2i of a block in the low nibble of byte i (ONNX Runtime's
/// layout); scales [N * K/block]; zero_points uint8 [N * ceil(K/block / 2)],
/// packed the same way per row (default 8). Becomes lowbit.dequant_matmul
/// with a u4 group-wise affine scheme over a flat [N, K] i4 blob.
LogicalResult onnx_import::convertMatMulNBits(NodeCtx &c) {
  FailureOr<Value> a = c.in(0);
  if (failed(a))
    return failure();
  int64_t bits = c.intAttr("bits", 4), block = c.intAttr("block_size", 0);
  int64_t k = c.intAttr("K", 0), n = c.intAttr("N", 0);
  if (bits != 4)
    return c.error() << "bits = " << bits << " is not supported (only 4)";
  if (block < 2 || (block & (block - 1)) || k <= 0 || n <= 0)
    return c.error() << "block_size must be a power of 2 >= 2 and K, N "
                        "positive";
  if (k % block)
    return c.error() << "K = " << k
                     << " must be a multiple of block_size = " << block;
  if (c.has(4))
    return c.error() << "g_idx is not supported";
  RankedTensorType at = tensorType(*a);
  if (at.getRank() < 1 || at.getShape().back() != k)
    return c.error() << "the activation " << at << " must end in K = " << k;
  Type et = at.getElementType();
  if (!et.isF32() && !et.isF16() && !et.isBF16())
    return c.error() << "activation type " << et << " is not supported";
  int64_t blocks = k / block;
  const OnnxTensor *bt =
      c.has(1) ? c.imp.getConstant(c.node.inputs[1]) : nullptr;
  const OnnxTensor *st =
      c.has(2) ? c.imp.getConstant(c.node.inputs[2]) : nullptr;
  const OnnxTensor *zt =
      c.has(3) ? c.imp.getConstant(c.node.inputs[3]) : nullptr;
  if (!bt || !st || (c.has(3) && !zt))
    return c.error() << "B, scales and zero_points must be constants";
  if (bt->dataType != ox::kUInt8 || bt->numElements() != n * k / 2)
    return c.error() << "B must be uint8 [N, K/block_size, block_size/2]";
  if (st->numElements() != n * blocks)
    return c.error() << "scales must have N * K/block_size = " << n * blocks
                     << " elements";
  FailureOr<Type> scaleType = c.imp.getElementType(
      st->dataType, c.loc, "scales of node '" + c.node.name + "'");
  if (failed(scaleType))
    return failure();
  if (!scaleType->isF32() && !scaleType->isF16() && !scaleType->isBF16())
    return c.error() << "scale type " << *scaleType << " is not supported";
  int64_t zpRowBytes = (blocks + 1) / 2;
  if (zt && (zt->dataType != ox::kUInt8 || zt->numElements() != n * zpRowBytes))
    return c.error() << "zero_points must be packed uint8 [N * "
                        "ceil(K/block_size / 2)] (float zero-points are not "
                        "supported)";
  FailureOr<ArrayRef<char>> bBytes = c.imp.getBytes(*bt, c.loc);
  FailureOr<ArrayRef<char>> sBytes = c.imp.getBytes(*st, c.loc);
  if (failed(bBytes) || failed(sBytes))
    return failure();
  SmallVector<int32_t> zps(n * blocks, 8);
  if (zt) {
    FailureOr<ArrayRef<char>> zBytes = c.imp.getBytes(*zt, c.loc);
    if (failed(zBytes))
      return failure();
    for (int64_t row = 0; row < n; ++row)
      for (int64_t j = 0; j < blocks; ++j) {
        auto byte = static_cast<uint8_t>((*zBytes)[row * zpRowBytes + j / 2]);
        zps[row * blocks + j] = j % 2 ? byte >> 4 : byte & 0xF;
      }
  }
  // K is a multiple of the block: [N, blocks, block/2] bytes are already
  // the row-major [N, K] codes, element 2i in the low nibble (lowbit's
  // packing); copy them into the weight blob.
  MLIRContext *ctx = c.b.getContext();
  auto weightTensor = std::make_shared<OnnxTensor>();
  weightTensor->name = c.node.inputs[1];
  weightTensor->dataType = ox::kUInt4;
  weightTensor->dims = {n, k};
  weightTensor->ownedData.assign(bBytes->data(), bBytes->size());
  weightTensor->data = weightTensor->ownedData;
  c.imp.synthesized.push_back(weightTensor);
  FailureOr<Value> w =
      c.imp.materializeConstant(*weightTensor, c.node.inputs[1], c.loc);
  if (failed(w))
    return failure();
  Value bias;
  if (c.has(5)) {
    FailureOr<Value> bv = c.in(5);
    if (failed(bv))
      return failure();
    if (tensorType(*bv).getShape() != ArrayRef<int64_t>{n})
      return c.error() << "bias must be [N]";
    bias = *bv;
  }
  bool symmetric = llvm::all_of(zps, [](int32_t z) { return z == 0; });
  auto scheme = SchemeAttr::get(ctx, StorageFormat::U4, Granularity::Group,
                                /*axis=*/1, block, symmetric, *scaleType);
  SmallVector<int64_t> scaleShape = {n, blocks};
  Attribute scalesAttr = DenseResourceElementsAttr::get(
      RankedTensorType::get(scaleShape, *scaleType), c.node.inputs[2],
      HeapAsmResourceBlob::allocateAndCopyWithAlign(*sBytes, 8));
  Attribute zpAttr;
  if (!symmetric) {
    ArrayRef<char> zpBytes(reinterpret_cast<const char *>(zps.data()),
                           zps.size() * 4);
    std::string key = zt ? c.node.inputs[3] : c.node.inputs[1] + ".zero_points";
    zpAttr = DenseResourceElementsAttr::get(
        RankedTensorType::get(scaleShape, IntegerType::get(ctx, 32)), key,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(zpBytes, 8));
  }
  // dequant_matmul takes [..., M, K]: a 1-D activation goes through [1, K].
  Value x = *a;
  SmallVector<int64_t> outShape(at.getShape().drop_back());
  outShape.push_back(n);
  if (at.getRank() == 1)
    x = reshapeTo(c.b, c.loc, x, {1, k});
  SmallVector<int64_t> opShape(tensorType(x).getShape().drop_back());
  opShape.push_back(n);
  Value result = DequantMatmulOp::create(
      c.b, c.loc, RankedTensorType::get(opShape, et), x, *w, bias, scheme,
      scalesAttr, zpAttr, ElementsAttr(), FloatAttr());
  c.out(0, reshapeTo(c.b, c.loc, result, outShape));
  return success();
}

/// `x - zp` widened to i32 by a broadcasting generic (`zp` may be null: then
/// x widened). Errors when `zp` would change x's shape.
static FailureOr<Value> centeredI32(NodeCtx &c, Value x, bool xUnsigned,
                                    Value zp, bool zpUnsigned) {
  Type i32 = c.b.getI32Type();
  auto widen = [&](OpBuilder &b, Location l, Value v, bool isUnsigned) {
    return isUnsigned ? Value(arith::ExtUIOp::create(b, l, i32, v))
                      : Value(arith::ExtSIOp::create(b, l, i32, v));
  };
  SmallVector<Value> ins = {x};
  if (zp)
    ins.push_back(zp);
  FailureOr<Value> r = elementwise(
      c, ins, i32, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
        Value w = widen(b, l, v[0], xUnsigned);
        if (v.size() == 1)
          return w;
        return arith::SubIOp::create(b, l, w, widen(b, l, v[1], zpUnsigned));
      });
  if (succeeded(r) && tensorType(*r).getShape() != tensorType(x).getShape())
    return c.error() << "the zero-point " << tensorType(zp)
                     << " does not broadcast to its operand " << tensorType(x);
  return r;
}

/// A per-row zero-point or scale `[M]` of a matmul's A, reshaped to `[M, 1]`
/// so that it broadcasts over `[..., M, K]`; others are returned as given.
static FailureOr<Value> rowParam(NodeCtx &c, Value v, RankedTensorType at,
                                 unsigned input, StringRef role) {
  RankedTensorType t = tensorType(v);
  if (t.getRank() != 1 || t.getNumElements() == 1)
    return v;
  int64_t m = at.getRank() >= 2 ? at.getDimSize(at.getRank() - 2) : 1;
  if (t.getDimSize(0) != m)
    return c.error() << "input " << input << " (" << role << ") " << t
                     << " must have one element per row (" << m << ")";
  return reshapeTo(c.b, c.loc, v, {m, 1});
}

/// MatMulInteger: (u)int8 A and B, optional zero-points (per tensor, per
/// row of A, per column of B), i32 result. Per-tensor zero-points: one
/// contraction generic that widens with extsi/extui, subtracts them and
/// accumulates i32; per-row/column ones: A and B centered in i32 first.
LogicalResult onnx_import::convertMatMulInteger(NodeCtx &c) {
  FailureOr<Value> a = c.in(0), bv = c.in(1);
  if (failed(a) || failed(bv))
    return failure();
  Type i32 = c.b.getI32Type();
  bool unsignedA = c.isUnsigned(0), unsignedB = c.isUnsigned(1);
  // Per-row (A: [M]) or per-column (B: [N]) zero-points that differ: center
  // both operands in i32 first, then an i32 contraction.
  bool perChannel = false;
  for (unsigned i = 2; i < 4; ++i) {
    if (!c.has(i))
      continue;
    const OnnxTensor *t = c.imp.getConstant(c.node.inputs[i]);
    if (t) {
      FailureOr<SmallVector<int64_t>> v = c.imp.getInts(*t, c.loc);
      if (failed(v))
        return failure();
      perChannel |=
          llvm::any_of(*v, [&](int64_t z) { return z != v->front(); });
    } else {
      FailureOr<Value> zp = c.in(i);
      if (failed(zp))
        return failure();
      perChannel |= tensorType(*zp).getNumElements() != 1;
    }
  }
  if (perChannel) {
    SmallVector<Value, 2> centered;
    for (unsigned i = 0; i < 2; ++i) {
      Value x = i ? *bv : *a, zp;
      if (!tensorType(x).getElementType().isInteger(8))
        return c.error() << "input " << i << " must be int8 or uint8, got "
                         << tensorType(x).getElementType();
      if (c.has(i + 2)) {
        FailureOr<Value> z = c.in(i + 2);
        if (failed(z))
          return failure();
        if (i == 0) {
          z = rowParam(c, *z, tensorType(*a), 2, "zero point");
          if (failed(z))
            return failure();
        }
        zp = *z;
      }
      FailureOr<Value> v = centeredI32(c, x, c.isUnsigned(i), zp,
                                       c.has(i + 2) && c.isUnsigned(i + 2));
      if (failed(v))
        return failure();
      centered.push_back(*v);
    }
    FailureOr<Value> result = contraction(
        c, centered[0], centered[1], /*transB=*/false, i32,
        [](OpBuilder &b, Location loc, Value x, Value y, Value acc) -> Value {
          return arith::AddIOp::create(b, loc, acc,
                                       arith::MulIOp::create(b, loc, x, y));
        });
    if (failed(result))
      return failure();
    c.out(0, *result);
    return success();
  }
  // Per-tensor zero-points: constants, or one element known at run time,
  // subtracted inside the contraction.
  SmallVector<Value, 2> zps = {Value(), Value()};
  for (unsigned i = 0; i < 2; ++i) {
    Type et = tensorType(i ? *bv : *a).getElementType();
    if (!et.isInteger(8))
      return c.error() << "input " << i << " must be int8 or uint8, got " << et;
    if (!c.has(i + 2))
      continue;
    if (!c.imp.getConstant(c.node.inputs[i + 2])) {
      FailureOr<Value> zp = c.in(i + 2);
      if (failed(zp))
        return failure();
      if (tensorType(*zp).getNumElements() != 1)
        return c.error() << "a zero-point computed at run time must be one "
                            "element (per tensor) for input "
                         << i;
      Value v = extractScalar(c.b, c.loc, *zp);
      zps[i] = c.isUnsigned(i + 2)
                   ? Value(arith::ExtUIOp::create(c.b, c.loc, i32, v))
                   : Value(arith::ExtSIOp::create(c.b, c.loc, i32, v));
      continue;
    }
    FailureOr<SmallVector<int64_t>> zp = c.constInts(i + 2, "zero point");
    if (failed(zp))
      return failure();
    if (zp->empty())
      continue;
    if (zp->front())
      zps[i] = scalar(c.b, c.loc, i32, zp->front());
  }
  FailureOr<Value> result = contraction(
      c, *a, *bv, /*transB=*/false, i32,
      [&](OpBuilder &b, Location loc, Value x, Value y, Value acc) -> Value {
        auto widen = [&](Value v, bool isUnsigned, Value zp) -> Value {
          Value w = isUnsigned ? Value(arith::ExtUIOp::create(b, loc, i32, v))
                               : Value(arith::ExtSIOp::create(b, loc, i32, v));
          if (zp)
            w = arith::SubIOp::create(b, loc, w, zp);
          return w;
        };
        Value p = arith::MulIOp::create(b, loc, widen(x, unsignedA, zps[0]),
                                        widen(y, unsignedB, zps[1]));
        return arith::AddIOp::create(b, loc, acc, p);
      });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear, QLinearMatMul
//===----------------------------------------------------------------------===//

/// DynamicQuantizeLinear (uint8, per tensor):
///   lo = min(0, min x), hi = max(0, max x), s = (hi - lo) / 255
///   z = clamp(round_half_even(-lo / s), 0, 255)
///   y = lowbit.quantize x as u8 affine with the run-time s and z
/// An all-zero x has s = 0: y and z are then 0 (quantized with s = 1).
LogicalResult onnx_import::convertDynamicQuantizeLinear(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = tensorType(*x);
  if (!xt.getElementType().isF32())
    return c.error() << "element type " << xt.getElementType()
                     << " is not supported (float only)";
  if (xt.getNumElements() == 0)
    return c.error() << "an empty input has no range to quantize";
  SmallVector<int64_t> axes(xt.getRank());
  std::iota(axes.begin(), axes.end(), 0);
  FailureOr<Value> minT = reduce(c, *x, axes, false, ReduceKind::Min);
  FailureOr<Value> maxT = reduce(c, *x, axes, false, ReduceKind::Max);
  if (failed(minT) || failed(maxT))
    return failure();
  OpBuilder &b = c.b;
  Location loc = c.loc;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Value zero = scalar(b, loc, f32, 0), one = scalar(b, loc, f32, 1);
  Value lo =
      arith::MinimumFOp::create(b, loc, extractScalar(b, loc, *minT), zero);
  Value hi =
      arith::MaximumFOp::create(b, loc, extractScalar(b, loc, *maxT), zero);
  Value scale = arith::DivFOp::create(
      b, loc, arith::SubFOp::create(b, loc, hi, lo), scalar(b, loc, f32, 255));
  Value isZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
  Value safeScale = arith::SelectOp::create(b, loc, isZero, one, scale);
  Value zpF = math::RoundEvenOp::create(
      b, loc,
      arith::NegFOp::create(b, loc,
                            arith::DivFOp::create(b, loc, lo, safeScale)));
  zpF = arith::MinimumFOp::create(b, loc,
                                  arith::MaximumFOp::create(b, loc, zpF, zero),
                                  scalar(b, loc, f32, 255));
  Value zp = arith::FPToSIOp::create(b, loc, i32, zpF);
  auto scalarTensor = [&](Value v) -> Value {
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, v.getType()), ValueRange{v});
  };
  auto scheme = SchemeAttr::get(b.getContext(), StorageFormat::U8,
                                Granularity::Tensor, /*axis=*/-1, 0,
                                /*symmetric=*/false, f32);
  Value q = buildQDQ(c, /*isQuantize=*/true, *x, scheme.getStorageType(),
                     scalarTensor(safeScale), scalarTensor(zp), scheme,
                     Attribute(), Attribute());
  c.out(0, q);
  c.out(1, scalarTensor(scale));
  c.out(2, scalarTensor(arith::TruncIOp::create(b, loc, b.getI8Type(), zp)));
  return success();
}

/// The values of input `i` of QLinearMatMul if it is a constant of the
/// expected type (f32 scale, 8-bit zero-point); {0} when it is absent.
static std::optional<SmallVector<double>> constParam(NodeCtx &c, unsigned i) {
  if (!c.has(i))
    return SmallVector<double>{0.0};
  const OnnxTensor *t = c.imp.getConstant(c.node.inputs[i]);
  bool isScale = i == 1 || i == 4 || i == 6;
  if (!t || t->numElements() < 1 ||
      (isScale ? t->dataType != ox::kFloat
               : t->dataType != ox::kInt8 && t->dataType != ox::kUInt8))
    return std::nullopt;
  ScopedDiagnosticHandler silence(c.b.getContext(),
                                  [](Diagnostic &) { return success(); });
  FailureOr<SmallVector<double>> v = c.imp.getFloats(*t, c.loc);
  if (failed(v))
    return std::nullopt;
  return *v;
}

/// lowbit.matmul for a QLinearMatMul whose parameters are all constants:
/// A per tensor, B per tensor or per column (`[N]` or `[1, N]`: an axis
/// scheme on B^T), y per tensor. Returns a null value when the node does
/// not fit (the caller then builds the generic form).
static Value qlinearToLowbitMatmul(NodeCtx &c, Value a, Value bv,
                                   bool unsignedA, bool unsignedB,
                                   bool unsignedY) {
  RankedTensorType at = tensorType(a), bt = tensorType(bv);
  int64_t ra = at.getRank(), rb = bt.getRank();
  bool shapesFit = (ra >= 2 && rb == 2) ||
                   (ra == 3 && rb == 3 && at.getDimSize(0) == bt.getDimSize(0));
  if (!shapesFit || at.getShape().back() != bt.getDimSize(rb - 2))
    return Value();
  std::optional<SmallVector<double>> params[8];
  for (unsigned i : {1u, 2u, 4u, 5u, 6u, 7u})
    if (!(params[i] = constParam(c, i)))
      return Value();
  int64_t n = bt.getShape().back();
  for (unsigned i : {1u, 2u, 6u, 7u})
    if (params[i]->size() != 1)
      return Value();
  bool perColumn = params[4]->size() != 1 || params[5]->size() != 1;
  if (perColumn) {
    // Per column: [N] or [1, N] scales, zero-points of the same count (or
    // one that is zero), and a 2-D B.
    const OnnxTensor *st = c.imp.getConstant(c.node.inputs[4]);
    bool columnShape = st->dims == std::vector<int64_t>{n} ||
                       st->dims == std::vector<int64_t>{1, n};
    if (rb != 2 || !columnShape ||
        (params[5]->size() != static_cast<size_t>(n) &&
         !(params[5]->size() == 1 && params[5]->front() == 0)))
      return Value();
  }
  MLIRContext *ctx = c.b.getContext();
  Type f32 = c.b.getF32Type(), i32 = c.b.getI32Type();
  auto format = [](bool isUnsigned) {
    return isUnsigned ? StorageFormat::U8 : StorageFormat::I8;
  };
  auto scheme = [&](bool isUnsigned, ArrayRef<double> zps, bool axis) {
    bool symmetric = llvm::all_of(zps, [](double z) { return z == 0; });
    return SchemeAttr::get(ctx, format(isUnsigned),
                           axis ? Granularity::Axis : Granularity::Tensor,
                           axis ? 0 : -1, 0, symmetric, f32);
  };
  auto zpAttr = [&](double zp) -> Attribute {
    return zp == 0 ? Attribute()
                   : IntegerAttr::get(i32, static_cast<int64_t>(zp));
  };
  Attribute rhsScales, rhsZps;
  SchemeAttr rhsScheme = scheme(unsignedB, *params[5], perColumn);
  if (perColumn) {
    SmallVector<float> scales(params[4]->begin(), params[4]->end());
    rhsScales = DenseResourceElementsAttr::get(
        RankedTensorType::get({n}, f32), c.node.inputs[4],
        HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<float>(scales)));
    if (!rhsScheme.getSymmetric()) {
      SmallVector<int32_t> zps(params[5]->begin(), params[5]->end());
      rhsZps = DenseResourceElementsAttr::get(
          RankedTensorType::get({n}, i32), c.node.inputs[5],
          HeapAsmResourceBlob::allocateAndCopyInferAlign(
              ArrayRef<int32_t>(zps)));
    }
  } else {
    rhsScales = FloatAttr::get(f32, params[4]->front());
    rhsZps = zpAttr(params[5]->front());
  }
  SmallVector<int64_t> perm =
      rb == 2 ? SmallVector<int64_t>{1, 0} : SmallVector<int64_t>{0, 2, 1};
  SmallVector<int64_t> wShape;
  for (int64_t p : perm)
    wShape.push_back(bt.getDimSize(p));
  Value wInit = emptyTensor(c.b, c.loc, wShape, bt.getElementType());
  Value w =
      linalg::TransposeOp::create(c.b, c.loc, bv, wInit, perm).getResult()[0];
  SmallVector<int64_t> outShape(at.getShape().drop_back());
  outShape.push_back(n);
  SchemeAttr resultScheme = scheme(unsignedY, *params[7], false);
  auto op = MatmulOp::create(
      c.b, c.loc,
      RankedTensorType::get(outShape, resultScheme.getStorageType()), a, w,
      Value(), Value(), Value(), scheme(unsignedA, *params[2], false),
      FloatAttr::get(f32, params[1]->front()), zpAttr(params[2]->front()),
      rhsScheme, rhsScales, rhsZps, ElementsAttr(), resultScheme,
      FloatAttr::get(f32, params[6]->front()), zpAttr(params[7]->front()));
  // Some combinations (e.g. a K whose sums can overflow i32) are not
  // lowbit.matmul's: those take the exact generic form.
  ScopedDiagnosticHandler silence(ctx, [](Diagnostic &) { return success(); });
  if (succeeded(verify(op)))
    return op.getResult();
  op->erase();
  w.getDefiningOp()->erase();
  wInit.getDefiningOp()->erase();
  return Value();
}

/// QLinearMatMul (the spec: "scale and zero point ... either scalar (per
/// tensor) or per row for a, per column for b"):
///   acc = sum_k (a - za) * (b - zb)                       (exact, i32)
///   y   = clamp(round_half_even((sa * sb) * acc / sy) + zy)   (f32)
/// With constant parameters and B 2-D (or A and B 3-D with one batch) this
/// is lowbit.matmul with a requantize epilogue over B transposed to [N, K].
/// Otherwise: A and B widened to i32 minus their zero-points (broadcasting
/// generics), an i32 contraction generic, and a requantizing generic; a
/// per-row parameter of A ([M]) is read as [M, 1], one of B ([N]) as is.
LogicalResult onnx_import::convertQLinearMatMul(NodeCtx &c) {
  FailureOr<Value> a = c.in(0), bv = c.in(3);
  if (failed(a) || failed(bv))
    return failure();
  for (unsigned i : {1u, 4u, 6u})
    if (!c.has(i))
      return c.error() << "input " << i << " (scale) is missing";
  RankedTensorType at = tensorType(*a);
  for (unsigned i : {0u, 3u})
    if (!tensorType(i ? *bv : *a).getElementType().isInteger(8))
      return c.error() << "input " << i << " must be int8 or uint8";
  bool unsignedA = c.isUnsigned(0), unsignedB = c.isUnsigned(3);
  bool unsignedY =
      c.has(7) ? c.isUnsigned(7) : unsignedA; // y follows y_zero_point
  if (Value y =
          qlinearToLowbitMatmul(c, *a, *bv, unsignedA, unsignedB, unsignedY)) {
    c.out(0, y);
    return success();
  }

  // The exact generic form.
  SmallVector<Value> params(8);
  for (unsigned i : {1u, 2u, 4u, 5u, 6u, 7u}) {
    if (!c.has(i))
      continue;
    FailureOr<Value> v = c.in(i);
    if (failed(v))
      return failure();
    RankedTensorType t = tensorType(*v);
    bool isScale = i == 1 || i == 4 || i == 6;
    const char *role = isScale ? "scale" : "zero point";
    if (isScale ? !t.getElementType().isF32()
                : !t.getElementType().isInteger(8))
      return c.error() << "input " << i << " (" << role << ") has element type "
                       << t.getElementType() << ", expected "
                       << (isScale ? "f32" : "int8 or uint8");
    bool perTensor = t.getNumElements() == 1 && t.getRank() <= 1;
    if (!perTensor && i >= 6)
      return c.error() << "input " << i << " (" << role
                       << ") must be per tensor (one element), got " << t;
    if (i <= 2) {
      // Per row of A: [M] reads as [M, 1].
      FailureOr<Value> row = rowParam(c, *v, at, i, role);
      if (failed(row))
        return failure();
      *v = *row;
    }
    params[i] = *v;
  }
  OpBuilder &b = c.b;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto widen = [&](OpBuilder &ob, Location l, Value v, bool isUnsigned) {
    return isUnsigned ? Value(arith::ExtUIOp::create(ob, l, i32, v))
                      : Value(arith::ExtSIOp::create(ob, l, i32, v));
  };
  auto centered = [&](Value x, bool xUnsigned, unsigned zpIndex) {
    return centeredI32(c, x, xUnsigned, params[zpIndex],
                       c.has(zpIndex) && c.isUnsigned(zpIndex));
  };
  FailureOr<Value> ac = centered(*a, unsignedA, 2);
  if (failed(ac))
    return failure();
  FailureOr<Value> bc = centered(*bv, unsignedB, 5);
  if (failed(bc))
    return failure();
  FailureOr<Value> acc = contraction(
      c, *ac, *bc, /*transB=*/false, i32,
      [](OpBuilder &ob, Location l, Value x, Value y, Value sum) -> Value {
        return arith::AddIOp::create(ob, l, sum,
                                     arith::MulIOp::create(ob, l, x, y));
      });
  if (failed(acc))
    return failure();
  SmallVector<Value> ins = {*acc, params[1], params[4], params[6]};
  if (params[7])
    ins.push_back(params[7]);
  bool zyUnsigned = c.has(7) && c.isUnsigned(7);
  double qmin = unsignedY ? 0 : -128, qmax = unsignedY ? 255 : 127;
  FailureOr<Value> y = elementwise(
      c, ins, b.getI8Type(),
      [&](OpBuilder &ob, Location l, ValueRange v) -> Value {
        Value scale = arith::MulFOp::create(ob, l, v[1], v[2]);
        Value real = arith::MulFOp::create(
            ob, l, arith::SIToFPOp::create(ob, l, f32, v[0]), scale);
        Value q = math::RoundEvenOp::create(
            ob, l, arith::DivFOp::create(ob, l, real, v[3]));
        if (v.size() > 4)
          q = arith::AddFOp::create(
              ob, l, q,
              arith::SIToFPOp::create(ob, l, f32,
                                      widen(ob, l, v[4], zyUnsigned)));
        q = arith::MaximumFOp::create(ob, l, q, scalar(ob, l, f32, qmin));
        q = arith::MinimumFOp::create(ob, l, q, scalar(ob, l, f32, qmax));
        Value qi = arith::FPToSIOp::create(ob, l, i32, q);
        return arith::TruncIOp::create(ob, l, ob.getI8Type(), qi);
      });
  if (failed(y))
    return failure();
  if (tensorType(*y).getShape() != tensorType(*acc).getShape())
    return c.error() << "the scales do not broadcast to the result "
                     << tensorType(*acc);
  c.out(0, *y);
  return success();
}
