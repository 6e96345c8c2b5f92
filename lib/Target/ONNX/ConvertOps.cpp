//===- ConvertOps.cpp - ONNX nodes to linalg/tensor/arith/math/lowbit -----===//
//
// One converter per ONNX op family. Shapes are static (the graph importer
// rejects dynamic inputs), so every result type is computed here from the
// operand types; ONNX's inferred types are not needed for these ops.
//
//   elementwise (Add, Relu, Cast, ...)  linalg.generic whose indexing maps
//                                       make numpy broadcasting explicit
//                                       (a size-1 dim reads index 0)
//   MatMul     2-D x 2-D               linalg.matmul
//              N-D x 2-D weight        collapse to 2-D, linalg.matmul, expand
//              3-D x 3-D, same batch   linalg.batch_matmul
//              otherwise               contraction linalg.generic
//   Gemm       matmul, or a contraction generic reading B as [N, K] for
//              transB, then alpha and beta * C with broadcasting
//   reductions linalg.generic with reduction iterators over linalg.fill of
//              the identity (Sum Mean Max Min Prod SumSquare L1 L2 LogSum
//              LogSumExp)
//   Softmax, LayerNormalization, Gelu   decomposed into the above
//   Reshape, Squeeze, Unsqueeze, Flatten  tensor.collapse_shape /
//                                       expand_shape
//   Transpose  linalg.transpose;  Concat  tensor.insert_slice chain
//   Gather     linalg.generic over the result with tensor.extract
//   Where, Expand  broadcasting linalg.generic (select / copy)
//   Shape, Size, ConstantOfShape, and int64 shape arithmetic on small
//              constants (Add Sub Mul Neg Concat Slice)  folded to constants
//   Slice      tensor.extract_slice, or a generic for negative steps
//
// The quantized ops (QuantizeLinear, DequantizeLinear, MatMulInteger,
// QLinearMatMul, DynamicQuantizeLinear, com.microsoft MatMulNBits) are in
// ConvertQuantOps.cpp; Split, Pad and GatherElements in ConvertDataOps.cpp;
// the helpers they share in ConvertUtils.h. convertNode dispatches to all.
//
// Inputs that decide a result shape (Reshape/Expand shape, Slice starts and
// ends, Pad pads, Split sizes, reduction axes) must be constants; a graph
// input there is an error that names the node and the input.
//
//===----------------------------------------------------------------------===//

#include "ConvertUtils.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSwitch.h"

#include <array>
#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::lowbit;
using namespace mlir::lowbit::onnx_import;

