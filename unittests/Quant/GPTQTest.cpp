//===- GPTQTest.cpp - GPTQ and AWQ against fp64 references ----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// GPTQ is compared code for code with a reference written here from the
// paper's optimal-brain-surgeon form: an explicit inverse H^-1 (Gauss-Jordan,
// not Cholesky), one column at a time with the inverse of the remaining
// columns downdated after each (no blocks, no lazy updates), and the group
// scales from the int4 formulas of docs/Numerics.md written out by hand. The
// two are equal in exact arithmetic; in fp64 they differ by ~1e-13 relative,
// so a code could only differ if a scaled weight fell within ~1e-13 of a
// rounding midpoint, which none of these seeded cases do: codes and scales
// must match exactly.
//
// Output errors are measured on the calibration rows X themselves
// (||X W^T - X Q^T||^2), not through the Gram matrix.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/GPTQ.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace lowbit::quant;

namespace {

//===----------------------------------------------------------------------===//
// Test data
//===----------------------------------------------------------------------===//

struct Case {
  int64_t n, k, rows;
  std::vector<float> w;  // [n, k]
  std::vector<double> x; // [rows, k]
};

enum class WeightKind { Gaussian, HeavyTailed };
enum class InputKind { Independent, Correlated, Outliers };

Case makeCase(unsigned seed, WeightKind wk, InputKind xk, int64_t n = 8,
              int64_t k = 32, int64_t rows = 256) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::student_t_distribution<double> student(2.0);
  Case c{n, k, rows, std::vector<float>(n * k), std::vector<double>(rows * k)};
  for (float &v : c.w)
    v = static_cast<float>(wk == WeightKind::Gaussian ? 0.1 * normal(rng)
                                                      : 0.05 * student(rng));
  // Correlated: X = Z A with A a random lower-triangular mixing.
  std::vector<double> mix(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j <= i; ++j)
      mix[i * k + j] = i == j ? 1.0 : 0.6 * normal(rng);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> z(k);
    for (double &v : z)
      v = normal(rng);
    for (int64_t j = 0; j < k; ++j) {
      double v = z[j];
      if (xk == InputKind::Correlated) {
        v = 0.0;
        for (int64_t i = j; i < k; ++i)
          v += z[i] * mix[i * k + j];
      } else if (xk == InputKind::Outliers && j % 11 == 3) {
        v *= 20.0;
      }
      c.x[r * k + j] = v;
    }
  }
  return c;
}

std::vector<double> gram(const Case &c) {
  std::vector<double> h(c.k * c.k, 0.0);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t i = 0; i < c.k; ++i)
      for (int64_t j = 0; j < c.k; ++j)
        h[i * c.k + j] += c.x[r * c.k + i] * c.x[r * c.k + j];
  return h;
}

/// ||X W^T - X A^T||^2 over the calibration rows.
double outputErrorOnX(const Case &c, const std::vector<float> &approx) {
  double total = 0.0;
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t o = 0; o < c.n; ++o) {
      double d = 0.0;
      for (int64_t j = 0; j < c.k; ++j)
        d += c.x[r * c.k + j] *
             (double(c.w[o * c.k + j]) - double(approx[o * c.k + j]));
      total += d * d;
    }
  return total;
}

Scheme int4Group(int64_t g, bool symmetric) {
  Scheme s;
  s.format = symmetric ? StorageFormat::I4 : StorageFormat::U4;
  s.granularity = Granularity::Group;
  s.axis = 1;
  s.groupSize = g;
  s.symmetric = symmetric;
  return s;
}

//===----------------------------------------------------------------------===//
// fp64 reference GPTQ
//===----------------------------------------------------------------------===//

/// The int4 block parameters of docs/Numerics.md (f32 scales).
struct Params {
  float scale;
  int32_t zero;
};

