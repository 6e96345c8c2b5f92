//===- PackingTest.cpp - Storage bytes of quantized codes -----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Packing.h"

#include "Reference.h"

#include "gtest/gtest.h"

using namespace lowbit::quant;
namespace ref = lowbit::quant::reference;

namespace {

TEST(PackingTest, NibbleOrderOnHandWrittenBytes) {
  // Element 0 -> low nibble, element 1 -> high nibble.
  EXPECT_EQ(packNibbles({0x1, 0x2}), (std::vector<uint8_t>{0x21}));
  EXPECT_EQ(packNibbles({0xA, 0x5, 0xF, 0x0}),
            (std::vector<uint8_t>{0x5A, 0x0F}));
  // Signed codes as 4-bit two's complement: -1 = 0xF, -8 = 0x8.
  EXPECT_EQ(packNibbles({-1, 7}), (std::vector<uint8_t>{0x7F}));
  EXPECT_EQ(packNibbles({-8, 3, 5}), (std::vector<uint8_t>{0x38, 0x05}));
  // Odd count: the last high nibble is 0.
  EXPECT_EQ(packNibbles({0xF}), (std::vector<uint8_t>{0x0F}));
  EXPECT_TRUE(packNibbles({}).empty());

  const uint8_t bytes[] = {0xA5, 0x8F};
  EXPECT_EQ(unpackNibbles(bytes, 4, false),
            (std::vector<int32_t>{0x5, 0xA, 0xF, 0x8}));
  EXPECT_EQ(unpackNibbles(bytes, 4, true),
            (std::vector<int32_t>{5, -6, -1, -8}));
  EXPECT_EQ(unpackNibbles(bytes, 3, true), (std::vector<int32_t>{5, -6, -1}));
}

TEST(PackingTest, RoundTripRandomCodes) {
  ref::Rng rng(0x5eed0003);
  for (size_t count : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(1000),
                       size_t(1001)}) {
    std::vector<int32_t> unsignedCodes(count), signedCodes(count);
    for (size_t i = 0; i < count; ++i) {
      unsignedCodes[i] = static_cast<int32_t>(rng.bits() % 16);
      signedCodes[i] = static_cast<int32_t>(rng.bits() % 16) - 8;
    }
    std::vector<uint8_t> packed = packNibbles(unsignedCodes);
    ASSERT_EQ(packed.size(), (count + 1) / 2);
    EXPECT_EQ(unpackNibbles(packed.data(), count, false), unsignedCodes);
    packed = packNibbles(signedCodes);
    EXPECT_EQ(unpackNibbles(packed.data(), count, true), signedCodes);
    // Independent check of the layout: nibble i of the byte stream.
    for (size_t i = 0; i < count; ++i)
      EXPECT_EQ((packed[i / 2] >> (4 * (i % 2))) & 0xF, signedCodes[i] & 0xF);
  }
}

