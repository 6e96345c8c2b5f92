//===- ImportUpstreamQuant.cpp - lowbit-import-quant ----------------------===//
//
// Upstream quantize / dequantize casts on !quant.uniform types become lowbit
// ops whose scheme, scales and zero-points are read off the type:
//
//   %q = quant.qcast %x : tensor<SxF> to tensor<Sx!quant.uniform<..>>
//     -> %c = lowbit.quantize %x as #lowbit.scheme<..> scales(..)
//                 : tensor<SxF> -> tensor<SxI>
//        %q = quant.scast %c : tensor<SxI> to tensor<Sx!quant.uniform<..>>
//
//   %x = quant.dcast %q : tensor<Sx!quant.uniform<..>> to tensor<SxF>
//     -> %c = quant.scast %q : tensor<Sx!quant.uniform<..>> to tensor<SxI>
//        %x = lowbit.dequantize %c as #lowbit.scheme<..> scales(..)
//
// The storage casts keep every remaining user of the quantized value
// type-correct; pairs that cancel (scast(scast(c)) back to c's type) are
// removed, so qcast -> dcast becomes quantize -> dequantize and a quantized
// constant `dcast(scast(arith.constant))` becomes
// `lowbit.dequantize(arith.constant)`.
//
//===----------------------------------------------------------------------===//

#include "UpstreamQuantTypes.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_IMPORTUPSTREAMQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

struct ImportUpstreamQuantPass
    : public mlir::lowbit::impl::ImportUpstreamQuantPassBase<
          ImportUpstreamQuantPass> {
  using ImportUpstreamQuantPassBase::ImportUpstreamQuantPassBase;

  void runOnOperation() override;

private:
  /// The parameters of `type` (whose element type is quantized), converted
  /// once per type and use so that every op sharing a type shares its
  /// attributes (and dense_resource blobs).
  FailureOr<StaticQuantParams> getParams(Operation *op, Type type,
                                         QuantUse use);

  LogicalResult importQuantizeCast(quant::QuantizeCastOp op);
  LogicalResult importDequantizeCast(quant::DequantizeCastOp op);

  llvm::DenseMap<std::pair<Type, int>, StaticQuantParams> cache;
};

} // namespace

FailureOr<StaticQuantParams>
ImportUpstreamQuantPass::getParams(Operation *op, Type type, QuantUse use) {
  auto emitError = [op]() {
    InFlightDiagnostic diag = op->emitError();
    diag << "lowbit-import-quant: cannot import " << op->getName() << ": ";
    return diag;
  };
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return emitError() << "lowbit ops take ranked tensors, got " << type;
  auto key = std::make_pair(type, static_cast<int>(use));
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  FailureOr<StaticQuantParams> params =
      importQuantizedType(tensorType, use, emitError);
  if (succeeded(params))
    cache[key] = *params;
  return params;
}

LogicalResult
ImportUpstreamQuantPass::importQuantizeCast(quant::QuantizeCastOp op) {
  FailureOr<StaticQuantParams> params =
      getParams(op, op.getType(), QuantUse::Quantize);
  if (failed(params))
    return failure();
  auto quantizedType = cast<RankedTensorType>(op.getType());
  auto codeType = RankedTensorType::get(quantizedType.getShape(),
                                        params->scheme.getStorageType());
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value codes =
      QuantizeOp::create(builder, loc, codeType, op.getInput(),
                         /*dynamic_scales=*/Value(),
                         /*dynamic_zero_points=*/Value(), params->scheme,
                         params->scales, params->zeroPoints);
  Value quantized =
      quant::StorageCastOp::create(builder, loc, quantizedType, codes);
  op.getResult().replaceAllUsesWith(quantized);
  op.erase();
  return success();
}

LogicalResult
ImportUpstreamQuantPass::importDequantizeCast(quant::DequantizeCastOp op) {
  FailureOr<StaticQuantParams> params =
      getParams(op, op.getInput().getType(), QuantUse::Dequantize);
  if (failed(params))
    return failure();
  auto quantizedType = cast<RankedTensorType>(op.getInput().getType());
  auto codeType = RankedTensorType::get(quantizedType.getShape(),
                                        params->scheme.getStorageType());
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value codes =
      quant::StorageCastOp::create(builder, loc, codeType, op.getInput());
  Value real =
      DequantizeOp::create(builder, loc, op.getType(), codes,
                           /*dynamic_scales=*/Value(),
                           /*dynamic_zero_points=*/Value(), params->scheme,
                           params->scales, params->zeroPoints);
  op.getResult().replaceAllUsesWith(real);
  op.erase();
  return success();
}

void ImportUpstreamQuantPass::runOnOperation() {
  SmallVector<Operation *> casts;
  getOperation()->walk([&](Operation *op) {
    if (isa<quant::QuantizeCastOp, quant::DequantizeCastOp>(op))
      casts.push_back(op);
  });

  bool failed = false;
  for (Operation *op : casts) {
    LogicalResult result =
        isa<quant::QuantizeCastOp>(op)
            ? importQuantizeCast(cast<quant::QuantizeCastOp>(op))
            : importDequantizeCast(cast<quant::DequantizeCastOp>(op));
    failed |= mlir::failed(result);
  }
  foldStorageCastPairs(getOperation());
  cache.clear();
  if (failed)
    signalPassFailure();
}
