//===- StatisticsTest.cpp - Streaming statistics against direct sums ------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Every statistic is compared with a reference computed directly from the
// raw samples, which the test keeps: sorted copies for the histogram (the
// count of samples below each bin edge must match the histogram's
// cumulative count exactly, before and after any number of range growths),
// a triple loop in double for the Gram matrix, plain loops for extrema.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Statistics.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace lowbit::calib;

namespace {

/// Uniform in [0, 1) from the top 53 bits, independent of the standard
/// library's distributions.
double uniform01(std::mt19937_64 &rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// `n` samples uniform in [lo, hi).
std::vector<float> uniformSamples(std::mt19937_64 &rng, size_t n, double lo,
                                  double hi) {
  std::vector<float> x(n);
  for (float &v : x)
    v = static_cast<float>(lo + (hi - lo) * uniform01(rng));
  return x;
}

/// Checks the histogram against the samples it was fed: for every bin edge,
/// the number of samples below it equals the summed counts of the bins
/// below it. This holds only if no sample was ever misplaced or split by a
/// regrid.
void expectExactCumulativeCounts(const Histogram &hist,
                                 std::vector<float> samples) {
  std::sort(samples.begin(), samples.end());
  ASSERT_EQ(hist.total(), samples.size());
  ASSERT_EQ(hist.counts().size(), static_cast<size_t>(hist.bins()));
  uint64_t cumulative = 0;
  for (int64_t i = 0; i <= hist.bins(); ++i) {
    const double edge = hist.binEdge(i);
    const uint64_t below = static_cast<uint64_t>(
        std::lower_bound(samples.begin(), samples.end(), edge,
                         [](float x, double e) { return x < e; }) -
        samples.begin());
    ASSERT_EQ(cumulative, below) << "at edge " << i << " = " << edge;
    if (i < hist.bins())
      cumulative += hist.counts()[i];
  }
}

/// True when x is a positive power of two.
bool isPowerOfTwo(double x) {
  int e;
  return x > 0.0 && std::frexp(x, &e) == 0.5;
}

} // namespace

//===----------------------------------------------------------------------===//
// MinMax and MovingAverageMinMax
//===----------------------------------------------------------------------===//

TEST(MinMaxTest, MatchesDirectExtremaOverBatches) {
  std::mt19937_64 rng(1);
  MinMax stats;
  EXPECT_TRUE(stats.empty());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  uint64_t n = 0;
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<float> x = uniformSamples(rng, 1000, -3.0 - batch, 2.0);
    stats.add(x.data(), x.size());
    for (float v : x) {
      lo = std::min<double>(lo, v);
      hi = std::max<double>(hi, v);
    }
    n += x.size();
  }
  EXPECT_FALSE(stats.empty());
  EXPECT_EQ(stats.min(), lo);
  EXPECT_EQ(stats.max(), hi);
  EXPECT_EQ(stats.count(), n);
  EXPECT_EQ(stats.nonFinite(), 0u);
}

TEST(MinMaxTest, NonFiniteSamplesAreCountedAndIgnored) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {nan, 1.5f, -inf, -2.0f, inf, nan, 0.25f};
  MinMax stats;
  stats.add(x.data(), x.size());
  EXPECT_EQ(stats.min(), -2.0);
  EXPECT_EQ(stats.max(), 1.5);
  EXPECT_EQ(stats.count(), 3u);
  EXPECT_EQ(stats.nonFinite(), 4u);

  const std::vector<float> allBad = {nan, inf};
  MinMax onlyBad;
  onlyBad.add(allBad.data(), allBad.size());
  EXPECT_TRUE(onlyBad.empty());
  EXPECT_EQ(onlyBad.nonFinite(), 2u);
}

