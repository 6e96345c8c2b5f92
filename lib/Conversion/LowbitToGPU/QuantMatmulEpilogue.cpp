//===- QuantMatmulEpilogue.cpp - epilogue of the quantized matmul kernels -===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "QuantMatmulEpilogue.h"

#include "lowbit/Quant/Formats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::lowbit;

QuantMatmulParam mlir::lowbit::makeQuantMatmulParam(Value value,
                                                    int64_t perRowCount) {
  QuantMatmulParam param;
  if (!value)
    return param;
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type) {
    param.scalar = value;
    return param;
  }
  param.buffer = value;
  int64_t count = type.getNumElements();
  param.single = count == 1;
  param.perBlock = count != perRowCount && !param.single;
  return param;
}

bool mlir::lowbit::isFp8StorageFormat(StorageFormat format) {
  return format == StorageFormat::F8E4M3FN || format == StorageFormat::F8E5M2;
}

static Value buildCodeValueTable(OpBuilder &b, Location loc,
                                 StorageFormat format) {
  if (!isFp8StorageFormat(format))
    return Value();
  SmallVector<float> values;
  for (unsigned code = 0; code < 256; ++code)
    values.push_back(format == StorageFormat::F8E4M3FN
                         ? ::lowbit::quant::decodeFP8E4M3FN(code)
                         : ::lowbit::quant::decodeFP8E5M2(code));
  auto type = RankedTensorType::get({256}, b.getF32Type());
  return toBuffer(
      b, loc,
      arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, ArrayRef<float>(values))));
}

CodeValueTables
mlir::lowbit::buildCodeValueTables(OpBuilder &b, Location loc,
                                   const QuantMatmulPlan &plan) {
  CodeValueTables tables;
  tables.lhs = buildCodeValueTable(b, loc, plan.lhsFormat);
  tables.rhs = plan.rhsFormat == plan.lhsFormat
                   ? tables.lhs
                   : buildCodeValueTable(b, loc, plan.rhsFormat);
  return tables;
}

Value mlir::lowbit::widenCode(OpBuilder &b, Location loc, Value code,
                              StorageFormat format, Value table) {
  if (table)
    return memref::LoadOp::create(b, loc, table,
                                  ValueRange{arith::IndexCastUIOp::create(
                                      b, loc, b.getIndexType(), code)});
  if (format == StorageFormat::U8)
    return arith::ExtUIOp::create(b, loc, b.getI32Type(), code);
  return arith::ExtSIOp::create(b, loc, b.getI32Type(), code);
}

Value QuantMatmulEpilogue::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value QuantMatmulEpilogue::i32(int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
Value QuantMatmulEpilogue::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value QuantMatmulEpilogue::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}

Value QuantMatmulEpilogue::read(const QuantMatmulParam &param, Value flat,
                                bool integer) {
  Value v = param.scalar;
  if (!v)
    v = cast<MemRefType>(param.buffer.getType()).getRank() == 0
            ? memref::LoadOp::create(b, loc, param.buffer, ValueRange{})
            : memref::LoadOp::create(b, loc, param.buffer,
                                     param.single ? index(0) : flat);
  if (integer) {
    if (v.getType() != b.getI32Type())
      v = arith::ExtSIOp::create(b, loc, b.getI32Type(), v);
    return v;
  }
  return toF32(b, loc, v);
}

Value QuantMatmulEpilogue::weightIndex(const QuantMatmulParam &param, Value n,
                                       Value block) {
  if (!param.perBlock)
    return n;
  return add(mul(n, index(plan.blocks)), block);
}

