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

} // namespace
