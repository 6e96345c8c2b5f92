//===- ContractionMatch.h - matmul-shaped contractions ----------*- C++ -*-===//
//
// Recognises a matmul `result = accumulator + lhs x rhs` whatever op spells
// it (linalg.matmul with any of its transposed indexing maps,
// linalg.batch_matmul, a contraction linalg.generic, tosa.matmul) and says
// how its right operand is laid out. Unlike ConstantWeightMatmul it puts no
// condition on where the operands come from.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONTRACTIONMATCH_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONTRACTIONMATCH_H

#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::lowbit {

/// A matmul in a layout lowbit's matmul ops can express.
struct MatmulContraction {
  Operation *op = nullptr;
  /// The left operand, `[..., M, K]` (`[B, M, K]` when `rhs` is batched).
  Value lhs;
  /// The right operand as stored: `[.., K, N]` when `rhsIsKN`, else
  /// `[.., N, K]`.
  Value rhs;
  bool rhsIsKN = false;
  /// What the products are added to; null when it is known to be zero.
  Value accumulator;
  /// The element type shared by both operands and the result.
  Type elementType;
};

/// Returns the description of `op` when it is a matmul whose operands and
/// result share one element type, with at most one batch dimension, one N
/// and one K dimension, and a right operand laid out `[.., K, N]` or
/// `[.., N, K]`.
std::optional<MatmulContraction> matchMatmulContraction(Operation *op);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONTRACTIONMATCH_H