RankedTensorType onnx_import::tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value onnx_import::scalar(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value onnx_import::emptyTensor(OpBuilder &b, Location loc,
                               ArrayRef<int64_t> shape, Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value onnx_import::filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                          Type elementType, double value) {
  Value init = emptyTensor(b, loc, shape, elementType);
  Value cst = scalar(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{cst}, ValueRange{init})
      .getResult(0);
}

/// The element of a one-element tensor `v` as a scalar.
Value onnx_import::extractScalar(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> zeros(tensorType(v).getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, v, zeros);
}

int64_t onnx_import::normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

FailureOr<Value> onnx_import::elementwise(NodeCtx &c, ArrayRef<Value> inputs,
                                          Type elementType, BodyFn body,
                                          ArrayRef<int64_t> extraShape) {
  int64_t rank = extraShape.size();
  for (Value v : inputs)
    rank = std::max<int64_t>(rank, tensorType(v).getRank());
  SmallVector<int64_t> shape(rank, 1);
  for (int64_t i = 0, r = extraShape.size(); i < r; ++i)
    shape[rank - r + i] = extraShape[i];
  for (Value v : inputs) {
    ArrayRef<int64_t> s = tensorType(v).getShape();
    for (int64_t i = 0, r = s.size(); i < r; ++i) {
      int64_t &o = shape[rank - r + i];
      if (o == 1)
        o = s[i];
      else if (s[i] != 1 && s[i] != o)
        return c.error() << "operand shapes " << tensorType(inputs[0])
                         << " and " << tensorType(v) << " do not broadcast";
    }
  }
  MLIRContext *ctx = c.b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : inputs) {
    ArrayRef<int64_t> s = tensorType(v).getShape();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0, r = s.size(); i < r; ++i) {
      int64_t o = rank - r + i;
      exprs.push_back(s[i] == 1 && shape[o] != 1 ? getAffineConstantExpr(0, ctx)
                                                 : getAffineDimExpr(o, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = emptyTensor(c.b, c.loc, shape, elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value result = body(b, loc, args.drop_back());
        linalg::YieldOp::create(b, loc, result);
      });
  return generic.getResult(0);
}

/// Elementwise on values whose element type is `x`'s.
FailureOr<Value>
onnx_import::sameTypeElementwise(NodeCtx &c, ArrayRef<Value> ins, BodyFn body) {
  return elementwise(c, ins, tensorType(ins[0]).getElementType(), body);
}

static Value erfGelu(OpBuilder &b, Location loc, Value x) {
  // 0.5 x (1 + erf(x / sqrt(2)))
  Type t = x.getType();
  Value scaled = arith::MulFOp::create(b, loc, x, scalar(b, loc, t, M_SQRT1_2));
  Value erf = math::ErfOp::create(b, loc, scaled);
  Value onePlus = arith::AddFOp::create(b, loc, erf, scalar(b, loc, t, 1.0));
  Value half = arith::MulFOp::create(b, loc, x, scalar(b, loc, t, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

static Value tanhGelu(OpBuilder &b, Location loc, Value x) {
  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  Type t = x.getType();
  Value x3 =
      arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
  Value inner = arith::AddFOp::create(
      b, loc, x,
      arith::MulFOp::create(b, loc, x3, scalar(b, loc, t, 0.044715)));
  Value th = math::TanhOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, inner,
                            scalar(b, loc, t, std::sqrt(2.0 / M_PI))));
  Value onePlus = arith::AddFOp::create(b, loc, th, scalar(b, loc, t, 1.0));
  Value half = arith::MulFOp::create(b, loc, x, scalar(b, loc, t, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

static LogicalResult convertUnary(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  Type et = tensorType(*x).getElementType();
  bool isFloat = isa<FloatType>(et);
  StringRef op = c.node.opType;
  if (!isFloat && op != "Relu" && op != "Neg" && op != "Abs")
    return c.error() << "element type " << et << " is not supported";
  float alpha = c.floatAttr("alpha", 0.01f);
  std::string approximate = c.stringAttr("approximate", "none");
  if (op == "Gelu" && approximate != "none" && approximate != "tanh")
    return c.error() << "unknown approximate = '" << approximate << "'";
  FailureOr<Value> result = sameTypeElementwise(
      c, {*x}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value v = a[0];
        if (op == "Relu")
          return isFloat ? Value(arith::MaximumFOp::create(
                               b, loc, v, scalar(b, loc, et, 0)))
                         : Value(arith::MaxSIOp::create(b, loc, v,
                                                        scalar(b, loc, et, 0)));
        if (op == "Neg")
          return isFloat ? Value(arith::NegFOp::create(b, loc, v))
                         : Value(arith::SubIOp::create(
                               b, loc, scalar(b, loc, et, 0), v));
        if (op == "Abs")
          return isFloat ? Value(math::AbsFOp::create(b, loc, v))
                         : Value(math::AbsIOp::create(b, loc, v));
        if (op == "Sigmoid") {
          Value e =
              math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
          Value d = arith::AddFOp::create(b, loc, scalar(b, loc, et, 1), e);
          return arith::DivFOp::create(b, loc, scalar(b, loc, et, 1), d);
        }
        if (op == "Tanh")
          return math::TanhOp::create(b, loc, v);
        if (op == "Exp")
          return math::ExpOp::create(b, loc, v);
        if (op == "Log")
          return math::LogOp::create(b, loc, v);
        if (op == "Sqrt")
          return math::SqrtOp::create(b, loc, v);
        if (op == "Erf")
          return math::ErfOp::create(b, loc, v);
        if (op == "Reciprocal")
          return arith::DivFOp::create(b, loc, scalar(b, loc, et, 1), v);
        if (op == "Floor")
          return math::FloorOp::create(b, loc, v);
        if (op == "Ceil")
          return math::CeilOp::create(b, loc, v);
        if (op == "Round")
          return math::RoundEvenOp::create(b, loc, v);
        if (op == "LeakyRelu") {
          Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            v, scalar(b, loc, et, 0));
          Value scaled =
              arith::MulFOp::create(b, loc, v, scalar(b, loc, et, alpha));
          return arith::SelectOp::create(b, loc, neg, scaled, v);
        }
        // Gelu
        return approximate == "tanh" ? tanhGelu(b, loc, v) : erfGelu(b, loc, v);
      });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

/// Clip: max(min) then min(max), bounds from the attributes (opset < 11) or
/// from scalar inputs 1 and 2, which may be computed at run time.
static LogicalResult convertClip(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  Type et = tensorType(*x).getElementType();
  bool isFloat = isa<FloatType>(et), isUnsigned = c.isUnsigned(0);
  Value bounds[2];
  for (unsigned i = 0; i < 2; ++i) {
    if (c.imp.getOpset(c.node) < 11) {
      if (const OnnxAttribute *a = c.node.getAttr(i ? "max" : "min"))
        bounds[i] = scalar(c.b, c.loc, et, a->f);
      continue;
    }
    if (!c.has(i + 1))
      continue;
    FailureOr<Value> v = c.in(i + 1);
    if (failed(v))
      return failure();
    RankedTensorType t = tensorType(*v);
    if (t.getNumElements() != 1 || t.getElementType() != et)
      return c.error() << (i ? "max" : "min") << " must be one element of "
                       << et << ", got " << t;
    SmallVector<Value> zeros(t.getRank(),
                             arith::ConstantIndexOp::create(c.b, c.loc, 0));
    bounds[i] = tensor::ExtractOp::create(c.b, c.loc, *v, zeros);
  }
  FailureOr<Value> result = sameTypeElementwise(
      c, {*x}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value v = a[0];
        if (bounds[0])
          v = isFloat ? Value(arith::MaximumFOp::create(b, loc, v, bounds[0]))
              : isUnsigned
                  ? Value(arith::MaxUIOp::create(b, loc, v, bounds[0]))
                  : Value(arith::MaxSIOp::create(b, loc, v, bounds[0]));
        if (bounds[1])
          v = isFloat ? Value(arith::MinimumFOp::create(b, loc, v, bounds[1]))
              : isUnsigned
                  ? Value(arith::MinUIOp::create(b, loc, v, bounds[1]))
                  : Value(arith::MinSIOp::create(b, loc, v, bounds[1]));
        return v;
      });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

static LogicalResult convertBinary(NodeCtx &c) {
  FailureOr<Value> lhs = c.in(0), rhs = c.in(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  Type et = tensorType(*lhs).getElementType();
  Type rt = tensorType(*rhs).getElementType();
  StringRef op = c.node.opType;
  bool isFloat = isa<FloatType>(et);
  if (et != rt && op != "Pow")
    return c.error() << "operand element types " << et << " and " << rt
                     << " differ";
  bool isUnsigned = c.isUnsigned(0);
  FailureOr<Value> result = sameTypeElementwise(
      c, {*lhs, *rhs}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value x = a[0], y = a[1];
        if (op == "Add")
          return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                         : Value(arith::AddIOp::create(b, loc, x, y));
        if (op == "Sub")
          return isFloat ? Value(arith::SubFOp::create(b, loc, x, y))
                         : Value(arith::SubIOp::create(b, loc, x, y));
        if (op == "Mul")
          return isFloat ? Value(arith::MulFOp::create(b, loc, x, y))
                         : Value(arith::MulIOp::create(b, loc, x, y));
        if (op == "Div") {
          if (isFloat)
            return arith::DivFOp::create(b, loc, x, y);
          return isUnsigned ? Value(arith::DivUIOp::create(b, loc, x, y))
                            : Value(arith::DivSIOp::create(b, loc, x, y));
        }
        // Pow
        if (!isFloat && isa<FloatType>(y.getType())) {
          Value xf = arith::SIToFPOp::create(b, loc, y.getType(), x);
          Value p = math::PowFOp::create(b, loc, xf, y);
          return arith::FPToSIOp::create(b, loc, et, p);
        }
        if (!isFloat) {
          unsigned xw = et.getIntOrFloatBitWidth(),
                   yw = y.getType().getIntOrFloatBitWidth();
          if (yw > xw)
            y = arith::TruncIOp::create(b, loc, et, y);
          else if (yw < xw)
            y = arith::ExtSIOp::create(b, loc, et, y);
          return math::IPowIOp::create(b, loc, x, y);
        }
        if (!isa<FloatType>(y.getType()))
          y = arith::SIToFPOp::create(b, loc, et, y);
        else if (y.getType() != et)
          y = y.getType().getIntOrFloatBitWidth() > et.getIntOrFloatBitWidth()
                  ? Value(arith::TruncFOp::create(b, loc, et, y))
                  : Value(arith::ExtFOp::create(b, loc, et, y));
        return math::PowFOp::create(b, loc, x, y);
      });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

/// Max, Min, Sum, Mean of any number of inputs with numpy broadcasting:
/// pairwise elementwise generics (Mean: Sum, then / n).
static LogicalResult convertVariadic(NodeCtx &c) {
  StringRef op = c.node.opType;
  SmallVector<Value> ins;
  for (unsigned i = 0; i < c.node.inputs.size(); ++i) {
    FailureOr<Value> v = c.in(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return c.error() << "at least one input is required";
  Type et = tensorType(ins[0]).getElementType();
  for (Value v : ins)
    if (tensorType(v).getElementType() != et)
      return c.error() << "operand element types " << et << " and "
                       << tensorType(v).getElementType() << " differ";
  bool isFloat = isa<FloatType>(et), isUnsigned = c.isUnsigned(0);
  if (op == "Mean" && !isFloat)
    return c.error() << "element type " << et << " is not supported";
  Value acc = ins[0];
  for (Value v : ArrayRef<Value>(ins).drop_front()) {
    FailureOr<Value> r = sameTypeElementwise(
        c, {acc, v}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value x = a[0], y = a[1];
          if (op == "Max")
            return isFloat      ? Value(arith::MaximumFOp::create(b, loc, x, y))
                   : isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                                : Value(arith::MaxSIOp::create(b, loc, x, y));
          if (op == "Min")
            return isFloat      ? Value(arith::MinimumFOp::create(b, loc, x, y))
                   : isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, y))
                                : Value(arith::MinSIOp::create(b, loc, x, y));
          return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                         : Value(arith::AddIOp::create(b, loc, x, y));
        });
    if (failed(r))
      return failure();
    acc = *r;
  }
  if (op == "Mean" && ins.size() > 1) {
    double n = ins.size();
    FailureOr<Value> r = sameTypeElementwise(
        c, {acc}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return arith::DivFOp::create(b, loc, a[0], scalar(b, loc, et, n));
        });
    if (failed(r))
      return failure();
    acc = *r;
  }
  c.out(0, acc);
  return success();
}

static LogicalResult convertCast(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  int to = static_cast<int>(c.intAttr("to", 0));
  FailureOr<Type> dst = c.imp.getElementType(
      to, c.loc, "Cast target of node '" + c.node.name + "'");
  if (failed(dst))
    return failure();
  Type src = tensorType(*x).getElementType();
  bool srcUnsigned = c.isUnsigned(0);
  bool dstUnsigned = to == ox::kUInt8 || to == ox::kUInt16 ||
                     to == ox::kUInt32 || to == ox::kUInt64 || to == ox::kBool;
  Type dt = *dst;
  FailureOr<Value> result = elementwise(
      c, {*x}, dt, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value v = a[0];
        if (src == dt)
          return v;
        bool sf = isa<FloatType>(src), df = isa<FloatType>(dt);
        if (dt.isInteger(1))
          return sf ? Value(arith::CmpFOp::create(b, loc,
                                                  arith::CmpFPredicate::UNE, v,
                                                  scalar(b, loc, src, 0)))
                    : Value(arith::CmpIOp::create(b, loc,
                                                  arith::CmpIPredicate::ne, v,
                                                  scalar(b, loc, src, 0)));
        if (sf && df) {
          unsigned srcBits = src.getIntOrFloatBitWidth();
          unsigned dstBits = dt.getIntOrFloatBitWidth();
          if (srcBits == dstBits) {
            // f16 <-> bf16: neither extends the other; go through f32.
            Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
            return arith::TruncFOp::create(b, loc, dt, wide);
          }
          return srcBits < dstBits
                     ? Value(arith::ExtFOp::create(b, loc, dt, v))
                     : Value(arith::TruncFOp::create(b, loc, dt, v));
        }
        if (!sf && df)
          return srcUnsigned ? Value(arith::UIToFPOp::create(b, loc, dt, v))
                             : Value(arith::SIToFPOp::create(b, loc, dt, v));
        if (sf && !df)
          return dstUnsigned ? Value(arith::FPToUIOp::create(b, loc, dt, v))
                             : Value(arith::FPToSIOp::create(b, loc, dt, v));
        unsigned sw = src.getIntOrFloatBitWidth(),
                 dw = dt.getIntOrFloatBitWidth();
        if (sw > dw)
          return arith::TruncIOp::create(b, loc, dt, v);
        return srcUnsigned ? Value(arith::ExtUIOp::create(b, loc, dt, v))
                           : Value(arith::ExtSIOp::create(b, loc, dt, v));
      });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// Reshapes `v` to `shape` (same element count) with collapse/expand_shape.
Value onnx_import::reshapeTo(OpBuilder &b, Location loc, Value v,
                             ArrayRef<int64_t> shape) {
  RankedTensorType srcType = tensorType(v);
  if (srcType.getShape() == shape)
    return v;
  auto dstType = RankedTensorType::get(shape, srcType.getElementType());
  if (srcType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, dstType, v,
                                         ArrayRef<ReassociationIndices>{});
  if (dstType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, dstType, v,
                                           ArrayRef<ReassociationIndices>{});
  if (srcType.getRank() != dstType.getRank()) {
    if (auto reassociation =
            getReassociationIndicesForReshape(srcType, dstType)) {
      if (srcType.getRank() > dstType.getRank())
        return tensor::CollapseShapeOp::create(b, loc, dstType, v,
                                               *reassociation);
      return tensor::ExpandShapeOp::create(b, loc, dstType, v, *reassociation);
    }
  }
  // No single collapse or expand does it: go through one dimension.
  ReassociationIndices all(srcType.getRank());
  std::iota(all.begin(), all.end(), 0);
  auto flatType = RankedTensorType::get({srcType.getNumElements()},
                                        srcType.getElementType());
  Value flat =
      srcType.getRank() == 1
          ? v
          : Value(tensor::CollapseShapeOp::create(
                b, loc, flatType, v, ArrayRef<ReassociationIndices>{all}));
  if (dstType.getRank() == 1)
    return flat;
  ReassociationIndices allDst(dstType.getRank());
  std::iota(allDst.begin(), allDst.end(), 0);
  return tensor::ExpandShapeOp::create(b, loc, dstType, flat,
                                       ArrayRef<ReassociationIndices>{allDst});
}

static LogicalResult convertReshape(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> inShape = tensorType(*x).getShape();
  int64_t total = tensorType(*x).getNumElements();
  SmallVector<int64_t> shape;
  StringRef op = c.node.opType;
  bool dataDependent =
      (op == "Reshape" || (op != "Flatten" && !c.intsAttr("axes"))) &&
      c.has(1) && !c.imp.getConstant(c.node.inputs[1]);
  if (dataDependent) {
    // The shape comes from a graph input: only ONNX's inferred type helps.
    std::optional<RankedTensorType> inferred =
        c.node.outputs.empty() ? std::nullopt
                               : c.imp.getInferredType(c.node.outputs[0]);
    if (!inferred)
      return c.notConstant(1, op == "Reshape" ? "shape" : "axes")
             << ", and ONNX shape inference gave no static result shape";
    shape.assign(inferred->getShape().begin(), inferred->getShape().end());
  } else if (op == "Reshape") {
    FailureOr<SmallVector<int64_t>> target = c.constInts(1, "shape");
    if (failed(target))
      return failure();
    bool allowZero = c.intAttr("allowzero", 0) != 0;
    int64_t known = 1, inferred = -1;
    for (auto [i, d] : llvm::enumerate(*target)) {
      if (d == 0 && !allowZero) {
        if (i >= inShape.size())
          return c.error() << "shape entry " << i
                           << " is 0 but the input has rank " << inShape.size();
        d = inShape[i];
      }
      if (d == -1) {
        if (inferred >= 0)
          return c.error() << "shape has more than one -1";
        inferred = i;
        shape.push_back(1);
        continue;
      }
      if (d < 0)
        return c.error() << "invalid shape entry " << d;
      shape.push_back(d);
      known *= d;
    }
    if (inferred >= 0) {
      if (known == 0 || total % known)
        return c.error() << "cannot reshape " << total << " elements to the "
                         << "given shape";
      shape[inferred] = total / known;
    }
  } else if (op == "Flatten") {
    int64_t axis = normalizeAxis(c.intAttr("axis", 1), inShape.size());
    if (axis < 0 || axis > static_cast<int64_t>(inShape.size()))
      return c.error() << "axis out of range";
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i)
      outer *= inShape[i];
    shape = {outer, outer ? total / outer : 0};
  } else {
    // Squeeze / Unsqueeze: axes from the attribute (opset < 13) or input 1.
    FailureOr<SmallVector<int64_t>> givenAxes = c.intsAttrOrInput("axes", 1);
    if (failed(givenAxes))
      return failure();
    SmallVector<int64_t> axes = *givenAxes;
    if (op == "Squeeze") {
      int64_t rank = inShape.size();
      llvm::SmallDenseSet<int64_t> drop;
      for (int64_t a : axes) {
        a = normalizeAxis(a, rank);
        if (a < 0 || a >= rank || inShape[a] != 1)
          return c.error() << "cannot squeeze axis " << a << " of shape "
                           << tensorType(*x);
        drop.insert(a);
      }
      for (int64_t i = 0; i < rank; ++i)
        if (axes.empty() ? inShape[i] != 1 : !drop.contains(i))
          shape.push_back(inShape[i]);
    } else {
      if (axes.empty())
        return c.error() << "axes are required";
      int64_t rank = inShape.size() + axes.size();
      SmallVector<bool> isNew(rank, false);
      for (int64_t a : axes) {
        a = normalizeAxis(a, rank);
        if (a < 0 || a >= rank || isNew[a])
          return c.error() << "invalid axis " << a;
        isNew[a] = true;
      }
      for (int64_t i = 0, j = 0; i < rank; ++i)
        shape.push_back(isNew[i] ? 1 : inShape[j++]);
    }
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (count != total)
    return c.error() << "cannot reshape " << tensorType(*x) << " to "
                     << shape.size() << "-D shape with " << count
                     << " elements";
  c.out(0, reshapeTo(c.b, c.loc, *x, shape));
  return success();
}

static LogicalResult convertTranspose(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  RankedTensorType type = tensorType(*x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm;
  if (const auto *attr = c.intsAttr("perm"))
    perm.assign(attr->begin(), attr->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return c.error() << "perm has " << perm.size() << " entries for rank "
                     << rank;
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return c.error() << "perm is not a permutation";
    seen[p] = true;
    shape.push_back(type.getDimSize(p));
  }
  Value init = emptyTensor(c.b, c.loc, shape, type.getElementType());
  c.out(0,
        linalg::TransposeOp::create(c.b, c.loc, *x, init, perm).getResult()[0]);
  return success();
}

static LogicalResult convertConcat(NodeCtx &c) {
  SmallVector<Value> ins;
  for (unsigned i = 0; i < c.node.inputs.size(); ++i) {
    FailureOr<Value> v = c.in(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return c.error() << "no inputs";
  RankedTensorType first = tensorType(ins[0]);
  int64_t rank = first.getRank();
  int64_t axis = normalizeAxis(c.intAttr("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return c.error() << "axis out of range";
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : ins) {
    RankedTensorType t = tensorType(v);
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return c.error() << "inputs " << first << " and " << t
                       << " cannot be concatenated";
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && t.getDimSize(i) != first.getDimSize(i))
        return c.error() << "inputs " << first << " and " << t
                         << " differ outside the axis";
    shape[axis] += t.getDimSize(axis);
  }
  Value result = emptyTensor(c.b, c.loc, shape, first.getElementType());
  int64_t offset = 0;
  for (Value v : ins) {
    RankedTensorType t = tensorType(v);
    SmallVector<OpFoldResult> offsets(rank, c.b.getIndexAttr(0)), sizes,
        strides(rank, c.b.getIndexAttr(1));
    offsets[axis] = c.b.getIndexAttr(offset);
    for (int64_t d : t.getShape())
      sizes.push_back(c.b.getIndexAttr(d));
    result = tensor::InsertSliceOp::create(c.b, c.loc, v, result, offsets,
                                           sizes, strides);
    offset += t.getDimSize(axis);
  }
  c.out(0, result);
  return success();
}

static LogicalResult convertGather(NodeCtx &c) {
  FailureOr<Value> data = c.in(0), indices = c.in(1);
  if (failed(data) || failed(indices))
    return failure();
  RankedTensorType dt = tensorType(*data), it = tensorType(*indices);
  if (!isa<IntegerType>(it.getElementType()))
    return c.error() << "indices must be integers";
  int64_t dr = dt.getRank(), ir = it.getRank();
  int64_t axis = normalizeAxis(c.intAttr("axis", 0), dr);
  if (axis < 0 || axis >= dr)
    return c.error() << "axis out of range";
  SmallVector<int64_t> shape(dt.getShape().take_front(axis));
  llvm::append_range(shape, it.getShape());
  llvm::append_range(shape, dt.getShape().drop_front(axis + 1));
  int64_t rank = shape.size();
  MLIRContext *ctx = c.b.getContext();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < ir; ++i)
    idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, idxExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init = emptyTensor(c.b, c.loc, shape, dt.getElementType());
  int64_t axisSize = dt.getDimSize(axis);
  Value table = *data;
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, ValueRange{*indices},
      ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value idx =
            arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]);
        // Negative indices count from the end.
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value isNeg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx, zero);
        Value wrapped = arith::AddIOp::create(
            b, loc, idx, arith::ConstantIndexOp::create(b, loc, axisSize));
        idx = arith::SelectOp::create(b, loc, isNeg, wrapped, idx);
        SmallVector<Value> coords;
        for (int64_t i = 0; i < dr; ++i) {
          if (i == axis)
            coords.push_back(idx);
          else
            coords.push_back(
                linalg::IndexOp::create(b, loc, i < axis ? i : i - 1 + ir));
        }
        Value v = tensor::ExtractOp::create(b, loc, table, coords);
        linalg::YieldOp::create(b, loc, v);
      });
  c.out(0, generic.getResult(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

/// Reduces `x` over `axes`: each element is first mapped (x^2 for SumSquare
/// and L2, |x| for L1), combined (+, *, max, min) into a linalg.fill of the
/// identity, and the result finished (mean: / count, L2: sqrt, LogSum: log).
/// LogSumExp is max + log(sum(exp(x - max))), built from the others.
FailureOr<Value> onnx_import::reduce(NodeCtx &c, Value x,
                                     ArrayRef<int64_t> axes, bool keepDims,
                                     ReduceKind kind) {
  RankedTensorType type = tensorType(x);
  Type et = type.getElementType();
  bool isFloat = isa<FloatType>(et);
  if (!isFloat && (kind == ReduceKind::Mean || kind == ReduceKind::L2 ||
                   kind == ReduceKind::LogSum || kind == ReduceKind::LogSumExp))
    return c.error() << "element type " << et << " is not supported";
  if (kind == ReduceKind::LogSumExp) {
    FailureOr<Value> max = reduce(c, x, axes, true, ReduceKind::Max);
    if (failed(max))
      return failure();
    FailureOr<Value> e = sameTypeElementwise(
        c, {x, *max}, [](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return math::ExpOp::create(b, loc,
                                     arith::SubFOp::create(b, loc, a[0], a[1]));
        });
    if (failed(e))
      return failure();
    FailureOr<Value> sum = reduce(c, *e, axes, true, ReduceKind::Sum);
    if (failed(sum))
      return failure();
    FailureOr<Value> result = sameTypeElementwise(
        c, {*sum, *max}, [](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return arith::AddFOp::create(b, loc,
                                       math::LogOp::create(b, loc, a[0]), a[1]);
        });
    if (failed(result) || keepDims)
      return result;
    SmallVector<int64_t> outShape;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (!llvm::is_contained(axes, i))
        outShape.push_back(type.getDimSize(i));
    return reshapeTo(c.b, c.loc, *result, outShape);
  }
  // Unsigned ONNX integers are signless here (the integer reductions read
  // x straight from the node's input 0).
  bool isUnsigned = !isFloat && c.isUnsigned(0);
  int64_t rank = type.getRank();
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a] = true;
  MLIRContext *ctx = c.b.getContext();
  SmallVector<int64_t> outShape, keepShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      iterators.push_back(utils::IteratorType::reduction);
      keepShape.push_back(1);
      count *= type.getDimSize(i);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      outShape.push_back(type.getDimSize(i));
      keepShape.push_back(type.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  // The identity of the combining operation.
  Value init;
  unsigned width = et.getIntOrFloatBitWidth();
  if (kind == ReduceKind::Max || kind == ReduceKind::Min) {
    bool isMax = kind == ReduceKind::Max;
    TypedAttr identity;
    if (isFloat)
      identity = c.b.getFloatAttr(
          et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(), isMax));
    else if (isUnsigned)
      identity = c.b.getIntegerAttr(et, isMax ? APInt::getMinValue(width)
                                              : APInt::getMaxValue(width));
    else
      identity =
          c.b.getIntegerAttr(et, isMax ? APInt::getSignedMinValue(width)
                                       : APInt::getSignedMaxValue(width));
    Value empty = emptyTensor(c.b, c.loc, outShape, et);
    Value cst = arith::ConstantOp::create(c.b, c.loc, identity);
    init =
        linalg::FillOp::create(c.b, c.loc, ValueRange{cst}, ValueRange{empty})
            .getResult(0);
  } else {
    init = filled(c.b, c.loc, outShape, et, kind == ReduceKind::Prod ? 1 : 0);
  }
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
      maps, iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value v = args[0], acc = args[1], r;
        if (kind == ReduceKind::SumSquare || kind == ReduceKind::L2)
          v = isFloat ? Value(arith::MulFOp::create(b, loc, v, v))
                      : Value(arith::MulIOp::create(b, loc, v, v));
        else if (kind == ReduceKind::L1 && !isUnsigned)
          v = isFloat ? Value(math::AbsFOp::create(b, loc, v))
                      : Value(math::AbsIOp::create(b, loc, v));
        if (kind == ReduceKind::Max)
          r = isFloat      ? Value(arith::MaximumFOp::create(b, loc, v, acc))
              : isUnsigned ? Value(arith::MaxUIOp::create(b, loc, v, acc))
                           : Value(arith::MaxSIOp::create(b, loc, v, acc));
        else if (kind == ReduceKind::Min)
          r = isFloat      ? Value(arith::MinimumFOp::create(b, loc, v, acc))
              : isUnsigned ? Value(arith::MinUIOp::create(b, loc, v, acc))
                           : Value(arith::MinSIOp::create(b, loc, v, acc));
        else if (kind == ReduceKind::Prod)
          r = isFloat ? Value(arith::MulFOp::create(b, loc, v, acc))
                      : Value(arith::MulIOp::create(b, loc, v, acc));
        else
          r = isFloat ? Value(arith::AddFOp::create(b, loc, v, acc))
                      : Value(arith::AddIOp::create(b, loc, v, acc));
        linalg::YieldOp::create(b, loc, r);
      });
  Value result = generic.getResult(0);
  if (kind == ReduceKind::Mean || kind == ReduceKind::L2 ||
      kind == ReduceKind::LogSum) {
    FailureOr<Value> finished = sameTypeElementwise(
        c, {result}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          if (kind == ReduceKind::L2)
            return math::SqrtOp::create(b, loc, a[0]);
          if (kind == ReduceKind::LogSum)
            return math::LogOp::create(b, loc, a[0]);
          return arith::DivFOp::create(b, loc, a[0],
                                       scalar(b, loc, et, double(count)));
        });
    if (failed(finished))
      return failure();
    result = *finished;
  }
  if (keepDims)
    result = reshapeTo(c.b, c.loc, result, keepShape);
  return result;
}

