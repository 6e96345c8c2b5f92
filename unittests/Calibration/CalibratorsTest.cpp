//===- CalibratorsTest.cpp - Calibrators against sample references --------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Each calibrator runs on a 2048-bin histogram of seeded synthetic
// activations and is checked against a reference computed from the raw
// samples or from the documented definition, never from the code under
// test:
//   - percentile: the order statistic of the sorted samples, to within one
//     bin width (both lie in the bin where the cumulative count crosses the
//     rank);
//   - entropy: KL(P || Q) built explicitly, bin by bin, for every candidate
//     threshold; the chosen one must attain the minimum;
//   - MSE: the mean squared error of actually quantizing the samples,
//     brute-forced over a grid of thresholds;
//   - SQNR: of the samples quantized to int8 with each range.
//
// Samples come from std::mt19937_64 with hand-written transforms
// (Box-Muller, the Laplace inverse CDF), so they do not depend on the
// standard library's distributions. n = 100000 keeps the suite well under
// a second.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrators.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace lowbit::calib;

namespace {

constexpr size_t kSamples = 100000;
constexpr double kPi = 3.14159265358979323846;

/// Uniform in (0, 1): the top 53 bits, offset by half a unit so that 0 and
/// 1 never occur (the transforms below take logarithms).
double uniformOpen(std::mt19937_64 &rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

std::vector<float> uniformSamples(uint64_t seed, size_t n = kSamples) {
  std::mt19937_64 rng(seed);
  std::vector<float> x(n);
  for (float &v : x)
    v = static_cast<float>(2.0 * uniformOpen(rng) - 1.0);
  return x;
}

/// N(0, 1) by Box-Muller.
std::vector<float> gaussianSamples(uint64_t seed, size_t n = kSamples) {
  std::mt19937_64 rng(seed);
  std::vector<float> x(n);
  for (float &v : x) {
    const double u1 = uniformOpen(rng), u2 = uniformOpen(rng);
    v = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) *
                           std::cos(2.0 * kPi * u2));
  }
  return x;
}

/// Laplace(0, 1) by the inverse CDF, x = -sgn(u) ln(1 - 2|u|) for u uniform
/// in (-1/2, 1/2); then one sample in 1000 (0.1%) replaced by an outlier of
/// random sign and magnitude uniform in [outlierLo, outlierHi]. Over n
/// samples the Laplace bulk itself reaches about ln(n) (11.5 for 1e5, 13.8
/// for 1e6).
std::vector<float> laplaceSamples(uint64_t seed, double outlierLo = 0.0,
                                  double outlierHi = 0.0, size_t n = kSamples) {
  std::mt19937_64 rng(seed);
  std::vector<float> x(n);
  for (float &v : x) {
    const double u = uniformOpen(rng) - 0.5;
    v = static_cast<float>(
        -std::copysign(std::log(1.0 - 2.0 * std::fabs(u)), u));
  }
  if (outlierHi > 0.0) {
    for (size_t i = 0; i < n; i += 1000) {
      const double m = outlierLo + (outlierHi - outlierLo) * uniformOpen(rng);
      x[i] = static_cast<float>((rng() & 1) ? m : -m);
    }
  }
  return x;
}

Histogram histogramOf(const std::vector<float> &x) {
  Histogram hist(2048);
  hist.add(x.data(), x.size());
  return hist;
}

double maxAbs(const std::vector<float> &x) {
  double m = 0.0;
  for (float v : x)
    m = std::max(m, std::fabs(static_cast<double>(v)));
  return m;
}

/// x quantized to the nearest of `levels` evenly spaced points of [lo, hi]
/// and clipped to it.
double quantize(double x, double lo, double hi, int levels) {
  if (!(hi > lo))
    return lo;
  const double s = (hi - lo) / (levels - 1);
  const double j = std::clamp(std::nearbyint((x - lo) / s), 0.0,
                              static_cast<double>(levels - 1));
  return lo + j * s;
}

/// Symmetric int8 (codes -127..127, s = t / 127) of x.
double quantizeInt8(double x, double t) {
  if (!(t > 0.0))
    return 0.0;
  const double s = t / 127.0;
  return std::clamp(std::nearbyint(x / s), -127.0, 127.0) * s;
}

/// Mean squared error of quantizing the samples with symmetric int8 range
/// [-t, t].
double sampleMSE(const std::vector<float> &x, double t) {
  double sum = 0.0;
  for (float v : x) {
    const double e = v - quantizeInt8(v, t);
    sum += e * e;
  }
  return sum / static_cast<double>(x.size());
}

