//===- ConvertDataOps.cpp - ONNX Split, Pad, GatherElements ---------------===//
//
//   Split           one tensor.extract_slice per output
//   Pad             linalg.generic over the result reading x at the source
//                   index of each output index (clamped, modulo, reflected;
//                   the constant mode selects the pad value outside x)
//   GatherElements  linalg.generic over the indices with tensor.extract
//
//===----------------------------------------------------------------------===//

#include "ConvertUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::lowbit;
using namespace mlir::lowbit::onnx_import;

/// Split: one tensor.extract_slice per output along `axis`. The sizes come
/// from the `split` input (opset >= 13) or attribute (opset < 13); without
/// them the axis splits into equal parts, ceil(d / n) each with a smaller
/// last part when `num_outputs` (opset 18) is given.
LogicalResult onnx_import::convertSplit(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = tensorType(*x);
  int64_t rank = xt.getRank();
  int64_t axis = normalizeAxis(c.intAttr("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return c.error() << "axis " << c.intAttr("axis", 0)
                     << " is out of range for rank " << rank;
  int64_t dim = xt.getDimSize(axis);
  int64_t n = c.node.outputs.size();
  bool sizesGiven;
  FailureOr<SmallVector<int64_t>> givenSizes =
      c.intsAttrOrInput("split", 1, &sizesGiven);
  if (failed(givenSizes))
    return failure();
  SmallVector<int64_t> sizes = *givenSizes;
  if (!sizesGiven) {
    const OnnxAttribute *num = c.node.getAttr("num_outputs");
    if (num && (num->kind != OnnxAttribute::Int || num->i != n))
      return c.error() << "num_outputs must be an integer equal to the " << n
                       << " outputs of the node";
    if (n < 1)
      return c.error() << "no outputs";
    if (!num && dim % n)
      return c.error() << "dimension " << axis << " of size " << dim
                       << " does not split into " << n << " equal parts";
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::clamp<int64_t>(dim - i * chunk, 0, chunk));
  }
  if (static_cast<int64_t>(sizes.size()) != n)
    return c.error() << "split has " << sizes.size() << " entries for " << n
                     << " outputs";
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0 || s > dim)
      return c.error() << "split entry " << s << " is outside [0, " << dim
                       << "]";
    total += s;
  }
  if (total != dim)
    return c.error() << "split sizes add up to " << total << ", but dimension "
                     << axis << " has size " << dim;
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> offsets(rank, 0), shape(xt.getShape()),
        strides(rank, 1);
    offsets[axis] = offset;
    shape[axis] = sizes[i];
    auto type = RankedTensorType::get(shape, xt.getElementType());
    c.out(i, tensor::ExtractSliceOp::create(c.b, c.loc, type, *x, ValueRange{},
                                            ValueRange{}, ValueRange{}, offsets,
                                            shape, strides));
    offset += sizes[i];
  }
  return success();
}

/// Wraps a negative index `idx` (index type) into [0, size).
static Value wrapNegative(OpBuilder &b, Location loc, Value idx, int64_t size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value isNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx, zero);
  Value wrapped = arith::AddIOp::create(
      b, loc, idx, arith::ConstantIndexOp::create(b, loc, size));
  return arith::SelectOp::create(b, loc, isNeg, wrapped, idx);
}

/// GatherElements: out[i...] = data[i... with i_axis = indices[i...]], a
/// linalg.generic over the indices with tensor.extract.
LogicalResult onnx_import::convertGatherElements(NodeCtx &c) {
  FailureOr<Value> data = c.in(0), indices = c.in(1);
  if (failed(data) || failed(indices))
    return failure();
  RankedTensorType dt = tensorType(*data), it = tensorType(*indices);
  if (!isa<IntegerType>(it.getElementType()))
    return c.error() << "indices must be integers";
  int64_t rank = dt.getRank();
  if (it.getRank() != rank)
    return c.error() << "indices " << it << " and data " << dt
                     << " must have the same rank";
  int64_t axis = normalizeAxis(c.intAttr("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return c.error() << "axis " << c.intAttr("axis", 0)
                     << " is out of range for rank " << rank;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && it.getDimSize(i) > dt.getDimSize(i))
      return c.error() << "indices " << it << " exceed data " << dt
                       << " in dimension " << i;
  MLIRContext *ctx = c.b.getContext();
  SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = emptyTensor(c.b, c.loc, it.getShape(), dt.getElementType());
  int64_t axisSize = dt.getDimSize(axis);
  Value table = *data;
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, ValueRange{*indices},
      ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value idx = wrapNegative(
            b, loc,
            arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]),
            axisSize);
        SmallVector<Value> coords;
        for (int64_t i = 0; i < rank; ++i)
          coords.push_back(
              i == axis ? idx : Value(linalg::IndexOp::create(b, loc, i)));
        linalg::YieldOp::create(
            b, loc,
            tensor::ExtractOp::create(b, loc, table, coords).getResult());
      });
  c.out(0, generic.getResult(0));
  return success();
}