static LogicalResult convertReduce(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  FailureOr<SmallVector<int64_t>> givenAxes = c.intsAttrOrInput("axes", 1);
  if (failed(givenAxes))
    return failure();
  SmallVector<int64_t> axes = *givenAxes;
  if (axes.empty()) {
    if (c.intAttr("noop_with_empty_axes", 0)) {
      c.out(0, *x);
      return success();
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &a : axes) {
    int64_t given = a;
    a = normalizeAxis(a, rank);
    if (a < 0 || a >= rank)
      return c.error() << "axis " << given << " is out of range for rank "
                       << rank;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  ReduceKind kind = llvm::StringSwitch<ReduceKind>(c.node.opType)
                        .Case("ReduceSum", ReduceKind::Sum)
                        .Case("ReduceMax", ReduceKind::Max)
                        .Case("ReduceMin", ReduceKind::Min)
                        .Case("ReduceProd", ReduceKind::Prod)
                        .Case("ReduceSumSquare", ReduceKind::SumSquare)
                        .Case("ReduceL1", ReduceKind::L1)
                        .Case("ReduceL2", ReduceKind::L2)
                        .Case("ReduceLogSum", ReduceKind::LogSum)
                        .Case("ReduceLogSumExp", ReduceKind::LogSumExp)
                        .Default(ReduceKind::Mean);
  FailureOr<Value> r = reduce(c, *x, axes, c.intAttr("keepdims", 1) != 0, kind);
  if (failed(r))
    return failure();
  c.out(0, *r);
  return success();
}

static FailureOr<Value> binaryF(NodeCtx &c, Value x, Value y,
                                Value (*fn)(OpBuilder &, Location, Value,
                                            Value)) {
  return sameTypeElementwise(
      c, {x, y}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        return fn(b, loc, a[0], a[1]);
      });
}

static Value subF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
static Value mulF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
static Value addF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
static Value divF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::DivFOp::create(b, loc, x, y);
}

