//===- WeightDecoding.cpp - weight codes to values in GPU kernels ---------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "WeightDecoding.h"

#include "lowbit/Quant/Formats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <limits>

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

Value WeightDecoder::i32Splat(int64_t v, int64_t lanes) {
  auto type = VectorType::get({lanes}, b.getI32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
}

Value WeightDecoder::f32Splat(float v, int64_t lanes) {
  auto type = VectorType::get({lanes}, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

Value WeightDecoder::decodeCodes(Value bytes) {
  int64_t count = cast<VectorType>(bytes.getType()).getNumElements();
  auto i32x16 = VectorType::get({count}, b.getI32Type());
  if (bits == 8)
    return format == StorageFormat::I8
               ? arith::ExtSIOp::create(b, loc, i32x16, bytes).getResult()
               : arith::ExtUIOp::create(b, loc, i32x16, bytes).getResult();
  // Two codes per byte, low nibble first.
  Value wide = arith::ExtUIOp::create(b, loc, i32x16, bytes);
  Value low = arith::AndIOp::create(b, loc, wide, i32Splat(15, count));
  Value high = arith::ShRUIOp::create(b, loc, wide, i32Splat(4, count));
  Value codes = vector::InterleaveOp::create(b, loc, low, high);
  if (format == StorageFormat::I4) {
    // Two's complement of 4 bits: (c ^ 8) - 8.
    Value eight = i32Splat(8, 2 * count);
    codes = arith::SubIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, codes, eight), eight);
  }
  return codes;
}

Value WeightDecoder::selectFromTable(Value codes, ArrayRef<float> table) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  SmallVector<Value> level;
  for (float v : table)
    level.push_back(f32Splat(v, lanes));
  Value zero = i32Splat(0, lanes);
  for (int64_t bit = 0; level.size() > 1; ++bit) {
    Value mask = i32Splat(int64_t(1) << bit, lanes);
    Value set =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                              arith::AndIOp::create(b, loc, codes, mask), zero);
    SmallVector<Value> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(
          arith::SelectOp::create(b, loc, set, level[i + 1], level[i]));
    level = std::move(next);
  }
  return level.front();
}

Value WeightDecoder::decodeE4M3(Value codes) {
  // s eeee mmm: normal (1 + m/8) 2^(e-7), f32 bits s | (e + 120) << 23 |
  // m << 20; subnormal (e = 0) m 2^-9; s 1111 111 is NaN.
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  auto f32s = VectorType::get({lanes}, b.getF32Type());
  Value sign = arith::ShLIOp::create(
      b, loc,
      arith::AndIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, codes, i32Splat(7, lanes)),
          i32Splat(1, lanes)),
      i32Splat(31, lanes));
  Value exponent = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, codes, i32Splat(3, lanes)),
      i32Splat(15, lanes));
  Value mantissa = arith::AndIOp::create(b, loc, codes, i32Splat(7, lanes));
  Value normalBits = arith::OrIOp::create(
      b, loc,
      arith::OrIOp::create(
          b, loc, sign,
          arith::ShLIOp::create(
              b, loc,
              arith::AddIOp::create(b, loc, exponent, i32Splat(120, lanes)),
              i32Splat(23, lanes))),
      arith::ShLIOp::create(b, loc, mantissa, i32Splat(20, lanes)));
  Value normal = arith::BitcastOp::create(b, loc, f32s, normalBits);
  Value subnormalMagnitude = arith::MulFOp::create(
      b, loc, arith::SIToFPOp::create(b, loc, f32s, mantissa),
      f32Splat(1.0f / 512.0f, lanes));
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign,
                                         i32Splat(0, lanes));
  Value subnormal = arith::SelectOp::create(
      b, loc, negative, arith::NegFOp::create(b, loc, subnormalMagnitude),
      subnormalMagnitude);
  Value isSubnormal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            exponent, i32Splat(0, lanes));
  Value value = arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
  Value isNaN = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, loc, codes, i32Splat(127, lanes)),
      i32Splat(127, lanes));
  return arith::SelectOp::create(
      b, loc, isNaN, f32Splat(std::numeric_limits<float>::quiet_NaN(), lanes),
      value);
}

Value WeightDecoder::decodeE5M2(Value codes) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  Value shifted = arith::ShLIOp::create(b, loc, codes, i32Splat(8, lanes));
  Value half = arith::TruncIOp::create(
      b, loc, VectorType::get({lanes}, b.getI16Type()), shifted);
  Value f16s = arith::BitcastOp::create(
      b, loc, VectorType::get({lanes}, b.getF16Type()), half);
  return arith::ExtFOp::create(b, loc, VectorType::get({lanes}, b.getF32Type()),
                               f16s);
}

Value WeightDecoder::decodeValues(Value codes, Value zeroPoint) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  auto f32s = VectorType::get({lanes}, b.getF32Type());
  switch (format) {
  case StorageFormat::NF4: {
    std::vector<float> table(numerics::nf4Levels().begin(),
                             numerics::nf4Levels().end());
    return selectFromTable(codes, table);
  }
  case StorageFormat::F4E2M1FN: {
    std::vector<float> table;
    for (unsigned code = 0; code < 16; ++code)
      table.push_back(numerics::decodeFP4E2M1(code));
    return selectFromTable(codes, table);
  }
  case StorageFormat::F8E4M3FN:
    return decodeE4M3(codes);
  case StorageFormat::F8E5M2:
    return decodeE5M2(codes);
  default:
    break;
  }
  if (zeroPoint)
    codes = arith::SubIOp::create(
        b, loc, codes,
        vector::BroadcastOp::create(b, loc, codes.getType(), zeroPoint));
  return arith::SIToFPOp::create(b, loc, f32s, codes);
}
