//===- DynamicScales.cpp - IR that computes activation scales -------------===//
//
// Per token, for x : [..., M, K]:
//
//   %init = linalg.fill 0 -> tensor<...xMxf32>
//   %amax = linalg.generic (parallel..., reduction) ins(%x) outs(%init)
//             { max(acc, |ext(x)|) }
//   %s    = linalg.generic (parallel...) ins(%amax) { max(a, tiny*qmax) / qmax
//   } (group form: tensor.expand_shape [..., M] -> [..., M, 1])
//
//===----------------------------------------------------------------------===//

#include "DynamicScales.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::lowbit;

double mlir::lowbit::getSymmetricCodeMax(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return 127.0;
  case StorageFormat::U8:
    return 255.0;
  case StorageFormat::I4:
    return 7.0;
  case StorageFormat::U4:
    return 15.0;
  case StorageFormat::NF4:
    return 1.0;
  case StorageFormat::F4E2M1FN:
    return 6.0;
  case StorageFormat::F8E4M3FN:
    return 448.0;
  case StorageFormat::F8E5M2:
    return 57344.0;
  }
  llvm_unreachable("unknown storage format");
}

SchemeAttr mlir::lowbit::getActivationScheme(MLIRContext *ctx,
                                             StorageFormat format,
                                             bool perToken, bool symmetric,
                                             RankedTensorType xType) {
  Type f32 = Float32Type::get(ctx);
  int64_t rank = xType.getRank();
  if (!perToken)
    return SchemeAttr::get(ctx, format, Granularity::Tensor, -1, 0, symmetric,
                           f32);
  if (rank == 2)
    return SchemeAttr::get(ctx, format, Granularity::Axis, 0, 0, symmetric,
                           f32);
  int64_t k = xType.getShape().back();
  if (ShapedType::isDynamic(k))
    return {};
  return SchemeAttr::get(ctx, format, Granularity::Group, rank - 1, k,
                         symmetric, f32);
}

namespace {
enum class ReduceKind { AbsMax, Min, Max };
} // namespace

/// Reduces `x` over its last dimension (or all dimensions) to f32.
static Value buildReduction(OpBuilder &b, Location loc, Value x, bool allDims,
                            ReduceKind kind) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();

  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = allDims || d == rank - 1;
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (reduced)
      continue;
    shape.push_back(xType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
    if (xType.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, x, d));
  }

  double identity =
      kind == ReduceKind::Min   ? std::numeric_limits<double>::infinity()
      : kind == ReduceKind::Max ? -std::numeric_limits<double>::infinity()
                                : 0.0;
  Value init = tensor::EmptyOp::create(b, loc, shape, f32, dynamicSizes);
  Value identityValue =
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(identity));
  Value filled =
      linalg::FillOp::create(b, loc, identityValue, init).getResult(0);

  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, ValueRange{x}, ValueRange{filled},
      maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value value = args[0];
        if (value.getType() != f32)
          value = arith::ExtFOp::create(nb, nl, f32, value);
        Value result;
        switch (kind) {
        case ReduceKind::AbsMax:
          value = math::AbsFOp::create(nb, nl, value);
          result = arith::MaximumFOp::create(nb, nl, args[1], value);
          break;
        case ReduceKind::Max:
          result = arith::MaximumFOp::create(nb, nl, args[1], value);
          break;
        case ReduceKind::Min:
          result = arith::MinimumFOp::create(nb, nl, args[1], value);
          break;
        }
        linalg::YieldOp::create(nb, nl, result);
      });
  return generic.getResult(0);
}

/// An elementwise linalg.generic over tensors shaped like `inputs[0]`
/// producing one tensor per entry of `resultTypes` (element types only).
static SmallVector<Value> buildElementwise(
    OpBuilder &b, Location loc, ValueRange inputs,
    ArrayRef<Type> resultElementTypes,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(inputs[0].getType());
  int64_t rank = type.getRank();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, inputs[0], d));
  SmallVector<Value> inits;
  SmallVector<Type> resultTypes;
  for (Type element : resultElementTypes) {
    inits.push_back(tensor::EmptyOp::create(b, loc, type.getShape(), element,
                                            dynamicSizes));
    resultTypes.push_back(type.clone(element));
  }
  SmallVector<AffineMap> maps(inputs.size() + inits.size(),
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl,
                                body(nb, nl, args.take_front(inputs.size())));
      });
  return SmallVector<Value>(generic.getResults().begin(),
                            generic.getResults().end());
}

/// [..., M] -> [..., M, 1] for the group-wise (per row of a batched tensor)
/// form of per-token scales.
static Value appendUnitDim(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.push_back(1);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    reassociation.push_back({d});
  reassociation.push_back({type.getRank() - 1, type.getRank()});
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       reassociation);
}

DynamicQuantParams mlir::lowbit::buildDynamicQuantParams(OpBuilder &b,
                                                         Location loc, Value x,
                                                         SchemeAttr scheme) {
  bool allDims = scheme.getGranularity() == Granularity::Tensor;
  Type f32 = b.getF32Type();
  double tiny = std::numeric_limits<float>::min();
  auto constant = [&](OpBuilder &nb, Location nl, double value) -> Value {
    return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(value));
  };

  DynamicQuantParams params;
  if (scheme.getSymmetric()) {
    double qmax = getSymmetricCodeMax(scheme.getFormat());
    Value absMax = buildReduction(b, loc, x, allDims, ReduceKind::AbsMax);
    params.scales = buildElementwise(
        b, loc, absMax, {f32},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
          Value floor = constant(nb, nl, tiny * qmax);
          Value clamped = arith::MaximumFOp::create(nb, nl, args[0], floor);
          return {
              arith::DivFOp::create(nb, nl, clamped, constant(nb, nl, qmax))};
        })[0];
  } else {
    double qmin = double(scheme.getCodeMin()),
           qmax = double(scheme.getCodeMax());
    Value lo = buildReduction(b, loc, x, allDims, ReduceKind::Min);
    Value hi = buildReduction(b, loc, x, allDims, ReduceKind::Max);
    SmallVector<Value> results = buildElementwise(
        b, loc, ValueRange{lo, hi}, {f32, b.getI32Type()},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
          Value zero = constant(nb, nl, 0.0);
          Value low = arith::MinimumFOp::create(nb, nl, args[0], zero);
          Value high = arith::MaximumFOp::create(nb, nl, args[1], zero);
          Value range = arith::SubFOp::create(nb, nl, high, low);
          range = arith::MaximumFOp::create(
              nb, nl, range, constant(nb, nl, tiny * (qmax - qmin)));
          Value scale = arith::DivFOp::create(nb, nl, range,
                                              constant(nb, nl, qmax - qmin));
          Value shifted =
              arith::SubFOp::create(nb, nl, constant(nb, nl, qmin),
                                    arith::DivFOp::create(nb, nl, low, scale));
          Value rounded = math::RoundEvenOp::create(nb, nl, shifted);
          rounded = arith::MaximumFOp::create(nb, nl, rounded,
                                              constant(nb, nl, qmin));
          rounded = arith::MinimumFOp::create(nb, nl, rounded,
                                              constant(nb, nl, qmax));
          Value zeroPoint =
              arith::FPToSIOp::create(nb, nl, nb.getI32Type(), rounded);
          return {scale, zeroPoint};
        });
    params.scales = results[0];
    params.zeroPoints = results[1];
  }

  if (scheme.getGranularity() == Granularity::Group) {
    params.scales = appendUnitDim(b, loc, params.scales);
    if (params.zeroPoints)
      params.zeroPoints = appendUnitDim(b, loc, params.zeroPoints);
  }
  return params;
}