static LogicalResult convertSoftmax(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  Type et = tensorType(*x).getElementType();
  if (!isa<FloatType>(et))
    return c.error() << "element type " << et << " is not supported";
  int64_t rank = tensorType(*x).getRank();
  bool legacy = c.imp.getOpset(c.node) < 13;
  int64_t axis = normalizeAxis(c.intAttr("axis", legacy ? 1 : -1), rank);
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return c.error() << "axis out of range for rank " << rank;
  // Before opset 13 Softmax works on the input flattened to 2-D at `axis`.
  SmallVector<int64_t> axes = {axis};
  if (legacy)
    for (int64_t i = axis + 1; i < rank; ++i)
      axes.push_back(i);
  FailureOr<Value> max = reduce(c, *x, axes, true, ReduceKind::Max);
  if (failed(max))
    return failure();
  FailureOr<Value> shifted = binaryF(c, *x, *max, subF);
  if (failed(shifted))
    return failure();
  FailureOr<Value> e = sameTypeElementwise(
      c, {*shifted}, [](OpBuilder &b, Location loc, ValueRange a) -> Value {
        return math::ExpOp::create(b, loc, a[0]);
      });
  if (failed(e))
    return failure();
  FailureOr<Value> sum = reduce(c, *e, axes, true, ReduceKind::Sum);
  if (failed(sum))
    return failure();
  FailureOr<Value> y;
  if (c.node.opType == "LogSoftmax") {
    FailureOr<Value> logSum = sameTypeElementwise(
        c, {*sum}, [](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return math::LogOp::create(b, loc, a[0]);
        });
    if (failed(logSum))
      return failure();
    y = binaryF(c, *shifted, *logSum, subF);
  } else {
    y = binaryF(c, *e, *sum, divF);
  }
  if (failed(y))
    return failure();
  c.out(0, *y);
  return success();
}

