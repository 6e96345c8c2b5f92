//===- HalfPrecision.cpp - f32 <-> f16 / bf16 conversions -----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Both narrowing conversions work on the binary32 bit pattern. Adding
// (half-ulp - 1) plus the lowest kept bit before truncating rounds to nearest
// with ties to even, and a carry out of the mantissa correctly bumps the
// exponent (up to infinity). f16 subnormals are handled separately, by scaling
// into an integer count of the 2^-24 quantum.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/HalfPrecision.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

using namespace lowbit::quant;

static uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

static float bitsToFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

uint16_t lowbit::quant::floatToHalfBits(float value) {
  const uint32_t bits = floatBits(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7FFFFFFFu;

  if (magnitude > 0x7F800000u) // NaN
    return sign | 0x7E00u;
  // 65520 = 65504 + half an ulp; 65504 has an odd mantissa, so the tie and
  // everything above it round to infinity.
  if (magnitude >= 0x477FF000u)
    return sign | 0x7C00u;
  if (magnitude >= 0x38800000u) {
    // Normal in f16 (>= 2^-14): rebias the exponent from 127 to 15 and round
    // away the 13 low mantissa bits.
    uint32_t rebased = magnitude - 0x38000000u;
    uint32_t rounded = rebased + 0x0FFFu + ((rebased >> 13) & 1u);
    return sign | static_cast<uint16_t>(rounded >> 13);
  }
  // Subnormal or zero in f16: count quanta of 2^-24. The scaling is exact and
  // nearbyint rounds half to even; 1024 quanta is the smallest normal, whose
  // bit pattern is also 1024.
  float quanta = std::nearbyint(bitsToFloat(magnitude) * 16777216.0f);
  return sign | static_cast<uint16_t>(quanta);
}

float lowbit::quant::halfBitsToFloat(uint16_t bits) {
  const bool negative = bits & 0x8000u;
  const unsigned exponent = (bits >> 10) & 0x1Fu;
  const unsigned mantissa = bits & 0x3FFu;
  float result;
  if (exponent == 0x1Fu)
    result = mantissa == 0 ? std::numeric_limits<float>::infinity()
                           : std::numeric_limits<float>::quiet_NaN();
  else if (exponent == 0)
    result = std::ldexp(static_cast<float>(mantissa), -24);
  else
    result = std::ldexp(static_cast<float>(mantissa | 0x400u),
                        static_cast<int>(exponent) - 25);
  return negative ? -result : result;
}

uint16_t lowbit::quant::floatToBFloat16Bits(float value) {
  const uint32_t bits = floatBits(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) // NaN
    return static_cast<uint16_t>(((bits >> 16) & 0x8000u) | 0x7FC0u);
  uint32_t rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

float lowbit::quant::bfloat16BitsToFloat(uint16_t bits) {
  return bitsToFloat(static_cast<uint32_t>(bits) << 16);
}

float lowbit::quant::roundToScaleType(float value, ScaleType type) {
  switch (type) {
  case ScaleType::F32:
    return value;
  case ScaleType::F16:
    return halfBitsToFloat(floatToHalfBits(value));
  case ScaleType::BF16:
    return bfloat16BitsToFloat(floatToBFloat16Bits(value));
  }
  return value;
}

float lowbit::quant::smallestNormal(ScaleType type) {
  return type == ScaleType::F16 ? 6.103515625e-05f : FLT_MIN;
}

float lowbit::quant::largestFinite(ScaleType type) {
  switch (type) {
  case ScaleType::F32:
    return FLT_MAX;
  case ScaleType::F16:
    return 65504.0f;
  case ScaleType::BF16:
    return bfloat16BitsToFloat(0x7F7Fu);
  }
  return FLT_MAX;
}
