//===- HalfPrecisionTest.cpp - f32 <-> f16 / bf16 conversions -------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Known bit patterns, plus exhaustive checks against the IEEE definition: every
// 16-bit pattern decodes to the value its fields define, and for every pair of
// neighbouring finite values the midpoint rounds to the even pattern and the
// floats just inside it round to their own side.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/HalfPrecision.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

using namespace lowbit::quant;

namespace {

float fromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// binary16 from its definition.
double halfReference(uint16_t bits) {
  const double sign = (bits & 0x8000) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 31)
    return mantissa ? std::numeric_limits<double>::quiet_NaN()
                    : sign * std::numeric_limits<double>::infinity();
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(HalfPrecisionTest, KnownHalfBitPatterns) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(floatToHalfBits(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalfBits(-2.0f), 0xC000);
  EXPECT_EQ(floatToHalfBits(0.5f), 0x3800);
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65519.0f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7C00); // tie above max -> Inf
  EXPECT_EQ(floatToHalfBits(1e10f), 0x7C00);
  EXPECT_EQ(floatToHalfBits(inf), 0x7C00);
  EXPECT_EQ(floatToHalfBits(-inf), 0xFC00);
  EXPECT_EQ(floatToHalfBits(0.0f), 0x0000);
  EXPECT_EQ(floatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalfBits(0.1f), 0x2E66);
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -14)), 0x0400);    // min normal
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -24)), 0x0001);    // min subnormal
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -25)), 0x0000);    // tie -> 0
  EXPECT_EQ(floatToHalfBits(std::ldexp(3.0f, -25)), 0x0002);    // tie -> even
  EXPECT_EQ(floatToHalfBits(std::ldexp(1023.5f, -24)), 0x0400); // tie -> even
  EXPECT_EQ(floatToHalfBits(FLT_MIN), 0x0000);
  // RNE at 1.0: ulp 2^-10, so 1 + 2^-11 is a tie.
  EXPECT_EQ(floatToHalfBits(1.0f + 0x1.0p-11f), 0x3C00);
  EXPECT_EQ(floatToHalfBits(1.0f + 0x1.0p-11f + 0x1.0p-20f), 0x3C01);
  EXPECT_EQ(floatToHalfBits(1.0f + 0x3.0p-11f), 0x3C02);
  const uint16_t nanBits =
      floatToHalfBits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nanBits & 0x7C00, 0x7C00);
  EXPECT_NE(nanBits & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(halfBitsToFloat(nanBits)));

  EXPECT_EQ(halfBitsToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfBitsToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfBitsToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfBitsToFloat(0xFC00), -inf);
}

TEST(HalfPrecisionTest, EveryHalfPatternDecodesAndRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const double expected = halfReference(h);
    const float actual = halfBitsToFloat(h);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(actual)) << std::hex << bits;
      EXPECT_TRUE(std::isnan(halfBitsToFloat(floatToHalfBits(actual))));
      continue;
    }
    ASSERT_EQ(static_cast<double>(actual), expected) << std::hex << bits;
    ASSERT_EQ(std::signbit(actual), bool(bits & 0x8000)) << std::hex << bits;
    ASSERT_EQ(floatToHalfBits(actual), h) << std::hex << bits;
  }
}

TEST(HalfPrecisionTest, HalfRoundsToNearestEvenBetweenEveryPair) {
  for (uint16_t h = 0; h < 0x7BFF; ++h) {
    const double lo = halfReference(h), hi = halfReference(h + 1);
    const float mid = static_cast<float>((lo + hi) / 2);
    ASSERT_EQ(static_cast<double>(mid), (lo + hi) / 2);
    const uint16_t even = (h & 1) ? h + 1 : h;
    ASSERT_EQ(floatToHalfBits(mid), even) << std::hex << h;
    ASSERT_EQ(floatToHalfBits(-mid), even | 0x8000) << std::hex << h;
    ASSERT_EQ(floatToHalfBits(std::nextafter(mid, 0.0f)), h) << std::hex << h;
    ASSERT_EQ(floatToHalfBits(std::nextafter(mid, 1e9f)), h + 1)
        << std::hex << h;
  }
}

TEST(HalfPrecisionTest, KnownBFloat16BitPatterns) {
  EXPECT_EQ(floatToBFloat16Bits(1.0f), 0x3F80);
  EXPECT_EQ(floatToBFloat16Bits(-2.0f), 0xC000);
  EXPECT_EQ(floatToBFloat16Bits(0.1f), 0x3DCD);
  EXPECT_EQ(floatToBFloat16Bits(-0.0f), 0x8000);
  // Ties on the dropped 16 bits: 0x8000 exactly.
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x3F808000)), 0x3F80); // to even
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x3F818000)), 0x3F82); // to even
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x3F808001)), 0x3F81);
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x3F807FFF)), 0x3F80);
  EXPECT_EQ(floatToBFloat16Bits(FLT_MAX), 0x7F80); // rounds up to Inf
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x7F7F7FFF)), 0x7F7F);
  EXPECT_EQ(floatToBFloat16Bits(std::numeric_limits<float>::infinity()),
            0x7F80);
  EXPECT_EQ(floatToBFloat16Bits(std::numeric_limits<float>::quiet_NaN()) &
                0x7FFF,
            0x7FC0);
  // A NaN whose payload sits only in the low bits must stay NaN.
  EXPECT_TRUE(std::isnan(
      bfloat16BitsToFloat(floatToBFloat16Bits(fromBits(0x7F800001)))));
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x00008000)), 0x0000); // subnormal tie
  EXPECT_EQ(floatToBFloat16Bits(fromBits(0x00018000)), 0x0002);
  EXPECT_EQ(bfloat16BitsToFloat(0x3F80), 1.0f);
  EXPECT_EQ(bfloat16BitsToFloat(0x4049), 3.140625f);
}

TEST(HalfPrecisionTest, RoundToScaleType) {
  EXPECT_EQ(roundToScaleType(0.1f, ScaleType::F32), 0.1f);
  EXPECT_EQ(roundToScaleType(0.1f, ScaleType::F16), 0.0999755859375f);
  EXPECT_EQ(roundToScaleType(0.1f, ScaleType::BF16), 0.10009765625f);
  EXPECT_EQ(roundToScaleType(1.0f / 7.0f, ScaleType::F16), 0.142822265625f);
  EXPECT_EQ(roundToScaleType(1.0f / 7.0f, ScaleType::BF16), 0.142578125f);
  EXPECT_EQ(roundToScaleType(1e-9f, ScaleType::F16), 0.0f);
  EXPECT_TRUE(std::isinf(roundToScaleType(1e5f, ScaleType::F16)));
  EXPECT_EQ(smallestNormal(ScaleType::F16), std::ldexp(1.0f, -14));
  EXPECT_EQ(smallestNormal(ScaleType::BF16), FLT_MIN);
  EXPECT_EQ(smallestNormal(ScaleType::F32), FLT_MIN);
  EXPECT_EQ(largestFinite(ScaleType::F16), 65504.0f);
  EXPECT_EQ(largestFinite(ScaleType::BF16), fromBits(0x7F7F0000));
}

} // namespace