static LogicalResult convertLayerNorm(NodeCtx &c) {
  FailureOr<Value> x = c.in(0), scale = c.in(1);
  if (failed(x) || failed(scale))
    return failure();
  Type et = tensorType(*x).getElementType();
  if (!isa<FloatType>(et))
    return c.error() << "element type " << et << " is not supported";
  int64_t rank = tensorType(*x).getRank();
  int64_t axis = normalizeAxis(c.intAttr("axis", -1), rank);
  if (axis < 0 || axis >= rank)
    return c.error() << "axis out of range for rank " << rank;
  double epsilon = c.floatAttr("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < rank; ++i)
    axes.push_back(i);
  FailureOr<Value> mean = reduce(c, *x, axes, true, ReduceKind::Mean);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = binaryF(c, *x, *mean, subF);
  if (failed(centered))
    return failure();
  FailureOr<Value> squared = binaryF(c, *centered, *centered, mulF);
  if (failed(squared))
    return failure();
  FailureOr<Value> var = reduce(c, *squared, axes, true, ReduceKind::Mean);
  if (failed(var))
    return failure();
  FailureOr<Value> invStd = sameTypeElementwise(
      c, {*var}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value v =
            arith::AddFOp::create(b, loc, a[0], scalar(b, loc, et, epsilon));
        return math::RsqrtOp::create(b, loc, v);
      });
  if (failed(invStd))
    return failure();
  FailureOr<Value> y = binaryF(c, *centered, *invStd, mulF);
  if (failed(y))
    return failure();
  y = binaryF(c, *y, *scale, mulF);
  if (failed(y))
    return failure();
  if (c.has(2)) {
    FailureOr<Value> bias = c.in(2);
    if (failed(bias))
      return failure();
    y = binaryF(c, *y, *bias, addF);
    if (failed(y))
      return failure();
  }
  c.out(0, *y);
  c.out(1, *mean);
  c.out(2, *invStd);
  return success();
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// A contraction linalg.generic for any ONNX MatMul operand ranks, with
/// numpy broadcasting of the batch dims. `transB` reads B as [..., N, K].

FailureOr<Value> onnx_import::contraction(NodeCtx &c, Value a, Value bv,
                                          bool transB, Type accType,
                                          MacFn mac) {
  RankedTensorType at = tensorType(a), bt = tensorType(bv);
  int64_t ra = at.getRank(), rb = bt.getRank();
  ArrayRef<int64_t> as = at.getShape(), bs = bt.getShape();
  int64_t k = as.back();
  int64_t kb = rb == 1 ? bs[0] : (transB ? bs[rb - 1] : bs[rb - 2]);
  if (k != kb)
    return c.error() << "contraction sizes of " << at << " and " << bt
                     << " differ";
  int64_t nbA = std::max<int64_t>(ra - 2, 0),
          nbB = std::max<int64_t>(rb - 2, 0);
  int64_t nb = std::max(nbA, nbB);
  SmallVector<int64_t> batch(nb, 1);
  for (int64_t i = 0; i < nbA; ++i)
    batch[nb - nbA + i] = as[i];
  for (int64_t i = 0; i < nbB; ++i) {
    int64_t &o = batch[nb - nbB + i];
    if (o == 1)
      o = bs[i];
    else if (bs[i] != 1 && bs[i] != o)
      return c.error() << "batch dims of " << at << " and " << bt
                       << " do not broadcast";
  }
  bool hasM = ra > 1, hasN = rb > 1;
  // Iteration dims: batch..., m (2-D and up A), n (2-D and up B), k. A 1-D
  // operand has no m (n) loop: linalg needs every loop in some map.
  int64_t next = nb;
  int64_t dm = hasM ? next++ : -1;
  int64_t dn = hasN ? next++ : -1;
  int64_t dk = next++;
  int64_t numDims = next;
  MLIRContext *ctx = c.b.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> ae, be, oe;
  for (int64_t i = 0; i < nbA; ++i)
    ae.push_back(as[i] == 1 && batch[nb - nbA + i] != 1
                     ? getAffineConstantExpr(0, ctx)
                     : d(nb - nbA + i));
  if (hasM)
    ae.push_back(d(dm));
  ae.push_back(d(dk));
  for (int64_t i = 0; i < nbB; ++i)
    be.push_back(bs[i] == 1 && batch[nb - nbB + i] != 1
                     ? getAffineConstantExpr(0, ctx)
                     : d(nb - nbB + i));
  if (transB && hasN) {
    be.push_back(d(dn));
    be.push_back(d(dk));
  } else {
    be.push_back(d(dk));
    if (hasN)
      be.push_back(d(dn));
  }
  SmallVector<int64_t> outShape(batch);
  for (int64_t i = 0; i < nb; ++i)
    oe.push_back(d(i));
  if (hasM) {
    oe.push_back(d(dm));
    outShape.push_back(as[ra - 2]);
  }
  if (hasN) {
    oe.push_back(d(dn));
    outShape.push_back(transB ? bs[rb - 2] : bs[rb - 1]);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, ae, ctx),
                                 AffineMap::get(numDims, 0, be, ctx),
                                 AffineMap::get(numDims, 0, oe, ctx)};
  SmallVector<utils::IteratorType> iterators(numDims,
                                             utils::IteratorType::parallel);
  iterators[dk] = utils::IteratorType::reduction;
  Type et = accType ? accType : at.getElementType();
  Value init = filled(c.b, c.loc, outShape, et, 0);
  auto generic = linalg::GenericOp::create(
      c.b, c.loc, TypeRange{init.getType()}, ValueRange{a, bv},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        if (mac) {
          linalg::YieldOp::create(b, loc,
                                  mac(b, loc, args[0], args[1], args[2]));
          return;
        }
        Value p = arith::MulFOp::create(b, loc, args[0], args[1]);
        linalg::YieldOp::create(
            b, loc, arith::AddFOp::create(b, loc, p, args[2]).getResult());
      });
  return generic.getResult(0);
}

