//===- Formats.h - Element storage formats and their codecs -----*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The element formats that lowbit stores quantized values in, the scheme that
// says how a tensor of such codes maps back to real numbers, and the scalar
// codecs (float -> code -> float) of the non-integer formats. Everything here
// is plain C++17 with no MLIR dependency; docs/Numerics.md gives the maths.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_FORMATS_H
#define LOWBIT_QUANT_FORMATS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lowbit::quant {

//===----------------------------------------------------------------------===//
// Formats, granularities, scale types and schemes
//===----------------------------------------------------------------------===//

/// The storage format of one quantized element.
enum class StorageFormat {
  I8,       ///< Signed 8-bit integer, codes -128..127.
  U8,       ///< Unsigned 8-bit integer, codes 0..255.
  I4,       ///< Signed 4-bit integer, codes -8..7.
  U4,       ///< Unsigned 4-bit integer, codes 0..15.
  NF4,      ///< QLoRA 4-bit NormalFloat: 16 fixed levels in [-1, 1].
  FP4E2M1,  ///< OCP MX FP4: 1 sign, 2 exponent (bias 1), 1 mantissa bit.
  F8E4M3FN, ///< OCP FP8 E4M3: bias 7, no infinities, NaN = S.1111.111.
  F8E5M2,   ///< OCP FP8 E5M2: bias 15, IEEE-like infinities and NaNs.
};

/// How many elements share one scale (and zero point).
enum class Granularity {
  Tensor, ///< One scale for the whole tensor.
  Axis,   ///< One scale per index along `Scheme::axis` (per channel).
  Group,  ///< One scale per `groupSize` consecutive indices along the axis.
};

/// The type the scales are stored in. Scales are rounded to it (round to
/// nearest, ties to even) before any code is computed.
enum class ScaleType { F32, F16, BF16 };

/// Everything that says what stored codes mean.
struct Scheme {
  /// Element storage format.
  StorageFormat format = StorageFormat::I8;
  /// Which elements share a scale.
  Granularity granularity = Granularity::Tensor;
  /// Axis: the channel axis; Group: the axis the groups run along. Must be -1
  /// (unset) for Tensor granularity and in [0, rank) otherwise.
  int64_t axis = -1;
  /// Group only: the number of consecutive indices along `axis` per group.
  /// Must be 0 for the other granularities.
  int64_t groupSize = 0;
  /// True: zero point 0. False (affine, integer formats only): a zero point
  /// per block.
  bool symmetric = true;
  /// The type the scales are stored in.
  ScaleType scaleType = ScaleType::F32;
  /// Range shrink factor in (0, 1] applied to the observed range (1 = no
  /// clipping).
  float clipRatio = 1.0f;
};

//===----------------------------------------------------------------------===//
// Format queries
//===----------------------------------------------------------------------===//

/// True for I8, U8, I4 and U4.
bool isIntegerFormat(StorageFormat format);

/// True for the 4-bit formats I4, U4, NF4 and FP4E2M1.
bool isSubByteFormat(StorageFormat format);

/// Storage bits per element: 8 or 4.
unsigned bitWidth(StorageFormat format);

/// Smallest code. Integer formats: the integer range (I8: -128, U8: 0, I4: -8,
/// U4: 0). Other formats: 0, the smallest raw bit pattern.
int32_t codeMin(StorageFormat format);

/// Largest code. Integer formats: the integer range (I8: 127, U8: 255, I4: 7,
/// U4: 15). Other formats: the largest raw bit pattern (15 or 255).
int32_t codeMax(StorageFormat format);

/// The positive magnitude that the block's absolute maximum is mapped to by a
/// symmetric scale: 127 (I8), 255 (U8), 7 (I4), 15 (U4), 1 (NF4), 6 (FP4E2M1),
/// 448 (F8E4M3FN), 57344 (F8E5M2). For the float formats it is the largest
/// finite value; for the integer formats the largest positive code.
float maxRepresentable(StorageFormat format);

/// The format's name as written in IR: "i8", "u8", "i4", "u4", "nf4",
/// "f4E2M1FN", "f8E4M3FN", "f8E5M2".
const char *formatName(StorageFormat format);

/// Parses a name produced by formatName(); std::nullopt for anything else.
std::optional<StorageFormat> parseStorageFormat(std::string_view name);

/// "tensor", "axis" or "group".
const char *granularityName(Granularity granularity);

/// "f32", "f16" or "bf16".
const char *scaleTypeName(ScaleType scaleType);

//===----------------------------------------------------------------------===//
// Element codecs
//===----------------------------------------------------------------------===//
//
// All encoders round to nearest with ties to an even mantissa (the code with a
// zero least significant bit) and keep the sign of zero where the format has
// one. They assume the default floating-point environment (FE_TONEAREST).

/// Encodes to FP8 E4M3FN. Finite values beyond +-448 and infinities saturate
/// to +-448 (0x7E / 0xFE); NaN encodes to 0x7F.
uint8_t encodeFP8E4M3FN(float value);

/// Decodes an FP8 E4M3FN code; 0x7F and 0xFF decode to NaN.
float decodeFP8E4M3FN(uint8_t code);

/// Encodes to FP8 E5M2. Finite values beyond +-57344 and infinities saturate
/// to +-57344 (0x7B / 0xFB), so no infinity is ever produced; NaN encodes to
/// 0x7F. This matches PTX `cvt.rn.satfinite.e5m2x2.f32`.
uint8_t encodeFP8E5M2(float value);

/// Decodes an FP8 E5M2 code: 0x7C / 0xFC are +-infinity, 0x7D..0x7F and
/// 0xFD..0xFF are NaN.
float decodeFP8E5M2(uint8_t code);

/// Encodes to FP4 E2M1 (magnitudes {0, 0.5, 1, 1.5, 2, 3, 4, 6}, sign bit
/// 0x8) in the low 4 bits. Values beyond +-6 and infinities saturate to +-6;
/// NaN (which the format cannot hold) encodes to +0.
uint8_t encodeFP4E2M1(float value);

/// Decodes the low 4 bits of `code` as FP4 E2M1.
float decodeFP4E2M1(uint8_t code);

/// Encodes a value already divided by its absmax scale (so nominally in
/// [-1, 1]) as the index of the nearest NF4 level; exact midpoints go to the
/// lower index, values outside [-1, 1] to the end levels, NaN to code 7 (0).
uint8_t encodeNF4(float value);

/// Decodes the low 4 bits of `code` as an NF4 level.
float decodeNF4(uint8_t code);

/// The 16 NF4 levels in increasing order (index = code), exactly the float32
/// constants of the QLoRA reference implementation (bitsandbytes).
const std::array<float, 16> &nf4Levels();

/// Encodes one real value with its block's scale and zero point:
///   integer formats: clamp(round_half_even(value / scale) + zeroPoint,
///                          codeMin, codeMax)
///   NF4 / FP4 / FP8: the format's own encoder applied to value / scale
/// (zeroPoint is ignored for the non-integer formats).
int32_t encodeElement(float value, float scale, int32_t zeroPoint,
                      StorageFormat format);

/// Inverse of encodeElement: (code - zeroPoint) * scale for integer formats,
/// scale * decode(code) for NF4 / FP4 / FP8.
float decodeElement(int32_t code, float scale, int32_t zeroPoint,
                    StorageFormat format);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_FORMATS_H
