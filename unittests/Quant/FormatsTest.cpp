//===- FormatsTest.cpp - Element formats and codecs -----------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Every codec is checked against a table built from the format's definition
// (Reference.h): all codes decode to the defined value, and encoding agrees
// with a brute-force nearest-value search on exact ties, their neighbours,
// subnormals, saturation, signed zeros and many random inputs.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Formats.h"

#include "Reference.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

using namespace lowbit::quant;
namespace ref = lowbit::quant::reference;

namespace {

using EncodeFn = uint8_t (*)(float);
using DecodeFn = float (*)(uint8_t);

struct CodecCase {
  const char *name;
  ref::MinifloatDef def;
  EncodeFn encode;
  DecodeFn decode;
};

const CodecCase kCodecs[] = {
    {"f8E4M3FN", ref::kE4M3FN, encodeFP8E4M3FN, decodeFP8E4M3FN},
    {"f8E5M2", ref::kE5M2, encodeFP8E5M2, decodeFP8E5M2},
    {"f4E2M1FN", ref::kE2M1, encodeFP4E2M1, decodeFP4E2M1},
};

/// Positive finite values of a format with their codes, in increasing order.
std::vector<std::pair<double, unsigned>>
positiveTable(const ref::MinifloatDef &def) {
  std::vector<std::pair<double, unsigned>> table;
  const unsigned signBit = 1u << (def.exponentBits + def.mantissaBits);
  for (unsigned code = 0; code < signBit; ++code) {
    double value = ref::decodeReference(code, def);
    if (std::isfinite(value))
      table.emplace_back(value, code);
  }
  std::sort(table.begin(), table.end());
  return table;
}

/// Checks encode(x) against the brute-force search.
void expectNearest(const CodecCase &codec, float x) {
  const unsigned expected = ref::nearestCodeReference(x, codec.def);
  EXPECT_EQ(unsigned(codec.encode(x)), expected)
      << codec.name << " x=" << x << " (" << std::hexfloat << x
      << std::defaultfloat << ")";
}

TEST(FormatsTest, Queries) {
  struct Row {
    StorageFormat format;
    bool integer;
    unsigned bits;
    int32_t lo, hi;
    float maxValue;
    const char *name;
  };
  const Row rows[] = {
      {StorageFormat::I8, true, 8, -128, 127, 127.0f, "i8"},
      {StorageFormat::U8, true, 8, 0, 255, 255.0f, "u8"},
      {StorageFormat::I4, true, 4, -8, 7, 7.0f, "i4"},
      {StorageFormat::U4, true, 4, 0, 15, 15.0f, "u4"},
      {StorageFormat::NF4, false, 4, 0, 15, 1.0f, "nf4"},
      {StorageFormat::FP4E2M1, false, 4, 0, 15, 6.0f, "f4E2M1FN"},
      {StorageFormat::F8E4M3FN, false, 8, 0, 255, 448.0f, "f8E4M3FN"},
      {StorageFormat::F8E5M2, false, 8, 0, 255, 57344.0f, "f8E5M2"},
  };
  for (const Row &row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(isIntegerFormat(row.format), row.integer);
    EXPECT_EQ(isSubByteFormat(row.format), row.bits == 4);
    EXPECT_EQ(bitWidth(row.format), row.bits);
    EXPECT_EQ(codeMin(row.format), row.lo);
    EXPECT_EQ(codeMax(row.format), row.hi);
    EXPECT_EQ(maxRepresentable(row.format), row.maxValue);
    EXPECT_STREQ(formatName(row.format), row.name);
    EXPECT_EQ(parseStorageFormat(row.name), row.format);
  }
  EXPECT_FALSE(parseStorageFormat("int4").has_value());
  EXPECT_STREQ(granularityName(Granularity::Group), "group");
  EXPECT_STREQ(scaleTypeName(ScaleType::BF16), "bf16");
}

TEST(FormatsTest, MaxRepresentableMatchesDefinition) {
  // The largest finite value in each float format's table.
  EXPECT_EQ(positiveTable(ref::kE4M3FN).back().first, 448.0);
  EXPECT_EQ(positiveTable(ref::kE5M2).back().first, 57344.0);
  EXPECT_EQ(positiveTable(ref::kE2M1).back().first, 6.0);
  EXPECT_EQ(maxRepresentable(StorageFormat::F8E4M3FN), 448.0f);
  EXPECT_EQ(maxRepresentable(StorageFormat::F8E5M2), 57344.0f);
  EXPECT_EQ(maxRepresentable(StorageFormat::FP4E2M1), 6.0f);
}

TEST(FormatsTest, DecodeEveryCode) {
  for (const CodecCase &codec : kCodecs) {
    for (unsigned code = 0; code < ref::numCodes(codec.def); ++code) {
      const double expected = ref::decodeReference(code, codec.def);
      const float actual = codec.decode(static_cast<uint8_t>(code));
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(actual)) << codec.name << " code " << code;
        continue;
      }
      EXPECT_EQ(static_cast<double>(actual), expected)
          << codec.name << " code " << code;
      EXPECT_EQ(std::signbit(actual), std::signbit(expected))
          << codec.name << " code " << code;
    }
  }
}

