//===- Calibrators.cpp - Clipping ranges from statistics ------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// All histogram calibrators work on a piecewise-uniform density: bin i holds
// c_i samples spread evenly over [a_i, b_i], the bin trimmed to the observed
// data extent (a point mass when the trimmed bin is a single point).
//
// Entropy. For a window [s, e) of m bins, P_k = c_k plus the mass left of
// the window on k = s and right of it on k = e - 1; groups of bins
// G_g = [s + floor(g m / L), s + floor((g + 1) m / L)) give Q_k = sum_{G_g} c
// / #{j in G_g : c_j > 0} where c_k > 0, else 0. With T = sum P = total and
// W = sum_{window} c,
//   KL(P || Q) = (1/T) sum_k P_k log P_k - log T
//                - (1/T) sum_g log(Q_g) sum_{k in G_g, c_k > 0} P_k + log W,
// which prefix sums of c, c log c and [c > 0] evaluate in O(L) per window;
// a P_k > 0 where c_k = 0 (an end bin that only holds outside mass) makes
// the divergence infinite.
//
// MSE. For points lo + j s (j = 0..L-1, s = (hi - lo) / (L - 1)), the error
// integral over [x1, x2] inside [lo, hi] is s^3 (K(u2) - K(u1)) with
// u = (x - lo) / s and, writing v = u + 1/2, n = floor(v), f = v - n,
//   K(u) = n / 12 + ((f - 1/2)^3 + 1/8) / 3,
// the running integral of the sawtooth (phi - round(phi))^2; outside the
// range the clipping error integrates to cubes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrators.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace lowbit::calib;

namespace {

/// A histogram as a piecewise-uniform density: bin i spreads counts[i]
/// samples over [origin + i width, origin + (i + 1) width] trimmed to
/// [dataLo, dataHi].
struct Density {
  double origin = 0.0;
  double width = 0.0;
  std::vector<double> counts;
  double dataLo = 0.0;
  double dataHi = 0.0;
  double total = 0.0;
  /// First and last non-empty bins; first > last when the density is empty.
  int64_t first = 0;
  int64_t last = -1;

  /// Left edge of bin i (the right edge of bin i - 1).
  double edge(int64_t i) const {
    return origin + static_cast<double>(i) * width;
  }
  /// Left end of bin i after trimming to the data.
  double binLo(int64_t i) const { return std::max(edge(i), dataLo); }
  /// Right end of bin i after trimming to the data.
  double binHi(int64_t i) const {
    return std::max(binLo(i), std::min(edge(i + 1), dataHi));
  }
  bool empty() const { return first > last; }
};

} // namespace

/// The density of x (symmetric = false) or of |x| (symmetric = true). The
/// |x| bins fold bin [-(j+1) w, -j w) onto [j w, (j+1) w), exact because the
/// histogram's grid is anchored at 0.
static Density makeDensity(const Histogram &hist, bool symmetric) {
  Density d;
  if (hist.total() == 0)
    return d;
  const std::vector<uint64_t> &h = hist.counts();
  const int64_t bins = hist.bins();
  d.width = hist.binWidth();
  if (symmetric && hist.isSigned()) {
    const int64_t half = bins / 2;
    d.origin = 0.0;
    d.counts.resize(static_cast<size_t>(half));
    for (int64_t j = 0; j < half; ++j)
      d.counts[j] = static_cast<double>(h[half + j]) +
                    static_cast<double>(h[half - 1 - j]);
    const double mn = hist.dataMin(), mx = hist.dataMax();
    d.dataHi = std::max(std::fabs(mn), std::fabs(mx));
    d.dataLo = mn >= 0.0 ? mn : (mx <= 0.0 ? -mx : 0.0);
  } else {
    // An unsigned histogram already is the histogram of |x|.
    d.origin = hist.lo();
    d.counts.assign(h.begin(), h.end());
    d.dataLo = hist.dataMin();
    d.dataHi = hist.dataMax();
  }
  const int64_t n = static_cast<int64_t>(d.counts.size());
  d.first = n;
  d.last = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (d.counts[i] == 0.0)
      continue;
    d.first = std::min(d.first, i);
    d.last = i;
    d.total += d.counts[i];
  }
  return d;
}