SmallVector<Value>
QuantMatmulEpilogue::buildBlockUpdate(const FragmentLane &lane, Value block,
                                      ArrayRef<Value> sums, Value rowSums,
                                      ArrayRef<Value> ys) {
  // C layout: [half][e] is row g + 8 half, column 2t + e of the n8 tile.
  Type f32 = b.getF32Type();
  Value t2 = arith::DivUIOp::create(b, loc, lane.kOffset, index(2));
  SmallVector<Value> lhsScale, lhsZero, rowSum;
  for (int64_t half = 0; half < 2; ++half) {
    Value row = half ? lane.rowHi : lane.rowLo;
    lhsScale.push_back(read(host.lhsScale, row, /*integer=*/false));
    if (plan.needColSums)
      lhsZero.push_back(read(host.lhsZeroPoint, row, /*integer=*/true));
    if (plan.needRowSums)
      rowSum.push_back(vector::ExtractOp::create(b, loc, rowSums,
                                                 ArrayRef<int64_t>{half, 0}));
  }
  SmallVector<Value> next;
  for (size_t j = 0; j < sums.size(); ++j) {
    Value yj = ys[j];
    for (int64_t e = 0; e < 2; ++e) {
      Value n = add(lane.n0, add(index(kMmaN * j + e), t2));
      Value sw = read(host.rhsScale, weightIndex(host.rhsScale, n, block),
                      /*integer=*/false);
      Value colSum, zw;
      if (plan.needColSums)
        colSum = read(host.colSums, weightIndex(host.colSums, n, block),
                      /*integer=*/true);
      if (plan.needRowSums)
        zw = read(host.rhsZeroPoint, weightIndex(host.rhsZeroPoint, n, block),
                  /*integer=*/true);
      for (int64_t half = 0; half < 2; ++half) {
        Value acc = vector::ExtractOp::create(b, loc, sums[j],
                                              ArrayRef<int64_t>{half, e});
        if (!plan.fp8) {
          // S - za Cw - zw Ra + Kb za zw, exact in i32 (wrapping).
          if (plan.needColSums)
            acc =
                arith::SubIOp::create(b, loc, acc, mul(lhsZero[half], colSum));
          if (plan.needRowSums)
            acc = arith::SubIOp::create(b, loc, acc, mul(zw, rowSum[half]));
          if (plan.needColSums && plan.needRowSums)
            acc = add(acc, mul(i32(plan.blockK), mul(lhsZero[half], zw)));
          acc = arith::SIToFPOp::create(b, loc, f32, acc);
        }
        Value scale = arith::MulFOp::create(b, loc, lhsScale[half], sw);
        Value value = arith::MulFOp::create(b, loc, acc, scale);
        Value old =
            vector::ExtractOp::create(b, loc, yj, ArrayRef<int64_t>{half, e});
        yj = vector::InsertOp::create(b, loc,
                                      arith::AddFOp::create(b, loc, old, value),
                                      yj, ArrayRef<int64_t>{half, e});
      }
    }
    next.push_back(yj);
  }
  return next;
}

void QuantMatmulEpilogue::buildEpilogue(const FragmentLane &lane,
                                        ArrayRef<Value> ys) {
  Value t2 = arith::DivUIOp::create(b, loc, lane.kOffset, index(2));
  for (size_t j = 0; j < ys.size(); ++j)
    for (int64_t e = 0; e < 2; ++e) {
      Value n = add(lane.n0, add(index(kMmaN * j + e), t2));
      Value bias;
      if (host.bias)
        bias = toF32(b, loc, memref::LoadOp::create(b, loc, host.bias, n));
      Value so, zo;
      if (plan.requantize) {
        so = read(host.resultScale, n, /*integer=*/false);
        if (plan.resultAffine)
          zo = arith::SIToFPOp::create(
              b, loc, b.getF32Type(),
              read(host.resultZeroPoint, n, /*integer=*/true));
      }
      for (int64_t half = 0; half < 2; ++half) {
        Value v = vector::ExtractOp::create(b, loc, ys[j],
                                            ArrayRef<int64_t>{half, e});
        if (bias)
          v = arith::AddFOp::create(b, loc, v, bias);
        if (plan.requantize) {
          // q = clamp(roundeven(v / so) + zo), as lowbit.quantize lowers.
          v = math::RoundEvenOp::create(b, loc,
                                        arith::DivFOp::create(b, loc, v, so));
          if (zo)
            v = arith::AddFOp::create(b, loc, v, zo);
          auto bound = [&](int64_t c) -> Value {
            return arith::ConstantOp::create(b, loc,
                                             b.getF32FloatAttr(double(c)));
          };
          v = arith::MinimumFOp::create(
              b, loc,
              arith::MaximumFOp::create(b, loc, v, bound(plan.resultMin)),
              bound(plan.resultMax));
          v = arith::TruncIOp::create(
              b, loc, plan.result,
              arith::FPToSIOp::create(b, loc, b.getI32Type(), v));
        } else if (!plan.result.isF32()) {
          v = arith::TruncFOp::create(b, loc, plan.result, v);
        }
        memref::StoreOp::create(b, loc, v, y,
                                ValueRange{half ? lane.rowHi : lane.rowLo, n});
      }
    }
}
