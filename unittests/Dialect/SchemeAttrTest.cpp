//===- SchemeAttrTest.cpp - #lowbit.scheme queries ------------------------===//
//
// The C++ API of the scheme attribute that passes rely on: scale shapes per
// granularity, storage types per format, code ranges, and the textual form.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::lowbit;

namespace {

class SchemeAttrTest : public ::testing::Test {
protected:
  SchemeAttrTest() { context.loadDialect<LowbitDialect>(); }

  SchemeAttr parse(StringRef text) {
    return dyn_cast_or_null<SchemeAttr>(parseAttribute(text, &context));
  }

  MLIRContext context;
};

TEST_F(SchemeAttrTest, ScaleShapeFollowsGranularity) {
  SmallVector<int64_t> shape = {64, 256};
  EXPECT_TRUE(parse("#lowbit.scheme<i8>").getScaleShape(shape).empty());
  EXPECT_EQ(parse("#lowbit.scheme<i8, axis = 0>").getScaleShape(shape),
            SmallVector<int64_t>({64}));
  EXPECT_EQ(parse("#lowbit.scheme<i8, axis = 1>").getScaleShape(shape),
            SmallVector<int64_t>({256}));
  EXPECT_EQ(
      parse("#lowbit.scheme<i4, group = 32, axis = 1>").getScaleShape(shape),
      SmallVector<int64_t>({64, 8}));
  EXPECT_EQ(parse("#lowbit.scheme<i4, group = 16, axis = 1>")
                .getScaleShape({3, 64, 256}),
            SmallVector<int64_t>({3, 4, 256}));
}

TEST_F(SchemeAttrTest, StorageTypePerFormat) {
  Builder b(&context);
  EXPECT_EQ(parse("#lowbit.scheme<i8>").getStorageType(), b.getIntegerType(8));
  EXPECT_EQ(parse("#lowbit.scheme<u8>").getStorageType(), b.getIntegerType(8));
  EXPECT_EQ(parse("#lowbit.scheme<i4>").getStorageType(), b.getIntegerType(4));
  EXPECT_EQ(parse("#lowbit.scheme<u4>").getStorageType(), b.getIntegerType(4));
  EXPECT_EQ(parse("#lowbit.scheme<nf4>").getStorageType(), b.getIntegerType(4));
  EXPECT_TRUE(isa<Float4E2M1FNType>(
      parse("#lowbit.scheme<f4E2M1FN>").getStorageType()));
  EXPECT_TRUE(isa<Float8E4M3FNType>(
      parse("#lowbit.scheme<f8E4M3FN>").getStorageType()));
  EXPECT_TRUE(
      isa<Float8E5M2Type>(parse("#lowbit.scheme<f8E5M2>").getStorageType()));
}

TEST_F(SchemeAttrTest, CodeRanges) {
  EXPECT_EQ(parse("#lowbit.scheme<i8>").getCodeMin(), -128);
  EXPECT_EQ(parse("#lowbit.scheme<i8>").getCodeMax(), 127);
  EXPECT_EQ(parse("#lowbit.scheme<u8>").getCodeMin(), 0);
  EXPECT_EQ(parse("#lowbit.scheme<u8>").getCodeMax(), 255);
  EXPECT_EQ(parse("#lowbit.scheme<i4>").getCodeMin(), -8);
  EXPECT_EQ(parse("#lowbit.scheme<i4>").getCodeMax(), 7);
  EXPECT_EQ(parse("#lowbit.scheme<u4>").getCodeMax(), 15);
}

TEST_F(SchemeAttrTest, DefaultsAreElidedAndParametersKept) {
  SchemeAttr scheme =
      parse("#lowbit.scheme<u4, scale = bf16, affine, axis = 1, group = 64>");
  ASSERT_TRUE(scheme);
  EXPECT_EQ(scheme.getFormat(), StorageFormat::U4);
  EXPECT_EQ(scheme.getGranularity(), Granularity::Group);
  EXPECT_EQ(scheme.getAxis(), 1);
  EXPECT_EQ(scheme.getGroupSize(), 64);
  EXPECT_FALSE(scheme.getSymmetric());
  EXPECT_TRUE(scheme.getScaleType().isBF16());

  std::string text;
  llvm::raw_string_ostream os(text);
  os << scheme;
  EXPECT_EQ(text,
            "#lowbit.scheme<u4, group = 64, axis = 1, affine, scale = bf16>");

  text.clear();
  os << parse("#lowbit.scheme<i8, symmetric, scale = f32>");
  EXPECT_EQ(text, "#lowbit.scheme<i8>");
}

TEST_F(SchemeAttrTest, InvalidSchemesAreRejected) {
  context.getDiagEngine().registerHandler([](Diagnostic &) {});
  EXPECT_FALSE(parse("#lowbit.scheme<nf4, affine>"));
  EXPECT_FALSE(parse("#lowbit.scheme<i4, group = 0, axis = 1>"));
  EXPECT_FALSE(parse("#lowbit.scheme<i4, group = 32>"));
  EXPECT_FALSE(parse("#lowbit.scheme<i8, scale = f64>"));
  EXPECT_FALSE(parse("#lowbit.scheme<i7>"));
}

} // namespace