/// The range [-t, t] (symmetric) or [lo, hi].
static ClipRange makeRange(double lo, double hi, bool symmetric) {
  if (symmetric)
    return {-hi, hi};
  return {lo, hi};
}

/// The q-quantile (q in [0, 1]) of the density, interpolating linearly
/// inside the bin where the cumulative count reaches q * total.
static double quantile(const Density &d, double q) {
  if (q <= 0.0)
    return d.dataLo;
  if (q >= 1.0)
    return d.dataHi;
  const double target = q * d.total;
  double cumulative = 0.0;
  for (int64_t i = d.first; i <= d.last; ++i) {
    const double c = d.counts[i];
    if (c == 0.0)
      continue;
    if (cumulative + c >= target) {
      const double frac = std::clamp((target - cumulative) / c, 0.0, 1.0);
      return d.binLo(i) + frac * (d.binHi(i) - d.binLo(i));
    }
    cumulative += c;
  }
  return d.dataHi;
}

//===----------------------------------------------------------------------===//
// Min-max and percentile
//===----------------------------------------------------------------------===//

ClipRange lowbit::calib::calibrateMinMax(const MinMax &stats) {
  if (stats.empty())
    return {0.0, 0.0};
  return {stats.min(), stats.max()};
}

ClipRange lowbit::calib::calibratePercentile(const Histogram &hist,
                                             double percentile,
                                             bool symmetric) {
  const Density d = makeDensity(hist, symmetric);
  if (d.empty())
    return {0.0, 0.0};
  const double p = std::clamp(percentile, 0.0, 100.0) / 100.0;
  if (symmetric)
    return makeRange(0.0, quantile(d, p), true);
  const double tail = (1.0 - p) / 2.0;
  return {quantile(d, tail), quantile(d, 1.0 - tail)};
}

//===----------------------------------------------------------------------===//
// Entropy
//===----------------------------------------------------------------------===//

namespace {

/// Evaluates KL(P || Q) of windows of a density with prefix sums.
class Divergence {
public:
  Divergence(const Density &d, int64_t levels) : d(d), levels(levels) {
    const size_t n = d.counts.size();
    sum.assign(n + 1, 0.0);
    sumCLogC.assign(n + 1, 0.0);
    nonZero.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      const double c = d.counts[i];
      sum[i + 1] = sum[i] + c;
      sumCLogC[i + 1] = sumCLogC[i] + (c > 0.0 ? c * std::log(c) : 0.0);
      nonZero[i + 1] = nonZero[i] + (c > 0.0 ? 1 : 0);
    }
  }

  /// KL(P || Q) for the window [s, e), e - s >= levels; +inf when Q
  /// vanishes where P does not.
  double operator()(int64_t s, int64_t e) const {
    const double inf = std::numeric_limits<double>::infinity();
    const int64_t m = e - s;
    const double total = d.total;
    const double window = sum[e] - sum[s];
    const double outLeft = sum[s];
    const double outRight = total - sum[e];
    const double cFirst = d.counts[s], cLast = d.counts[e - 1];
    if (window <= 0.0 || (outLeft > 0.0 && cFirst == 0.0) ||
        (outRight > 0.0 && cLast == 0.0))
      return inf;

    // sum_k P_k log P_k: the window's c log c with the two end bins redone.
    const double pFirst = cFirst + outLeft, pLast = cLast + outRight;
    double pLogP = sumCLogC[e] - sumCLogC[s];
    pLogP -= xLogX(cFirst) + xLogX(cLast);
    pLogP += xLogX(pFirst) + xLogX(pLast);

    // sum_k P_k log Q_k over the groups.
    double pLogQ = 0.0;
    for (int64_t g = 0; g < levels; ++g) {
      const int64_t gs = s + g * m / levels;
      const int64_t ge = s + (g + 1) * m / levels;
      const double groupSum = sum[ge] - sum[gs];
      if (groupSum == 0.0)
        continue;
      const double q =
          groupSum / static_cast<double>(nonZero[ge] - nonZero[gs]);
      double mass = groupSum;
      if (s >= gs && s < ge)
        mass += outLeft;
      if (e - 1 >= gs && e - 1 < ge)
        mass += outRight;
      pLogQ += mass * std::log(q);
    }
    const double kl =
        pLogP / total - std::log(total) - pLogQ / total + std::log(window);
    return std::max(kl, 0.0);
  }

private:
  static double xLogX(double x) { return x > 0.0 ? x * std::log(x) : 0.0; }

