//===- LowerQuantOps.cpp - quantize / dequantize to linalg ----------------===//
//
//   %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 32, axis = 1>
//            scales(%s : tensor<Nx(K/32)xf32>)
// ->
//   %x = linalg.generic {maps = [q: (n, k) (or the packed byte
//                                    (n*K + k) floordiv 2), s: (n, k floordiv
//                                    32),
//                                out: (n, k)]}
//        { s * f32(code) }                       (integer formats: code - z;
//                                                 nf4/fp4/fp8: table[code])
//
// quantize is the same loop nest with the body
//   q = clamp(round_half_even(x / s) + z, qmin, qmax).
//
//===----------------------------------------------------------------------===//

#include "CodeDecoding.h"
#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::lowbit;

Value mlir::lowbit::createEmptyTensor(OpBuilder &b, Location loc,
                                      ArrayRef<OpFoldResult> sizes,
                                      Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

SmallVector<AffineExpr> mlir::lowbit::getScaleIndex(SchemeAttr scheme,
                                                    ArrayRef<AffineExpr> dims) {
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    return {};
  case Granularity::Axis:
    return {dims[scheme.getAxis()]};
  case Granularity::Group: {
    SmallVector<AffineExpr> result(dims);
    result[scheme.getAxis()] =
        result[scheme.getAxis()].floorDiv(scheme.getGroupSize());
    return result;
  }
  }
  llvm_unreachable("unknown granularity");
}

/// The inputs of an elementwise generic over a quantized tensor, and where
/// the body finds each one.
struct ElementwiseInputs {
  SmallVector<Value> tensors;
  SmallVector<AffineMap> maps;
  ParamAccess scale, zeroPoint;
  int scaleArg = -1, zeroPointArg = -1;

  void add(ParamAccess &access, int &argIndex) {
    if (!access.tensor)
      return;
    argIndex = tensors.size();
    tensors.push_back(access.tensor);
    maps.push_back(access.map);
  }

  /// Adds the scales (and, for affine schemes, the zero-points) of a
  /// quantize or dequantize op iterating over `dims`.
  template <typename OpTy>
  void addParams(OpBuilder &b, OpTy op, ArrayRef<AffineExpr> dims) {
    unsigned rank = dims.size();
    SchemeAttr scheme = op.getScheme();
    AffineMap scaleMap =
        AffineMap::get(rank, 0, getScaleIndex(scheme, dims), op.getContext());
    scale = getParamAccess(b, op.getLoc(), op.getScalesAttr(),
                           op.getDynamicScales(), rank, scaleMap);
    add(scale, scaleArg);
    if (scheme.getSymmetric())
      return;
    zeroPoint = getParamAccess(b, op.getLoc(), op.getZeroPointsAttr(),
                               op.getDynamicZeroPoints(), rank, scaleMap);
    add(zeroPoint, zeroPointArg);
  }
};

