//===- ExportUpstreamQuant.cpp - lowbit-export-quant ----------------------===//
//
// lowbit ops with integer schemes and compile-time scales become upstream
// quant casts on !quant.uniform types (the inverse of lowbit-import-quant):
//
//   %c = lowbit.quantize %x as S scales(..)      : tensor<..xF> -> tensor<..xI>
//     -> %q = quant.qcast %x : tensor<..xF> to tensor<..x!quant.uniform<S>>
//        %c = quant.scast %q : tensor<..x!quant.uniform<S>> to tensor<..xI>
//
//   %x = lowbit.dequantize %c as S scales(..)    : tensor<..xI> -> tensor<..xF>
//     -> %q = quant.scast %c : tensor<..xI> to tensor<..x!quant.uniform<S>>
//        %x = quant.dcast %q : tensor<..x!quant.uniform<S>> to tensor<..xF>
//
//   %y = lowbit.dequant_matmul %x, %w as S scales(..) [bias(%b)]
//     -> %wf = quant.dcast(quant.scast %w)                  W in f32, [N, K]
//        %y  = linalg.matmul (m,n,k): x[m,k] * wf[n,k] += acc[m,n]
//              acc = broadcast(%b) along the rows, or 0
//
// dequant_matmul accumulates in f32 whatever its activation type, so the
// weight is dequantized to f32, the matmul accumulates into an f32 tensor and
// the result is truncated to f16/bf16 afterwards. Activations [..., M, K] of
// rank > 2 are collapsed to rows and expanded back; batched weights [B, N, K]
// use linalg.batch_matmul with the same transposed-B maps.
//
// Casts that cancel (scast(scast(c)) back to c's type) are removed, so a
// quantize -> dequantize pair becomes qcast -> dcast.
//
//===----------------------------------------------------------------------===//

#include "UpstreamQuantTypes.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_EXPORTUPSTREAMQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

/// Starts an error at `op` naming the pass and the op.
static InFlightDiagnostic emitExportError(Operation *op) {
  InFlightDiagnostic diag = op->emitError();
  diag << "lowbit-export-quant: cannot export " << op->getName() << ": ";
  return diag;
}

/// The upstream type of a tensor of `shape` quantized with the op's static
/// parameters; fails (with an error at `op`) when the scales are run-time
/// operands or the scheme has no !quant.uniform form.
static FailureOr<RankedTensorType>
getQuantizedTensorType(Operation *op, SchemeAttr scheme, Attribute scales,
                       Attribute zeroPoints, bool dynamic,
                       ArrayRef<int64_t> shape, Type expressedType) {
  if (dynamic)
    return emitExportError(op)
           << "its scales are computed at run time (operands); "
              "!quant.uniform types hold compile-time scales only";
  FailureOr<quant::QuantizedType> quantized =
      exportQuantizedType({scheme, scales, zeroPoints}, shape, expressedType,
                          [op]() { return emitExportError(op); });
  if (failed(quantized))
    return failure();
  return RankedTensorType::get(shape, *quantized);
}

/// `value` as `type` when their shapes differ only in which dimensions are
/// static.
static Value castTo(OpBuilder &builder, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(builder, loc, type, value);
}

static LogicalResult exportQuantize(QuantizeOp op) {
  RankedTensorType inputType = op.getInput().getType();
  FailureOr<RankedTensorType> quantizedType = getQuantizedTensorType(
      op, op.getScheme(), op.getScalesAttr(), op.getZeroPointsAttr(),
      op.getDynamicScales() || op.getDynamicZeroPoints(), inputType.getShape(),
      inputType.getElementType());
  if (failed(quantizedType))
    return failure();
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value quantized = quant::QuantizeCastOp::create(builder, loc, *quantizedType,
                                                  op.getInput());
  Value codes = quant::StorageCastOp::create(
      builder, loc,
      RankedTensorType::get(inputType.getShape(),
                            op.getType().getElementType()),
      quantized);
  op.getResult().replaceAllUsesWith(castTo(builder, loc, codes, op.getType()));
  op.erase();
  return success();
}

