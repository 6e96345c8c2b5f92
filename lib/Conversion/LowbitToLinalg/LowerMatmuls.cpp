//===- LowerMatmuls.cpp - dequant_matmul and matmul to linalg -------------===//
//
// lowbit.dequant_matmul, x : [P.., M, K], w : [N, K] (or [B, N, K]):
//
//   %acc = linalg.generic {loops (p.., m, n, k), k reduction}
//            ins(%x: (p.., m, k), %w: (n, k) | packed byte ((n*K + k) floordiv
//            2),
//                %s: (n) | (n, k floordiv G))
//            { acc + f32(x) * (s * decode(w)) }          (f32 accumulation)
//   %y   = linalg.generic { trunc(acc + bias[n]) }       (when needed)
//
// lowbit.matmul (exact products of codes, then the scales):
//
//   %acc = linalg.generic {loops (p.., m, n, [g,] j), j reduction}
//            { acc + (a - za) * (w - zw) }               (i32; f32 for FP8)
//            -> [p.., m, n(, g)] with k = g * G + j per weight scale block
//   %y   = linalg.generic {loops (p.., m, n, [g]), g reduction}
//            { y + sa * sw * f32(acc) }
//   %out = linalg.generic { requantize or trunc(y + bias[n]) }
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

namespace {

/// Inputs of a generic collected together with their maps; the body finds a
/// parameter either among its block arguments or as a scalar.
struct GenericInputs {
  SmallVector<Value> tensors;
  SmallVector<AffineMap> maps;

  /// Adds a tensor input; returns its block argument index.
  int add(Value tensor, AffineMap map) {
    tensors.push_back(tensor);
    maps.push_back(map);
    return tensors.size() - 1;
  }

  /// Adds `access` if it is a tensor; returns its index or -1.
  int add(const ParamAccess &access) {
    return access.tensor ? add(access.tensor, access.map) : -1;
  }
};

/// A parameter inside the body.
Value getParam(ValueRange args, int index, const ParamAccess &access) {
  return index >= 0 ? args[index] : access.scalar;
}

/// The matmul's loop structure: `p` leading loops for the activation's
/// leading dimensions (including M), then n, then the reduction.
struct MatmulLoops {
  unsigned numLeading;
  bool batchedWeight;
  SmallVector<AffineExpr> leading;
  AffineExpr n;
};

MatmulLoops getLoops(MLIRContext *ctx, RankedTensorType lhsType,
                     RankedTensorType rhsType) {
  MatmulLoops loops;
  loops.numLeading = lhsType.getRank() - 1;
  loops.batchedWeight = rhsType.getRank() == 3;
  for (unsigned i = 0; i < loops.numLeading; ++i)
    loops.leading.push_back(getAffineDimExpr(i, ctx));
  loops.n = getAffineDimExpr(loops.numLeading, ctx);
  return loops;
}

/// The weight's index for a reduction index `k`.
SmallVector<AffineExpr> weightIndex(const MatmulLoops &loops, AffineExpr k) {
  SmallVector<AffineExpr> index;
  if (loops.batchedWeight)
    index.push_back(loops.leading.front());
  index.push_back(loops.n);
  index.push_back(k);
  return index;
}

/// The activation's index for a reduction index `k`.
SmallVector<AffineExpr> activationIndex(const MatmulLoops &loops,
                                        AffineExpr k) {
  SmallVector<AffineExpr> index(loops.leading);
  index.push_back(k);
  return index;
}

/// The output's index [leading.., n].
SmallVector<AffineExpr> outputIndex(const MatmulLoops &loops) {
  SmallVector<AffineExpr> index(loops.leading);
  index.push_back(loops.n);
  return index;
}

/// Sizes of the [leading.., N] result.
SmallVector<OpFoldResult> getResultSizes(OpBuilder &b, Location loc, Value lhs,
                                         Value rhs) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, lhs);
  sizes.pop_back();
  SmallVector<OpFoldResult> rhsSizes = tensor::getMixedSizes(b, loc, rhs);
  sizes.push_back(rhsSizes[rhsSizes.size() - 2]);
  return sizes;
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type elementType) {
  Value empty = createEmptyTensor(b, loc, sizes, elementType);
  TypedAttr zero = b.getZeroAttr(elementType);
  Value zeroValue = arith::ConstantOp::create(b, loc, zero);
  return linalg::FillOp::create(b, loc, zeroValue, empty).getResult(0);
}