static FailureOr<Value> matmul(NodeCtx &c, Value a, Value w) {
  RankedTensorType at = tensorType(a), wt = tensorType(w);
  Type et = at.getElementType();
  if (!isa<FloatType>(et) || wt.getElementType() != et)
    return c.error() << "MatMul of " << at << " and " << wt
                     << " is not supported (float operands of one type)";
  int64_t ra = at.getRank(), rw = wt.getRank();
  if (ra >= 2 && rw == 2) {
    int64_t k = at.getShape().back(), m = at.getDimSize(ra - 2);
    if (wt.getDimSize(0) != k)
      return c.error() << "contraction sizes of " << at << " and " << wt
                       << " differ";
    int64_t n = wt.getDimSize(1);
    int64_t rows = 1;
    for (int64_t i = 0; i < ra - 1; ++i)
      rows *= at.getDimSize(i);
    Value lhs = reshapeTo(c.b, c.loc, a, {rows, k});
    Value init = filled(c.b, c.loc, {rows, n}, et, 0);
    Value product =
        linalg::MatmulOp::create(c.b, c.loc, TypeRange{init.getType()},
                                 ValueRange{lhs, w}, ValueRange{init})
            .getResult(0);
    SmallVector<int64_t> outShape(at.getShape().drop_back(2));
    outShape.push_back(m);
    outShape.push_back(n);
    return reshapeTo(c.b, c.loc, product, outShape);
  }
  if (ra == 3 && rw == 3 && at.getDimSize(0) == wt.getDimSize(0) &&
      at.getDimSize(2) == wt.getDimSize(1)) {
    Value init =
        filled(c.b, c.loc,
               {at.getDimSize(0), at.getDimSize(1), wt.getDimSize(2)}, et, 0);
    return linalg::BatchMatmulOp::create(c.b, c.loc, TypeRange{init.getType()},
                                         ValueRange{a, w}, ValueRange{init})
        .getResult(0);
  }
  return contraction(c, a, w, /*transB=*/false);
}

static LogicalResult convertMatMul(NodeCtx &c) {
  FailureOr<Value> a = c.in(0), w = c.in(1);
  if (failed(a) || failed(w))
    return failure();
  FailureOr<Value> y = matmul(c, *a, *w);
  if (failed(y))
    return failure();
  c.out(0, *y);
  return success();
}