Params int4Params(const float *v, int64_t count, bool symmetric) {
  double lo = 0.0, hi = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, double(v[i]));
    hi = std::max(hi, double(v[i]));
  }
  double exact = symmetric ? std::max(-lo, hi) / 7.0 : (hi - lo) / 15.0;
  float s = exact == 0.0 ? 1.0f : static_cast<float>(exact);
  int32_t z = 0;
  if (!symmetric)
    z = int32_t(std::clamp(std::nearbyint(0.0 - lo / s), 0.0, 15.0));
  return {s, z};
}

int32_t int4Code(float x, Params p, bool symmetric) {
  double q = double(std::nearbyint(x / p.scale)) + p.zero;
  return int32_t(symmetric ? std::clamp(q, -8.0, 7.0)
                           : std::clamp(q, 0.0, 15.0));
}

std::vector<double> gaussJordanInverse(std::vector<double> a, int64_t k) {
  std::vector<double> inv(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    inv[i * k + i] = 1.0;
  for (int64_t c = 0; c < k; ++c) {
    int64_t p = c;
    for (int64_t r = c + 1; r < k; ++r)
      if (std::abs(a[r * k + c]) > std::abs(a[p * k + c]))
        p = r;
    for (int64_t j = 0; j < k; ++j) {
      std::swap(a[c * k + j], a[p * k + j]);
      std::swap(inv[c * k + j], inv[p * k + j]);
    }
    double d = a[c * k + c];
    for (int64_t j = 0; j < k; ++j) {
      a[c * k + j] /= d;
      inv[c * k + j] /= d;
    }
    for (int64_t r = 0; r < k; ++r) {
      if (r == c)
        continue;
      double f = a[r * k + c];
      for (int64_t j = 0; j < k; ++j) {
        a[r * k + j] -= f * a[c * k + j];
        inv[r * k + j] -= f * inv[c * k + j];
      }
    }
  }
  return inv;
}

struct RefResult {
  std::vector<int32_t> codes;
  std::vector<float> scales;
  std::vector<int32_t> zeros;
};

/// Unblocked OBS-form GPTQ with group-wise int4 scales.
RefResult referenceGPTQ(const Case &c, std::vector<double> h, int64_t g,
                        bool symmetric, double dampPercent, bool actOrder,
                        bool staticGroups) {
  const int64_t n = c.n, k = c.k, groups = k / g;
  std::vector<float> w0 = c.w;
  for (int64_t j = 0; j < k; ++j)
    if (h[j * k + j] == 0.0) {
      h[j * k + j] = 1.0;
      for (int64_t r = 0; r < n; ++r)
        w0[r * k + j] = 0.0f;
    }
  staticGroups = staticGroups || actOrder;
  RefResult res{std::vector<int32_t>(n * k), std::vector<float>(n * groups),
                std::vector<int32_t>(n * groups)};
  if (staticGroups)
    for (int64_t r = 0; r < n; ++r)
      for (int64_t q = 0; q < groups; ++q) {
        Params p = int4Params(&w0[r * k + q * g], g, symmetric);
        res.scales[r * groups + q] = p.scale;
        res.zeros[r * groups + q] = p.zero;
      }
  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  if (actOrder)
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return h[a * k + a] > h[b * k + b] ||
             (h[a * k + a] == h[b * k + b] && a < b);
    });
  double mean = 0.0;
  for (int64_t j = 0; j < k; ++j)
    mean += h[j * k + j] / double(k);
  std::vector<double> hp(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      hp[i * k + j] =
          h[order[i] * k + order[j]] + (i == j ? dampPercent * mean : 0);
  const std::vector<double> hinv = gaussJordanInverse(hp, k);
  for (int64_t r = 0; r < n; ++r) {
    std::vector<double> w(k);
    for (int64_t j = 0; j < k; ++j)
      w[j] = w0[r * k + order[j]];
    std::vector<double> hi = hinv;
    for (int64_t col = 0; col < k; ++col) {
      const int64_t orig = order[col];
      const int64_t q = r * groups + orig / g;
      if (!staticGroups && col % g == 0) {
        std::vector<float> part(w.begin() + col, w.begin() + col + g);
        Params p = int4Params(part.data(), g, symmetric);
        res.scales[q] = p.scale;
        res.zeros[q] = p.zero;
      }
      Params p{res.scales[q], res.zeros[q]};
      int32_t code = int4Code(float(w[col]), p, symmetric);
      res.codes[r * k + orig] = code;
      double dq = double(float(code - p.zero) * p.scale);
      double d = hi[col * k + col];
      double e = (w[col] - dq) / d;
      for (int64_t j = col + 1; j < k; ++j)
        w[j] -= e * hi[col * k + j];
      // Inverse Hessian of the remaining columns (OBS downdate).
      for (int64_t a = col + 1; a < k; ++a)
        for (int64_t b = col + 1; b < k; ++b)
          hi[a * k + b] -= hi[a * k + col] * hi[col * k + b] / d;
    }
  }
  if (symmetric)
    res.zeros.clear();
  return res;
}