/// Adds a bias (broadcast along N) and converts the f32 accumulator to the
/// result's element type; returns `acc` unchanged when neither is needed.
Value emitRealEpilogue(OpBuilder &b, Location loc, Value acc, Value bias,
                       RankedTensorType resultType) {
  Type element = resultType.getElementType();
  if (!bias && element.isF32())
    return acc;
  unsigned rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  GenericInputs inputs;
  inputs.add(acc, b.getMultiDimIdentityMap(rank));
  int biasArg = -1;
  if (bias)
    biasArg = inputs.add(
        bias, AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, acc);
  Value init = createEmptyTensor(b, loc, sizes, element);
  inputs.maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs.tensors, ValueRange{init},
      inputs.maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value value = args[0];
        if (biasArg >= 0)
          value = arith::AddFOp::create(nb, nl, value,
                                        castScaleToF32(nb, nl, args[biasArg]));
        if (!element.isF32())
          value = arith::TruncFOp::create(nb, nl, element, value);
        linalg::YieldOp::create(nb, nl, value);
      });
  return generic.getResult(0);
}

} // namespace

LogicalResult mlir::lowbit::lowerDequantMatmul(RewriterBase &rewriter,
                                               DequantMatmulOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  SchemeAttr scheme = op.getScheme();
  RankedTensorType xType = op.getInput().getType();
  RankedTensorType wType = op.getWeight().getType();
  MatmulLoops loops = getLoops(ctx, xType, wType);
  unsigned numLoops = loops.numLeading + 2;
  AffineExpr k = getAffineDimExpr(numLoops - 1, ctx);

  CodeSource source = getCodeSource(rewriter, loc, op.getWeight());
  SmallVector<AffineExpr> wIndex = weightIndex(loops, k);
  AffineMap scaleMap =
      AffineMap::get(numLoops, 0, getScaleIndex(scheme, wIndex), ctx);

  GenericInputs inputs;
  inputs.add(op.getInput(),
             AffineMap::get(numLoops, 0, activationIndex(loops, k), ctx));
  inputs.add(source.tensor, getCodeReadMap(source, wIndex, numLoops));
  ParamAccess scale = getParamAccess(rewriter, loc, op.getScalesAttr(), Value(),
                                     numLoops, scaleMap);
  int scaleArg = inputs.add(scale);
  // Double-quantized scales: the scale codes above, plus one f32 scale per
  // 256 of them (block = flat scale index floordiv 256) and an offset.
  int blockScaleArg = -1;
  Value scaleOffset;
  if (ElementsAttr blocks = op.getScaleBlockScalesAttr()) {
    SmallVector<int64_t> scaleShape(
        cast<ElementsAttr>(op.getScalesAttr()).getShapedType().getShape());
    AffineExpr flat = getFlatExpr(getScaleIndex(scheme, wIndex), scaleShape);
    Value blockTensor = arith::ConstantOp::create(
        rewriter, loc, blocks.getShapedType(), cast<TypedAttr>(blocks));
    blockScaleArg = inputs.add(
        blockTensor, AffineMap::get(numLoops, 0, flat.floorDiv(256), ctx));
    scaleOffset =
        arith::ConstantOp::create(rewriter, loc, op.getScaleOffsetAttr());
  }
  ParamAccess zeroPoint;
  int zeroPointArg = -1;
  if (!scheme.getSymmetric()) {
    zeroPoint = getParamAccess(rewriter, loc, op.getZeroPointsAttr(), Value(),
                               numLoops, scaleMap);
    zeroPointArg = inputs.add(zeroPoint);
  }
  Value table = buildValueTable(rewriter, loc, scheme);

  SmallVector<OpFoldResult> sizes =
      getResultSizes(rewriter, loc, op.getInput(), op.getWeight());
  Type f32 = rewriter.getF32Type();
  Value init = createFilled(rewriter, loc, sizes, f32);
  inputs.maps.push_back(AffineMap::get(numLoops, 0, outputIndex(loops), ctx));
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto accType = RankedTensorType::get(op.getType().getShape(), f32);

  auto contraction = linalg::GenericOp::create(
      rewriter, loc, TypeRange{accType}, inputs.tensors, ValueRange{init},
      inputs.maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Value flatIndex;
        if (source.packed)
          flatIndex = emitFlatIndex(b, l, source, wIndex, numLoops);
        Value code =
            emitCodeAsI32(b, l, args[1], source.packed, flatIndex, scheme);
        Value zp;
        if (!scheme.getSymmetric()) {
          zp = getParam(args, zeroPointArg, zeroPoint);
          if (zp.getType() != b.getI32Type())
            zp = arith::ExtSIOp::create(b, l, b.getI32Type(), zp);
        }
        Value weight = emitDecodedValue(b, l, code, zp, table, scheme);
        Value s = getParam(args, scaleArg, scale);
        if (blockScaleArg >= 0) {
          // s = code * block scale + offset (f32 multiply, then add).
          s = arith::SIToFPOp::create(b, l, b.getF32Type(), s);
          s = arith::MulFOp::create(b, l, s, args[blockScaleArg]);
          s = arith::AddFOp::create(b, l, s, scaleOffset);
        }
        weight = arith::MulFOp::create(b, l, weight, castScaleToF32(b, l, s));
        Value x = args[0];
        if (x.getType() != f32)
          x = arith::ExtFOp::create(b, l, f32, x);
        Value product = arith::MulFOp::create(b, l, x, weight);
        linalg::YieldOp::create(
            b, l,
            arith::AddFOp::create(b, l, args.back(), product).getResult());
      });
  Value result = emitRealEpilogue(rewriter, loc, contraction.getResult(0),
                                  op.getBias(), op.getType());
  rewriter.replaceOp(op, result);
  return success();
}

