//===- QuantParams.h - checks of scales and zero-points ---------*- C++ -*-===//
//
// The rules that tie a quantized tensor, its #lowbit.scheme and its scales and
// zero-points together, shared by the verifiers of every lowbit op.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_QUANTPARAMS_H
#define LOWBIT_DIALECT_LOWBIT_IR_QUANTPARAMS_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include <string>

namespace mlir::lowbit {

/// The quantization parameters of one quantized tensor of an op: its scheme,
/// its codes' type, and its scales/zero-points, each given either statically
/// (attribute) or dynamically (SSA value).
struct QuantParams {
  /// Prefix for diagnostics ("", "lhs ", "rhs ", "result ").
  StringRef role;
  SchemeAttr scheme;
  RankedTensorType codeType;
  Attribute staticScales;
  Value dynamicScales;
  Attribute staticZeroPoints;
  Value dynamicZeroPoints;
  /// The static scales are i8 codes of double-quantized scales (checked by
  /// the op: only their element type and shape are checked here).
  bool scalesAreCodes = false;
};

/// Prints a shape as `[a, b, ?]` for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape);

/// Verifies `params` on behalf of `op`: the code element type matches the
/// scheme's storage format, the scheme fits the tensor's shape, exactly one
/// source of scales is given and its type and shape follow the granularity,
/// and zero-points are present exactly for affine schemes, shaped like the
/// scales and inside the format's code range.
LogicalResult verifyQuantParams(Operation *op, const QuantParams &params);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_IR_QUANTPARAMS_H