std::vector<float> dequant(const QuantizedTensor &q, const Case &c,
                           const Scheme &s) {
  std::vector<float> out(c.n * c.k);
  dequantize(q, {c.n, c.k}, s, out.data());
  return out;
}

//===----------------------------------------------------------------------===//
// GPTQ
//===----------------------------------------------------------------------===//

struct Config {
  bool symmetric;
  bool actOrder;
  bool staticGroups;
  int64_t blockSize;
};

TEST(GPTQ, MatchesUnblockedReference) {
  const Config configs[] = {
      {true, false, false, 128}, {true, false, false, 8},
      {true, false, false, 5},   {false, false, false, 16},
      {true, true, false, 16},   {true, false, true, 8},
      {false, true, true, 128}};
  for (unsigned seed = 1; seed <= 4; ++seed)
    for (InputKind xk : {InputKind::Independent, InputKind::Correlated})
      for (const Config &cfg : configs) {
        SCOPED_TRACE(testing::Message()
                     << "seed " << seed << " correlated "
                     << (xk == InputKind::Correlated) << " sym "
                     << cfg.symmetric << " act " << cfg.actOrder << " static "
                     << cfg.staticGroups << " block " << cfg.blockSize);
        Case c = makeCase(seed, WeightKind::Gaussian, xk);
        std::vector<double> h = gram(c);
        Scheme s = int4Group(8, cfg.symmetric);
        GPTQOptions opt;
        opt.actOrder = cfg.actOrder;
        opt.staticGroups = cfg.staticGroups;
        opt.blockSize = cfg.blockSize;
        QuantizedTensor q;
        std::string error;
        GPTQReport rep;
        ASSERT_TRUE(quantizeGPTQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q,
                                 error, &rep))
            << error;
        EXPECT_EQ(rep.dampingRetries, 0);
        EXPECT_EQ(rep.staticGroupsImplied, cfg.actOrder && !cfg.staticGroups);
        RefResult ref = referenceGPTQ(c, h, 8, cfg.symmetric, 0.01,
                                      cfg.actOrder, cfg.staticGroups);
        EXPECT_EQ(q.codes, ref.codes);
        EXPECT_EQ(q.scales, ref.scales);
        EXPECT_EQ(q.zeroPoints, ref.zeros);
        EXPECT_EQ(q.scaleShape, (std::vector<int64_t>{c.n, c.k / 8}));
      }
}