TEST(MovingAverageMinMaxTest, FollowsTheRecurrence) {
  std::mt19937_64 rng(2);
  const double momentum = 0.1;
  MovingAverageMinMax stats(momentum);
  double refMin = 0.0, refMax = 0.0;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<float> x = uniformSamples(rng, 256, -1.0 - batch, 1.0 + batch);
    stats.addBatch(x.data(), x.size());
    const double bMin = *std::min_element(x.begin(), x.end());
    const double bMax = *std::max_element(x.begin(), x.end());
    if (batch == 0) {
      refMin = bMin;
      refMax = bMax;
    } else {
      refMin = (1.0 - momentum) * refMin + momentum * bMin;
      refMax = (1.0 - momentum) * refMax + momentum * bMax;
    }
  }
  EXPECT_EQ(stats.batches(), 20u);
  EXPECT_NEAR(stats.min(), refMin, 1e-12 * std::fabs(refMin));
  EXPECT_NEAR(stats.max(), refMax, 1e-12 * std::fabs(refMax));
}

TEST(MovingAverageMinMaxTest, NonFiniteBatchIsSkipped) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  MovingAverageMinMax stats(0.5);
  const std::vector<float> first = {-1.0f, nan, 3.0f};
  const std::vector<float> bad = {nan, inf, -inf};
  const std::vector<float> second = {-3.0f, 1.0f};
  stats.addBatch(first.data(), first.size());
  stats.addBatch(bad.data(), bad.size());
  stats.addBatch(second.data(), second.size());
  EXPECT_EQ(stats.batches(), 2u);
  EXPECT_EQ(stats.nonFinite(), 4u);
  EXPECT_DOUBLE_EQ(stats.min(), 0.5 * -1.0 + 0.5 * -3.0);
  EXPECT_DOUBLE_EQ(stats.max(), 0.5 * 3.0 + 0.5 * 1.0);
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

TEST(HistogramTest, FirstBatchFixesModeAndSmallestWidth) {
  Histogram hist(64);
  EXPECT_EQ(hist.total(), 0u);
  EXPECT_EQ(hist.lo(), 0.0);
  EXPECT_EQ(hist.hi(), 0.0);
  const std::vector<float> x = {0.5f, 3.0f, 1.0f};
  hist.add(x.data(), x.size());
  // Unsigned: [0, 64 w) with the smallest power of two w such that
  // 3 < 64 w, i.e. w = 2^-4 (64 * 2^-5 = 2 would not hold 3).
  EXPECT_FALSE(hist.isSigned());
  EXPECT_EQ(hist.lo(), 0.0);
  EXPECT_EQ(hist.binWidth(), 0.0625);
  EXPECT_EQ(hist.hi(), 4.0);
  EXPECT_EQ(hist.counts()[8], 1u);  // 0.5 in [0.5, 0.5625)
  EXPECT_EQ(hist.counts()[16], 1u); // 1.0
  EXPECT_EQ(hist.counts()[48], 1u); // 3.0

  // A negative sample makes the range symmetric: [0, 64 w) = [0, 32 (2w)),
  // so the width doubles once and every pair of bins merges.
  const std::vector<float> neg = {-0.25f};
  hist.add(neg.data(), neg.size());
  EXPECT_TRUE(hist.isSigned());
  EXPECT_EQ(hist.binWidth(), 0.125);
  EXPECT_EQ(hist.lo(), -4.0);
  EXPECT_EQ(hist.hi(), 4.0);
  EXPECT_EQ(hist.counts()[32 + 4], 1u);  // 0.5
  EXPECT_EQ(hist.counts()[32 + 8], 1u);  // 1.0
  EXPECT_EQ(hist.counts()[32 + 24], 1u); // 3.0
  EXPECT_EQ(hist.counts()[32 - 2], 1u);  // -0.25 in [-0.25, -0.125)
  EXPECT_EQ(hist.total(), 4u);
}

