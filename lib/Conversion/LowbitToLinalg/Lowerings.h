//===- Lowerings.h - lowbit op lowerings to linalg --------------*- C++ -*-===//
//
// One function per lowbit op, each replacing the op with linalg.generic on
// tensors or failing with a diagnostic at the op.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::lowbit {

LogicalResult lowerQuantize(RewriterBase &rewriter, QuantizeOp op);
LogicalResult lowerDequantize(RewriterBase &rewriter, DequantizeOp op);
LogicalResult lowerDequantMatmul(RewriterBase &rewriter, DequantMatmulOp op);
LogicalResult lowerMatmul(RewriterBase &rewriter, MatmulOp op);

/// An empty tensor of `shape` (dynamic sizes taken from `sizes`).
Value createEmptyTensor(OpBuilder &builder, Location loc,
                        ArrayRef<OpFoldResult> sizes, Type elementType);

/// The scale map of a quantized tensor whose index is `dims`: per axis the
/// axis' index, group-wise `dims` with the grouped one divided by the group
/// size, per tensor no result.
SmallVector<AffineExpr> getScaleIndex(SchemeAttr scheme,
                                      ArrayRef<AffineExpr> dims);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H