TEST(GPTQ, BeatsRoundToNearestOnCalibrationData) {
  for (unsigned seed = 10; seed < 16; ++seed)
    for (WeightKind wk : {WeightKind::Gaussian, WeightKind::HeavyTailed})
      for (InputKind xk :
           {InputKind::Independent, InputKind::Correlated, InputKind::Outliers})
        for (bool actOrder : {false, true}) {
          // Outlier channels are quantized with act-order, as GPTQ is used
          // on them. Without it (dynamic groups, K = 32, groups of 8) the
          // error pushed into an outlier channel's group widens that
          // group's range: measured on these seeds, 3 of 6 cases lose to
          // RTN by 1-11% in output error. docs/passes/gptq-awq.md says so.
          if (xk == InputKind::Outliers && !actOrder)
            continue;
          SCOPED_TRACE(testing::Message()
                       << "seed " << seed << " weights " << int(wk)
                       << " inputs " << int(xk) << " act " << actOrder);
          Case c = makeCase(seed, wk, xk);
          std::vector<double> h = gram(c);
          Scheme s = int4Group(8, true);
          std::string error;
          QuantizedTensor rtn, gptq;
          ASSERT_TRUE(quantize(c.w.data(), {c.n, c.k}, s, rtn, error));
          GPTQOptions opt;
          opt.actOrder = actOrder;
          ASSERT_TRUE(quantizeGPTQ(c.w.data(), {c.n, c.k}, s, h.data(), opt,
                                   gptq, error))
              << error;
          double eRtn = outputErrorOnX(c, dequant(rtn, c, s));
          double eGptq = outputErrorOnX(c, dequant(gptq, c, s));
          EXPECT_LT(eGptq, eRtn);
          // The Gram-matrix form measures the same quantity.
          std::vector<float> dq = dequant(gptq, c, s);
          EXPECT_NEAR(outputError(c.w.data(), dq.data(), c.n, c.k, h.data()),
                      eGptq, 1e-6 * eGptq);
        }
}

TEST(GPTQ, PerChannelAndTensorSchemes) {
  Case c = makeCase(3, WeightKind::HeavyTailed, InputKind::Correlated);
  std::vector<double> h = gram(c);
  for (Granularity gran : {Granularity::Axis, Granularity::Tensor}) {
    Scheme s;
    s.format = StorageFormat::I4;
    s.granularity = gran;
    s.axis = gran == Granularity::Axis ? 0 : -1;
    std::string error;
    QuantizedTensor rtn, gptq;
    ASSERT_TRUE(quantize(c.w.data(), {c.n, c.k}, s, rtn, error));
    ASSERT_TRUE(
        quantizeGPTQ(c.w.data(), {c.n, c.k}, s, h.data(), {}, gptq, error))
        << error;
    // Scales come from the original weight, exactly as RTN's.
    EXPECT_EQ(gptq.scales, rtn.scales);
    EXPECT_LT(outputErrorOnX(c, dequant(gptq, c, s)),
              outputErrorOnX(c, dequant(rtn, c, s)));
  }
}

TEST(GPTQ, RankDeficientInputIsDampedAndFinite) {
  Case c =
      makeCase(5, WeightKind::HeavyTailed, InputKind::Independent, 8, 32, 16);
  // Column 7 duplicates column 3; columns 0 and 20 are never active.
  for (int64_t r = 0; r < c.rows; ++r) {
    c.x[r * c.k + 7] = c.x[r * c.k + 3];
    c.x[r * c.k + 0] = 0.0;
    c.x[r * c.k + 20] = 0.0;
  }
  std::vector<double> h = gram(c);
  Scheme s = int4Group(8, true);
  for (bool actOrder : {false, true}) {
    GPTQOptions opt;
    opt.dampPercent = 0.0; // Only the fallback can make H^-1 exist.
    opt.actOrder = actOrder;
    QuantizedTensor q;
    std::string error;
    GPTQReport rep;
    ASSERT_TRUE(
        quantizeGPTQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q, error, &rep))
        << error;
    EXPECT_GE(rep.dampingRetries, 1);
    EXPECT_GT(rep.damping, 0.0);
    EXPECT_EQ(rep.deadColumns, 2);
    for (float v : dequant(q, c, s))
      EXPECT_TRUE(std::isfinite(v));
    for (int64_t r = 0; r < c.n; ++r) {
      EXPECT_EQ(q.codes[r * c.k + 0], 0); // Dead columns are zeroed.
      EXPECT_EQ(q.codes[r * c.k + 20], 0);
    }
    EXPECT_TRUE(std::isfinite(rep.proxyLoss));
  }
  // A full-rank X needs no fallback.
  Case full = makeCase(5, WeightKind::HeavyTailed, InputKind::Independent);
  std::vector<double> hf = gram(full);
  GPTQOptions opt;
  opt.dampPercent = 0.0;
  GPTQReport rep;
  QuantizedTensor q;
  std::string error;
  ASSERT_TRUE(quantizeGPTQ(full.w.data(), {full.n, full.k}, s, hf.data(), opt,
                           q, error, &rep));
  EXPECT_EQ(rep.dampingRetries, 0);
  EXPECT_EQ(rep.damping, 0.0);
}