TEST(HistogramTest, GrowthKeepsCountsExact) {
  // Ten batches whose range grows by up to 8x at a time, switching from
  // unsigned to signed on the fourth; after each, the histogram must agree
  // exactly with the samples seen so far at every bin edge.
  std::mt19937_64 rng(3);
  Histogram hist(256);
  std::vector<float> seen;
  const double ranges[][2] = {
      {0.0, 0.01}, {0.0, 0.02},  {0.005, 0.3}, {-0.1, 0.3},  {-2.0, 1.0},
      {-2.0, 7.5}, {-60.0, 3.0}, {-1.0, 1.0},  {0.0, 400.0}, {-1e-3, 1e-3}};
  for (const auto &range : ranges) {
    std::vector<float> x = uniformSamples(rng, 2000, range[0], range[1]);
    hist.add(x.data(), x.size());
    seen.insert(seen.end(), x.begin(), x.end());
    expectExactCumulativeCounts(hist, seen);
    EXPECT_TRUE(isPowerOfTwo(hist.binWidth()));
    EXPECT_LE(hist.lo(), *std::min_element(seen.begin(), seen.end()));
    EXPECT_GT(hist.hi(), *std::max_element(seen.begin(), seen.end()));
    if (hist.isSigned())
      EXPECT_EQ(hist.lo(), -hist.hi());
    else
      EXPECT_EQ(hist.lo(), 0.0);
  }
  EXPECT_TRUE(hist.isSigned());
  EXPECT_EQ(hist.dataMin(), *std::min_element(seen.begin(), seen.end()));
  EXPECT_EQ(hist.dataMax(), *std::max_element(seen.begin(), seen.end()));
}

TEST(HistogramTest, QuantilesWithinOneBinWidthAfterGrowth) {
  std::mt19937_64 rng(4);
  Histogram hist(512);
  std::vector<float> seen;
  for (int batch = 0; batch < 8; ++batch) {
    const double scale = std::ldexp(1.0, batch);
    std::vector<float> x = uniformSamples(rng, 5000, -scale, 0.5 * scale);
    hist.add(x.data(), x.size());
    seen.insert(seen.end(), x.begin(), x.end());
  }
  std::sort(seen.begin(), seen.end());
  const double w = hist.binWidth();
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    const double target = q * static_cast<double>(seen.size());
    // The quantile estimate: the left edge of the bin where the cumulative
    // count reaches q * total.
    uint64_t cumulative = 0;
    int64_t bin = 0;
    while (static_cast<double>(cumulative + hist.counts()[bin]) < target)
      cumulative += hist.counts()[bin++];
    const double reference = seen[static_cast<size_t>(std::ceil(target)) - 1];
    EXPECT_NEAR(hist.binEdge(bin), reference, w) << "q = " << q;
  }
}

TEST(HistogramTest, HugeJumpMergesEverythingIntoTheZeroBin) {
  // All zeros first (smallest width 2^-126), then a sample 2^200 times
  // larger: one regrid by a factor beyond 2^63 must still be exact.
  Histogram hist(16);
  const std::vector<float> zeros(100, 0.0f);
  hist.add(zeros.data(), zeros.size());
  EXPECT_EQ(hist.binWidth(), std::ldexp(1.0, -126));
  const std::vector<float> big = {1e30f, -1e30f};
  hist.add(big.data(), big.size());
  std::vector<float> all = zeros;
  all.insert(all.end(), big.begin(), big.end());
  expectExactCumulativeCounts(hist, all);
  EXPECT_EQ(hist.counts()[8], 100u);
}

TEST(HistogramTest, NonFiniteSamplesAreCountedAndIgnored) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Histogram hist(32);
  const std::vector<float> x = {1.0f, nan, inf, -inf, 2.0f};
  hist.add(x.data(), x.size());
  EXPECT_EQ(hist.total(), 2u);
  EXPECT_EQ(hist.nonFinite(), 3u);
  EXPECT_FALSE(hist.isSigned()); // -inf did not make it signed
  EXPECT_EQ(hist.hi(), 4.0);     // +inf did not widen it
  expectExactCumulativeCounts(hist, {1.0f, 2.0f});
}

TEST(HistogramTest, MemoryIndependentOfSampleCount) {
  // 10x the samples, including growth: same bin count, same storage.
  std::mt19937_64 rng(5);
  Histogram small(1024), large(1024);
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<float> x = uniformSamples(rng, 1000, -1.0 - batch, 1.0);
    small.add(x.data(), x.size());
  }
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<float> x = uniformSamples(rng, 1000, -1.0 - batch, 1.0);
    large.add(x.data(), x.size());
  }
  EXPECT_EQ(large.total(), 10 * small.total());
  EXPECT_EQ(small.counts().size(), 1024u);
  EXPECT_EQ(large.counts().size(), 1024u);
  EXPECT_EQ(small.counts().capacity(), large.counts().capacity());
  EXPECT_EQ(sizeof(small), sizeof(large));
}

