//===- HalfPrecision.h - f32 <-> f16 / bf16 conversions ---------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Bit-exact conversions between IEEE binary32 and the two 16-bit float types
// that scales may be stored in. f32 -> 16-bit rounds to nearest, ties to even,
// overflows to infinity (IEEE semantics, not saturating) and keeps the sign of
// zero; NaN becomes a quiet NaN of the same sign. 16-bit -> f32 is exact.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_HALFPRECISION_H
#define LOWBIT_QUANT_HALFPRECISION_H

#include "lowbit/Quant/Formats.h"

#include <cstdint>

namespace lowbit::quant {

/// Rounds `value` to IEEE binary16 (RNE, subnormals kept, |x| >= 65520 -> Inf,
/// NaN -> 0x7E00 with the input's sign) and returns its bits.
uint16_t floatToHalfBits(float value);

/// The exact binary32 value of the binary16 bit pattern `bits`.
float halfBitsToFloat(uint16_t bits);

/// Rounds `value` to bfloat16 (RNE on the upper 16 bits of binary32,
/// overflow -> Inf, NaN -> 0x7FC0 with the input's sign) and returns its bits.
uint16_t floatToBFloat16Bits(float value);

/// The exact binary32 value of the bfloat16 bit pattern `bits`.
float bfloat16BitsToFloat(uint16_t bits);

/// `value` rounded to `type` and widened back to float: the identity for F32,
/// an RNE round trip through the 16-bit type otherwise. May return +-Inf when
/// `value` overflows the type, and 0 when it underflows.
float roundToScaleType(float value, ScaleType type);

/// The smallest positive normal number of `type`: 2^-126 for F32 and BF16,
/// 2^-14 for F16.
float smallestNormal(ScaleType type);

/// The largest finite number of `type`: FLT_MAX for F32, 65504 for F16,
/// 0x7F7F (about 3.3895e38) for BF16.
float largestFinite(ScaleType type);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_HALFPRECISION_H
