//===- Formats.cpp - Element storage formats and their codecs -------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The three small float formats (FP8 E4M3FN, FP8 E5M2, FP4 E2M1) share one
// encoder: for |x| with binary exponent e = max(floor(log2 |x|), emin), the
// representable neighbours are multiples of the quantum 2^(e - mantissaBits),
// so the code is round-half-to-even(|x| / quantum) times that quantum. An
// even multiple is a code with an even mantissa, which is IEEE's tie rule;
// a result of 2^(mantissaBits + 1) quanta carries into the next binade.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Formats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace lowbit::quant;

//===----------------------------------------------------------------------===//
// Format queries
//===----------------------------------------------------------------------===//

bool lowbit::quant::isIntegerFormat(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4:
    return true;
  case StorageFormat::NF4:
  case StorageFormat::FP4E2M1:
  case StorageFormat::F8E4M3FN:
  case StorageFormat::F8E5M2:
    return false;
  }
  return false;
}

bool lowbit::quant::isSubByteFormat(StorageFormat format) {
  return bitWidth(format) == 4;
}

unsigned lowbit::quant::bitWidth(StorageFormat format) {
  switch (format) {
  case StorageFormat::I4:
  case StorageFormat::U4:
  case StorageFormat::NF4:
  case StorageFormat::FP4E2M1:
    return 4;
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::F8E4M3FN:
  case StorageFormat::F8E5M2:
    return 8;
  }
  return 8;
}

int32_t lowbit::quant::codeMin(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return -128;
  case StorageFormat::I4:
    return -8;
  default:
    return 0;
  }
}

int32_t lowbit::quant::codeMax(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return 127;
  case StorageFormat::I4:
    return 7;
  default:
    return bitWidth(format) == 4 ? 15 : 255;
  }
}

float lowbit::quant::maxRepresentable(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return 127.0f;
  case StorageFormat::U8:
    return 255.0f;
  case StorageFormat::I4:
    return 7.0f;
  case StorageFormat::U4:
    return 15.0f;
  case StorageFormat::NF4:
    return 1.0f;
  case StorageFormat::FP4E2M1:
    return 6.0f;
  case StorageFormat::F8E4M3FN:
    return 448.0f;
  case StorageFormat::F8E5M2:
    return 57344.0f;
  }
  return 1.0f;
}

const char *lowbit::quant::formatName(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return "i8";
  case StorageFormat::U8:
    return "u8";
  case StorageFormat::I4:
    return "i4";
  case StorageFormat::U4:
    return "u4";
  case StorageFormat::NF4:
    return "nf4";
  case StorageFormat::FP4E2M1:
    return "f4E2M1FN";
  case StorageFormat::F8E4M3FN:
    return "f8E4M3FN";
  case StorageFormat::F8E5M2:
    return "f8E5M2";
  }
  return "<invalid>";
}

std::optional<StorageFormat>
lowbit::quant::parseStorageFormat(std::string_view name) {
  static constexpr StorageFormat kAll[] = {
      StorageFormat::I8,       StorageFormat::U8,    StorageFormat::I4,
      StorageFormat::U4,       StorageFormat::NF4,   StorageFormat::FP4E2M1,
      StorageFormat::F8E4M3FN, StorageFormat::F8E5M2};
  for (StorageFormat format : kAll)
    if (name == formatName(format))
      return format;
  return std::nullopt;
}

const char *lowbit::quant::granularityName(Granularity granularity) {
  switch (granularity) {
  case Granularity::Tensor:
    return "tensor";
  case Granularity::Axis:
    return "axis";
  case Granularity::Group:
    return "group";
  }
  return "<invalid>";
}

const char *lowbit::quant::scaleTypeName(ScaleType scaleType) {
  switch (scaleType) {
  case ScaleType::F32:
    return "f32";
  case ScaleType::F16:
    return "f16";
  case ScaleType::BF16:
    return "bf16";
  }
  return "<invalid>";
}

//===----------------------------------------------------------------------===//
// Small float formats
//===----------------------------------------------------------------------===//

