//===- Reference.h - Independent references for numerics tests --*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Reference implementations written from the format definitions, sharing no
// code with lib/Quant: a decoder for any small sign-exponent-mantissa format,
// a brute-force nearest-code search over its whole code table, the NF4 code
// book as published, and a deterministic random source whose distributions do
// not depend on the standard library's <random> distributions.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_QUANT_REFERENCE_H
#define LOWBIT_UNITTESTS_QUANT_REFERENCE_H

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace lowbit::quant::reference {

/// A small float format, described the way the OCP specifications do.
struct MinifloatDef {
  /// Exponent and mantissa field widths.
  int exponentBits;
  /// Mantissa (fraction) field width.
  int mantissaBits;
  /// Exponent bias.
  int bias;
  /// IEEE-like: the all-ones exponent holds Inf (mantissa 0) and NaN.
  bool ieeeSpecials;
  /// Only S.1111.111 is NaN (the "FN" formats: no infinities).
  bool onlyAllOnesIsNaN;
};

/// OCP FP8 E4M3 (finite, NaN = S.1111.111).
constexpr MinifloatDef kE4M3FN = {4, 3, 7, false, true};
/// OCP FP8 E5M2 (IEEE-like specials).
constexpr MinifloatDef kE5M2 = {5, 2, 15, true, false};
/// OCP MX FP4 E2M1 (no specials).
constexpr MinifloatDef kE2M1 = {2, 1, 1, false, false};

/// Number of codes of `def`.
inline unsigned numCodes(const MinifloatDef &def) {
  return 1u << (1 + def.exponentBits + def.mantissaBits);
}

/// The value of `code` from the definition:
///   E > 0: (-1)^S * 2^(E - bias) * (1 + M / 2^m)
///   E = 0: (-1)^S * 2^(1 - bias) * (M / 2^m)
inline double decodeReference(unsigned code, const MinifloatDef &def) {
  const unsigned m = def.mantissaBits, e = def.exponentBits;
  const unsigned sign = (code >> (e + m)) & 1;
  const unsigned exponent = (code >> m) & ((1u << e) - 1);
  const unsigned mantissa = code & ((1u << m) - 1);
  const double s = sign ? -1.0 : 1.0;
  if (def.ieeeSpecials && exponent == (1u << e) - 1)
    return mantissa == 0 ? s * std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::quiet_NaN();
  if (def.onlyAllOnesIsNaN && exponent == (1u << e) - 1 &&
      mantissa == (1u << m) - 1)
    return std::numeric_limits<double>::quiet_NaN();
  const double fraction = static_cast<double>(mantissa) / double(1u << m);
  if (exponent == 0)
    return s * std::pow(2.0, 1 - def.bias) * fraction;
  return s * std::pow(2.0, int(exponent) - def.bias) * (1.0 + fraction);
}

/// Brute force: the finite code of the same sign as `x` nearest to x, ties
/// to the code with an even mantissa. Saturation falls out of the search:
/// everything above the largest finite value is nearest to it (infinities
/// are treated as the largest double).
inline unsigned nearestCodeReference(double x, const MinifloatDef &def) {
  const bool negative = std::signbit(x);
  if (std::isinf(x))
    x = negative ? -std::numeric_limits<double>::max()
                 : std::numeric_limits<double>::max();
  const unsigned signBit = 1u << (def.exponentBits + def.mantissaBits);
  unsigned best = 0;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (unsigned code = 0; code < numCodes(def); ++code) {
    if (bool(code & signBit) != negative)
      continue;
    const double value = decodeReference(code, def);
    if (!std::isfinite(value))
      continue;
    const double distance = std::fabs(x - value);
    if (distance < bestDistance ||
        (distance == bestDistance && (code & 1) == 0)) {
      best = code;
      bestDistance = distance;
    }
  }
  return best;
}

/// The NF4 code book exactly as published in bitsandbytes
/// (functional.py, `get_4bit_type("nf4")`).
constexpr std::array<double, 16> kNF4Published = {-1.0,
                                                  -0.6961928009986877,
                                                  -0.5250730514526367,
                                                  -0.39491748809814453,
                                                  -0.28444138169288635,
                                                  -0.18477343022823334,
                                                  -0.09105003625154495,
                                                  0.0,
                                                  0.07958029955625534,
                                                  0.16093020141124725,
                                                  0.24611230194568634,
                                                  0.33791524171829224,
                                                  0.44070982766151428,
                                                  0.5626170039176941,
                                                  0.7229568362236023,
                                                  1.0};

/// Brute force nearest NF4 level of `x`, ties to the lower index.
inline unsigned nearestNF4Reference(double x) {
  unsigned best = 0;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (unsigned i = 0; i < 16; ++i) {
    const double level = static_cast<float>(kNF4Published[i]);
    const double distance = std::fabs(x - level);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/// Deterministic random numbers: std::mt19937_64 (whose output sequence the
/// standard fixes) with hand-written transforms, so the numbers are the same
/// with every standard library.
class Rng {
public:
  /// Seeds the engine.
  explicit Rng(uint64_t seed) : engine(seed) {}

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

  /// Raw 64 random bits.
  uint64_t bits() { return engine(); }

  /// Standard normal by Box-Muller (both outputs used).
  double normal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * 3.14159265358979323846 * u2;
    spare = radius * std::sin(angle);
    hasSpare = true;
    return radius * std::cos(angle);
  }

  /// Student-t with `nu` degrees of freedom: Z / sqrt(chi2_nu / nu), the
  /// chi-square drawn as a sum of nu squared normals.
  double studentT(int nu) {
    const double z = normal();
    double chi2 = 0.0;
    for (int k = 0; k < nu; ++k) {
      const double g = normal();
      chi2 += g * g;
    }
    return z / std::sqrt(chi2 / nu);
  }

private:
  std::mt19937_64 engine;
  bool hasSpare = false;
  double spare = 0.0;
};

/// Row-major multi-index of `flat` in `shape`.
inline std::vector<int64_t> unflatten(int64_t flat,
                                      const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

} // namespace lowbit::quant::reference

#endif // LOWBIT_UNITTESTS_QUANT_REFERENCE_H