LogicalResult mlir::lowbit::lowerDequantize(RewriterBase &rewriter,
                                            DequantizeOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  SchemeAttr scheme = op.getScheme();
  RankedTensorType resultType = op.getType();
  unsigned rank = resultType.getRank();
  if (rank == 0)
    return op.emitError() << "lowbit-lower-to-linalg: rank-0 quantized "
                             "tensors are not supported";

  SmallVector<AffineExpr> dims;
  for (unsigned i = 0; i < rank; ++i)
    dims.push_back(getAffineDimExpr(i, ctx));
  CodeSource source = getCodeSource(rewriter, loc, op.getInput());

  ElementwiseInputs inputs;
  inputs.tensors.push_back(source.tensor);
  inputs.maps.push_back(getCodeReadMap(source, dims, rank));
  inputs.addParams(rewriter, op, dims);
  Value table = buildValueTable(rewriter, loc, scheme);

  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, op.getInput());
  if (source.flat)
    for (auto [i, dim] : llvm::enumerate(source.shape))
      sizes[i] = rewriter.getIndexAttr(dim);
  Value init =
      createEmptyTensor(rewriter, loc, sizes, resultType.getElementType());
  inputs.maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);

  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, inputs.tensors, ValueRange{init},
      inputs.maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Value flatIndex;
        if (source.packed)
          flatIndex = emitFlatIndex(b, l, source, dims, rank);
        Value code =
            emitCodeAsI32(b, l, args[0], source.packed, flatIndex, scheme);
        Value zeroPoint;
        if (!scheme.getSymmetric())
          zeroPoint = inputs.zeroPointArg >= 0 ? args[inputs.zeroPointArg]
                                               : inputs.zeroPoint.scalar;
        if (zeroPoint && zeroPoint.getType() != b.getI32Type())
          zeroPoint = arith::ExtSIOp::create(b, l, b.getI32Type(), zeroPoint);
        Value value = emitDecodedValue(b, l, code, zeroPoint, table, scheme);
        Value scale =
            inputs.scaleArg >= 0 ? args[inputs.scaleArg] : inputs.scale.scalar;
        value = arith::MulFOp::create(b, l, value, castScaleToF32(b, l, scale));
        if (resultType.getElementType() != b.getF32Type())
          value =
              arith::TruncFOp::create(b, l, resultType.getElementType(), value);
        linalg::YieldOp::create(b, l, value);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

LogicalResult mlir::lowbit::lowerQuantize(RewriterBase &rewriter,
                                          QuantizeOp op) {
  SchemeAttr scheme = op.getScheme();
  if (!scheme.isIntegerFormat())
    return op.emitError()
           << "lowbit-lower-to-linalg: quantizing to "
           << stringifyStorageFormat(scheme.getFormat())
           << " at run time is not supported on the CPU yet (integer "
              "formats are; weights in any format are quantized at compile "
              "time)";
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  RankedTensorType resultType = op.getType();
  unsigned rank = resultType.getRank();
  if (rank == 0)
    return op.emitError() << "lowbit-lower-to-linalg: rank-0 quantized "
                             "tensors are not supported";

  SmallVector<AffineExpr> dims;
  for (unsigned i = 0; i < rank; ++i)
    dims.push_back(getAffineDimExpr(i, ctx));
  ElementwiseInputs inputs;
  inputs.tensors.push_back(op.getInput());
  inputs.maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  inputs.addParams(rewriter, op, dims);
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, op.getInput());
  Value init =
      createEmptyTensor(rewriter, loc, sizes, resultType.getElementType());
  inputs.maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  double qmin = double(scheme.getCodeMin()), qmax = double(scheme.getCodeMax());
  Type storage = resultType.getElementType();

  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, inputs.tensors, ValueRange{init},
      inputs.maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Type f32 = b.getF32Type();
        Value x = args[0];
        if (x.getType() != f32)
          x = arith::ExtFOp::create(b, l, f32, x);
        Value scale =
            inputs.scaleArg >= 0 ? args[inputs.scaleArg] : inputs.scale.scalar;
        Value scaled =
            arith::DivFOp::create(b, l, x, castScaleToF32(b, l, scale));
        Value rounded = math::RoundEvenOp::create(b, l, scaled);
        if (!scheme.getSymmetric()) {
          Value zeroPoint = inputs.zeroPointArg >= 0 ? args[inputs.zeroPointArg]
                                                     : inputs.zeroPoint.scalar;
          rounded = arith::AddFOp::create(
              b, l, rounded, arith::SIToFPOp::create(b, l, f32, zeroPoint));
        }
        auto constant = [&](double v) -> Value {
          return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
        };
        // maximumf/minimumf propagate NaN; the range check of inputs is the
        // caller's (a NaN activation has no meaningful code).
        Value clamped = arith::MinimumFOp::create(
            b, l, arith::MaximumFOp::create(b, l, rounded, constant(qmin)),
            constant(qmax));
        Value code = arith::FPToSIOp::create(b, l, b.getI32Type(), clamped);
        code = arith::TruncIOp::create(b, l, storage, code);
        linalg::YieldOp::create(b, l, code);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}