TEST(GPTQ, RejectsBadInput) {
  Case c = makeCase(1, WeightKind::Gaussian, InputKind::Independent);
  std::vector<double> h = gram(c);
  QuantizedTensor q;
  std::string error;
  h[5] = NAN;
  EXPECT_FALSE(quantizeGPTQ(c.w.data(), {c.n, c.k}, int4Group(8, true),
                            h.data(), {}, q, error));
  EXPECT_NE(error.find("non-finite"), std::string::npos) << error;
  h = gram(c);
  Scheme bad = int4Group(8, true);
  bad.axis = 0;
  bad.groupSize = 4;
  EXPECT_FALSE(
      quantizeGPTQ(c.w.data(), {c.n, c.k}, bad, h.data(), {}, q, error));
  GPTQOptions opt;
  opt.blockSize = 0;
  EXPECT_FALSE(quantizeGPTQ(c.w.data(), {c.n, c.k}, int4Group(8, true),
                            h.data(), opt, q, error));
  // All-zero H: every column dead; the weight quantizes to zeros.
  std::vector<double> zero(c.k * c.k, 0.0);
  GPTQReport rep;
  ASSERT_TRUE(quantizeGPTQ(c.w.data(), {c.n, c.k}, int4Group(8, true),
                           zero.data(), {}, q, error, &rep))
      << error;
  EXPECT_EQ(rep.deadColumns, c.k);
  for (int32_t code : q.codes)
    EXPECT_EQ(code, 0);
}

//===----------------------------------------------------------------------===//
// AWQ
//===----------------------------------------------------------------------===//

/// The AWQ error of one alpha computed from X directly: s from the mean
/// square of each column, W diag(s) quantized by RTN, inputs divided by s.
double awqErrorOnX(const Case &c, double alpha, const Scheme &s) {
  std::vector<double> rms(c.k, 0.0);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t j = 0; j < c.k; ++j)
      rms[j] += c.x[r * c.k + j] * c.x[r * c.k + j] / double(c.rows);
  std::vector<double> sc(c.k);
  double lo = INFINITY, hi = 0.0;
  for (int64_t j = 0; j < c.k; ++j) {
    sc[j] = std::max(std::pow(std::sqrt(rms[j]), alpha), 1e-4);
    lo = std::min(lo, sc[j]);
    hi = std::max(hi, sc[j]);
  }
  std::vector<float> scaled(c.n * c.k), sf(c.k);
  for (int64_t j = 0; j < c.k; ++j)
    sf[j] = float(sc[j] / std::sqrt(lo * hi));
  for (int64_t i = 0; i < c.n * c.k; ++i)
    scaled[i] = c.w[i] * sf[i % c.k];
  QuantizedTensor q;
  std::string error;
  EXPECT_TRUE(quantize(scaled.data(), {c.n, c.k}, s, q, error));
  std::vector<float> dq = dequant(q, c, s);
  for (int64_t i = 0; i < c.n * c.k; ++i)
    dq[i] /= sf[i % c.k];
  return outputErrorOnX(c, dq);
}