namespace {
/// Layout of a sign-exponent-mantissa format of at most 8 bits.
struct Minifloat {
  int exponentBits;
  int mantissaBits;
  int bias;
  /// Largest finite magnitude and its (positive) code: the saturation target.
  double maxFinite;
  uint8_t maxFiniteCode;
  /// Code produced for a NaN input.
  uint8_t nanCode;
  /// The all-ones exponent field holds Inf (mantissa 0) and NaN (E5M2).
  bool ieeeSpecials;
  /// Only the all-ones magnitude S.1111.111 is NaN (E4M3FN). A format with
  /// neither flag (E2M1) has no special values.
  bool allOnesIsNaN;
};
} // namespace

static constexpr Minifloat kE4M3FN = {4, 3, 7, 448.0, 0x7E, 0x7F, false, true};
static constexpr Minifloat kE5M2 = {5, 2, 15, 57344.0, 0x7B, 0x7F, true, false};
static constexpr Minifloat kE2M1 = {2, 1, 1, 6.0, 0x7, 0x0, false, false};

static uint8_t encodeMinifloat(float value, const Minifloat &fmt) {
  if (std::isnan(value))
    return fmt.nanCode;
  const int signShift = fmt.exponentBits + fmt.mantissaBits;
  const uint8_t sign = std::signbit(value) ? uint8_t(1u << signShift) : 0;
  const double magnitude = std::fabs(static_cast<double>(value));
  // Saturating conversion: everything from the largest finite value up,
  // infinity included, becomes the largest finite value.
  if (magnitude >= fmt.maxFinite)
    return sign | fmt.maxFiniteCode;
  if (magnitude == 0.0)
    return sign;

  const int minExponent = 1 - fmt.bias;
  int frexpExponent;
  std::frexp(magnitude, &frexpExponent);
  // frexp gives magnitude = f * 2^frexpExponent with f in [0.5, 1).
  int exponent = std::max(frexpExponent - 1, minExponent);
  // Exact: a power-of-two scaling of a float held in a double.
  double quanta = std::ldexp(magnitude, fmt.mantissaBits - exponent);
  double rounded = std::nearbyint(quanta);
  const double implicitOne = std::ldexp(1.0, fmt.mantissaBits);

  if (rounded >= 2.0 * implicitOne) {
    // Rounded up into the next binade: 2^(m+1) quanta is 1.0 * 2^(e+1).
    rounded = implicitOne;
    ++exponent;
  }
  if (std::ldexp(rounded, exponent - fmt.mantissaBits) > fmt.maxFinite)
    return sign | fmt.maxFiniteCode;

  unsigned exponentField, mantissaField;
  if (rounded < implicitOne) {
    // Subnormal (only possible at the minimum exponent), or zero.
    assert(exponent == minExponent && "subnormal above the minimum exponent");
    exponentField = 0;
    mantissaField = static_cast<unsigned>(rounded);
  } else {
    exponentField = static_cast<unsigned>(exponent + fmt.bias);
    mantissaField = static_cast<unsigned>(rounded - implicitOne);
  }
  return sign | static_cast<uint8_t>((exponentField << fmt.mantissaBits) |
                                     mantissaField);
}

static float decodeMinifloat(uint8_t code, const Minifloat &fmt) {
  const int signShift = fmt.exponentBits + fmt.mantissaBits;
  const unsigned magnitudeMask = (1u << signShift) - 1;
  const bool negative = (code >> signShift) & 1;
  const unsigned magnitudeBits = code & magnitudeMask;
  const unsigned exponentField = magnitudeBits >> fmt.mantissaBits;
  const unsigned mantissaField = magnitudeBits & ((1u << fmt.mantissaBits) - 1);
  const unsigned maxExponentField = (1u << fmt.exponentBits) - 1;

  float result;
  if (fmt.allOnesIsNaN && magnitudeBits == magnitudeMask) {
    result = std::numeric_limits<float>::quiet_NaN();
  } else if (fmt.ieeeSpecials && exponentField == maxExponentField) {
    result = mantissaField == 0 ? std::numeric_limits<float>::infinity()
                                : std::numeric_limits<float>::quiet_NaN();
  } else if (exponentField == 0) {
    result = std::ldexp(static_cast<float>(mantissaField),
                        1 - fmt.bias - fmt.mantissaBits);
  } else {
    float significand =
        static_cast<float>((1u << fmt.mantissaBits) | mantissaField);
    result = std::ldexp(significand, static_cast<int>(exponentField) -
                                         fmt.bias - fmt.mantissaBits);
  }
  return negative ? -result : result;
}

