//===- Statistics.cpp - Streaming activation statistics -------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The histogram keeps its bins on a grid anchored at 0 with a power-of-two
// width w = 2^e, so bin i of the range is the integer grid cell g = off + i
// (off = -B/2 when signed, 0 otherwise) and holds [g w, (g + 1) w). Growing
// to w' = 2^k w maps cell g to cell floor(g / 2^k), which is exact integer
// arithmetic; placing a sample is floor(x / w) = floor(x * 2^-e), exact in
// double for every float x (a power-of-two scaling within double's range).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Statistics.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace lowbit::calib;

/// Smallest allowed bin-width exponent: 2^-126 is the smallest normal float.
static constexpr int kMinWidthExp = -126;

/// The finite extrema of `n` samples; returns false when there is none.
/// Adds the number of non-finite samples to `nonFinite`.
static bool finiteExtrema(const float *data, size_t n, double &lo, double &hi,
                          uint64_t &finite, uint64_t &nonFinite) {
  float mn = 0.0f, mx = 0.0f;
  bool any = false;
  uint64_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const float x = data[i];
    if (!std::isfinite(x)) {
      ++bad;
      continue;
    }
    if (!any) {
      mn = mx = x;
      any = true;
      continue;
    }
    mn = std::min(mn, x);
    mx = std::max(mx, x);
  }
  nonFinite += bad;
  finite = n - bad;
  lo = mn;
  hi = mx;
  return any;
}

//===----------------------------------------------------------------------===//
// MinMax
//===----------------------------------------------------------------------===//

void MinMax::add(const float *data, size_t n) {
  double lo, hi;
  uint64_t finite;
  if (!finiteExtrema(data, n, lo, hi, finite, nonFiniteCount))
    return;
  if (finiteCount == 0) {
    minValue = lo;
    maxValue = hi;
  } else {
    minValue = std::min(minValue, lo);
    maxValue = std::max(maxValue, hi);
  }
  finiteCount += finite;
}

double MinMax::min() const { return minValue; }
double MinMax::max() const { return maxValue; }
uint64_t MinMax::count() const { return finiteCount; }
uint64_t MinMax::nonFinite() const { return nonFiniteCount; }
bool MinMax::empty() const { return finiteCount == 0; }

void MinMax::merge(const MinMax &other) {
  nonFiniteCount += other.nonFiniteCount;
  if (other.finiteCount == 0)
    return;
  if (finiteCount == 0) {
    minValue = other.minValue;
    maxValue = other.maxValue;
  } else {
    minValue = std::min(minValue, other.minValue);
    maxValue = std::max(maxValue, other.maxValue);
  }
  finiteCount += other.finiteCount;
}

//===----------------------------------------------------------------------===//
// MovingAverageMinMax
//===----------------------------------------------------------------------===//

MovingAverageMinMax::MovingAverageMinMax(double momentum)
    : momentumValue(momentum) {
  assert(momentum > 0.0 && momentum <= 1.0 && "momentum must be in (0, 1]");
}

void MovingAverageMinMax::addBatch(const float *data, size_t n) {
  double lo, hi;
  uint64_t finite;
  if (!finiteExtrema(data, n, lo, hi, finite, nonFiniteCount))
    return;
  if (batchCount == 0) {
    minValue = lo;
    maxValue = hi;
  } else {
    minValue = (1.0 - momentumValue) * minValue + momentumValue * lo;
    maxValue = (1.0 - momentumValue) * maxValue + momentumValue * hi;
  }
  ++batchCount;
}

double MovingAverageMinMax::min() const { return minValue; }
double MovingAverageMinMax::max() const { return maxValue; }
uint64_t MovingAverageMinMax::batches() const { return batchCount; }
uint64_t MovingAverageMinMax::nonFinite() const { return nonFiniteCount; }
double MovingAverageMinMax::momentum() const { return momentumValue; }

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Grid cell of the first bin: -B/2 for a signed range, 0 otherwise.
static int64_t gridOffset(int64_t bins, bool isSigned) {
  return isSigned ? -bins / 2 : 0;
}