static LogicalResult convertGemm(NodeCtx &c) {
  FailureOr<Value> a = c.in(0), w = c.in(1);
  if (failed(a) || failed(w))
    return failure();
  if (tensorType(*a).getRank() != 2 || tensorType(*w).getRank() != 2)
    return c.error() << "A and B must be 2-D";
  Type et = tensorType(*a).getElementType();
  if (!isa<FloatType>(et) || tensorType(*w).getElementType() != et)
    return c.error() << "element types must be one float type";
  double alpha = c.floatAttr("alpha", 1.0f), beta = c.floatAttr("beta", 1.0f);
  Value lhs = *a;
  if (c.intAttr("transA", 0)) {
    RankedTensorType t = tensorType(lhs);
    Value init =
        emptyTensor(c.b, c.loc, {t.getDimSize(1), t.getDimSize(0)}, et);
    lhs = linalg::TransposeOp::create(c.b, c.loc, lhs, init,
                                      ArrayRef<int64_t>{1, 0})
              .getResult()[0];
  }
  FailureOr<Value> y = c.intAttr("transB", 0)
                           ? contraction(c, lhs, *w, /*transB=*/true)
                           : matmul(c, lhs, *w);
  if (failed(y))
    return failure();
  if (alpha != 1.0) {
    y = sameTypeElementwise(
        c, {*y}, [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          return arith::MulFOp::create(b, loc, v[0], scalar(b, loc, et, alpha));
        });
    if (failed(y))
      return failure();
  }
  if (c.has(2) && beta != 0.0) {
    FailureOr<Value> bias = c.in(2);
    if (failed(bias))
      return failure();
    y = sameTypeElementwise(
        c, {*y, *bias}, [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          Value cv = v[1];
          if (beta != 1.0)
            cv = arith::MulFOp::create(b, loc, cv, scalar(b, loc, et, beta));
          return arith::AddFOp::create(b, loc, v[0], cv);
        });
    if (failed(y))
      return failure();
  }
  c.out(0, *y);
  return success();
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

static LogicalResult convertConstant(NodeCtx &c) {
  if (c.node.outputs.empty())
    return c.error() << "no output";
  const std::string &name = c.node.outputs[0];
  auto tensor = std::make_shared<OnnxTensor>();
  tensor->name = name;
  auto setBytes = [&](const void *data, size_t size) {
    tensor->ownedData.assign(static_cast<const char *>(data), size);
    tensor->data = tensor->ownedData;
  };
  if (const OnnxAttribute *v = c.node.getAttr("value");
      v && v->kind == OnnxAttribute::Tensor) {
    *tensor = *v->t;
    if (!tensor->ownedData.empty())
      tensor->data = tensor->ownedData;
    tensor->name = name;
  } else if (const OnnxAttribute *f = c.node.getAttr("value_float")) {
    tensor->dataType = ox::kFloat;
    setBytes(&f->f, 4);
  } else if (const OnnxAttribute *i = c.node.getAttr("value_int")) {
    tensor->dataType = ox::kInt64;
    setBytes(&i->i, 8);
  } else if (const OnnxAttribute *fs = c.node.getAttr("value_floats")) {
    tensor->dataType = ox::kFloat;
    tensor->dims = {static_cast<int64_t>(fs->floats.size())};
    setBytes(fs->floats.data(), fs->floats.size() * 4);
  } else if (const OnnxAttribute *is = c.node.getAttr("value_ints")) {
    tensor->dataType = ox::kInt64;
    tensor->dims = {static_cast<int64_t>(is->ints.size())};
    setBytes(is->ints.data(), is->ints.size() * 8);
  } else {
    return c.error() << "only value, value_float(s) and value_int(s) "
                        "constants are supported";
  }
  // Check the data now so errors name this node.
  if (failed(c.imp.getBytes(*tensor, c.loc)))
    return failure();
  c.imp.synthesized.push_back(tensor);
  c.imp.constants[name] = tensor.get();
  c.imp.constantNodeOutputs.insert(name);
  return success();
}

static LogicalResult convertIdentity(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  c.out(0, *x);
  return success();
}

//===----------------------------------------------------------------------===//
// Where, Expand, ConstantOfShape, Shape, Slice
//===----------------------------------------------------------------------===//

/// Registers a constant computed at import time as the value of output 0
/// (materialized on first use, like a Constant node's output).
LogicalResult onnx_import::defineConstant(NodeCtx &c, int dataType,
                                          ArrayRef<int64_t> dims,
                                          std::string bytes) {
  if (c.node.outputs.empty() || c.node.outputs[0].empty())
    return c.error() << "no output";
  auto tensor = std::make_shared<OnnxTensor>();
  tensor->name = c.node.outputs[0];
  tensor->dataType = dataType;
  tensor->dims.assign(dims.begin(), dims.end());
  tensor->ownedData = std::move(bytes);
  tensor->data = tensor->ownedData;
  if (failed(c.imp.getBytes(*tensor, c.loc)))
    return failure();
  c.imp.synthesized.push_back(tensor);
  c.imp.constants[tensor->name] = tensor.get();
  c.imp.constantNodeOutputs.insert(tensor->name);
  return success();
}

static LogicalResult convertWhere(NodeCtx &c) {
  FailureOr<Value> cond = c.in(0), x = c.in(1), y = c.in(2);
  if (failed(cond) || failed(x) || failed(y))
    return failure();
  if (!tensorType(*cond).getElementType().isInteger(1))
    return c.error() << "the condition must be bool";
  Type et = tensorType(*x).getElementType();
  if (et != tensorType(*y).getElementType())
    return c.error() << "X and Y element types differ";
  FailureOr<Value> result =
      elementwise(c, {*cond, *x, *y}, et,
                  [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
                    return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
                  });
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

static LogicalResult convertExpand(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  if (!c.has(1))
    return c.error() << "input 1 is missing";
  FailureOr<SmallVector<int64_t>> shape = c.constInts(1, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return c.error() << "invalid shape entry " << d;
  // Shape entries of 1 keep the input's dim (numpy broadcasting both ways).
  FailureOr<Value> result = elementwise(
      c, {*x}, tensorType(*x).getElementType(),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; }, *shape);
  if (failed(result))
    return failure();
  c.out(0, *result);
  return success();
}

static LogicalResult convertConstantOfShape(NodeCtx &c) {
  FailureOr<SmallVector<int64_t>> shape = c.constInts(0, "shape");
  if (failed(shape))
    return failure();
  int64_t count = 1;
  for (int64_t d : *shape) {
    if (d < 0)
      return c.error() << "invalid shape entry " << d;
    count *= d;
  }
  if (count > (int64_t(1) << 24))
    return c.error() << "more than 2^24 elements are not supported";
  int dataType = ox::kFloat;
  std::string element(4, '\0');
  if (const OnnxAttribute *v = c.node.getAttr("value");
      v && v->kind == OnnxAttribute::Tensor) {
    const OnnxTensor &t = *v->t;
    if (t.numElements() != 1)
      return c.error() << "value must have one element";
    FailureOr<ArrayRef<char>> bytes = c.imp.getBytes(t, c.loc);
    if (failed(bytes))
      return failure();
    dataType = t.dataType;
    unsigned bits = ox::dataTypeBits(dataType);
    if (bits == 0 || bits % 8 || bytes->size() != bits / 8)
      return c.error() << "value type " << ox::dataTypeName(dataType)
                       << " is not supported";
    element.assign(bytes->data(), bytes->size());
  }
  std::string data;
  data.reserve(element.size() * count);
  for (int64_t i = 0; i < count; ++i)
    data += element;
  return defineConstant(c, dataType, *shape, std::move(data));
}

/// The static shape of input 0, without materializing a constant input.
static FailureOr<SmallVector<int64_t>> inputShape(NodeCtx &c) {
  if (c.has(0))
    if (const OnnxTensor *t = c.imp.getConstant(c.node.inputs[0]))
      return SmallVector<int64_t>(t->dims.begin(), t->dims.end());
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = tensorType(*x).getShape();
  return SmallVector<int64_t>(shape.begin(), shape.end());
}

static LogicalResult convertShape(NodeCtx &c) {
  FailureOr<SmallVector<int64_t>> inShape = inputShape(c);
  if (failed(inShape))
    return failure();
  ArrayRef<int64_t> shape = *inShape;
  int64_t rank = shape.size();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clampIndex(c.intAttr("start", 0));
  int64_t end = clampIndex(c.intAttr("end", rank));
  std::vector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  std::string bytes(reinterpret_cast<const char *>(dims.data()),
                    dims.size() * 8);
  return defineConstant(c, ox::kInt64, {static_cast<int64_t>(dims.size())},
                        std::move(bytes));
}

/// Size: the element count of a static input, folded to an int64 scalar.
static LogicalResult convertSize(NodeCtx &c) {
  FailureOr<SmallVector<int64_t>> shape = inputShape(c);
  if (failed(shape))
    return failure();
  int64_t count = 1;
  for (int64_t d : *shape)
    count *= d;
  return defineConstant(c, ox::kInt64, {},
                        std::string(reinterpret_cast<const char *>(&count), 8));
}

/// The static offsets, sizes and strides of a Slice of `shape` (ONNX
/// clamping rules; negative strides count down from the offset).
static LogicalResult sliceParams(NodeCtx &c, ArrayRef<int64_t> shape,
                                 SmallVectorImpl<int64_t> &offsets,
                                 SmallVectorImpl<int64_t> &sizes,
                                 SmallVectorImpl<int64_t> &strides) {
  int64_t rank = shape.size();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (const auto *s = c.intsAttr("starts")) {
    // Opset < 10: attributes.
    starts.assign(s->begin(), s->end());
    if (const auto *e = c.intsAttr("ends"))
      ends.assign(e->begin(), e->end());
    if (const auto *a = c.intsAttr("axes"))
      axes.assign(a->begin(), a->end());
  } else {
    if (!c.has(1) || !c.has(2))
      return c.error() << "starts and ends are required";
    for (auto [i, vec] : llvm::enumerate(SmallVector<SmallVector<int64_t> *>{
             &starts, &ends, &axes, &steps})) {
      if (!c.has(i + 1))
        continue;
      FailureOr<SmallVector<int64_t>> v =
          c.constInts(i + 1, std::array<const char *, 4>{"starts", "ends",
                                                         "axes", "steps"}[i]);
      if (failed(v))
        return failure();
      *vec = *v;
    }
  }
  if (ends.size() != starts.size())
    return c.error() << "starts and ends have different lengths";
  if (axes.empty())
    for (int64_t i = 0, e = starts.size(); i < e; ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return c.error() << "axes and steps must match starts in length";
  offsets.assign(rank, 0);
  sizes.assign(shape.begin(), shape.end());
  strides.assign(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], rank);
    if (axis < 0 || axis >= rank || seen[axis])
      return c.error() << "invalid or repeated axis " << axes[i];
    seen[axis] = true;
    int64_t d = shape[axis], step = steps[i];
    if (step == 0)
      return c.error() << "step must not be 0";
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start = start < -d ? -1 : start + d;
    if (end < 0)
      end = end < -d ? -1 : end + d;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, d);
      end = std::clamp<int64_t>(end, 0, d);
      size = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, d - 1);
      end = std::clamp<int64_t>(end, -1, d - 1);
      size = start > end ? (start - end - step - 1) / -step : 0;
    }
    offsets[axis] = start;
    sizes[axis] = size;
    strides[axis] = step;
  }
  return success();
}