TEST(HistogramTest, MergeEqualsTheCombinedStream) {
  std::mt19937_64 rng(6);
  Histogram a(128), b(128);
  std::vector<float> xa = uniformSamples(rng, 3000, 0.0, 0.7);
  std::vector<float> xb = uniformSamples(rng, 3000, -30.0, 5.0);
  a.add(xa.data(), xa.size());
  b.add(xb.data(), xb.size());
  ASSERT_TRUE(a.merge(b));
  std::vector<float> all = xa;
  all.insert(all.end(), xb.begin(), xb.end());
  expectExactCumulativeCounts(a, all);
  EXPECT_EQ(a.dataMin(), *std::min_element(all.begin(), all.end()));

  Histogram other(64);
  EXPECT_FALSE(a.merge(other));
}

TEST(HistogramTest, OddBinCountIsRoundedUpToEven) {
  EXPECT_EQ(Histogram(7).bins(), 8);
  EXPECT_EQ(Histogram(0).bins(), 2);
  EXPECT_EQ(Histogram(2048).bins(), 2048);
}

//===----------------------------------------------------------------------===//
// ChannelAbsMax and Gram
//===----------------------------------------------------------------------===//

TEST(ChannelAbsMaxTest, MatchesDirectMaximaOverBatches) {
  std::mt19937_64 rng(7);
  const size_t channels = 37;
  ChannelAbsMax stats;
  std::vector<float> ref(channels, 0.0f);
  for (int batch = 0; batch < 4; ++batch) {
    const size_t rows = 10 + batch;
    std::vector<float> x = uniformSamples(rng, rows * channels, -5.0, 3.0);
    // Give each channel its own scale, like real activations.
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < channels; ++c)
        x[r * channels + c] *= static_cast<float>(1 + c % 5);
    stats.add(x.data(), rows, channels);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < channels; ++c)
        ref[c] = std::max(ref[c], std::fabs(x[r * channels + c]));
  }
  EXPECT_EQ(stats.values(), ref);
}

TEST(ChannelAbsMaxTest, IgnoresNonFiniteAndMismatchedBatches) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ChannelAbsMax stats;
  const std::vector<float> x = {1.0f, -inf, nan, -2.0f, 0.5f, 3.0f};
  stats.add(x.data(), 2, 3);
  EXPECT_EQ(stats.values(), (std::vector<float>{2.0f, 0.5f, 3.0f}));
  EXPECT_EQ(stats.nonFinite(), 2u);
  const std::vector<float> wrong = {9.0f, 9.0f};
  stats.add(wrong.data(), 1, 2);
  EXPECT_EQ(stats.rejectedBatches(), 1u);
  EXPECT_EQ(stats.values(), (std::vector<float>{2.0f, 0.5f, 3.0f}));
}

TEST(GramTest, EqualsDirectXTransposeX) {
  std::mt19937_64 rng(8);
  const size_t channels = 19;
  Gram gram;
  std::vector<float> all;
  for (int batch = 0; batch < 5; ++batch) {
    const size_t rows = 7 + 3 * batch;
    std::vector<float> x = uniformSamples(rng, rows * channels, -2.0, 2.0);
    gram.add(x.data(), rows, channels);
    all.insert(all.end(), x.begin(), x.end());
  }
  const size_t rows = all.size() / channels;
  ASSERT_EQ(gram.channels(), channels);
  ASSERT_EQ(gram.rows(), rows);
  ASSERT_EQ(gram.matrix().size(), channels * channels);
  for (size_t i = 0; i < channels; ++i) {
    for (size_t j = 0; j < channels; ++j) {
      double ref = 0.0, scale = 0.0;
      for (size_t r = 0; r < rows; ++r) {
        const double p = static_cast<double>(all[r * channels + i]) *
                         static_cast<double>(all[r * channels + j]);
        ref += p;
        scale += std::fabs(p);
      }
      EXPECT_NEAR(gram.matrix()[i * channels + j], ref, 1e-13 * scale)
          << "(" << i << ", " << j << ")";
    }
  }
}