/// 10 log10(sum x^2 / sum (x - q(x))^2) for symmetric int8 range [-t, t].
double sqnrInt8(const std::vector<float> &x, double t) {
  double signal = 0.0, noise = 0.0;
  for (float v : x) {
    const double e = v - quantizeInt8(v, t);
    signal += static_cast<double>(v) * v;
    noise += e * e;
  }
  return 10.0 * std::log10(signal / noise);
}

/// The histogram of |x| from a signed histogram: bin j gathers bins
/// B/2 + j and B/2 - 1 - j.
std::vector<double> foldedCounts(const Histogram &hist) {
  const int64_t half = hist.bins() / 2;
  std::vector<double> folded(half);
  for (int64_t j = 0; j < half; ++j)
    folded[j] = static_cast<double>(hist.counts()[half + j] +
                                    hist.counts()[half - 1 - j]);
  return folded;
}

/// KL(P || Q) of the window [s, e) of the counts `h`, written out from the
/// definition in Calibrators.h: P is the window with the mass left of it
/// added to its first bin and the mass right of it to its last, Q merges
/// the window into `levels` groups [s + floor(g m / levels), s + floor((g +
/// 1) m / levels)) (m = e - s) and spreads each group's sum over its
/// non-empty bins; both are normalised to 1.
double directKL(const std::vector<double> &h, int64_t s, int64_t e,
                int levels) {
  const int64_t m = e - s;
  std::vector<double> p(h.begin() + s, h.begin() + e), q(m, 0.0);
  for (int64_t k = 0; k < s; ++k)
    p[0] += h[k];
  for (size_t k = e; k < h.size(); ++k)
    p[m - 1] += h[k];
  for (int g = 0; g < levels; ++g) {
    const int64_t gs = g * m / levels, ge = (g + 1) * m / levels;
    double sum = 0.0;
    int nonEmpty = 0;
    for (int64_t k = gs; k < ge; ++k) {
      sum += h[s + k];
      nonEmpty += h[s + k] > 0.0;
    }
    for (int64_t k = gs; k < ge; ++k)
      if (h[s + k] > 0.0)
        q[k] = sum / nonEmpty;
  }
  double pTotal = 0.0, qTotal = 0.0;
  for (int64_t k = 0; k < m; ++k) {
    pTotal += p[k];
    qTotal += q[k];
  }
  double kl = 0.0;
  for (int64_t k = 0; k < m; ++k) {
    if (p[k] == 0.0)
      continue;
    if (q[k] == 0.0)
      return std::numeric_limits<double>::infinity();
    kl += p[k] / pTotal * std::log((p[k] / pTotal) / (q[k] / qTotal));
  }
  return kl;
}

struct Distribution {
  const char *name;
  std::function<std::vector<float>(size_t)> make;
};

const std::vector<Distribution> &distributions() {
  static const std::vector<Distribution> all = {
      {"uniform [-1, 1]", [](size_t n) { return uniformSamples(11, n); }},
      {"Gaussian N(0, 1)", [](size_t n) { return gaussianSamples(12, n); }},
      {"Laplace(0, 1)", [](size_t n) { return laplaceSamples(13, 0, 0, n); }},
      {"Laplace + 0.1% outliers in +-[10, 30]",
       [](size_t n) { return laplaceSamples(14, 10.0, 30.0, n); }},
      {"Laplace + 0.1% outliers in +-[20, 60]",
       [](size_t n) { return laplaceSamples(15, 20.0, 60.0, n); }},
  };
  return all;
}

} // namespace

//===----------------------------------------------------------------------===//
// Min-max and percentile
//===----------------------------------------------------------------------===//

TEST(CalibratorsTest, EmptyStatisticsGiveAnEmptyRange) {
  const MinMax stats;
  const Histogram hist;
  for (const ClipRange r :
       {calibrateMinMax(stats), calibratePercentile(hist, 99.9, true),
        calibrateEntropy(hist, 128, true), calibrateMSE(hist, 128, true),
        calibrateEntropy(hist, 256, false), calibrateMSE(hist, 256, false)}) {
    EXPECT_EQ(r.lo, 0.0);
    EXPECT_EQ(r.hi, 0.0);
  }
}