/// Pad (modes constant, reflect, edge, wrap; negative pads crop): a
/// linalg.generic over the result reading x at the source index of each
/// output index (j = i - pad_before, mapped into [0, d) by the mode; the
/// constant mode selects the pad value outside).
LogicalResult onnx_import::convertPad(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = tensorType(*x);
  Type et = xt.getElementType();
  int64_t rank = xt.getRank();
  std::string mode = c.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return c.error() << "mode = '" << mode << "' is not supported";
  bool legacy = c.imp.getOpset(c.node) < 11;
  SmallVector<int64_t> pads, axes;
  if (legacy) {
    if (const auto *attr = c.intsAttr("pads"))
      pads.assign(attr->begin(), attr->end());
  } else {
    if (!c.has(1))
      return c.error() << "input 1 (pads) is missing";
    FailureOr<SmallVector<int64_t>> values = c.constInts(1, "pads");
    if (failed(values))
      return failure();
    pads = *values;
  }
  if (c.has(3)) {
    FailureOr<SmallVector<int64_t>> values = c.constInts(3, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return c.error() << "pads has " << pads.size() << " entries, expected "
                     << 2 * axes.size();
  SmallVector<int64_t> before(rank, 0), shape(xt.getShape());
  SmallVector<bool> seen(rank, false);
  for (auto [i, a] : llvm::enumerate(axes)) {
    int64_t axis = normalizeAxis(a, rank);
    if (axis < 0 || axis >= rank || seen[axis])
      return c.error() << "invalid or repeated axis " << a;
    seen[axis] = true;
    // Keeps the shape arithmetic below far from int64 overflow.
    constexpr int64_t kMaxPad = int64_t(1) << 40;
    int64_t lo = pads[i], hi = pads[i + axes.size()];
    if (lo > kMaxPad || lo < -kMaxPad || hi > kMaxPad || hi < -kMaxPad)
      return c.error() << "pads " << lo << ", " << hi << " exceed 2^40";
    before[axis] = pads[i];
    shape[axis] += pads[i] + pads[i + axes.size()];
    if (shape[axis] < 0)
      return c.error() << "pads " << pads[i] << ", " << pads[i + axes.size()]
                       << " remove more than the " << xt.getDimSize(axis)
                       << " elements of dimension " << axis;
    if (mode != "constant" && xt.getDimSize(axis) == 0 && shape[axis] > 0)
      return c.error() << "mode '" << mode << "' cannot pad the empty "
                       << "dimension " << axis;
  }

  // The pad value: attribute (opset < 11), constant or run-time input 2.
  Value padValue;
  if (mode == "constant") {
    if (legacy) {
      padValue = scalar(c.b, c.loc, et, c.floatAttr("value", 0));
    } else if (c.has(2)) {
      FailureOr<Value> v = c.in(2);
      if (failed(v))
        return failure();
      if (tensorType(*v).getNumElements() != 1 ||
          tensorType(*v).getElementType() != et)
        return c.error() << "constant_value must be one element of " << et;
      padValue = extractScalar(c.b, c.loc, *v);
    } else {
      padValue = scalar(c.b, c.loc, et, 0);
    }
  }
  Value init = emptyTensor(c.b, c.loc, shape, et);
  if (xt.getNumElements() == 0) {
    // Nothing to read: the result is all pad value (or empty).
    Value result = init;
    if (padValue)
      result = linalg::FillOp::create(c.b, c.loc, ValueRange{padValue},
                                      ValueRange{init})
                   .getResult(0);
    c.out(0, result);
    return success();
  }
  MLIRContext *ctx = c.b.getContext();
  Value table = *x;
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location loc, ValueRange) {
        auto cst = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(b, loc, v);
        };
        auto floorMod = [&](Value v, int64_t m) -> Value {
          Value r = arith::RemSIOp::create(b, loc, v, cst(m));
          Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            r, cst(0));
          return arith::SelectOp::create(
              b, loc, neg, arith::AddIOp::create(b, loc, r, cst(m)), r);
        };
        Value inside;
        SmallVector<Value> coords;
        for (int64_t i = 0; i < rank; ++i) {
          Value j = linalg::IndexOp::create(b, loc, i);
          int64_t d = xt.getDimSize(i);
          if (before[i] != 0)
            j = arith::SubIOp::create(b, loc, j, cst(before[i]));
          bool padded = before[i] > 0 || shape[i] > d + before[i];
          if (padded && mode == "constant") {
            Value ge = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                             j, cst(0));
            Value lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                             j, cst(d));
            Value in = arith::AndIOp::create(b, loc, ge, lt);
            inside =
                inside ? Value(arith::AndIOp::create(b, loc, inside, in)) : in;
          }
          if (padded && (mode == "constant" || mode == "edge")) {
            j = arith::MaxSIOp::create(b, loc, j, cst(0));
            j = arith::MinSIOp::create(b, loc, j, cst(d - 1));
          } else if (padded && mode == "wrap") {
            j = floorMod(j, d);
          } else if (padded && mode == "reflect") {
            if (d == 1) {
              j = cst(0);
            } else {
              // Reflection without repeating the edge has period 2(d - 1).
              j = floorMod(j, 2 * (d - 1));
              Value mirrored =
                  arith::SubIOp::create(b, loc, cst(2 * (d - 1)), j);
              j = arith::MinSIOp::create(b, loc, j, mirrored);
            }
          }
          coords.push_back(j);
        }
        Value v = tensor::ExtractOp::create(b, loc, table, coords);
        if (inside)
          v = arith::SelectOp::create(b, loc, inside, v, padValue);
        linalg::YieldOp::create(b, loc, v);
      });
  c.out(0, generic.getResult(0));
  return success();
}
