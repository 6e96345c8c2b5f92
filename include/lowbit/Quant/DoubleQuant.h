//===- DoubleQuant.h - 8-bit storage of group scales ------------*- C++ -*-===//
//
// Double quantization (QLoRA): the scales of a group-wise scheme are
// themselves stored as int8 codes, with one f32 scale per block of 256
// scales and one common offset:
//
//   c = mean(s),  b_j = max_{i in block j} |s_i - c| / 127,
//   q_i = clamp(round_half_even((s_i - c) / b_{i/256}), -127, 127),
//   s'_i = q_i * b_{i/256} + c        (raised by whole codes if <= 0)
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_DOUBLEQUANT_H
#define LOWBIT_QUANT_DOUBLEQUANT_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lowbit::quant {

/// Scales stored as int8 codes (see the file comment).
struct DoubleQuantizedScales {
  std::vector<int8_t> codes;
  std::vector<float> blockScales;
  float offset = 0.0f;

  /// s'_i = codes[i] * blockScales[i / 256] + offset, in f32 arithmetic (a
  /// multiply, then an add) exactly as the compiled kernels compute it.
  float scale(size_t i) const;
};

/// Number of scales sharing one block scale.
constexpr int64_t kScaleBlockSize = 256;

/// Double-quantizes positive `scales`. Every reconstructed scale is
/// positive: a code whose value would not be is raised to the smallest one
/// that is.
DoubleQuantizedScales doubleQuantizeScales(const std::vector<float> &scales);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_DOUBLEQUANT_H
