//===- Quantizer.h - Scheme-level quantization of a tensor ------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Round-to-nearest quantization of a row-major float tensor under a Scheme:
// choose one scale (and zero point) per block, round the scale to the scale
// type, then encode every element. docs/Numerics.md states the formulas.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_QUANTIZER_H
#define LOWBIT_QUANT_QUANTIZER_H

#include "lowbit/Quant/Formats.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::quant {

/// Shape of the scale tensor for `shape` under `scheme`: Tensor -> {}
/// (a scalar), Axis -> {shape[axis]}, Group -> `shape` with shape[axis]
/// replaced by shape[axis] / groupSize. Requires validateScheme() to pass.
std::vector<int64_t> scaleShape(const std::vector<int64_t> &shape,
                                const Scheme &scheme);

/// The number of elements of `shape` (1 for rank 0).
int64_t numElements(const std::vector<int64_t> &shape);

/// Row-major index into the scales (and zero points) of the block that holds
/// the element at row-major `flatIndex`. Requires validateScheme() to pass.
int64_t scaleIndexOf(const std::vector<int64_t> &shape, const Scheme &scheme,
                     int64_t flatIndex);

/// The result of quantizing one tensor.
struct QuantizedTensor {
  /// One code per element, row-major, unpacked. Integer formats: the integer
  /// value q in [codeMin, codeMax]; NF4 / FP4 / FP8: the raw bit pattern
  /// (0..15 or 0..255).
  std::vector<int32_t> codes;
  /// Row-major over `scaleShape`, already rounded to the scale type (held as
  /// float, exactly representable in the scale type).
  std::vector<float> scales;
  /// Same shape as `scales`; empty when the scheme is symmetric.
  std::vector<int32_t> zeroPoints;
  /// The shape of `scales`, as returned by lowbit::quant::scaleShape().
  std::vector<int64_t> scaleShape;
};

/// Checks `scheme` against `shape`: known enum values, non-negative
/// dimensions, axis -1 for Tensor and in [0, rank) otherwise, groupSize 0
/// except for Group where it must be positive and divide shape[axis], affine
/// only for integer formats, clipRatio in (0, 1]. Returns an empty string when
/// valid, else a message naming the first bad field, its value and what was
/// expected.
std::string validateScheme(const std::vector<int64_t> &shape,
                           const Scheme &scheme);

/// Quantizes the row-major float tensor `data` of `shape` into `out`.
///
/// Per block, with lo = min(block, 0) * clipRatio, hi = max(block, 0) *
/// clipRatio and absmax = max(-lo, hi), the scale is
///   symmetric integer: absmax / maxRepresentable (127, 255, 7, 15),
///   affine integer:    (hi - lo) / (codeMax - codeMin),
///   NF4: absmax;  FP4: absmax / 6;  FP8: absmax / maxRepresentable,
/// computed in double, rounded to f32 and then to the scale type (RNE). An
/// all-zero block gets scale 1; a nonzero scale that rounds to 0 becomes the
/// type's smallest positive normal. Affine zero points are
///   z = clamp(nearbyint(codeMin - lo / s), codeMin, codeMax)
/// and integer codes q = clamp(nearbyint(x / s) + z, codeMin, codeMax), with
/// x / s a float division and nearbyint rounding half to even (the default
/// rounding mode). Other formats store encode(x / s).
///
/// Returns false and sets `error` when the scheme is invalid, when an input
/// is NaN or infinite (the message names the first one's flat index and
/// value), or when a scale overflows the scale type. `out` is then cleared.
bool quantize(const float *data, const std::vector<int64_t> &shape,
              const Scheme &scheme, QuantizedTensor &out, std::string &error);

/// Writes numElements(shape) floats to `out`: s * (q - z) for integer formats
/// (float arithmetic: float(q - z) * s), s * decode(code) for NF4, FP4 and
/// FP8. `tensor` must come from quantize() with the same shape and scheme; if
/// the scheme is invalid or the sizes do not match, `out` is filled with NaN
/// (and debug builds assert).
void dequantize(const QuantizedTensor &tensor,
                const std::vector<int64_t> &shape, const Scheme &scheme,
                float *out);

/// Like quantize(), but each block picks its own clip ratio from the grid
/// r_k = 1 - (1 - minRatio) * k / steps, k = 0..steps (1.0 down to minRatio,
/// steps + 1 candidates), keeping the one with the smallest sum of squared
/// dequantization errors over the block (the largest ratio on ties). The
/// grid replaces scheme.clipRatio (which must still be valid). A candidate
/// whose scale overflows the scale type is skipped. Requires
/// 0 < minRatio <= 1 and steps >= 0.
bool quantizeWithClipSearch(const float *data,
                            const std::vector<int64_t> &shape,
                            const Scheme &scheme, QuantizedTensor &out,
                            std::string &error, float minRatio = 0.5f,
                            int steps = 20);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_QUANTIZER_H