/// floor(g / 2^k) for k >= 0, without overflow for any k.
static int64_t floorShift(int64_t g, int k) {
  if (k >= 63)
    return g < 0 ? -1 : 0;
  if (g >= 0)
    return g >> k;
  return -((-g - 1) >> k) - 1;
}

/// Whether the range with `bins` bins of width 2^e holds [mn, mx].
static bool rangeHolds(int64_t bins, bool isSigned, int e, double mn,
                       double mx) {
  const int64_t off = gridOffset(bins, isSigned);
  const double lo = std::ldexp(static_cast<double>(off), e);
  const double hi = std::ldexp(static_cast<double>(off + bins), e);
  return mn >= lo && mx < hi;
}

/// The smallest exponent e >= max(floorExp, kMinWidthExp) whose range holds
/// [mn, mx].
static int smallestWidthExp(int64_t bins, bool isSigned, double mn, double mx,
                            int floorExp) {
  const double maxAbs = std::max(std::fabs(mn), std::fabs(mx));
  int e = std::max(floorExp, kMinWidthExp);
  if (maxAbs > 0.0) {
    // bins * 2^e must exceed maxAbs / 2 at least, so start just below that.
    const int guess =
        std::ilogb(maxAbs) - std::ilogb(static_cast<double>(bins)) - 2;
    e = std::max(e, guess);
  }
  while (!rangeHolds(bins, isSigned, e, mn, mx))
    ++e;
  return e;
}

/// Regrids `counts` from (fromSigned, 2^fromExp) to (toSigned, 2^toExp),
/// which must hold it: toExp >= fromExp, and toExp > fromExp when the mode
/// changes from unsigned to signed.
static std::vector<uint64_t> regrid(const std::vector<uint64_t> &counts,
                                    bool fromSigned, int fromExp, bool toSigned,
                                    int toExp) {
  const int64_t bins = static_cast<int64_t>(counts.size());
  assert(toExp >= fromExp && (toSigned == fromSigned || toExp > fromExp));
  assert(!fromSigned || toSigned);
  const int64_t fromOff = gridOffset(bins, fromSigned);
  const int64_t toOff = gridOffset(bins, toSigned);
  const int k = toExp - fromExp;
  std::vector<uint64_t> result(counts.size(), 0);
  for (int64_t i = 0; i < bins; ++i) {
    if (counts[i] == 0)
      continue;
    const int64_t j = floorShift(fromOff + i, k) - toOff;
    assert(j >= 0 && j < bins && "old bin outside the new range");
    result[j] += counts[i];
  }
  return result;
}

Histogram::Histogram(int64_t bins) {
  numBins = std::max<int64_t>(2, bins + (bins & 1));
  binCounts.assign(static_cast<size_t>(numBins), 0);
}

void Histogram::growToHold(double newMin, double newMax) {
  if (totalCount == 0) {
    signedRange = newMin < 0.0;
    widthExp =
        smallestWidthExp(numBins, signedRange, newMin, newMax, kMinWidthExp);
    return;
  }
  const bool toSigned = signedRange || newMin < 0.0;
  if (toSigned == signedRange &&
      rangeHolds(numBins, signedRange, widthExp, newMin, newMax))
    return;
  const double mn = std::min(minValue, newMin);
  const double mx = std::max(maxValue, newMax);
  const int floorExp = widthExp + (toSigned != signedRange ? 1 : 0);
  const int toExp = smallestWidthExp(numBins, toSigned, mn, mx, floorExp);
  binCounts = regrid(binCounts, signedRange, widthExp, toSigned, toExp);
  signedRange = toSigned;
  widthExp = toExp;
}

