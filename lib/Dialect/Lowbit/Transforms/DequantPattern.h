//===- DequantPattern.h - recognising dequantizations -----------*- C++ -*-===//
//
// Finds the dequantization that produced a value, whichever way the IR spells
// it: a lowbit.dequantize, or an elementwise linalg.generic whose body
// computes `(ext(q) - z) * s` from integer (or FP8/FP4) codes and constant
// scales and zero-points broadcast over them.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DEQUANTPATTERN_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DEQUANTPATTERN_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::lowbit {

/// A dequantization `x = s * (q - z)` (integer formats) or `x = s * value(q)`
/// (NF4, FP4, FP8) found in the IR, in the terms of lowbit.dequantize.
struct Dequantization {
  /// The op computing it: a lowbit.dequantize or a linalg.generic.
  Operation *op = nullptr;
  /// The codes, shaped like the dequantized value; the scheme's axis counts
  /// their dimensions.
  Value codes;
  SchemeAttr scheme;
  /// Scales and zero-points known at compile time (null when absent or
  /// given as operands).
  Attribute scales;
  Attribute zeroPoints;
  /// Scales and zero-points known at run time only (lowbit.dequantize).
  Value dynamicScales;
  Value dynamicZeroPoints;

  /// True when every parameter is an attribute.
  bool hasStaticParams() const { return !dynamicScales && !dynamicZeroPoints; }
};

/// Returns the dequantization that produced `value`. A lowbit.dequantize is
/// taken as it is. An elementwise linalg.generic is accepted when its body
/// computes exactly a dequantization from one code input and constants read
/// through broadcasting indexing maps; its scales (and zero-points) may be
/// one value for the whole tensor or vary along codes dimension `channelDim`
/// only, giving a per-tensor or a per-axis (axis = `channelDim`) scheme.
/// On failure, says why through `rewriter.notifyMatchFailure(anchor, ...)`.
FailureOr<Dequantization> matchDequantization(RewriterBase &rewriter,
                                              Operation *anchor, Value value,
                                              int64_t channelDim);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DEQUANTPATTERN_H