TEST(FormatsTest, FP4ValueTable) {
  // The OCP MX table, written out.
  const float magnitudes[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  for (unsigned code = 0; code < 8; ++code) {
    EXPECT_EQ(decodeFP4E2M1(code), magnitudes[code]);
    EXPECT_EQ(decodeFP4E2M1(code | 0x8), -magnitudes[code]);
    // Only the low nibble is read.
    EXPECT_EQ(decodeFP4E2M1(code | 0xF0), magnitudes[code]);
  }
  EXPECT_TRUE(std::signbit(decodeFP4E2M1(0x8)));
}

TEST(FormatsTest, EncodeRepresentableValuesExactly) {
  for (const CodecCase &codec : kCodecs) {
    for (unsigned code = 0; code < ref::numCodes(codec.def); ++code) {
      const double value = ref::decodeReference(code, codec.def);
      if (!std::isfinite(value))
        continue;
      EXPECT_EQ(unsigned(codec.encode(static_cast<float>(value))), code)
          << codec.name << " value " << value;
    }
  }
}

TEST(FormatsTest, EncodeTiesAndNeighbours) {
  for (const CodecCase &codec : kCodecs) {
    auto table = positiveTable(codec.def);
    for (size_t i = 0; i + 1 < table.size(); ++i) {
      const double lo = table[i].first, hi = table[i + 1].first;
      // The midpoint of two neighbours is exact in float for these formats.
      const float mid = static_cast<float>((lo + hi) / 2);
      ASSERT_EQ(static_cast<double>(mid), (lo + hi) / 2);
      const unsigned evenCode =
          (table[i].second & 1) == 0 ? table[i].second : table[i + 1].second;
      for (float sign : {1.0f, -1.0f}) {
        const unsigned signBit =
            sign < 0 ? 1u << (codec.def.exponentBits + codec.def.mantissaBits)
                     : 0u;
        const float x = sign * mid;
        // A tie goes to the even mantissa.
        EXPECT_EQ(unsigned(codec.encode(x)), evenCode | signBit)
            << codec.name << " tie " << x;
        expectNearest(codec, x);
        expectNearest(codec, std::nextafter(x, 0.0f));
        expectNearest(codec, std::nextafter(x, sign * 1e30f));
      }
    }
  }
}

TEST(FormatsTest, EncodeSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // E4M3FN: saturate to +-448 (0x7E); NaN -> 0x7F.
  EXPECT_EQ(encodeFP8E4M3FN(448.0f), 0x7E);
  EXPECT_EQ(encodeFP8E4M3FN(464.0f), 0x7E); // would round to 480 unsaturated
  EXPECT_EQ(encodeFP8E4M3FN(1e30f), 0x7E);
  EXPECT_EQ(encodeFP8E4M3FN(inf), 0x7E);
  EXPECT_EQ(encodeFP8E4M3FN(-inf), 0xFE);
  EXPECT_EQ(encodeFP8E4M3FN(nan), 0x7F);
  EXPECT_EQ(encodeFP8E4M3FN(-nan), 0x7F);
  EXPECT_EQ(encodeFP8E4M3FN(0.0f), 0x00);
  EXPECT_EQ(encodeFP8E4M3FN(-0.0f), 0x80);
  // Subnormals: quantum 2^-9; 2^-10 is a tie between 0 and 2^-9 (to 0),
  // 3 * 2^-10 a tie between 2^-9 and 2^-8 (to 2^-8, mantissa 2).
  EXPECT_EQ(encodeFP8E4M3FN(std::ldexp(1.0f, -9)), 0x01);
  EXPECT_EQ(encodeFP8E4M3FN(std::ldexp(1.0f, -10)), 0x00);
  EXPECT_EQ(encodeFP8E4M3FN(-std::ldexp(1.0f, -10)), 0x80);
  EXPECT_EQ(encodeFP8E4M3FN(std::ldexp(3.0f, -10)), 0x02);
  EXPECT_EQ(encodeFP8E4M3FN(std::ldexp(1.0f, -6)), 0x08); // min normal
  EXPECT_EQ(encodeFP8E4M3FN(1.0f), 0x38);
  EXPECT_EQ(encodeFP8E4M3FN(std::numeric_limits<float>::denorm_min()), 0x00);

  // E5M2: saturating, so no input (not even infinity) encodes to Inf.
  EXPECT_EQ(encodeFP8E5M2(57344.0f), 0x7B);
  EXPECT_EQ(encodeFP8E5M2(61440.0f), 0x7B); // IEEE would give Inf here
  EXPECT_EQ(encodeFP8E5M2(1e30f), 0x7B);
  EXPECT_EQ(encodeFP8E5M2(inf), 0x7B);
  EXPECT_EQ(encodeFP8E5M2(-inf), 0xFB);
  EXPECT_EQ(encodeFP8E5M2(nan), 0x7F);
  EXPECT_TRUE(std::isnan(decodeFP8E5M2(0x7F)));
  EXPECT_EQ(decodeFP8E5M2(0x7C), inf);
  EXPECT_EQ(decodeFP8E5M2(0xFC), -inf);
  EXPECT_EQ(encodeFP8E5M2(std::ldexp(1.0f, -16)), 0x01); // min subnormal
  EXPECT_EQ(encodeFP8E5M2(std::ldexp(1.0f, -17)), 0x00); // tie to 0
  EXPECT_EQ(encodeFP8E5M2(-0.0f), 0x80);
  EXPECT_EQ(encodeFP8E5M2(1.0f), 0x3C);

  // FP4 E2M1: ties to even mantissa, saturate to +-6, NaN -> +0.
  struct Row {
    float x;
    uint8_t code;
  };
  const Row fp4Rows[] = {{0.25f, 0x0}, {0.75f, 0x2}, {1.25f, 0x2}, {1.75f, 0x4},
                         {2.5f, 0x4},  {3.5f, 0x6},  {5.0f, 0x6},  {5.01f, 0x7},
                         {7.0f, 0x7},  {1e9f, 0x7},  {inf, 0x7},   {-inf, 0xF},
                         {-5.0f, 0xE}, {-0.0f, 0x8}, {0.0f, 0x0},  {-0.2f, 0x8},
                         {0.3f, 0x1},  {nan, 0x0}};
  for (const Row &row : fp4Rows)
    EXPECT_EQ(encodeFP4E2M1(row.x), row.code) << "x=" << row.x;
}

TEST(FormatsTest, EncodeRandomInputsMatchBruteForce) {
  ref::Rng rng(0x5eed0001);
  for (const CodecCase &codec : kCodecs) {
    const int maxExponent = (1 << codec.def.exponentBits) - 1 - codec.def.bias;
    const int minExponent = 1 - codec.def.bias - codec.def.mantissaBits;
    for (int i = 0; i < 30000; ++i) {
      // Random sign, a binary exponent from below the smallest subnormal to
      // above the largest finite value, and 23 random mantissa bits.
      const int exponent =
          minExponent - 3 +
          static_cast<int>(rng.bits() % (maxExponent - minExponent + 6));
      const float mantissa =
          1.0f + static_cast<float>(rng.bits() >> 41) * 0x1.0p-23f;
      float x = std::ldexp(mantissa, exponent);
      if (rng.bits() & 1)
        x = -x;
      expectNearest(codec, x);
    }
    // Float subnormals and other tiny values all round to a signed zero.
    expectNearest(codec, std::numeric_limits<float>::denorm_min());
    expectNearest(codec, -std::numeric_limits<float>::min());
  }
}

//===----------------------------------------------------------------------===//
// NF4
//===----------------------------------------------------------------------===//

/// Inverse of the standard normal CDF by bisection on erfc (about 1e-15).
double normalQuantile(double p) {
  double lo = -10.0, hi = 10.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

TEST(FormatsTest, NF4LevelsAreThePublishedCodeBook) {
  const auto &levels = nf4Levels();
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(levels[i], static_cast<float>(ref::kNF4Published[i])) << i;
    EXPECT_EQ(decodeNF4(i), levels[i]);
    EXPECT_EQ(decodeNF4(i | 0xF0), levels[i]);
    if (i > 0) {
      EXPECT_LT(levels[i - 1], levels[i]);
    }
  }
  EXPECT_EQ(levels[7], 0.0f);
}

TEST(FormatsTest, NF4LevelsFollowTheQLoRADefinition) {
  // QLoRA's create_normal_map(offset = 0.9677083, use_extra_value = True):
  // 8 positive quantiles at linspace(offset, 0.5, 9)[:-1], 7 negative ones
  // at linspace(offset, 0.5, 8)[:-1], an exact 0, all divided by the largest.
  const double offset = 0.9677083;
  std::vector<double> values;
  for (int i = 0; i < 8; ++i)
    values.push_back(normalQuantile(offset + (0.5 - offset) * i / 8));
  for (int i = 0; i < 7; ++i)
    values.push_back(-normalQuantile(offset + (0.5 - offset) * i / 7));
  values.push_back(0.0);
  std::sort(values.begin(), values.end());
  const double largest = values.back();
  // The published constants went through float32 linspace and storage.
  for (unsigned i = 0; i < 16; ++i)
    EXPECT_NEAR(nf4Levels()[i], values[i] / largest, 1e-6) << i;
}

TEST(FormatsTest, NF4EncodeMatchesBruteForce) {
  const auto &levels = nf4Levels();
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(encodeNF4(levels[i]), i);
    if (i + 1 == 16)
      continue;
    // Exact midpoints (when representable in float) go to the lower index;
    // the floats on either side go to their own side.
    const double mid = (double(levels[i]) + levels[i + 1]) / 2;
    const float midFloat = static_cast<float>(mid);
    if (static_cast<double>(midFloat) == mid) {
      EXPECT_EQ(encodeNF4(midFloat), i) << "midpoint " << i;
    }
    for (float x : {midFloat, std::nextafter(midFloat, -2.0f),
                    std::nextafter(midFloat, 2.0f)})
      EXPECT_EQ(encodeNF4(x), ref::nearestNF4Reference(x)) << "x=" << x;
  }
  ref::Rng rng(0x5eed0002);
  for (int i = 0; i < 20000; ++i) {
    const float x = static_cast<float>(rng.uniform() * 2.4 - 1.2);
    EXPECT_EQ(encodeNF4(x), ref::nearestNF4Reference(x)) << "x=" << x;
  }
  EXPECT_EQ(encodeNF4(-0.0f), 7);
  EXPECT_EQ(encodeNF4(1e-30f), 7);
  EXPECT_EQ(encodeNF4(5.0f), 15);
  EXPECT_EQ(encodeNF4(-5.0f), 0);
  EXPECT_EQ(encodeNF4(std::numeric_limits<float>::infinity()), 15);
  EXPECT_EQ(encodeNF4(std::numeric_limits<float>::quiet_NaN()), 7);
}

TEST(FormatsTest, NF4TieGoesToLowerIndex) {
  // Level 7 is 0, so the midpoints with levels 6 and 8 are halvings, which
  // are exact in float.
  const float level8 = nf4Levels()[8];
  EXPECT_EQ(encodeNF4(level8 / 2), 7);
  EXPECT_EQ(encodeNF4(std::nextafter(level8 / 2, 1.0f)), 8);
  EXPECT_EQ(encodeNF4(nf4Levels()[6] / 2), 6);
  EXPECT_EQ(encodeNF4(std::nextafter(nf4Levels()[6] / 2, 1.0f)), 7);
}

} // namespace