TEST(AWQ, PicksTheAlphaWithTheSmallestMeasuredError) {
  Scheme s = int4Group(16, true);
  for (unsigned seed = 20; seed < 24; ++seed) {
    SCOPED_TRACE(seed);
    Case c = makeCase(seed, WeightKind::Gaussian, InputKind::Outliers);
    std::vector<double> h = gram(c);
    // The answer, by brute force on X.
    std::vector<double> errors;
    for (int step = 0; step < 20; ++step)
      errors.push_back(awqErrorOnX(c, step / 20.0, s));
    int64_t best =
        std::min_element(errors.begin(), errors.end()) - errors.begin();
    AWQOptions opt;
    opt.rows = c.rows;
    QuantizedTensor q;
    std::vector<float> inputScales;
    std::string error;
    AWQReport rep;
    ASSERT_TRUE(quantizeAWQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q,
                            inputScales, error, &rep))
        << error;
    ASSERT_EQ(rep.errors.size(), 20u);
    for (int step = 0; step < 20; ++step)
      EXPECT_NEAR(rep.errors[step], errors[step], 1e-6 * errors[step]);
    EXPECT_DOUBLE_EQ(rep.alpha, best / 20.0);
    // Outlier channels make scaling pay: the answer is not alpha = 0.
    EXPECT_GT(best, 0);
    EXPECT_LT(rep.error, errors[0]);
    ASSERT_EQ(inputScales.size(), size_t(c.k));
    // The returned codes are those of W diag(s).
    std::vector<float> dq = dequant(q, c, s);
    for (int64_t i = 0; i < c.n * c.k; ++i)
      dq[i] /= inputScales[i % c.k];
    EXPECT_NEAR(outputErrorOnX(c, dq), rep.error, 1e-6 * rep.error);
  }
}

TEST(AWQ, EqualChannelsNeedNoScaling) {
  // Every channel equally active: s is 1 for every alpha, all errors tie,
  // and the smallest alpha (0, plain RTN) wins.
  Case c = makeCase(7, WeightKind::Gaussian, InputKind::Independent);
  std::vector<double> h(c.k * c.k, 0.0);
  for (int64_t j = 0; j < c.k; ++j)
    h[j * c.k + j] = 4.0 * c.rows;
  AWQOptions opt;
  opt.rows = c.rows;
  QuantizedTensor q, rtn;
  std::vector<float> inputScales;
  std::string error;
  AWQReport rep;
  Scheme s = int4Group(8, true);
  ASSERT_TRUE(quantizeAWQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q,
                          inputScales, error, &rep));
  EXPECT_EQ(rep.alpha, 0.0);
  for (float v : inputScales)
    EXPECT_EQ(v, 1.0f);
  ASSERT_TRUE(quantize(c.w.data(), {c.n, c.k}, s, rtn, error));
  EXPECT_EQ(q.codes, rtn.codes);
}

TEST(AWQ, ClipSearchNeverIncreasesTheError) {
  Scheme s = int4Group(8, false);
  for (unsigned seed = 30; seed < 33; ++seed) {
    Case c = makeCase(seed, WeightKind::HeavyTailed, InputKind::Outliers);
    std::vector<double> h = gram(c);
    AWQOptions opt;
    opt.rows = c.rows;
    AWQReport plain, clipped;
    QuantizedTensor q;
    std::vector<float> inputScales;
    std::string error;
    ASSERT_TRUE(quantizeAWQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q,
                            inputScales, error, &plain));
    opt.clipSearch = true;
    ASSERT_TRUE(quantizeAWQ(c.w.data(), {c.n, c.k}, s, h.data(), opt, q,
                            inputScales, error, &clipped));
    // Per group the unclipped ratio is a candidate; cross-group terms may
    // move the total either way, so allow 5% (measured: always lower).
    EXPECT_LE(clipped.error, plain.error * 1.05);
    for (float v : q.scales)
      EXPECT_TRUE(std::isfinite(v));
  }
}

} // namespace
