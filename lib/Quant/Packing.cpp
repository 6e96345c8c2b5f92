//===- Packing.cpp - Storage bytes of quantized codes ---------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Low-nibble-first matches the little-endian order of the int4 / fp4 types in
// LLVM, PyTorch's packed uint8 int4 weights and the nibble order the CPU and
// GPU kernels unpack with a mask (low) and a shift by 4 (high).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Packing.h"

#include <algorithm>
#include <cstring>

#include <cassert>

using namespace lowbit::quant;

std::vector<uint8_t>
lowbit::quant::packNibbles(const std::vector<int32_t> &codes) {
  std::vector<uint8_t> bytes((codes.size() + 1) / 2, 0);
  for (size_t i = 0; i < codes.size(); ++i) {
    assert(codes[i] >= -8 && codes[i] <= 15 && "code does not fit 4 bits");
    const auto nibble = static_cast<uint8_t>(codes[i] & 0xF);
    bytes[i / 2] |= (i % 2 == 0) ? nibble : static_cast<uint8_t>(nibble << 4);
  }
  return bytes;
}

std::vector<int32_t> lowbit::quant::unpackNibbles(const uint8_t *bytes,
                                                  size_t numElements,
                                                  bool signExtend) {
  std::vector<int32_t> codes(numElements);
  for (size_t i = 0; i < numElements; ++i) {
    const int32_t nibble =
        (i % 2 == 0) ? (bytes[i / 2] & 0xF) : ((bytes[i / 2] >> 4) & 0xF);
    codes[i] = (signExtend && nibble >= 8) ? nibble - 16 : nibble;
  }
  return codes;
}

std::vector<uint8_t> lowbit::quant::packCodes(const QuantizedTensor &tensor,
                                              StorageFormat format) {
  if (isSubByteFormat(format))
    return packNibbles(tensor.codes);
  std::vector<uint8_t> bytes(tensor.codes.size());
  for (size_t i = 0; i < tensor.codes.size(); ++i) {
    assert(tensor.codes[i] >= -128 && tensor.codes[i] <= 255 &&
           "code does not fit 8 bits");
    // Two's complement for I8; U8 and FP8 codes are already 0..255.
    bytes[i] = static_cast<uint8_t>(tensor.codes[i] & 0xFF);
  }
  return bytes;
}

std::vector<int32_t> lowbit::quant::unpackCodes(const uint8_t *bytes,
                                                size_t numElements,
                                                StorageFormat format) {
  if (isSubByteFormat(format))
    return unpackNibbles(bytes, numElements, format == StorageFormat::I4);
  std::vector<int32_t> codes(numElements);
  for (size_t i = 0; i < numElements; ++i)
    codes[i] = format == StorageFormat::I8
                   ? static_cast<int32_t>(static_cast<int8_t>(bytes[i]))
                   : static_cast<int32_t>(bytes[i]);
  return codes;
}

size_t lowbit::quant::packedByteCount(size_t numElements,
                                      StorageFormat format) {
  return isSubByteFormat(format) ? (numElements + 1) / 2 : numElements;
}

std::vector<uint32_t>
lowbit::quant::interleaveNibblesForLanes(const uint8_t *packed, int64_t rows,
                                         int64_t k, int64_t lanes) {
  assert(lanes > 0 && k % (8 * lanes) == 0 && "k must be whole steps");
  const int64_t stepCodes = 8 * lanes;
  std::vector<uint32_t> words(rows * k / 8, 0);
  for (int64_t row = 0; row < rows; ++row) {
    const uint8_t *rowBytes = packed + row * (k / 2);
    uint32_t *rowWords = words.data() + row * (k / 8);
    for (int64_t column = 0; column < k; ++column) {
      uint8_t byte = rowBytes[column / 2];
      uint32_t nibble = (column % 2 ? byte >> 4 : byte) & 0xF;
      int64_t step = column / stepCodes, within = column % stepCodes;
      int64_t j = within / lanes, l = within % lanes;
      rowWords[step * lanes + l] |= nibble << (4 * j);
    }
  }
  return words;
}

std::vector<char> lowbit::quant::interleaveRowSteps(
    const char *in, int64_t rows, int64_t rowBytes, int64_t stepBytes,
    int64_t group, int64_t taskRows, int64_t blockSteps) {
  assert(rows % taskRows == 0 && taskRows % group == 0 &&
         rowBytes % stepBytes == 0 && blockSteps > 0 &&
         "whole tasks of whole groups, rows of whole steps");
  std::vector<char> out(static_cast<size_t>(rows * rowBytes));
  int64_t steps = rowBytes / stepBytes;
  for (int64_t n = 0; n < rows; ++n) {
    int64_t t = n / taskRows, g = (n % taskRows) / group, c = n % group;
    for (int64_t s = 0; s < steps; ++s) {
      int64_t kb = s / blockSteps, inBlock = s % blockSteps;
      int64_t stepsIn = std::min(blockSteps, steps - kb * blockSteps);
      int64_t at = t * taskRows * steps + kb * blockSteps * taskRows +
                   g * group * stepsIn + inBlock * group + c;
      std::memcpy(&out[at * stepBytes], &in[n * rowBytes + s * stepBytes],
                  stepBytes);
    }
  }
  return out;
}