TEST(CalibratorsTest, MinMaxIsTheObservedRange) {
  const std::vector<float> x = laplaceSamples(1, 10.0, 30.0);
  MinMax stats;
  stats.add(x.data(), x.size());
  const ClipRange r = calibrateMinMax(stats);
  EXPECT_EQ(r.lo, *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(r.hi, *std::max_element(x.begin(), x.end()));
}

TEST(CalibratorsTest, PercentileMatchesSortedSamples) {
  for (const Distribution &dist : distributions()) {
    const std::vector<float> x = dist.make(kSamples);
    const Histogram hist = histogramOf(x);
    const double w = hist.binWidth();
    std::vector<double> sorted(x.begin(), x.end()), sortedAbs(x.size());
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < x.size(); ++i)
      sortedAbs[i] = std::fabs(static_cast<double>(x[i]));
    std::sort(sortedAbs.begin(), sortedAbs.end());
    const double n = static_cast<double>(x.size());
    // The ceil(q n)-th smallest sample.
    auto orderStat = [&](const std::vector<double> &s, double q) {
      return s[static_cast<size_t>(std::ceil(q * n)) - 1];
    };
    for (double p : {90.0, 99.0, 99.9, 99.99}) {
      SCOPED_TRACE(std::string(dist.name) + ", p = " + std::to_string(p));
      const ClipRange sym = calibratePercentile(hist, p, true);
      EXPECT_NEAR(sym.hi, orderStat(sortedAbs, p / 100.0), w);
      EXPECT_EQ(sym.lo, -sym.hi);
      const ClipRange asym = calibratePercentile(hist, p, false);
      const double tail = (1.0 - p / 100.0) / 2.0;
      EXPECT_NEAR(asym.lo, orderStat(sorted, tail), w);
      EXPECT_NEAR(asym.hi, orderStat(sorted, 1.0 - tail), w);
    }
    // 100% is the min-max range exactly.
    const ClipRange all = calibratePercentile(hist, 100.0, false);
    EXPECT_EQ(all.lo, sorted.front());
    EXPECT_EQ(all.hi, sorted.back());
    EXPECT_EQ(calibratePercentile(hist, 100.0, true).hi, sortedAbs.back());
  }
}

//===----------------------------------------------------------------------===//
// Entropy
//===----------------------------------------------------------------------===//

TEST(CalibratorsTest, EntropyThresholdMinimisesDirectKL) {
  for (const Distribution &dist : distributions()) {
    SCOPED_TRACE(dist.name);
    const std::vector<float> x = dist.make(kSamples);
    const Histogram hist = histogramOf(x);
    ASSERT_TRUE(hist.isSigned());
    const std::vector<double> h = foldedCounts(hist);
    int64_t last = static_cast<int64_t>(h.size()) - 1;
    while (h[last] == 0.0)
      --last;
    double best = std::numeric_limits<double>::infinity();
    for (int64_t e = 128; e <= last + 1; ++e)
      best = std::min(best, directKL(h, 0, e, 128));

    const double t = calibrateEntropy(hist, 128, true).hi;
    const double w = hist.binWidth();
    // The chosen window end: t is the edge e w, or the data's max |x| when
    // the window is the whole occupied range.
    const int64_t e =
        t == maxAbs(x) ? last + 1 : static_cast<int64_t>(std::lround(t / w));
    ASSERT_EQ(std::min(e * w, maxAbs(x)), t);
    // Up to rounding: the library sums the same terms in another order.
    EXPECT_LE(directKL(h, 0, e, 128), best + 1e-12);
  }
}

TEST(CalibratorsTest, EntropyClipsHeavyTailsAndKeepsUniformRange) {
  const std::vector<float> heavy = laplaceSamples(21, 10.0, 30.0);
  const double heavyT = calibrateEntropy(histogramOf(heavy), 128, true).hi;
  EXPECT_LT(heavyT, maxAbs(heavy));

  // A uniform distribution has no tail to trade: any clipping piles mass
  // into the last bin, so the threshold stays within 1% of the maximum.
  const std::vector<float> flat = uniformSamples(22);
  const double flatT = calibrateEntropy(histogramOf(flat), 128, true).hi;
  EXPECT_GE(flatT, 0.99 * maxAbs(flat));
  EXPECT_LE(flatT, maxAbs(flat));
}