  const Density &d;
  int64_t levels;
  std::vector<double> sum;
  std::vector<double> sumCLogC;
  std::vector<int64_t> nonZero;
};

} // namespace

/// The window end in [eMin, eMax] minimising the cost for start `s`;
/// `current` (in that interval) wins ties, then the smallest end.
template <typename Cost>
static int64_t argminEnd(const Cost &cost, int64_t s, int64_t eMin,
                         int64_t eMax, int64_t current) {
  int64_t arg = current;
  double best = cost(s, current);
  for (int64_t e = eMin; e <= eMax; ++e) {
    if (e == current)
      continue;
    const double c = cost(s, e);
    if (c < best) {
      best = c;
      arg = e;
    }
  }
  return arg;
}

/// The window start in [sMin, sMax] minimising the cost for end `e`;
/// `current` (in that interval) wins ties, then the smallest start.
template <typename Cost>
static int64_t argminStart(const Cost &cost, int64_t sMin, int64_t sMax,
                           int64_t e, int64_t current) {
  int64_t arg = current;
  double best = cost(current, e);
  for (int64_t s = sMin; s <= sMax; ++s) {
    if (s == current)
      continue;
    const double c = cost(s, e);
    if (c < best) {
      best = c;
      arg = s;
    }
  }
  return arg;
}

/// Alternating one-dimensional searches for the window [s, e) of at least
/// `minWidth` bins inside [first, last + 1), starting from the full range,
/// until neither end moves: the result is optimal in each end with the
/// other fixed. An end moves only to a strictly lower cost, so this ends;
/// the round cap only bounds the time.
template <typename Cost>
static std::pair<int64_t, int64_t>
coordinateDescent(const Cost &cost, int64_t first, int64_t last,
                  int64_t minWidth) {
  int64_t s = first, e = last + 1;
  for (int round = 0; round < 64; ++round) {
    const int64_t newE = argminEnd(cost, s, s + minWidth, last + 1, e);
    const int64_t newS = argminStart(cost, first, newE - minWidth, newE, s);
    if (newE == e && newS == s)
      break;
    s = newS;
    e = newE;
  }
  return {s, e};
}

