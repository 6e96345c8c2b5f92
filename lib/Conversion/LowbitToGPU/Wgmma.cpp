//===- Wgmma.cpp - sm_90a warpgroup MMA pieces shared by kernels ----------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "Wgmma.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::lowbit;

namespace {
Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}
} // namespace

std::pair<Value, Value>
mlir::lowbit::alignSharedAddress(OpBuilder &b, Location loc, Value base) {
  Value aligned = arith::AndIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, base,
                            indexConst(b, loc, kSwizzleAlign - 1)),
      indexConst(b, loc, -kSwizzleAlign));
  return {aligned, arith::SubIOp::create(b, loc, aligned, base)};
}

Value mlir::lowbit::buildMatrixDescriptor(OpBuilder &b, Location loc,
                                          Value address) {
  // (address & 0x3ffff) >> 4 | 1 << 16 | (1024 >> 4) << 32 | 1 << 62
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, address, i64Const(b, loc, 0x3ffff)),
      i64Const(b, loc, 4));
  constexpr int64_t fixed = (int64_t(1) << 16) |
                            (int64_t(kSwizzleAlign >> 4) << 32) |
                            (int64_t(1) << 62);
  return arith::OrIOp::create(b, loc, start, i64Const(b, loc, fixed));
}

Value mlir::lowbit::offsetMatrixDescriptor(OpBuilder &b, Location loc,
                                           Value descriptor, int64_t bytes) {
  if (bytes == 0)
    return descriptor;
  return arith::AddIOp::create(b, loc, descriptor,
                               i64Const(b, loc, bytes / 16));
}

Value mlir::lowbit::buildZeroAccumulators(OpBuilder &b, Location loc,
                                          Type element, int64_t n) {
  SmallVector<Type> fields(kWgmmaM * n / kWarpgroupThreads, element);
  return LLVM::ZeroOp::create(
      b, loc, LLVM::LLVMStructType::getLiteral(b.getContext(), fields));
}

Value mlir::lowbit::buildWgmma(OpBuilder &b, Location loc, Value acc,
                               Value descA, Value descB, int64_t n, int64_t k,
                               NVVM::WGMMATypes typeA, NVVM::WGMMATypes typeB,
                               NVVM::WGMMATypes typeD, bool accumulate) {
  bool integer = typeD == NVVM::WGMMATypes::s32;
  return NVVM::WgmmaMmaAsyncOp::create(
      b, loc, acc.getType(), acc, descA, descB,
      NVVM::MMAShapeAttr::get(b.getContext(), kWgmmaM, n, k), typeA, typeB,
      typeD, accumulate ? NVVM::WGMMAScaleOut::one : NVVM::WGMMAScaleOut::zero,
      NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
      NVVM::MMALayout::col,
      integer ? NVVM::MMAIntOverflowAttr::get(b.getContext(),
                                              NVVM::MMAIntOverflow::wrapped)
              : NVVM::MMAIntOverflowAttr());
}

Value mlir::lowbit::addAccumulators(OpBuilder &b, Location loc, Value a,
                                    Value c) {
  auto type = cast<LLVM::LLVMStructType>(a.getType());
  Value sum = a;
  for (int64_t i = 0, e = type.getBody().size(); i < e; ++i) {
    Value x = LLVM::ExtractValueOp::create(b, loc, a, i);
    Value y = LLVM::ExtractValueOp::create(b, loc, c, i);
    sum = LLVM::InsertValueOp::create(b, loc, sum,
                                      arith::AddFOp::create(b, loc, x, y), i);
  }
  return sum;
}

Value mlir::lowbit::buildUndefinedAccumulators(OpBuilder &b, Location loc,
                                               Type element, int64_t n) {
  SmallVector<Type> fields(kWgmmaM * n / kWarpgroupThreads, element);
  return LLVM::PoisonOp::create(
      b, loc, LLVM::LLVMStructType::getLiteral(b.getContext(), fields));
}

SmallVector<Value> mlir::lowbit::accumulatorTiles(OpBuilder &b, Location loc,
                                                  Value acc, int64_t n) {
  // Register 4 j + r: n8 tile j, [r / 2][r % 2].
  auto structType = cast<LLVM::LLVMStructType>(acc.getType());
  auto tileType = VectorType::get({2, 2}, structType.getBody().front());
  SmallVector<Value> tiles;
  for (int64_t j = 0; j < n / kMmaN; ++j) {
    Value tile = arith::ConstantOp::create(b, loc, b.getZeroAttr(tileType));
    for (int64_t r = 0; r < 4; ++r) {
      Value v = LLVM::ExtractValueOp::create(b, loc, acc, 4 * j + r);
      tile = vector::InsertOp::create(b, loc, v, tile,
                                      ArrayRef<int64_t>{r / 2, r % 2});
    }
    tiles.push_back(tile);
  }
  return tiles;
}

FragmentLane mlir::lowbit::warpgroupLane(OpBuilder &b, Location loc, Value m0,
                                         Value n0, Value warp, Value laneId) {
  auto index = [&](int64_t v) { return indexConst(b, loc, v); };
  FragmentLane lane;
  lane.g = arith::DivUIOp::create(b, loc, laneId, index(4));
  lane.kOffset = arith::MulIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, laneId, index(4)), index(4));
  lane.m0 = arith::AddIOp::create(
      b, loc, m0, arith::MulIOp::create(b, loc, warp, index(16)));
  lane.n0 = n0;
  lane.rowLo = arith::AddIOp::create(b, loc, lane.m0, lane.g);
  lane.rowHi = arith::AddIOp::create(b, loc, lane.rowLo, index(8));
  return lane;
}