TEST(PackingTest, LaneInterleavedWordsOnHandWrittenCodes) {
  // One lane: a word holds eight consecutive codes, the first in bits 0..3.
  std::vector<uint8_t> packed = packNibbles({1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(interleaveNibblesForLanes(packed.data(), 1, 8, 1),
            (std::vector<uint32_t>{0x87654321u}));
  // Signed codes stay 4-bit two's complement.
  packed = packNibbles({-8, -1, 0, 7, 1, 2, 3, 4});
  EXPECT_EQ(interleaveNibblesForLanes(packed.data(), 1, 8, 1),
            (std::vector<uint32_t>{0x432170F8u}));
  // Two lanes, one step of 16 codes: lane 0 takes the even columns, lane 1
  // the odd ones (columns 0, 1 in nibble 0; 2, 3 in nibble 1; ...).
  std::vector<int32_t> codes(16);
  for (int i = 0; i < 16; ++i)
    codes[i] = i;
  packed = packNibbles(codes);
  EXPECT_EQ(interleaveNibblesForLanes(packed.data(), 1, 16, 2),
            (std::vector<uint32_t>{0xECA86420u, 0xFDB97531u}));
}

TEST(PackingTest, LaneInterleavedWordsAsTheKernelReadsThem) {
  // The CPU kernel loads a step's `lanes` words as one vector and takes
  // (word >> 4j) & 15 as the codes of columns k0 + j * lanes + lane.
  ref::Rng rng(0x5eed0004);
  for (int64_t lanes : {4, 8, 16}) {
    const int64_t rows = 3, k = 2 * 8 * lanes;
    std::vector<int32_t> codes(rows * k);
    for (int32_t &code : codes)
      code = static_cast<int32_t>(rng.bits() % 16) - 8;
    std::vector<uint8_t> packed = packNibbles(codes);
    std::vector<uint32_t> words =
        interleaveNibblesForLanes(packed.data(), rows, k, lanes);
    ASSERT_EQ(static_cast<int64_t>(words.size()), rows * k / 8);
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t k0 = 0; k0 < k; k0 += 8 * lanes) {
        const uint32_t *vector = &words[(row * k + k0) / 8];
        for (int j = 0; j < 8; ++j)
          for (int64_t lane = 0; lane < lanes; ++lane)
            EXPECT_EQ(int32_t(vector[lane] << (28 - 4 * j)) >> 28,
                      codes[row * k + k0 + j * lanes + lane])
                << "lanes " << lanes << " row " << row << " k0 " << k0
                << " nibble " << j << " lane " << lane;
      }
  }
}

TEST(PackingTest, PackCodesPerFormat) {
  QuantizedTensor tensor;
  tensor.codes = {-1, -128, 127, 0};
  EXPECT_EQ(packCodes(tensor, StorageFormat::I8),
            (std::vector<uint8_t>{0xFF, 0x80, 0x7F, 0x00}));
  EXPECT_EQ(unpackCodes(packCodes(tensor, StorageFormat::I8).data(), 4,
                        StorageFormat::I8),
            tensor.codes);

  tensor.codes = {0, 255, 128};
  for (StorageFormat format :
       {StorageFormat::U8, StorageFormat::F8E4M3FN, StorageFormat::F8E5M2}) {
    EXPECT_EQ(packCodes(tensor, format),
              (std::vector<uint8_t>{0x00, 0xFF, 0x80}));
    EXPECT_EQ(unpackCodes(packCodes(tensor, format).data(), 3, format),
              tensor.codes);
  }

  tensor.codes = {-8, 7, -1};
  EXPECT_EQ(packCodes(tensor, StorageFormat::I4),
            (std::vector<uint8_t>{0x78, 0x0F}));
  EXPECT_EQ(unpackCodes(packCodes(tensor, StorageFormat::I4).data(), 3,
                        StorageFormat::I4),
            tensor.codes);

  tensor.codes = {15, 0, 9};
  for (StorageFormat format :
       {StorageFormat::U4, StorageFormat::NF4, StorageFormat::FP4E2M1}) {
    EXPECT_EQ(packCodes(tensor, format), (std::vector<uint8_t>{0x0F, 0x09}));
    EXPECT_EQ(unpackCodes(packCodes(tensor, format).data(), 3, format),
              tensor.codes);
  }

  EXPECT_EQ(packedByteCount(7, StorageFormat::I4), 4u);
  EXPECT_EQ(packedByteCount(7, StorageFormat::F8E4M3FN), 7u);
}

TEST(PackingTest, ColumnPanelsOnHandWrittenMatrix) {
  // [k = 3, n = 4] row-major, panels of 2 columns.
  const int in[] = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
  EXPECT_EQ(packColumnPanels(in, 3, 4, 2),
            (std::vector<int>{0, 1, 10, 11, 20, 21, 2, 3, 12, 13, 22, 23}));
  // One panel of the whole width is the matrix itself.
  EXPECT_EQ(packColumnPanels(in, 3, 4, 4), std::vector<int>(in, in + 12));
}

TEST(PackingTest, RowStepsInterleavedOnHandWrittenMatrix) {
  // 4 rows of 4 bytes, steps of 2 bytes, rows in pairs: row 0's first
  // step, row 1's first step, row 0's second step, ...
  const char in[] = {0,  1,  2,  3,  10, 11, 12, 13,
                     20, 21, 22, 23, 30, 31, 32, 33};
  EXPECT_EQ(interleaveRowSteps(in, 4, 4, 2, 2, 2, 2),
            (std::vector<char>{0, 1, 10, 11, 2, 3, 12, 13, 20, 21, 30, 31, 22,
                               23, 32, 33}));
  // Groups of one row in one K block leave the matrix as it is.
  EXPECT_EQ(interleaveRowSteps(in, 4, 4, 2, 1, 1, 2),
            std::vector<char>(in, in + 16));
}

TEST(PackingTest, RowStepsInTasksAndKBlocks) {
  // 4 rows of 6 one-byte steps (row r holds 10 r + s), one task of 4 rows
  // in pairs, K blocks of 4 steps (then 2): the task's first K block (pair
  // 0, then pair 1, each step the pair side by side), then its second.
  const char in[] = {0,  1,  2,  3,  4,  5,  10, 11, 12, 13, 14, 15,
                     20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35};
  EXPECT_EQ(interleaveRowSteps(in, 4, 6, 1, 2, 4, 4),
            (std::vector<char>{0,  10, 1,  11, 2, 12, 3, 13, 20, 30, 21, 31,
                               22, 32, 23, 33, 4, 14, 5, 15, 24, 34, 25, 35}));
  // Two tasks of two rows: each task's rows are contiguous.
  EXPECT_EQ(
      interleaveRowSteps(in, 4, 6, 1, 2, 2, 4),
      (std::vector<char>{0,  10, 1,  11, 2,  12, 3,  13, 4,  14, 5,  15,
                         20, 30, 21, 31, 22, 32, 23, 33, 24, 34, 25, 35}));
}

} // namespace