TEST(GramTest, SkipsRowsWithNonFiniteValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Gram gram;
  const std::vector<float> x = {1.0f,  2.0f, //
                                nan,   5.0f, //
                                -3.0f, 0.5f};
  gram.add(x.data(), 3, 2);
  EXPECT_EQ(gram.rows(), 2u);
  EXPECT_EQ(gram.skippedRows(), 1u);
  const std::vector<double> expected = {1.0 + 9.0, 2.0 - 1.5, //
                                        2.0 - 1.5, 4.0 + 0.25};
  EXPECT_EQ(gram.matrix(), expected);
  const std::vector<float> wrong(3, 1.0f);
  gram.add(wrong.data(), 1, 3);
  EXPECT_EQ(gram.rejectedBatches(), 1u);
  EXPECT_EQ(gram.channels(), 2u);
}

//===----------------------------------------------------------------------===//
// Histogram state round trip
//===----------------------------------------------------------------------===//

TEST(HistogramTest, FromStateRoundTrips) {
  std::mt19937_64 rng(9);
  for (const double lo : {0.0, -3.0}) {
    Histogram hist(256);
    std::vector<float> x = uniformSamples(rng, 5000, lo, 5.0);
    hist.add(x.data(), x.size());
    std::string error;
    const std::optional<Histogram> copy =
        Histogram::fromState(hist.counts(), hist.lo(), hist.hi(),
                             hist.dataMin(), hist.dataMax(), 7, &error);
    ASSERT_TRUE(copy) << error;
    EXPECT_EQ(copy->counts(), hist.counts());
    EXPECT_EQ(copy->lo(), hist.lo());
    EXPECT_EQ(copy->hi(), hist.hi());
    EXPECT_EQ(copy->binWidth(), hist.binWidth());
    EXPECT_EQ(copy->isSigned(), hist.isSigned());
    EXPECT_EQ(copy->total(), hist.total());
    EXPECT_EQ(copy->nonFinite(), 7u);
    // It keeps growing exactly like the original.
    std::vector<float> more = uniformSamples(rng, 5000, -40.0, 1.0);
    Histogram grown = *copy;
    grown.add(more.data(), more.size());
    x.insert(x.end(), more.begin(), more.end());
    expectExactCumulativeCounts(grown, x);
  }
  const std::optional<Histogram> empty =
      Histogram::fromState(std::vector<uint64_t>(16, 0), 0.0, 0.0, 0.0, 0.0);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->total(), 0u);
  EXPECT_EQ(empty->bins(), 16);
}

TEST(HistogramTest, FromStateRejectsInconsistentStates) {
  std::vector<uint64_t> counts(8, 0);
  counts[4] = 2; // [0, 0.25) of [-1, 1) with w = 0.25
  counts[6] = 1; // [0.5, 0.75)
  std::string error;
  EXPECT_TRUE(Histogram::fromState(counts, -1.0, 1.0, 0.1, 0.6, 0, &error))
      << error;
  auto rejects = [&](const std::vector<uint64_t> &c, double lo, double hi,
                     double mn, double mx, const char *what) {
    error.clear();
    EXPECT_FALSE(Histogram::fromState(c, lo, hi, mn, mx, 0, &error)) << what;
    EXPECT_NE(error.find(what), std::string::npos) << error;
  };
  rejects(std::vector<uint64_t>(7, 1), 0.0, 7.0, 0.0, 6.5, "7 bins");
  rejects(counts, -0.5, 1.0, 0.1, 0.6, "neither");
  rejects(counts, -1.5, 1.5, 0.1, 0.6, "power of two");
  rejects(counts, -1.0, 1.0, 0.3, 0.6, "non-empty bins");
  rejects(counts, -1.0, 1.0, 0.1, 0.9, "non-empty bins");
  rejects(counts, -1.0, 1.0, 0.6, 0.1, "not a finite interval");
  rejects(counts, -1.0, std::numeric_limits<double>::infinity(), 0.1, 0.6,
          "not finite");
}