TEST(CalibratorsTest, AsymmetricEntropyIsACoordinateWiseMinimum) {
  // Shifted Laplace with two-sided outliers: not symmetric about 0. The
  // asymmetric search alternates one-dimensional searches, so its window
  // [s, e) must be optimal in each end with the other end fixed.
  std::vector<float> x = laplaceSamples(23, 10.0, 30.0);
  for (float &v : x)
    v += 3.0f;
  const Histogram hist = histogramOf(x);
  std::vector<double> h(hist.counts().begin(), hist.counts().end());
  int64_t first = 0, last = hist.bins() - 1;
  while (h[first] == 0.0)
    ++first;
  while (h[last] == 0.0)
    --last;
  const int levels = 256;
  const ClipRange r = calibrateEntropy(hist, levels, false);
  EXPECT_GE(r.lo, hist.dataMin());
  EXPECT_LE(r.hi, hist.dataMax());
  EXPECT_LT(r.hi - r.lo, hist.dataMax() - hist.dataMin());

  // Map the ends back to bin edges (the data extremes stand for the
  // outermost occupied bins' edges).
  const double w = hist.binWidth();
  const int64_t s =
      r.lo == hist.dataMin() ? first : std::lround((r.lo - hist.lo()) / w);
  const int64_t e =
      r.hi == hist.dataMax() ? last + 1 : std::lround((r.hi - hist.lo()) / w);
  ASSERT_EQ(std::max(hist.binEdge(s), hist.dataMin()), r.lo);
  ASSERT_EQ(std::min(hist.binEdge(e), hist.dataMax()), r.hi);
  const double chosen = directKL(h, s, e, levels);
  for (int64_t e2 = s + levels; e2 <= last + 1; ++e2)
    EXPECT_LE(chosen, directKL(h, s, e2, levels) + 1e-12) << "e = " << e2;
  for (int64_t s2 = first; s2 <= e - levels; ++s2)
    EXPECT_LE(chosen, directKL(h, s2, e, levels) + 1e-12) << "s = " << s2;
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

TEST(CalibratorsTest, MSEThresholdMatchesBruteForceOverSamples) {
  for (const Distribution &dist : distributions()) {
    SCOPED_TRACE(dist.name);
    const std::vector<float> x = dist.make(kSamples);
    const Histogram hist = histogramOf(x);
    const double top = maxAbs(x);
    double best = std::numeric_limits<double>::infinity();
    for (int k = 1; k <= 200; ++k)
      best = std::min(best, sampleMSE(x, top * k / 200.0));
    const double t = calibrateMSE(hist, 128, true).hi;
    // The library optimises the histogram's uniform-in-bin model over
    // every bin edge, the grid here the samples over 200 thresholds; 2%
    // covers the difference between the two near a flat optimum.
    EXPECT_LE(sampleMSE(x, t), 1.02 * best);
    EXPECT_LE(t, top);
  }
}

TEST(CalibratorsTest, ExpectedSquaredErrorMatchesSamples) {
  // The objective itself: the histogram model's error against the error of
  // quantizing the samples, over thresholds from deep clipping to min-max.
  for (const Distribution &dist : distributions()) {
    SCOPED_TRACE(dist.name);
    const std::vector<float> x = dist.make(kSamples);
    const Histogram hist = histogramOf(x);
    const double top = maxAbs(x);
    for (double f : {0.05, 0.2, 0.5, 0.9, 1.0}) {
      const double t = f * top;
      const double model = expectedSquaredError(hist, {-t, t}, 128, true);
      // Inside a bin the model spreads samples evenly; 5% bounds the
      // resulting error for bins up to a quarter of a quantization step.
      EXPECT_NEAR(model, sampleMSE(x, t), 0.05 * sampleMSE(x, t))
          << "t = " << t;
    }
  }
}

TEST(CalibratorsTest, MSEClipsHeavyTailsAndKeepsUniformRange) {
  const std::vector<float> heavy = laplaceSamples(31, 10.0, 30.0);
  EXPECT_LT(calibrateMSE(histogramOf(heavy), 128, true).hi,
            0.98 * maxAbs(heavy));
  // Uniform: d/dt [t s^2 / 12 + (1 - t)^3 / 3] = 0 with s = t / 127 gives
  // t = 254 / 255 of the maximum, so clipping is under 1%.
  const std::vector<float> flat = uniformSamples(32);
  const double t = calibrateMSE(histogramOf(flat), 128, true).hi;
  EXPECT_GE(t, 0.99 * maxAbs(flat));
  EXPECT_LE(t, maxAbs(flat));
}

TEST(CalibratorsTest, AsymmetricMSEMatchesBruteForceOverSamples) {
  // Shifted, skewed data: a symmetric range would waste half the codes.
  std::vector<float> x = laplaceSamples(33, 10.0, 30.0);
  for (float &v : x)
    v = 0.5f * v + (v > 0 ? v : 0.0f) + 2.0f;
  x.resize(20000); // The 2-D grid below is 40 x 40 passes over the samples.
  const Histogram hist = histogramOf(x);
  const double mn = hist.dataMin(), mx = hist.dataMax();
  auto mse = [&](double lo, double hi) {
    double sum = 0.0;
    for (float v : x) {
      const double e = v - quantize(v, lo, hi, 256);
      sum += e * e;
    }
    return sum / static_cast<double>(x.size());
  };
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 40; ++i)
    for (int j = 1; j <= 40; ++j) {
      const double lo = mn + (mx - mn) * 0.25 * i / 40.0;
      const double hi = mn + (mx - mn) * j / 40.0;
      if (hi > lo)
        best = std::min(best, mse(lo, hi));
    }
  const ClipRange r = calibrateMSE(hist, 256, false);
  EXPECT_GE(r.lo, mn);
  EXPECT_LE(r.hi, mx);
  EXPECT_LE(mse(r.lo, r.hi), 1.02 * best);
  EXPECT_LT(mse(r.lo, r.hi), mse(mn, mx));
}