static LogicalResult exportDequantize(DequantizeOp op) {
  RankedTensorType codeType = op.getInput().getType();
  FailureOr<RankedTensorType> quantizedType = getQuantizedTensorType(
      op, op.getScheme(), op.getScalesAttr(), op.getZeroPointsAttr(),
      op.getDynamicScales() || op.getDynamicZeroPoints(), codeType.getShape(),
      op.getType().getElementType());
  if (failed(quantizedType))
    return failure();
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value quantized =
      quant::StorageCastOp::create(builder, loc, *quantizedType, op.getInput());
  Value real = quant::DequantizeCastOp::create(
      builder, loc,
      RankedTensorType::get(codeType.getShape(), op.getType().getElementType()),
      quantized);
  op.getResult().replaceAllUsesWith(castTo(builder, loc, real, op.getType()));
  op.erase();
  return success();
}

/// The static size of `size`, or ShapedType::kDynamic.
static int64_t getStaticSize(OpFoldResult size) {
  return getConstantIntValue(size).value_or(ShapedType::kDynamic);
}

static LogicalResult exportDequantMatmul(DequantMatmulOp op) {
  if (op.getScaleBlockScalesAttr())
    return op.emitError() << "lowbit-export-quant: double-quantized scales "
                             "(int8 codes of the scales) have no "
                             "!quant.uniform form";
  RankedTensorType inputType = op.getInput().getType();
  RankedTensorType weightType = op.getWeight().getType();
  RankedTensorType resultType = op.getType();
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Type f32 = builder.getF32Type();

  FailureOr<RankedTensorType> quantizedType = getQuantizedTensorType(
      op, op.getScheme(), op.getScalesAttr(), op.getZeroPointsAttr(),
      /*dynamic=*/false, weightType.getShape(), f32);
  if (failed(quantizedType))
    return failure();
  Value weight = quant::DequantizeCastOp::create(
      builder, loc, RankedTensorType::get(weightType.getShape(), f32),
      quant::StorageCastOp::create(builder, loc, *quantizedType,
                                   op.getWeight()));

  // A 2-D weight multiplies rows: collapse x [..., M, K] to [P, K].
  bool batched = weightType.getRank() == 3;
  int64_t inputRank = inputType.getRank();
  Value input = op.getInput();
  bool collapse = !batched && inputRank > 2;
  if (collapse) {
    ReassociationIndices rows;
    for (int64_t d = 0; d < inputRank - 1; ++d)
      rows.push_back(d);
    input = tensor::CollapseShapeOp::create(
        builder, loc, input,
        ArrayRef<ReassociationIndices>{rows, {inputRank - 1}});
  }

  // The f32 accumulator [rows..., N] starts at the bias (or zero).
  int64_t accRank = batched ? 3 : 2;
  SmallVector<OpFoldResult> accSizes;
  for (int64_t d = 0; d < accRank - 1; ++d)
    accSizes.push_back(tensor::getMixedSize(builder, loc, input, d));
  accSizes.push_back(tensor::getMixedSize(builder, loc, op.getWeight(),
                                          weightType.getRank() - 2));
  Value empty = tensor::EmptyOp::create(builder, loc, accSizes, f32);
  auto accType = cast<RankedTensorType>(empty.getType());
  Value acc;
  if (Value bias = op.getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (!biasType.getElementType().isF32())
      bias = arith::ExtFOp::create(
          builder, loc, RankedTensorType::get(biasType.getShape(), f32), bias);
    SmallVector<int64_t> broadcastDims;
    for (int64_t d = 0; d < accRank - 1; ++d)
      broadcastDims.push_back(d);
    acc = linalg::BroadcastOp::create(builder, loc, bias, empty, broadcastDims)
              ->getResult(0);
  } else {
    Value zero =
        arith::ConstantOp::create(builder, loc, builder.getF32FloatAttr(0.0f));
    acc = linalg::FillOp::create(builder, loc, TypeRange{accType},
                                 ValueRange{zero}, ValueRange{empty})
              ->getResult(0);
  }

  // y[.., m, n] += x[.., m, k] * w[.., n, k]: the weight is [N, K].
  MLIRContext *ctx = op.getContext();
  AffineExpr b, m, n, k;
  using MapList = ArrayRef<ArrayRef<AffineExpr>>;
  SmallVector<AffineMap> maps;
  if (batched) {
    bindDims(ctx, b, m, n, k);
    maps = AffineMap::inferFromExprList(
        MapList{{b, m, k}, {b, n, k}, {b, m, n}}, ctx);
  } else {
    bindDims(ctx, m, n, k);
    maps = AffineMap::inferFromExprList(MapList{{m, k}, {n, k}, {m, n}}, ctx);
  }
  SmallVector<Attribute> mapAttrs;
  for (AffineMap map : maps)
    mapAttrs.push_back(AffineMapAttr::get(map));
  Value product;
  if (batched) {
    auto matmul = linalg::BatchMatmulOp::create(
        builder, loc, TypeRange{accType}, ValueRange{input, weight},
        ValueRange{acc});
    matmul.setIndexingMapsAttr(builder.getArrayAttr(mapAttrs));
    product = matmul->getResult(0);
  } else {
    auto matmul =
        linalg::MatmulOp::create(builder, loc, TypeRange{accType},
                                 ValueRange{input, weight}, ValueRange{acc});
    matmul.setIndexingMapsAttr(builder.getArrayAttr(mapAttrs));
    product = matmul->getResult(0);
  }

  Type elementType = resultType.getElementType();
  if (elementType != f32)
    product = arith::TruncFOp::create(
        builder, loc, RankedTensorType::get(accType.getShape(), elementType),
        product);
  if (collapse) {
    SmallVector<OpFoldResult> outputSizes;
    SmallVector<int64_t> outputShape;
    ReassociationIndices rows;
    for (int64_t d = 0; d < inputRank - 1; ++d) {
      outputSizes.push_back(
          tensor::getMixedSize(builder, loc, op.getInput(), d));
      rows.push_back(d);
    }
    outputSizes.push_back(accSizes.back());
    for (OpFoldResult size : outputSizes)
      outputShape.push_back(getStaticSize(size));
    product = tensor::ExpandShapeOp::create(
        builder, loc, RankedTensorType::get(outputShape, elementType), product,
        ArrayRef<ReassociationIndices>{rows, {inputRank - 1}}, outputSizes);
  }
  op.getResult().replaceAllUsesWith(castTo(builder, loc, product, resultType));
  op.erase();
  return success();
}

namespace {

struct ExportUpstreamQuantPass
    : public mlir::lowbit::impl::ExportUpstreamQuantPassBase<
          ExportUpstreamQuantPass> {
  using ExportUpstreamQuantPassBase::ExportUpstreamQuantPassBase;

  // The zero accumulator and the f16/bf16 conversions of dequant_matmul are
  // arith ops, which Passes.td does not list.
  void getDependentDialects(DialectRegistry &registry) const override {
    ExportUpstreamQuantPassBase::getDependentDialects(registry);
    registry.insert<arith::ArithDialect>();
  }

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<QuantizeOp, DequantizeOp, DequantMatmulOp>(op))
        ops.push_back(op);
    });
    bool failed = false;
    for (Operation *op : ops) {
      LogicalResult result =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](QuantizeOp op) { return exportQuantize(op); })
              .Case([](DequantizeOp op) { return exportDequantize(op); })
              .Case([](DequantMatmulOp op) { return exportDequantMatmul(op); })
              .Default([](Operation *) { return success(); });
      failed |= mlir::failed(result);
    }
    foldStorageCastPairs(getOperation());
    if (failed)
      signalPassFailure();
  }
};

} // namespace
