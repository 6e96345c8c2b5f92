//===- Packing.h - Storage bytes of quantized codes -------------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The canonical byte layout of quantized codes, as held in weight blobs:
// 8-bit formats take one byte per element; 4-bit formats take two elements per
// byte, the element with the even row-major index in the LOW nibble and the
// following odd one in the HIGH nibble. Kernel-specific layouts are derived
// from this one by the packing passes.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_PACKING_H
#define LOWBIT_QUANT_PACKING_H

#include "lowbit/Quant/Formats.h"
#include "lowbit/Quant/Quantizer.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lowbit::quant {

/// Packs 4-bit codes two per byte: code i goes into the low nibble of byte
/// i / 2 when i is even and into its high nibble when i is odd; an odd count
/// leaves the last high nibble 0. Each code must lie in [-8, 15]; signed codes
/// are stored as 4-bit two's complement (code & 0xF).
std::vector<uint8_t> packNibbles(const std::vector<int32_t> &codes);

/// Reads `numElements` 4-bit codes packed by packNibbles() from `bytes`
/// ((numElements + 1) / 2 bytes). With `signExtend` the nibbles are read as
/// two's complement (-8..7), otherwise as 0..15.
std::vector<int32_t> unpackNibbles(const uint8_t *bytes, size_t numElements,
                                   bool signExtend);

/// The storage bytes of a whole quantized tensor in `format`: 8-bit formats
/// one byte per element (I8 as two's complement, U8 as is, FP8 the raw code);
/// 4-bit formats packNibbles().
std::vector<uint8_t> packCodes(const QuantizedTensor &tensor,
                               StorageFormat format);

/// The inverse of packCodes(): `numElements` codes in the QuantizedTensor
/// convention (I8 and I4 sign-extended, every other format as unsigned).
std::vector<int32_t> unpackCodes(const uint8_t *bytes, size_t numElements,
                                 StorageFormat format);

/// Bytes that packCodes() produces for `numElements` elements of `format`.
size_t packedByteCount(size_t numElements, StorageFormat format);

/// The CPU kernels' layout of a [rows, k] matrix of 4-bit codes held as
/// packNibbles() bytes: each row in steps of 8 * `lanes` codes, a step as
/// `lanes` 32-bit words (in host byte order), word l holding in nibble j (bits
/// 4j .. 4j + 3) the code of column
///
///   k0 + j * lanes + l        (k0 = the step's first column)
///
/// so that a vector load of the step's words, shifted right by 4j and masked
/// to 4 bits, gives the codes of the `lanes` consecutive columns
/// k0 + j * lanes ... in lane order (no byte unpacking, no interleaving with
/// the activations). Nibbles are copied as they are (signed codes stay two's
/// complement). `k` must be a multiple of 8 * `lanes`; `packed` holds
/// rows * k / 2 bytes.
std::vector<uint32_t> interleaveNibblesForLanes(const uint8_t *packed,
                                                int64_t rows, int64_t k,
                                                int64_t lanes);

/// The CPU kernels' streaming layout of a [rows, rowBytes] byte matrix
/// read in steps of `stepBytes`: the order in which a kernel task reads it,
/// so that each task streams its weights front to back. Rows come in tasks
/// of `taskRows`, each task's rows in groups of `group` read together; each
/// row in K blocks of `blockSteps` steps (the last may be shorter). A task
/// holds its K blocks one after the other; a K block its groups; a group
/// its steps, each step the `group` rows side by side:
///
///   [rows / taskRows][K blocks][taskRows / group][steps of the block]
///       [group][stepBytes]
///
/// Row n's step s (n = t * taskRows + g * group + c, s = kb * blockSteps +
/// s') lands at byte
///
///   (t * taskRows * steps + kb * blockSteps * taskRows
///    + g * group * stepsIn(kb) + s' * group + c) * stepBytes
///
/// where steps = rowBytes / stepBytes and stepsIn(kb) = min(blockSteps,
/// steps - kb * blockSteps). `rows` must be a multiple of `taskRows`,
/// `taskRows` of `group` and `rowBytes` of `stepBytes`. With taskRows =
/// group and blockSteps >= steps, the groups' rows are just interleaved step
/// by step.
std::vector<char> interleaveRowSteps(const char *in, int64_t rows,
                                     int64_t rowBytes, int64_t stepBytes,
                                     int64_t group, int64_t taskRows,
                                     int64_t blockSteps);

/// The CPU GEMM kernels' panel layout of a row-major [k, n] matrix (n a
/// multiple of `width`): panel p holds columns p * width .. p * width +
/// width - 1 as k rows of `width` contiguous values,
///
///   out[(p * k + kk) * width + j] = in[kk * n + p * width + j],
///
/// so that the kernel reads the `width` columns of one k with one or two
/// vector loads and walks each panel front to back.
template <typename T>
std::vector<T> packColumnPanels(const T *in, int64_t k, int64_t n,
                                int64_t width) {
  std::vector<T> out(static_cast<size_t>(k * n));
  for (int64_t p = 0; p < n / width; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < width; ++j)
        out[(p * k + kk) * width + j] = in[kk * n + p * width + j];
  return out;
}

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_PACKING_H