void Histogram::add(const float *data, size_t n) {
  double lo, hi;
  uint64_t finite;
  if (!finiteExtrema(data, n, lo, hi, finite, nonFiniteCount))
    return;
  growToHold(lo, hi);

  const double invWidth = std::ldexp(1.0, -widthExp);
  const int64_t off = gridOffset(numBins, signedRange);
  for (size_t i = 0; i < n; ++i) {
    const float x = data[i];
    if (!std::isfinite(x))
      continue;
    // Exact: x * 2^-e is a power-of-two scaling of a float in double.
    int64_t j =
        static_cast<int64_t>(std::floor(static_cast<double>(x) * invWidth)) -
        off;
    j = std::clamp<int64_t>(j, 0, numBins - 1);
    ++binCounts[static_cast<size_t>(j)];
  }

  if (totalCount == 0) {
    minValue = lo;
    maxValue = hi;
  } else {
    minValue = std::min(minValue, lo);
    maxValue = std::max(maxValue, hi);
  }
  totalCount += finite;
}

bool Histogram::merge(const Histogram &other) {
  if (other.numBins != numBins)
    return false;
  nonFiniteCount += other.nonFiniteCount;
  if (other.totalCount == 0)
    return true;
  if (totalCount == 0) {
    const uint64_t keepNonFinite = nonFiniteCount;
    *this = other;
    nonFiniteCount = keepNonFinite;
    return true;
  }
  const bool toSigned = signedRange || other.signedRange;
  const int toExp =
      std::max(widthExp + (toSigned != signedRange ? 1 : 0),
               other.widthExp + (toSigned != other.signedRange ? 1 : 0));
  std::vector<uint64_t> mine =
      regrid(binCounts, signedRange, widthExp, toSigned, toExp);
  const std::vector<uint64_t> theirs = regrid(
      other.binCounts, other.signedRange, other.widthExp, toSigned, toExp);
  for (size_t i = 0; i < mine.size(); ++i)
    mine[i] += theirs[i];
  binCounts = std::move(mine);
  signedRange = toSigned;
  widthExp = toExp;
  minValue = std::min(minValue, other.minValue);
  maxValue = std::max(maxValue, other.maxValue);
  totalCount += other.totalCount;
  return true;
}

std::optional<Histogram>
Histogram::fromState(const std::vector<uint64_t> &counts, double lo, double hi,
                     double dataMin, double dataMax, uint64_t nonFinite,
                     std::string *error) {
  auto fail = [&](const std::string &message) -> std::optional<Histogram> {
    if (error)
      *error = message;
    return std::nullopt;
  };
  const int64_t bins = static_cast<int64_t>(counts.size());
  if (bins < 2 || bins % 2 != 0)
    return fail("histogram has " + std::to_string(bins) +
                " bins; expected an even number, at least 2");
  Histogram hist(bins);
  hist.nonFiniteCount = nonFinite;
  uint64_t total = 0;
  int64_t first = -1, last = -1;
  for (int64_t i = 0; i < bins; ++i) {
    if (counts[i] == 0)
      continue;
    total += counts[i];
    if (first < 0)
      first = i;
    last = i;
  }
  if (total == 0)
    return hist;

  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > 0.0))
    return fail("histogram range [" + std::to_string(lo) + ", " +
                std::to_string(hi) + ") is not finite with hi > 0");
  const bool isSigned = lo != 0.0;
  if (isSigned && lo != -hi)
    return fail("histogram range [" + std::to_string(lo) + ", " +
                std::to_string(hi) + ") is neither [0, hi) nor [-hi, hi)");
  // hi = (bins or bins/2) * 2^e exactly.
  const double cells = static_cast<double>(isSigned ? bins / 2 : bins);
  int exp;
  const double mantissa = std::frexp(hi / cells, &exp);
  if (mantissa != 0.5 || std::ldexp(cells, exp - 1) != hi)
    return fail("histogram bin width " + std::to_string(hi / cells) +
                " is not a power of two");
  hist.widthExp = exp - 1;
  hist.signedRange = isSigned;

  if (!std::isfinite(dataMin) || !std::isfinite(dataMax) || dataMin > dataMax)
    return fail("histogram data range [" + std::to_string(dataMin) + ", " +
                std::to_string(dataMax) + "] is not a finite interval");
  const double invWidth = std::ldexp(1.0, -hist.widthExp);
  const int64_t off = gridOffset(bins, isSigned);
  const int64_t minBin =
      static_cast<int64_t>(std::floor(dataMin * invWidth)) - off;
  const int64_t maxBin =
      static_cast<int64_t>(std::floor(dataMax * invWidth)) - off;
  if (minBin != first || maxBin != last)
    return fail("histogram data range [" + std::to_string(dataMin) + ", " +
                std::to_string(dataMax) + "] falls in bins " +
                std::to_string(minBin) + ".." + std::to_string(maxBin) +
                " but the non-empty bins are " + std::to_string(first) + ".." +
                std::to_string(last));
  hist.binCounts = counts;
  hist.totalCount = total;
  hist.minValue = dataMin;
  hist.maxValue = dataMax;
  return hist;
}

