//===- Statistics.h - Streaming activation statistics -----------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Bounded-memory statistics that calibration accumulates over activation
// batches: no sample is stored, and the memory of each object depends only
// on its configuration (bins, channels), never on the number of samples.
// The calibrators (Calibrators.h) turn them into clipping ranges;
// docs/Calibration.md states every formula.
//
// Non-finite samples (NaN, +-Inf) never enter a statistic; each class counts
// them instead. None of the classes is thread-safe: callers that feed one
// object from several threads must serialise the calls.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CALIBRATION_STATISTICS_H
#define LOWBIT_CALIBRATION_STATISTICS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::calib {

//===----------------------------------------------------------------------===//
// MinMax
//===----------------------------------------------------------------------===//

/// Running minimum and maximum (NaN and Inf samples are counted in
/// `nonFinite()` and otherwise ignored).
class MinMax {
public:
  /// Folds `n` samples into the running extrema.
  void add(const float *data, size_t n);
  /// The smallest finite sample seen; 0 while `empty()`.
  double min() const;
  /// The largest finite sample seen; 0 while `empty()`.
  double max() const;
  /// The number of finite samples seen.
  uint64_t count() const;
  /// The number of NaN and +-Inf samples seen (and ignored).
  uint64_t nonFinite() const;
  /// True while no finite sample has been seen.
  bool empty() const;
  /// Folds another accumulator into this one, as if its samples had been
  /// added here.
  void merge(const MinMax &other);

private:
  /// Smallest finite sample; meaningful once finiteCount > 0.
  double minValue = 0.0;
  /// Largest finite sample; meaningful once finiteCount > 0.
  double maxValue = 0.0;
  /// Finite samples seen.
  uint64_t finiteCount = 0;
  /// NaN and +-Inf samples seen.
  uint64_t nonFiniteCount = 0;
};

//===----------------------------------------------------------------------===//
// MovingAverageMinMax
//===----------------------------------------------------------------------===//

/// Exponential moving average of per-batch min and max:
/// m = (1 - momentum) m + momentum * batch (the first batch initialises).
/// A batch without any finite sample is skipped: it neither updates the
/// averages nor counts in `batches()`.
class MovingAverageMinMax {
public:
  /// `momentum` is the weight of each new batch, in (0, 1].
  explicit MovingAverageMinMax(double momentum = 0.01);
  /// Folds the min and max of the finite samples of one batch of `n`
  /// samples into the averages.
  void addBatch(const float *data, size_t n);
  /// The averaged batch minimum; 0 before the first batch.
  double min() const;
  /// The averaged batch maximum; 0 before the first batch.
  double max() const;
  /// The number of batches folded in (batches with no finite sample are
  /// not counted).
  uint64_t batches() const;
  /// The number of NaN and +-Inf samples seen (and ignored).
  uint64_t nonFinite() const;
  /// The momentum given at construction.
  double momentum() const;

private:
  /// Weight of each new batch.
  double momentumValue;
  /// Averaged batch minimum.
  double minValue = 0.0;
  /// Averaged batch maximum.
  double maxValue = 0.0;
  /// Batches folded in.
  uint64_t batchCount = 0;
  /// NaN and +-Inf samples seen.
  uint64_t nonFiniteCount = 0;
};

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Histogram with a fixed number of bins over a range that grows as data
/// arrives. Memory is O(bins), independent of the number of samples.
///
/// Growth rule. Bins are half-open [lo + i w, lo + (i + 1) w) and lie on a
/// grid anchored at 0: the width w is a power of two and the range is
///   - unsigned: [0, B w) while every finite sample seen is >= 0,
///   - signed:   [-B/2 w, B/2 w) once any negative sample has been seen,
/// with B = bins(). The first finite sample fixes the mode and the smallest
/// such w (at least 2^-126) whose range holds the batch. When a later sample
/// falls outside [lo, hi), w is multiplied by the smallest power of two 2^k
/// (k >= 1) whose range holds it (switching unsigned -> signed costs one
/// extra doubling, as [0, B w) = [0, B/2 (2w))). Because both grids are
/// anchored at 0 and 2^k w is a multiple of w, every old bin lies inside
/// exactly one new bin (the one holding its left edge), so counts are merged
/// exactly, 2^k old bins per new bin, and the range only ever grows.
class Histogram {
public:
  /// `bins` must be even and at least 2 (it is rounded up to that otherwise).
  explicit Histogram(int64_t bins = 2048);
  /// Counts the finite samples among `n`, growing the range first if needed.
  void add(const float *data, size_t n);
  /// Left edge of bin 0; 0 while `total()` is 0.
  double lo() const;
  /// Right (exclusive) edge of the last bin; 0 while `total()` is 0.
  double hi() const;
  /// The number of bins B.
  int64_t bins() const;
  /// The B bin counts; bin i covers [lo() + i binWidth(), lo() + (i + 1)
  /// binWidth()).
  const std::vector<uint64_t> &counts() const;
  /// The number of finite samples counted (the sum of `counts()`).
  uint64_t total() const;
  /// The bin width w, a power of two; 0 while `total()` is 0.
  double binWidth() const;
  /// Left edge of bin `i` (0 <= i <= bins(); bins() gives `hi()`).
  double binEdge(int64_t i) const;
  /// True once a negative sample has made the range symmetric about 0.
  bool isSigned() const;
  /// The smallest finite sample counted; 0 while `total()` is 0.
  double dataMin() const;
  /// The largest finite sample counted; 0 while `total()` is 0.
  double dataMax() const;
  /// The number of NaN and +-Inf samples seen (and ignored).
  uint64_t nonFinite() const;
  /// Rebuilds a histogram from the state a statistics file stores: the bin
  /// counts, the range [lo, hi) and the data extremes (`dataMin()`,
  /// `dataMax()`). Returns std::nullopt, with a message naming the first
  /// inconsistency in `error` when given, unless the state is one `add`
  /// can produce: an even number (>= 2) of counts; when any count is
  /// non-zero, a width w = (hi - lo) / bins that is a power of two with
  /// lo = 0 or lo = -hi, and dataMin and dataMax finite and inside the first
  /// and last non-empty bins. With all counts zero, lo, hi and the extremes
  /// are ignored.
  static std::optional<Histogram> fromState(const std::vector<uint64_t> &counts,
                                            double lo, double hi,
                                            double dataMin, double dataMax,
                                            uint64_t nonFinite = 0,
                                            std::string *error = nullptr);
  /// Folds another histogram with the same number of bins into this one
  /// exactly (both are regridded to the wider of the two ranges). Returns
  /// false, changing nothing, when the bin counts differ.
  bool merge(const Histogram &other);

private:
  /// Makes the range hold [newMin, newMax], merging bins if it must grow.
  void growToHold(double newMin, double newMax);