//===----------------------------------------------------------------------===//
// SQNR
//===----------------------------------------------------------------------===//

/// Symmetric int8 SQNR of `x` with the range of each calibrator.
struct SqnrRow {
  double minMax, p999, p9999, entropy, mse;
};

SqnrRow sqnrRow(const std::vector<float> &x) {
  const Histogram hist = histogramOf(x);
  MinMax stats;
  stats.add(x.data(), x.size());
  const ClipRange mm = calibrateMinMax(stats);
  return {sqnrInt8(x, std::max(-mm.lo, mm.hi)),
          sqnrInt8(x, calibratePercentile(hist, 99.9, true).hi),
          sqnrInt8(x, calibratePercentile(hist, 99.99, true).hi),
          sqnrInt8(x, calibrateEntropy(hist, 128, true).hi),
          sqnrInt8(x, calibrateMSE(hist, 128, true).hi)};
}

TEST(CalibratorsTest, ClippingCalibratorsBeatMinMaxOnOutliers) {
  // Laplace(0, 1) with 0.1% outliers in +-[10, 30], 1e6 samples: the rare
  // outliers stretch the min-max step; each clipping calibrator trades a
  // little clipping error on them for a finer step on the bulk. Eight
  // seeds, so that a lucky draw cannot pass the test.
  //
  // Entropy needs the sample count: KL also charges Q for smoothing the
  // Poisson noise of sparsely filled tail bins, which favours short windows.
  // With 1e5 samples it beat min-max on 14 of 30 seeds (losing up to 10 dB);
  // with 1e6, on 59 of 60, picking the min-max range itself on the other.
  // So entropy is required to win on most seeds and never to lose.
  int entropyWins = 0;
  for (uint64_t seed = 41; seed < 49; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const SqnrRow row = sqnrRow(laplaceSamples(seed, 10.0, 30.0, 1000000));
    EXPECT_GT(row.p9999, row.minMax);
    EXPECT_GT(row.mse, row.minMax);
    EXPECT_GE(row.entropy, row.minMax - 1e-9);
    entropyWins += row.entropy > row.minMax;
  }
  EXPECT_GE(entropyWins, 6);
}

TEST(CalibratorsTest, SQNRTable) {
  // The table of docs/Calibration.md. MSE is optimal up to its candidate
  // grid and the bin model, and min-max is one of its candidates, so it
  // may not fall below min-max by more than a rounding-level margin.
  std::printf("| distribution | n | min-max | p99.9 | p99.99 | entropy | MSE "
              "|\n|---|---|---|---|---|---|---|\n");
  auto print = [](const char *name, size_t n, const SqnrRow &row) {
    std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name, n,
                row.minMax, row.p999, row.p9999, row.entropy, row.mse);
  };
  for (const Distribution &dist : distributions()) {
    const SqnrRow row = sqnrRow(dist.make(1000000));
    print(dist.name, 1000000, row);
    EXPECT_GE(row.mse, row.minMax - 0.05) << dist.name;
  }
  const Distribution &outliers = distributions()[3];
  print(outliers.name, kSamples, sqnrRow(outliers.make(kSamples)));
}
