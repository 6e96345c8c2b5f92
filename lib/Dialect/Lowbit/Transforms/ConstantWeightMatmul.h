//===- ConstantWeightMatmul.h - matmuls with a constant weight --*- C++ -*-===//
//
// Recognises the matmuls lowbit quantizes: a contraction of an activation
// `[..., M, K]` with a float constant weight, whatever op spells it
// (linalg.matmul with any of its transposed indexing maps, linalg.batch_matmul,
// a contraction linalg.generic, tosa.matmul).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTWEIGHTMATMUL_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTWEIGHTMATMUL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::lowbit {

/// A matmul `result = accumulator + input x weight` whose weight is a float
/// constant.
struct ConstantWeightMatmul {
  Operation *op = nullptr;
  /// The activation, `[..., M, K]` (`[B, M, K]` when the weight is batched).
  Value input;
  /// The weight constant as stored: `[.., K, N]` when `weightIsKN`, else
  /// `[.., N, K]`.
  ElementsAttr weight;
  Value weightValue;
  bool weightIsKN = false;
  /// What the products are added to; null when it is known to be zero.
  Value accumulator;
};

/// Returns the description of `op` when it is a matmul with a constant
/// float weight in a layout lowbit.dequant_matmul can express.
std::optional<ConstantWeightMatmul> matchConstantWeightMatmul(Operation *op);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTWEIGHTMATMUL_H