ClipRange lowbit::calib::calibrateEntropy(const Histogram &hist, int levels,
                                          bool symmetric) {
  const Density d = makeDensity(hist, symmetric);
  if (d.empty())
    return {0.0, 0.0};
  const int64_t numLevels = std::max(levels, 2);
  const ClipRange full = makeRange(d.dataLo, d.dataHi, symmetric);
  const Divergence kl(d, numLevels);
  if (symmetric) {
    // Windows [0, e) of the |x| bins, as TensorRT does.
    if (d.last + 1 < numLevels)
      return full;
    const int64_t e = argminEnd(kl, 0, numLevels, d.last + 1, d.last + 1);
    return makeRange(0.0, std::min(d.edge(e), d.dataHi), true);
  }
  if (d.last - d.first + 1 < numLevels)
    return full;
  const auto [s, e] = coordinateDescent(kl, d.first, d.last, numLevels);
  return {std::max(d.edge(s), d.dataLo), std::min(d.edge(e), d.dataHi)};
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

static double cube(double x) { return x * x * x; }

/// The integral of the unit sawtooth (phi - round(phi))^2 from -1/2 to u.
static double sawtoothIntegral(double u) {
  const double v = u + 0.5;
  const double n = std::floor(v);
  const double f = v - n;
  return n / 12.0 + (cube(f - 0.5) + 0.125) / 3.0;
}

/// Squared error of one point x for the quantizer (lo, hi, step).
static double pointError(double x, double lo, double hi, double step) {
  if (x <= lo)
    return (lo - x) * (lo - x);
  if (x >= hi)
    return (x - hi) * (x - hi);
  const double u = (x - lo) / step;
  const double e = (u - std::nearbyint(u)) * step;
  return e * e;
}

/// c times the mean squared error over [a, b] of rounding to the points
/// lo + j step in [lo, hi] and clipping to [lo, hi].
static double binError(double a, double b, double c, double lo, double hi,
                       double step) {
  if (!(b > a))
    return c * pointError(a, lo, hi, step);
  double integral = 0.0;
  if (a < lo)
    integral += (cube(lo - a) - cube(lo - std::min(b, lo))) / 3.0;
  if (b > hi)
    integral += (cube(b - hi) - cube(std::max(a, hi) - hi)) / 3.0;
  const double x1 = std::max(a, lo), x2 = std::min(b, hi);
  if (x2 > x1 && step > 0.0)
    integral += cube(step) * (sawtoothIntegral((x2 - lo) / step) -
                              sawtoothIntegral((x1 - lo) / step));
  return c * integral / (b - a);
}

/// Mean squared error over the density for the range [lo, hi] with
/// `levels` evenly spaced points.
static double densityError(const Density &d, double lo, double hi,
                           int64_t levels) {
  if (d.empty())
    return 0.0;
  const double step =
      hi > lo ? (hi - lo) / static_cast<double>(levels - 1) : 0.0;
  double err = 0.0;
  for (int64_t i = d.first; i <= d.last; ++i) {
    if (d.counts[i] == 0.0)
      continue;
    err += binError(d.binLo(i), d.binHi(i), d.counts[i], lo, hi, step);
  }
  return err / d.total;
}

double lowbit::calib::expectedSquaredError(const Histogram &hist,
                                           ClipRange range, int levels,
                                           bool symmetric) {
  const Density d = makeDensity(hist, symmetric);
  const int64_t numLevels = std::max(levels, 2);
  if (symmetric)
    return densityError(d, 0.0, std::fabs(range.hi), numLevels);
  return densityError(d, range.lo, range.hi, numLevels);
}

ClipRange lowbit::calib::calibrateMSE(const Histogram &hist, int levels,
                                      bool symmetric) {
  const Density d = makeDensity(hist, symmetric);
  if (d.empty())
    return {0.0, 0.0};
  const int64_t numLevels = std::max(levels, 2);

  // Candidate ends: the data extremes and every bin edge strictly between.
  // Index first stands for dataLo and last + 1 for dataHi (the edges there
  // lie at or beyond the data), index i in between for edge i.
  const int64_t loIndex = d.first, hiIndex = d.last + 1;
  auto position = [&](int64_t i) {
    if (i <= loIndex)
      return d.dataLo;
    if (i >= hiIndex)
      return d.dataHi;
    return d.edge(i);
  };
  if (symmetric) {
    double bestT = d.dataHi;
    double best = densityError(d, 0.0, bestT, numLevels);
    for (int64_t i = 1; i < hiIndex; ++i) {
      const double t = d.edge(i);
      if (t <= 0.0 || t >= d.dataHi)
        continue;
      const double err = densityError(d, 0.0, t, numLevels);
      if (err < best) {
        best = err;
        bestT = t;
      }
    }
    return makeRange(0.0, bestT, true);
  }
  if (d.dataHi <= d.dataLo)
    return {d.dataLo, d.dataHi};
  auto cost = [&](int64_t s, int64_t e) {
    return densityError(d, position(s), position(e), numLevels);
  };
  const auto [s, e] = coordinateDescent(cost, loIndex, hiIndex - 1, 1);
  return {position(s), position(e)};
}