static LogicalResult convertSlice(NodeCtx &c) {
  FailureOr<Value> x = c.in(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = tensorType(*x);
  int64_t rank = xt.getRank();
  SmallVector<int64_t> offsets, sizes, strides;
  if (failed(sliceParams(c, xt.getShape(), offsets, sizes, strides)))
    return failure();
  bool negative = llvm::any_of(strides, [](int64_t s) { return s < 0; });
  Value result;
  if (!negative) {
    auto resultType = RankedTensorType::get(sizes, xt.getElementType());
    result = tensor::ExtractSliceOp::create(
        c.b, c.loc, resultType, *x, ValueRange{}, ValueRange{}, ValueRange{},
        offsets, sizes, strides);
  } else {
    // Negative steps: a generic reading x at offset + step * index.
    MLIRContext *ctx = c.b.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i)
      exprs.push_back(getAffineConstantExpr(offsets[i], ctx) +
                      getAffineDimExpr(i, ctx) * strides[i]);
    bool empty = llvm::any_of(sizes, [](int64_t s) { return s == 0; });
    Value init = emptyTensor(c.b, c.loc, sizes, xt.getElementType());
    if (empty) {
      result = init;
    } else {
      SmallVector<AffineMap> maps = {
          AffineMap::get(rank, 0, exprs, ctx),
          AffineMap::getMultiDimIdentityMap(rank, ctx)};
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      result = linalg::GenericOp::create(
                   c.b, c.loc, TypeRange{init.getType()}, ValueRange{*x},
                   ValueRange{init}, maps, iterators,
                   [](OpBuilder &b, Location loc, ValueRange args) {
                     linalg::YieldOp::create(b, loc, args[0]);
                   })
                   .getResult(0);
    }
  }
  c.out(0, result);
  return success();
}

/// Folds shape arithmetic on small int64 constants (the Shape -> Slice ->
/// Sub -> ConstantOfShape -> Concat chains of expanded functions) into
/// constants, so that the Reshape/Expand/ConstantOfShape reading them see a
/// constant. Returns false when the node is not such a computation.
static FailureOr<bool> foldIntConstants(NodeCtx &c) {
  StringRef op = c.node.opType;
  if (!c.node.domain.empty())
    return false;
  if (op != "Add" && op != "Sub" && op != "Mul" && op != "Neg" &&
      op != "Concat" && op != "Slice")
    return false;
  SmallVector<const OnnxTensor *> ins;
  for (unsigned i = 0; i < c.node.inputs.size(); ++i) {
    if (!c.has(i)) {
      ins.push_back(nullptr);
      continue;
    }
    const OnnxTensor *t = c.imp.getConstant(c.node.inputs[i]);
    if (!t || t->numElements() > 64 || t->isExternal())
      return false;
    ins.push_back(t);
  }
  if (ins.empty() || !ins[0] || ins[0]->dataType != ox::kInt64)
    return false;
  auto ints = [&](const OnnxTensor *t) { return c.imp.getInts(*t, c.loc); };
  SmallVector<int64_t> result, dims;
  if (op == "Concat") {
    for (const OnnxTensor *t : ins) {
      if (!t || t->dataType != ox::kInt64 || t->dims.size() != 1)
        return false;
      FailureOr<SmallVector<int64_t>> v = ints(t);
      if (failed(v))
        return failure();
      result.append(v->begin(), v->end());
    }
    dims = {static_cast<int64_t>(result.size())};
  } else if (op == "Neg") {
    FailureOr<SmallVector<int64_t>> v = ints(ins[0]);
    if (failed(v))
      return failure();
    for (int64_t x : *v)
      result.push_back(-x);
    dims.assign(ins[0]->dims.begin(), ins[0]->dims.end());
  } else if (op == "Slice") {
    if (ins[0]->dims.size() != 1)
      return false;
    SmallVector<int64_t> offsets, sizes, strides;
    if (failed(sliceParams(c, ins[0]->dims, offsets, sizes, strides)))
      return failure();
    FailureOr<SmallVector<int64_t>> v = ints(ins[0]);
    if (failed(v))
      return failure();
    for (int64_t i = 0; i < sizes[0]; ++i)
      result.push_back((*v)[offsets[0] + i * strides[0]]);
    dims = {sizes[0]};
  } else {
    if (ins.size() != 2 || !ins[1] || ins[1]->dataType != ox::kInt64)
      return false;
    FailureOr<SmallVector<int64_t>> x = ints(ins[0]), y = ints(ins[1]);
    if (failed(x) || failed(y))
      return failure();
    // Equal shapes, or one side a single element of no higher rank.
    const std::vector<int64_t> &dx = ins[0]->dims, &dy = ins[1]->dims;
    if (dx == dy || (y->size() == 1 && dy.size() <= dx.size()))
      dims.assign(dx.begin(), dx.end());
    else if (x->size() == 1 && dx.size() <= dy.size())
      dims.assign(dy.begin(), dy.end());
    else
      return false;
    int64_t n = std::max(x->size(), y->size());
    for (int64_t i = 0; i < n; ++i) {
      int64_t a = (*x)[x->size() == 1 ? 0 : i],
              b = (*y)[y->size() == 1 ? 0 : i];
      result.push_back(op == "Add" ? a + b : op == "Sub" ? a - b : a * b);
    }
  }
  if (failed(defineConstant(
          c, ox::kInt64, dims,
          std::string(reinterpret_cast<const char *>(result.data()),
                      result.size() * 8))))
    return failure();
  return true;
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

LogicalResult mlir::lowbit::onnx_import::convertNode(Importer &importer,
                                                     const OnnxNode &node,
                                                     Location loc) {
  NodeCtx c{importer, node, loc, importer.builder};
  using Fn = LogicalResult (*)(NodeCtx &);
  Fn fn = nullptr;
  if (node.domain.empty())
    fn = llvm::StringSwitch<Fn>(node.opType)
             .Cases({"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt"},
                    convertUnary)
             .Cases({"Neg", "Erf", "Reciprocal", "LeakyRelu", "Gelu", "Abs"},
                    convertUnary)
             .Cases({"Floor", "Ceil", "Round"}, convertUnary)
             .Case("Clip", convertClip)
             .Cases({"Add", "Sub", "Mul", "Div", "Pow"}, convertBinary)
             .Cases({"Max", "Min", "Sum", "Mean"}, convertVariadic)
             .Case("Cast", convertCast)
             .Cases({"Reshape", "Flatten", "Squeeze", "Unsqueeze"},
                    convertReshape)
             .Case("Transpose", convertTranspose)
             .Case("Concat", convertConcat)
             .Case("Gather", convertGather)
             .Cases({"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"},
                    convertReduce)
             .Cases({"ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2"},
                    convertReduce)
             .Cases({"ReduceLogSum", "ReduceLogSumExp"}, convertReduce)
             .Cases({"Softmax", "LogSoftmax"}, convertSoftmax)
             .Case("LayerNormalization", convertLayerNorm)
             .Case("MatMul", convertMatMul)
             .Case("Gemm", convertGemm)
             .Case("Constant", convertConstant)
             .Case("Identity", convertIdentity)
             .Case("Where", convertWhere)
             .Case("Expand", convertExpand)
             .Case("ConstantOfShape", convertConstantOfShape)
             .Case("Shape", convertShape)
             .Case("Size", convertSize)
             .Case("Slice", convertSlice)
             .Case("MatMulInteger", convertMatMulInteger)
             .Case("QLinearMatMul", convertQLinearMatMul)
             .Case("DynamicQuantizeLinear", convertDynamicQuantizeLinear)
             .Case("Split", convertSplit)
             .Case("GatherElements", convertGatherElements)
             .Case("Pad", convertPad)
             .Cases({"QuantizeLinear", "DequantizeLinear"}, convertQDQ)
             .Default(nullptr);
  else if (node.domain == "com.microsoft")
    fn = llvm::StringSwitch<Fn>(node.opType)
             .Case("MatMulNBits", convertMatMulNBits)
             .Default(nullptr);
  if (!fn)
    return emitError(loc) << "node '" << c.displayName() << "': op type '"
                          << node.opType << "' of domain '"
                          << (node.domain.empty() ? "ai.onnx" : node.domain)
                          << "' (opset " << importer.getOpset(node)
                          << ") is not supported";
  for (const auto &[name, attr] : node.attributes)
    if (attr.kind == OnnxAttribute::Other)
      return c.error() << "attribute '" << name
                       << "' has an unsupported kind (graph or sparse tensor)";
  FailureOr<bool> folded = foldIntConstants(c);
  if (failed(folded))
    return failure();
  if (*folded)
    return success();
  return fn(c);
}
