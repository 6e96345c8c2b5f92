//===- DoubleQuantTest.cpp - 8-bit storage of group scales ----------------===//
//
// Reference values worked out from the definition in DoubleQuant.h.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/DoubleQuant.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace lowbit::quant;

namespace {

TEST(DoubleQuant, HandComputedBlock) {
  // mean 2.5, max |s - 2.5| = 1.5, block scale 1.5 / 127:
  // codes (s - 2.5) * 127 / 1.5 = [-127, -42.33, 42.33, 127] -> [-127, -42,
  // 42, 127].
  DoubleQuantizedScales dq = doubleQuantizeScales({1.0f, 2.0f, 3.0f, 4.0f});
  EXPECT_FLOAT_EQ(dq.offset, 2.5f);
  ASSERT_EQ(dq.blockScales.size(), 1u);
  EXPECT_FLOAT_EQ(dq.blockScales[0], 1.5f / 127.0f);
  EXPECT_EQ(dq.codes, (std::vector<int8_t>{-127, -42, 42, 127}));
  // Reconstruction error is at most half a step.
  const float original[] = {1.0f, 2.0f, 3.0f, 4.0f};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_LE(std::fabs(dq.scale(i) - original[i]),
              0.5f * dq.blockScales[0] + 1e-6f);
}

TEST(DoubleQuant, BlocksOf256) {
  // 300 scales: block 0 holds scales 0..255, block 1 the other 44, each with
  // its own absmax (1 and 3 away from the mean 2).
  std::vector<float> scales(300, 2.0f);
  scales[10] = 3.0f;
  scales[5] = 1.0f;
  scales[280] = 5.0f;
  scales[290] = 2.0f - 1.0f;
  DoubleQuantizedScales dq = doubleQuantizeScales(scales);
  ASSERT_EQ(dq.blockScales.size(), 2u);
  ASSERT_EQ(dq.codes.size(), 300u);
  float mean = 0.0f;
  for (float s : scales)
    mean += s;
  mean /= 300.0f;
  EXPECT_NEAR(dq.offset, mean, 1e-6);
  EXPECT_FLOAT_EQ(dq.blockScales[0], std::fabs(1.0f - dq.offset) / 127.0f);
  EXPECT_FLOAT_EQ(dq.blockScales[1], std::fabs(5.0f - dq.offset) / 127.0f);
  EXPECT_EQ(dq.codes[280], 127);
  EXPECT_EQ(dq.codes[5], -127);
}

TEST(DoubleQuant, ReconstructedScalesStayPositive) {
  // A tiny scale next to large ones: its code would reconstruct to <= 0, so
  // it is raised until the scale is positive.
  std::vector<float> scales(64, 10.0f);
  scales[0] = 1e-4f;
  DoubleQuantizedScales dq = doubleQuantizeScales(scales);
  for (size_t i = 0; i < scales.size(); ++i)
    EXPECT_GT(dq.scale(i), 0.0f) << "scale " << i;
}

TEST(DoubleQuant, ConstantScales) {
  // All equal: every difference is 0, block scale 1, codes 0, exact.
  DoubleQuantizedScales dq =
      doubleQuantizeScales(std::vector<float>(10, 0.25f));
  EXPECT_FLOAT_EQ(dq.blockScales[0], 1.0f);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(dq.codes[i], 0);
    EXPECT_FLOAT_EQ(dq.scale(i), 0.25f);
  }
}

} // namespace
