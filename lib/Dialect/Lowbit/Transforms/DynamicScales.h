//===- DynamicScales.h - IR that computes activation scales -----*- C++ -*-===//
//
// Builds the tensor IR that computes quantization scales (and zero-points)
// of a value at run time: per tensor, or per row (token) along the last
// dimension.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DYNAMICSCALES_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DYNAMICSCALES_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

/// Scales (f32) and zero-points (i32, null for symmetric schemes), shaped as
/// `scheme` requires for a tensor shaped like the input.
struct DynamicQuantParams {
  Value scales;
  Value zeroPoints;
};

/// The activation scheme for `x : [..., M, K]`: per tensor, or per token
/// (one scale per row: `axis = 0` for rank 2, `group = K, axis = rank-1`
/// otherwise, so every row of every batch has its own scale). Returns null
/// when per token is asked for an x whose K is dynamic.
SchemeAttr getActivationScheme(MLIRContext *ctx, StorageFormat format,
                               bool perToken, bool symmetric,
                               RankedTensorType xType);

/// Emits, at the builder's insertion point, the computation of `x`'s
/// scales (and zero-points when the scheme is affine) under `scheme`:
///   symmetric: s = max(max|x|, tiny * qmax) / qmax
///   affine:    lo = min(min x, 0), hi = max(max x, 0),
///              s = max(hi - lo, tiny * (qmax - qmin)) / (qmax - qmin),
///              z = clamp(round_half_even(qmin - lo / s), qmin, qmax)
/// over each row (per token) or the whole tensor, where `tiny` is the
/// smallest normal f32 (all-zero rows get a valid, positive scale).
DynamicQuantParams buildDynamicQuantParams(OpBuilder &builder, Location loc,
                                           Value x, SchemeAttr scheme);

/// The largest magnitude a symmetric scale maps to (127 for i8, 448 for
/// f8E4M3FN, 57344 for f8E5M2, ...), and the code range for affine schemes.
double getSymmetricCodeMax(StorageFormat format);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_DYNAMICSCALES_H