//===----------------------------------------------------------------------===//
// Host emulation of the hardware
//===----------------------------------------------------------------------===//

Value mlir::lowbit::swizzleAddress(OpBuilder &b, Location loc, Value address) {
  Value row = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, address, i64Const(b, loc, 7)),
      i64Const(b, loc, 7));
  return arith::XOrIOp::create(
      b, loc, address, arith::ShLIOp::create(b, loc, row, i64Const(b, loc, 4)));
}

void mlir::lowbit::emulateWgmma(OpBuilder &b, Location loc, Value sharedBase,
                                Value descA, Value descB, Value tile, int64_t n,
                                int64_t k, int64_t elementBytes,
                                EmulatedElementRead readA,
                                EmulatedElementRead readB) {
  OpBuilder::InsertionGuard guard(b);
  auto i64 = [&](int64_t v) { return i64Const(b, loc, v); };
  auto index = [&](int64_t v) { return indexConst(b, loc, v); };
  auto field = [&](Value desc, int64_t shift, int64_t mask) -> Value {
    return arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, desc, i64(shift)), i64(mask));
  };
  struct Operand {
    Value start, stride, swizzled;
  };
  auto decode = [&](Value desc) {
    return Operand{
        arith::ShLIOp::create(b, loc, field(desc, 0, 0x3fff), i64(4)),
        arith::ShLIOp::create(b, loc, field(desc, 32, 0x3fff), i64(4)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                              field(desc, 62, 3), i64(1))};
  };
  Operand a = decode(descA), w = decode(descB);
  auto toI64 = [&](Value v) {
    return arith::IndexCastUIOp::create(b, loc, b.getI64Type(), v);
  };
  // The byte index into the emulated shared memory of element (row, kk).
  auto at = [&](const Operand &op, Value row, Value kk) -> Value {
    Value r = toI64(row);
    Value address = arith::AddIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, op.start,
            arith::MulIOp::create(
                b, loc, arith::ShRUIOp::create(b, loc, r, i64(3)), op.stride)),
        arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc,
                                  arith::AndIOp::create(b, loc, r, i64(7)),
                                  i64(kSwizzleRow)),
            arith::MulIOp::create(b, loc, toI64(kk), i64(elementBytes))));
    Value physical = arith::SelectOp::create(
        b, loc, op.swizzled, swizzleAddress(b, loc, address), address);
    return arith::SubIOp::create(
        b, loc,
        arith::IndexCastUIOp::create(b, loc, b.getIndexType(), physical),
        sharedBase);
  };
  Value zero = index(0), one = index(1);
  auto ms = scf::ForOp::create(b, loc, zero, index(kWgmmaM), one);
  b.setInsertionPointToStart(ms.getBody());
  Value m = ms.getInductionVar();
  auto ns = scf::ForOp::create(b, loc, zero, index(n), one);
  b.setInsertionPointToStart(ns.getBody());
  Value col = ns.getInductionVar();
  Value old = memref::LoadOp::create(b, loc, tile, ValueRange{m, col});
  auto ks = scf::ForOp::create(b, loc, zero, index(k), one, ValueRange{old});
  b.setInsertionPointToStart(ks.getBody());
  Value kk = ks.getInductionVar();
  Value x = readA(at(a, m, kk));
  Value y = readB(at(w, col, kk));
  Value sum = ks.getRegionIterArgs()[0];
  Value next = isa<FloatType>(sum.getType())
                   ? Value(arith::AddFOp::create(
                         b, loc, sum, arith::MulFOp::create(b, loc, x, y)))
                   : Value(arith::AddIOp::create(
                         b, loc, sum, arith::MulIOp::create(b, loc, x, y)));
  scf::YieldOp::create(b, loc, next);
  b.setInsertionPointAfter(ks);
  memref::StoreOp::create(b, loc, ks.getResult(0), tile, ValueRange{m, col});
}

Value mlir::lowbit::gatherWgmmaAccumulators(OpBuilder &b, Location loc,
                                            Value tile, Value warp,
                                            Value laneId, int64_t n) {
  auto index = [&](int64_t v) { return indexConst(b, loc, v); };
  Value g = arith::DivUIOp::create(b, loc, laneId, index(4));
  Value t2 = arith::MulIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, laneId, index(4)), index(2));
  Type element = cast<MemRefType>(tile.getType()).getElementType();
  Value acc = buildZeroAccumulators(b, loc, element, n);
  for (int64_t i = 0; i < kWgmmaM * n / kWarpgroupThreads; ++i) {
    Value row = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, warp, index(16)),
        arith::AddIOp::create(b, loc, g, index(8 * ((i % 4) / 2))));
    Value col = arith::AddIOp::create(b, loc, index(8 * (i / 4) + i % 2), t2);
    Value v = memref::LoadOp::create(b, loc, tile, ValueRange{row, col});
    acc = LLVM::InsertValueOp::create(b, loc, acc, v, i);
  }
  return acc;
}