double Histogram::lo() const { return totalCount ? binEdge(0) : 0.0; }
double Histogram::hi() const { return totalCount ? binEdge(numBins) : 0.0; }
int64_t Histogram::bins() const { return numBins; }
const std::vector<uint64_t> &Histogram::counts() const { return binCounts; }
uint64_t Histogram::total() const { return totalCount; }
double Histogram::binWidth() const {
  return totalCount ? std::ldexp(1.0, widthExp) : 0.0;
}
double Histogram::binEdge(int64_t i) const {
  if (totalCount == 0)
    return 0.0;
  return std::ldexp(static_cast<double>(gridOffset(numBins, signedRange) + i),
                    widthExp);
}
bool Histogram::isSigned() const { return signedRange; }
double Histogram::dataMin() const { return minValue; }
double Histogram::dataMax() const { return maxValue; }
uint64_t Histogram::nonFinite() const { return nonFiniteCount; }

//===----------------------------------------------------------------------===//
// ChannelAbsMax
//===----------------------------------------------------------------------===//

void ChannelAbsMax::add(const float *data, size_t rows, size_t channels) {
  if (rows == 0 || channels == 0)
    return;
  if (!initialised) {
    maxima.assign(channels, 0.0f);
    initialised = true;
  } else if (channels != maxima.size()) {
    ++rejectedCount;
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    const float *row = data + r * channels;
    for (size_t c = 0; c < channels; ++c) {
      const float a = std::fabs(row[c]);
      if (!std::isfinite(a)) {
        ++nonFiniteCount;
        continue;
      }
      maxima[c] = std::max(maxima[c], a);
    }
  }
}

const std::vector<float> &ChannelAbsMax::values() const { return maxima; }
uint64_t ChannelAbsMax::nonFinite() const { return nonFiniteCount; }
uint64_t ChannelAbsMax::rejectedBatches() const { return rejectedCount; }

//===----------------------------------------------------------------------===//
// Gram
//===----------------------------------------------------------------------===//

void Gram::add(const float *data, size_t rows, size_t channels) {
  if (rows == 0 || channels == 0)
    return;
  if (!initialised) {
    numChannels = channels;
    sums.assign(channels * channels, 0.0);
    rowBuffer.resize(channels);
    initialised = true;
  } else if (channels != numChannels) {
    ++rejectedCount;
    return;
  }
  const size_t c = numChannels;
  for (size_t r = 0; r < rows; ++r) {
    const float *row = data + r * c;
    bool finite = true;
    for (size_t i = 0; i < c; ++i) {
      if (!std::isfinite(row[i])) {
        finite = false;
        break;
      }
      rowBuffer[i] = row[i];
    }
    if (!finite) {
      ++skippedCount;
      continue;
    }
    // Upper triangle only; mirrored once per batch below.
    for (size_t i = 0; i < c; ++i) {
      const double xi = rowBuffer[i];
      if (xi == 0.0)
        continue;
      double *out = sums.data() + i * c;
      for (size_t j = i; j < c; ++j)
        out[j] += xi * rowBuffer[j];
    }
    ++rowCount;
  }
  for (size_t i = 1; i < c; ++i)
    for (size_t j = 0; j < i; ++j)
      sums[i * c + j] = sums[j * c + i];
}

const std::vector<double> &Gram::matrix() const { return sums; }
size_t Gram::channels() const { return numChannels; }
uint64_t Gram::rows() const { return rowCount; }
uint64_t Gram::skippedRows() const { return skippedCount; }
uint64_t Gram::rejectedBatches() const { return rejectedCount; }