LogicalResult mlir::lowbit::lowerMatmul(RewriterBase &rewriter, MatmulOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  SchemeAttr lhsScheme = op.getLhsScheme(), rhsScheme = op.getRhsScheme();
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  bool integer = rhsScheme.isIntegerFormat();
  Type accElement =
      integer ? Type(rewriter.getI32Type()) : Type(rewriter.getF32Type());
  MatmulLoops loops = getLoops(ctx, lhsType, rhsType);

  // Stage 1: exact sums of code products per weight scale block.
  bool grouped = rhsScheme.getGranularity() == Granularity::Group;
  int64_t groupSize = grouped ? rhsScheme.getGroupSize() : 0;
  unsigned numLoops1 = loops.numLeading + (grouped ? 3 : 2);
  AffineExpr g =
      grouped ? getAffineDimExpr(loops.numLeading + 1, ctx) : AffineExpr();
  AffineExpr j = getAffineDimExpr(numLoops1 - 1, ctx);
  AffineExpr k = grouped ? g * groupSize + j : j;

  CodeSource lhsSource = getCodeSource(rewriter, loc, op.getLhs());
  CodeSource rhsSource = getCodeSource(rewriter, loc, op.getRhs());
  SmallVector<AffineExpr> aIndex = activationIndex(loops, k);
  SmallVector<AffineExpr> wIndex = weightIndex(loops, k);

  GenericInputs inputs1;
  if (grouped && lhsSource.flat)
    return op.emitError() << "lowbit-lower-to-linalg: a constant packed "
                             "activation with group-wise weights is not "
                             "supported";
  if (grouped) {
    // Read the activation as [.., K/G, G] so that g and j appear as plain
    // loop dimensions (linalg needs every loop in some map as a dimension).
    int64_t k = lhsType.getShape().back();
    if (ShapedType::isDynamic(k))
      k = rhsType.getShape().back();
    if (ShapedType::isDynamic(k))
      return op.emitError() << "lowbit-lower-to-linalg: group-wise weights "
                               "need a static reduction size";
    Value lhsCodes = lhsSource.tensor;
    if (lhsType.isDynamicDim(lhsType.getRank() - 1)) {
      // The weight fixes K: make it static so the reshape is well typed.
      SmallVector<int64_t> staticShape(lhsType.getShape());
      staticShape.back() = k;
      lhsCodes = tensor::CastOp::create(rewriter, loc,
                                        lhsType.clone(staticShape), lhsCodes);
    }
    SmallVector<int64_t> expandedShape(lhsType.getShape().drop_back());
    expandedShape.append({k / groupSize, groupSize});
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t d = 0; d + 1 < lhsType.getRank(); ++d)
      reassociation.push_back({d});
    reassociation.push_back({lhsType.getRank() - 1, lhsType.getRank()});
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, lhsType.clone(expandedShape), lhsCodes, reassociation);
    SmallVector<AffineExpr> expandedIndex(loops.leading);
    expandedIndex.append({g, j});
    inputs1.add(expanded, AffineMap::get(numLoops1, 0, expandedIndex, ctx));
  } else {
    inputs1.add(lhsSource.tensor, getCodeReadMap(lhsSource, aIndex, numLoops1));
  }
  inputs1.add(rhsSource.tensor, getCodeReadMap(rhsSource, wIndex, numLoops1));
  ParamAccess lhsZp, rhsZp;
  int lhsZpArg = -1, rhsZpArg = -1;
  if (!lhsScheme.getSymmetric()) {
    lhsZp = getParamAccess(
        rewriter, loc, op.getLhsZeroPointsAttr(), op.getLhsDynamicZeroPoints(),
        numLoops1,
        AffineMap::get(numLoops1, 0, getScaleIndex(lhsScheme, aIndex), ctx));
    lhsZpArg = inputs1.add(lhsZp);
  }
  if (!rhsScheme.getSymmetric()) {
    rhsZp = getParamAccess(
        rewriter, loc, op.getRhsZeroPointsAttr(), Value(), numLoops1,
        AffineMap::get(numLoops1, 0, getScaleIndex(rhsScheme, wIndex), ctx));
    rhsZpArg = inputs1.add(rhsZp);
  }
  Value lhsTable = buildValueTable(rewriter, loc, lhsScheme);
  Value rhsTable = buildValueTable(rewriter, loc, rhsScheme);

  SmallVector<OpFoldResult> outSizes =
      getResultSizes(rewriter, loc, op.getLhs(), op.getRhs());
  SmallVector<OpFoldResult> accSizes(outSizes);
  SmallVector<AffineExpr> accIndex = outputIndex(loops);
  if (grouped) {
    int64_t k = lhsType.getShape().back();
    if (ShapedType::isDynamic(k))
      k = rhsType.getShape().back();
    if (ShapedType::isDynamic(k))
      return op.emitError() << "lowbit-lower-to-linalg: group-wise weights "
                               "need a static reduction size";
    accSizes.push_back(rewriter.getIndexAttr(k / groupSize));
    accIndex.push_back(g);
  }
  Value accInit = createFilled(rewriter, loc, accSizes, accElement);
  inputs1.maps.push_back(AffineMap::get(numLoops1, 0, accIndex, ctx));
  SmallVector<utils::IteratorType> iterators1(numLoops1,
                                              utils::IteratorType::parallel);
  iterators1.back() = utils::IteratorType::reduction;
  SmallVector<int64_t> accShape;
  for (OpFoldResult size : accSizes) {
    std::optional<int64_t> constant = getConstantIntValue(size);
    accShape.push_back(constant ? *constant : ShapedType::kDynamic);
  }
  auto accType = RankedTensorType::get(accShape, accElement);

  auto stage1 = linalg::GenericOp::create(
      rewriter, loc, TypeRange{accType}, inputs1.tensors, ValueRange{accInit},
      inputs1.maps, iterators1, [&](OpBuilder &b, Location l, ValueRange args) {
        auto operand = [&](unsigned argIndex, const CodeSource &source,
                           ArrayRef<AffineExpr> index, SchemeAttr scheme,
                           int zpArg, const ParamAccess &zpAccess,
                           Value table) -> Value {
          Value flatIndex;
          if (source.packed)
            flatIndex = emitFlatIndex(b, l, source, index, numLoops1);
          Value code = emitCodeAsI32(b, l, args[argIndex], source.packed,
                                     flatIndex, scheme);
          if (table)
            return emitDecodedValue(b, l, code, Value(), table, scheme);
          if (!scheme.getSymmetric()) {
            Value zp = getParam(args, zpArg, zpAccess);
            if (zp.getType() != b.getI32Type())
              zp = arith::ExtSIOp::create(b, l, b.getI32Type(), zp);
            code = arith::SubIOp::create(b, l, code, zp);
          }
          return code;
        };
        Value a =
            operand(0, lhsSource, aIndex, lhsScheme, lhsZpArg, lhsZp, lhsTable);
        Value w =
            operand(1, rhsSource, wIndex, rhsScheme, rhsZpArg, rhsZp, rhsTable);
        Value sum;
        if (integer)
          sum = arith::AddIOp::create(b, l, args.back(),
                                      arith::MulIOp::create(b, l, a, w));
        else
          sum = arith::AddFOp::create(b, l, args.back(),
                                      arith::MulFOp::create(b, l, a, w));
        linalg::YieldOp::create(b, l, sum);
      });

  // Stage 2: scales, summed over the blocks.
  unsigned numLoops2 = loops.numLeading + (grouped ? 2 : 1);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  AffineExpr blockStart = grouped ? g * groupSize : zero;
  GenericInputs inputs2;
  inputs2.add(stage1.getResult(0), AffineMap::get(numLoops2, 0, accIndex, ctx));
  ParamAccess lhsScale = getParamAccess(
      rewriter, loc, op.getLhsScalesAttr(), op.getLhsDynamicScales(), numLoops2,
      AffineMap::get(numLoops2, 0,
                     getScaleIndex(lhsScheme, activationIndex(loops, zero)),
                     ctx));
  ParamAccess rhsScale = getParamAccess(
      rewriter, loc, op.getRhsScalesAttr(), Value(), numLoops2,
      AffineMap::get(numLoops2, 0,
                     getScaleIndex(rhsScheme, weightIndex(loops, blockStart)),
                     ctx));
  int lhsScaleArg = inputs2.add(lhsScale);
  int rhsScaleArg = inputs2.add(rhsScale);
  Type f32 = rewriter.getF32Type();
  Value yInit = createFilled(rewriter, loc, outSizes, f32);
  inputs2.maps.push_back(AffineMap::get(numLoops2, 0, outputIndex(loops), ctx));
  SmallVector<utils::IteratorType> iterators2(numLoops2,
                                              utils::IteratorType::parallel);
  if (grouped)
    iterators2.back() = utils::IteratorType::reduction;
  auto yType = RankedTensorType::get(op.getType().getShape(), f32);
  auto stage2 = linalg::GenericOp::create(
      rewriter, loc, TypeRange{yType}, inputs2.tensors, ValueRange{yInit},
      inputs2.maps, iterators2, [&](OpBuilder &b, Location l, ValueRange args) {
        Value acc = args[0];
        if (integer)
          acc = arith::SIToFPOp::create(b, l, f32, acc);
        Value scale = arith::MulFOp::create(
            b, l, castScaleToF32(b, l, getParam(args, lhsScaleArg, lhsScale)),
            castScaleToF32(b, l, getParam(args, rhsScaleArg, rhsScale)));
        Value value = arith::MulFOp::create(b, l, acc, scale);
        linalg::YieldOp::create(
            b, l, arith::AddFOp::create(b, l, args.back(), value).getResult());
      });
  Value y = stage2.getResult(0);

  // Stage 3: bias, then the real result or a requantization.
  SchemeAttr resultScheme = op.getResultSchemeAttr();
  if (!resultScheme) {
    rewriter.replaceOp(
        op, emitRealEpilogue(rewriter, loc, y, op.getBias(), op.getType()));
    return success();
  }
  y = emitRealEpilogue(rewriter, loc, y, op.getBias(), yType);
  // Requantize through lowbit.quantize, lowered right away.
  auto quantize = QuantizeOp::create(
      rewriter, loc, op.getType(), y, /*dynamic_scales=*/Value(),
      /*dynamic_zero_points=*/Value(), resultScheme, op.getResultScalesAttr(),
      op.getResultZeroPointsAttr());
  rewriter.replaceOp(op, quantize.getResult());
  return lowerQuantize(rewriter, quantize);
}
