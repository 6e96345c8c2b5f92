//===- ErrorMetricsTest.cpp - Accuracy metrics ----------------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/ErrorMetrics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace lowbit::quant;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

TEST(ErrorMetricsTest, HandComputed) {
  // e = {0, 0, 0, -1}: sum e^2 = 1, sum ref^2 = 30, sum approx^2 = 39,
  // dot = 34.
  const float ref[] = {1, 2, 3, 4};
  const float approx[] = {1, 2, 3, 5};
  ErrorMetrics m = computeErrorMetrics(ref, approx, 4);
  EXPECT_NEAR(m.sqnrDb, 14.771212547196624, 1e-12); // 10 log10(30)
  EXPECT_NEAR(m.cosine, 34.0 / std::sqrt(30.0 * 39.0), 1e-15);
  EXPECT_EQ(m.maxAbs, 1.0);
  EXPECT_NEAR(m.relativeL2, 1.0 / std::sqrt(30.0), 1e-15);

  // e = {0.5, -0.5}: sum e^2 = 0.5, sum ref^2 = 2 -> 10 log10(4).
  const float ref2[] = {1, -1};
  const float approx2[] = {0.5f, -0.5f};
  m = computeErrorMetrics(ref2, approx2, 2);
  EXPECT_NEAR(m.sqnrDb, 6.020599913279624, 1e-12);
  EXPECT_NEAR(m.cosine, 1.0, 1e-15); // parallel vectors
  EXPECT_EQ(m.maxAbs, 0.5);
  EXPECT_NEAR(m.relativeL2, 0.5, 1e-15);
}

TEST(ErrorMetricsTest, ExactAndZeroCases) {
  const float ref[] = {1, -2, 3};
  ErrorMetrics m = computeErrorMetrics(ref, ref, 3);
  EXPECT_EQ(m.sqnrDb, kInf);
  EXPECT_NEAR(m.cosine, 1.0, 1e-15);
  EXPECT_EQ(m.maxAbs, 0.0);
  EXPECT_EQ(m.relativeL2, 0.0);

  const float zeros[] = {0, 0, 0};
  m = computeErrorMetrics(zeros, zeros, 3);
  EXPECT_EQ(m.sqnrDb, kInf);
  EXPECT_EQ(m.cosine, 1.0);
  EXPECT_EQ(m.relativeL2, 0.0);

  m = computeErrorMetrics(zeros, ref, 3);
  EXPECT_EQ(m.sqnrDb, -kInf);
  EXPECT_EQ(m.cosine, 0.0);
  EXPECT_EQ(m.maxAbs, 3.0);
  EXPECT_EQ(m.relativeL2, kInf);

  m = computeErrorMetrics(ref, zeros, 3);
  EXPECT_NEAR(m.sqnrDb, 0.0, 1e-15); // dropping the signal is 0 dB
  EXPECT_EQ(m.cosine, 0.0);
  EXPECT_EQ(m.relativeL2, 1.0);

  const float negated[] = {-1, 2, -3};
  m = computeErrorMetrics(ref, negated, 3);
  EXPECT_NEAR(m.cosine, -1.0, 1e-15);
  EXPECT_NEAR(m.sqnrDb, 10.0 * std::log10(1.0 / 4.0), 1e-12);

  m = computeErrorMetrics(nullptr, nullptr, 0);
  EXPECT_EQ(m.sqnrDb, kInf);
  EXPECT_EQ(m.cosine, 1.0);
  EXPECT_EQ(m.maxAbs, 0.0);
  EXPECT_EQ(m.relativeL2, 0.0);
}

TEST(ErrorMetricsTest, NonFinitePropagates) {
  const float ref[] = {1, 2, 3};
  const float approx[] = {1, std::numeric_limits<float>::quiet_NaN(), 3};
  ErrorMetrics m = computeErrorMetrics(ref, approx, 3);
  EXPECT_TRUE(std::isnan(m.maxAbs));
  EXPECT_TRUE(std::isnan(m.sqnrDb));
  EXPECT_TRUE(std::isnan(m.cosine));
}

} // namespace
