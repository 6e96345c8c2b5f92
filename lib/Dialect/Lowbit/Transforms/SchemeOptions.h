//===- SchemeOptions.h - pass options to quantization schemes ---*- C++ -*-===//
//
// Turns the textual scheme options shared by lowbit's passes (format,
// granularity, group size, symmetry, scale type) into a #lowbit.scheme for a
// given weight and into the numerics library's Scheme.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_SCHEMEOPTIONS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_SCHEMEOPTIONS_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Quant/Quantizer.h"

#include <string>

namespace mlir::lowbit {

/// The scheme a pass was asked for, before it is placed on a weight.
struct WeightSchemeRequest {
  StorageFormat format = StorageFormat::I8;
  /// Tensor, Axis (one scale per output channel) or Group (along K).
  Granularity granularity = Granularity::Axis;
  int64_t groupSize = 128;
  bool symmetric = true;
  Type scaleType;
};

/// Parses the option strings. On failure returns a message naming the option
/// and the accepted values.
FailureOr<WeightSchemeRequest> parseWeightSchemeRequest(
    MLIRContext *ctx, StringRef format, StringRef granularity,
    int64_t groupSize, bool symmetric, StringRef scaleType, std::string &error);

/// The scheme for a weight of `shape` laid out `[.., N, K]`: per-axis
/// scales run along N (axis rank-2), groups along K (axis rank-1); per
/// channel on a batched `[B, N, K]` weight is one scale per (b, n), i.e.
/// groups of K.
SchemeAttr getWeightScheme(MLIRContext *ctx, const WeightSchemeRequest &request,
                           ArrayRef<int64_t> shape);

/// The numerics library's view of a scheme attribute.
::lowbit::quant::Scheme toNumericsScheme(SchemeAttr scheme);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_SCHEMEOPTIONS_H