  /// B, even and at least 2.
  int64_t numBins;
  /// The B counts.
  std::vector<uint64_t> binCounts;
  /// log2 of the bin width; meaningful once totalCount > 0.
  int widthExp = 0;
  /// Whether the range is [-B/2 w, B/2 w) rather than [0, B w).
  bool signedRange = false;
  /// Finite samples counted.
  uint64_t totalCount = 0;
  /// NaN and +-Inf samples seen.
  uint64_t nonFiniteCount = 0;
  /// Smallest finite sample counted.
  double minValue = 0.0;
  /// Largest finite sample counted.
  double maxValue = 0.0;
};

//===----------------------------------------------------------------------===//
// ChannelAbsMax
//===----------------------------------------------------------------------===//

/// max |x| per channel of a [rows, channels] row-major batch.
/// The first non-empty batch fixes the channel count; a later batch with
/// another channel count is a caller error: it is ignored and counted in
/// `rejectedBatches()`. A batch with no rows or no channels is a no-op.
class ChannelAbsMax {
public:
  /// Folds a [rows, channels] row-major batch into the per-channel maxima.
  void add(const float *data, size_t rows, size_t channels);
  /// One max |x| per channel (over finite samples; 0 for a channel with
  /// none); empty before the first batch.
  const std::vector<float> &values() const;
  /// The number of NaN and +-Inf samples seen (and ignored).
  uint64_t nonFinite() const;
  /// The number of batches ignored for a channel-count mismatch.
  uint64_t rejectedBatches() const;

private:
  /// max |x| per channel.
  std::vector<float> maxima;
  /// Whether a non-empty batch has fixed the channel count.
  bool initialised = false;
  /// NaN and +-Inf samples seen.
  uint64_t nonFiniteCount = 0;
  /// Batches ignored for a channel-count mismatch.
  uint64_t rejectedCount = 0;
};

//===----------------------------------------------------------------------===//
// Gram
//===----------------------------------------------------------------------===//

/// Accumulates X^T X (double) of [rows, channels] batches; `matrix()` is
/// channels x channels row-major. A row holding any NaN or Inf is skipped
/// whole (so it cannot poison the sums) and counted in `skippedRows()`.
/// The first non-empty batch fixes the channel count; a later batch with
/// another channel count is a caller error: it is ignored and counted in
/// `rejectedBatches()`. A batch with no rows or no channels is a no-op.
class Gram {
public:
  /// Adds x_r^T x_r for each finite row x_r of the batch.
  void add(const float *data, size_t rows, size_t channels);
  /// The symmetric channels x channels sum, row-major; empty before the
  /// first batch.
  const std::vector<double> &matrix() const;
  /// The channel count fixed by the first batch; 0 before it.
  size_t channels() const;
  /// The number of rows accumulated (skipped rows excluded).
  uint64_t rows() const;
  /// The number of rows skipped because they held a NaN or Inf.
  uint64_t skippedRows() const;
  /// The number of batches ignored for a channel-count mismatch.
  uint64_t rejectedBatches() const;

private:
  /// X^T X, row-major, kept symmetric after every batch.
  std::vector<double> sums;
  /// One row converted to double (scratch, channels long).
  std::vector<double> rowBuffer;
  /// The channel count fixed by the first non-empty batch.
  size_t numChannels = 0;
  /// Whether a non-empty batch has fixed the channel count.
  bool initialised = false;
  /// Rows accumulated.
  uint64_t rowCount = 0;
  /// Rows skipped for a NaN or Inf.
  uint64_t skippedCount = 0;
  /// Batches ignored for a channel-count mismatch.
  uint64_t rejectedCount = 0;
};

} // namespace lowbit::calib

#endif // LOWBIT_CALIBRATION_STATISTICS_H