uint8_t lowbit::quant::encodeFP8E4M3FN(float value) {
  return encodeMinifloat(value, kE4M3FN);
}

float lowbit::quant::decodeFP8E4M3FN(uint8_t code) {
  return decodeMinifloat(code, kE4M3FN);
}

uint8_t lowbit::quant::encodeFP8E5M2(float value) {
  return encodeMinifloat(value, kE5M2);
}

float lowbit::quant::decodeFP8E5M2(uint8_t code) {
  return decodeMinifloat(code, kE5M2);
}

uint8_t lowbit::quant::encodeFP4E2M1(float value) {
  return encodeMinifloat(value, kE2M1);
}

float lowbit::quant::decodeFP4E2M1(uint8_t code) {
  return decodeMinifloat(code & 0xF, kE2M1);
}

//===----------------------------------------------------------------------===//
// NF4
//===----------------------------------------------------------------------===//

// The float32 constants of bitsandbytes' NF4 code book (QLoRA, Dettmers et
// al. 2023): quantiles of N(0, 1) at offset 0.9677083, normalised to [-1, 1],
// with an exact zero.
static constexpr std::array<float, 16> kNF4Levels = {-1.0f,
                                                     -0.6961928009986877f,
                                                     -0.5250730514526367f,
                                                     -0.39491748809814453f,
                                                     -0.28444138169288635f,
                                                     -0.18477343022823334f,
                                                     -0.09105003625154495f,
                                                     0.0f,
                                                     0.07958029955625534f,
                                                     0.16093020141124725f,
                                                     0.24611230194568634f,
                                                     0.33791524171829224f,
                                                     0.44070982766151428f,
                                                     0.5626170039176941f,
                                                     0.7229568362236023f,
                                                     1.0f};

const std::array<float, 16> &lowbit::quant::nf4Levels() { return kNF4Levels; }

/// Midpoints between consecutive NF4 levels. The average of two floats is
/// exact in double, so comparing against it is an exact nearest-level test.
static const std::array<double, 15> &nf4Midpoints() {
  static const std::array<double, 15> midpoints = [] {
    std::array<double, 15> result{};
    for (size_t i = 0; i < result.size(); ++i)
      result[i] = (static_cast<double>(kNF4Levels[i]) + kNF4Levels[i + 1]) / 2;
    return result;
  }();
  return midpoints;
}

uint8_t lowbit::quant::encodeNF4(float value) {
  if (std::isnan(value))
    return 7;
  // The code is the number of midpoints strictly below the value, so a value
  // exactly on a midpoint takes the lower level.
  uint8_t code = 0;
  for (double midpoint : nf4Midpoints())
    code += static_cast<double>(value) > midpoint ? 1 : 0;
  return code;
}

float lowbit::quant::decodeNF4(uint8_t code) { return kNF4Levels[code & 0xF]; }

int32_t lowbit::quant::encodeElement(float value, float scale,
                                     int32_t zeroPoint, StorageFormat format) {
  const float scaled = value / scale;
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4: {
    // Clamp in double: `scaled` may be far outside the int32 range when the
    // range was clipped.
    const double code = static_cast<double>(std::nearbyint(scaled)) + zeroPoint;
    return static_cast<int32_t>(
        std::clamp(code, double(codeMin(format)), double(codeMax(format))));
  }
  case StorageFormat::NF4:
    return encodeNF4(scaled);
  case StorageFormat::FP4E2M1:
    return encodeFP4E2M1(scaled);
  case StorageFormat::F8E4M3FN:
    return encodeFP8E4M3FN(scaled);
  case StorageFormat::F8E5M2:
    return encodeFP8E5M2(scaled);
  }
  return 0;
}

float lowbit::quant::decodeElement(int32_t code, float scale, int32_t zeroPoint,
                                   StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4:
    return static_cast<float>(code - zeroPoint) * scale;
  case StorageFormat::NF4:
    return scale * decodeNF4(static_cast<uint8_t>(code));
  case StorageFormat::FP4E2M1:
    return scale * decodeFP4E2M1(static_cast<uint8_t>(code));
  case StorageFormat::F8E4M3FN:
    return scale * decodeFP8E4M3FN(static_cast<uint8_t>(code));
  case StorageFormat::F8E5M2:
    return scale * decodeFP8E5M2(static_cast<uint8_t>(code));
  }
  return 0.0f;
}
