//===- Calibrators.h - Clipping ranges from statistics ----------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Calibrators turn the statistics of Statistics.h into the clipping range of
// a uniform quantizer. Scales and zero-points follow from the range: for a
// symmetric range [-t, t] and int8, s = t / 127; for an asymmetric range the
// caller nudges the zero-point to an integer as usual.
//
// The histogram calibrators model each bin's count as spread uniformly over
// the bin, with the first and last occupied bins trimmed to the observed
// data minimum and maximum, so a range never exceeds the min-max range.
// Symmetric calibrators work on the histogram of |x| obtained by folding the
// bins about 0, which is exact because the bins lie on a grid anchored at 0.
//
// `levels` is the number of reconstruction points on one side of a
// symmetric quantizer including 0 (128 for int8, codes -127..127) and the
// total number of points of an asymmetric one (256 for int8).
// docs/Calibration.md gives the formulas.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CALIBRATION_CALIBRATORS_H
#define LOWBIT_CALIBRATION_CALIBRATORS_H

#include "lowbit/Calibration/Statistics.h"

namespace lowbit::calib {

/// A clipping range for quantization.
struct ClipRange {
  /// Lower end of the range.
  double lo;
  /// Upper end of the range.
  double hi;
};

/// The observed range [min, max]; {0, 0} when `stats` is empty.
ClipRange calibrateMinMax(const MinMax &stats);

/// Range covering `percentile` (e.g. 99.99) of the histogram's mass;
/// symmetric: [-t, t] with t the percentile of |x|. Asymmetric: the tails
/// below and above the range each hold (100 - percentile) / 2 percent.
/// Quantiles interpolate linearly inside a bin. `percentile` is clamped to
/// [0, 100]; 100 gives the min-max range. {0, 0} for an empty histogram.
ClipRange calibratePercentile(const Histogram &hist, double percentile,
                              bool symmetric);

/// TensorRT-style entropy calibration: choose the threshold minimising
/// KL(P || Q) between the clipped reference distribution and its quantized
/// version with `levels` levels (128 for symmetric int8), over candidate
/// thresholds on bin edges.
///
/// For a candidate window of n >= `levels` bins, P is the window's counts
/// with the mass outside it added to its end bins, and Q merges the window's
/// own counts into `levels` groups of about n / levels bins and spreads each
/// group's sum evenly over its non-empty bins. Symmetric: windows [0, t) of
/// the |x| histogram, result [-t, t]. Asymmetric: both window ends are
/// searched by alternating one-dimensional searches (coordinate descent from
/// the full data range). Falls back to the min-max range when the data span
/// fewer than `levels` bins.
ClipRange calibrateEntropy(const Histogram &hist, int levels, bool symmetric);

/// Threshold minimising the expected squared quantization error (rounding +
/// clipping) over the histogram for a uniform quantizer with `levels`
/// levels.
///
/// The error of each bin is integrated exactly under the uniform-in-bin
/// model. Candidates are the bin edges inside the data range and the data
/// extremes themselves. Symmetric: t over the |x| histogram, result
/// [-t, t]; asymmetric: coordinate descent over both ends, as for entropy.
ClipRange calibrateMSE(const Histogram &hist, int levels, bool symmetric);

/// The expected squared error per sample, under the histogram's
/// uniform-in-bin model, of rounding to the nearest of `levels` points
/// evenly spaced over [range.lo, range.hi] (symmetric: the 2 levels - 1
/// points k t / (levels - 1), |k| < levels, with t = range.hi) and clipping
/// to it. The objective `calibrateMSE` minimises.
double expectedSquaredError(const Histogram &hist, ClipRange range, int levels,
                            bool symmetric);

} // namespace lowbit::calib

#endif // LOWBIT_CALIBRATION_CALIBRATORS_H
