//===- ErrorMetrics.h - Accuracy of an approximation ------------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The quality numbers lowbit reports for a quantized tensor or op output
// against its float reference. All sums are accumulated in double.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_ERRORMETRICS_H
#define LOWBIT_QUANT_ERRORMETRICS_H

#include <cstddef>

namespace lowbit::quant {

/// Accuracy of `approx` against `reference`, with e = reference - approx.
struct ErrorMetrics {
  /// 10 log10(sum ref^2 / sum e^2) in dB; +inf when e is all zero (including
  /// n = 0), -inf when the reference is all zero but e is not.
  double sqnrDb;
  /// dot(ref, approx) / (|ref| |approx|), clamped to [-1, 1]; 1 when both are
  /// all zero, 0 when exactly one is.
  double cosine;
  /// max |e_i|; 0 for n = 0.
  double maxAbs;
  /// |e| / |ref| (L2 norms); 0 when e is all zero, +inf when only the
  /// reference is all zero.
  double relativeL2;
};

/// Compares `n` floats of `approx` against `reference`. Non-finite inputs
/// make the affected metrics NaN or infinite rather than being skipped.
ErrorMetrics computeErrorMetrics(const float *reference, const float *approx,
                                 size_t n);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_ERRORMETRICS_H
