//===- LowbitFolds.cpp - folders of lowbit operations ---------------------===//
//
// quantize(dequantize(q)) -> q when both use the same scheme, scales and
// zero-points: every code of the scheme dequantizes to a value that rounds
// back to the same code, so the pair is the identity on codes.
// The intermediate real type must be f32: in f16 or bf16, s * (q - z) can
// round far enough to land on a neighbouring code. (dequantize(quantize(x))
// loses precision and is never folded.)
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

using namespace mlir;
using namespace mlir::lowbit;

OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  auto producer = getInput().getDefiningOp<DequantizeOp>();
  if (!producer || producer.getInput().getType() != getType() ||
      !getInput().getType().getElementType().isF32())
    return {};
  if (producer.getScheme() != getScheme() ||
      producer.getScalesAttr() != getScalesAttr() ||
      producer.getZeroPointsAttr() != getZeroPointsAttr() ||
      producer.getDynamicScales() != getDynamicScales() ||
      producer.getDynamicZeroPoints() != getDynamicZeroPoints())
    return {};
  return producer.getInput();
}
