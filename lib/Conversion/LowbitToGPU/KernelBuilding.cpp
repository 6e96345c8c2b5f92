//===- KernelBuilding.cpp - IR pieces shared by the GPU kernels -----------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilding.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::lowbit;

Value mlir::lowbit::toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

Value mlir::lowbit::flattenTensor(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getRank() == 1)
    return tensor;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({type.getNumElements()}, type.getElementType()),
      tensor, SmallVector<ReassociationIndices>{all});
}

KernelParam mlir::lowbit::materializeConstantParam(OpBuilder &b, Location loc,
                                                   Attribute attr) {
  KernelParam param;
  if (auto f = dyn_cast<FloatAttr>(attr)) {
    param.scalar = arith::ConstantOp::create(b, loc, f);
    return param;
  }
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    param.scalar = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                                i.getValue().getSExtValue());
    return param;
  }
  auto elements = cast<ElementsAttr>(attr);
  auto type = cast<RankedTensorType>(elements.getShapedType());
  if (type.getNumElements() == 1) {
    Type element = type.getElementType();
    if (isa<FloatType>(element))
      param.scalar = arith::ConstantOp::create(
          b, loc, FloatAttr::get(element, *elements.value_begin<APFloat>()));
    else
      param.scalar = arith::ConstantIntOp::create(
          b, loc, b.getI32Type(),
          (*elements.value_begin<APInt>()).getSExtValue());
    return param;
  }
  Value tensor = arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
  param.buffer = toBuffer(b, loc, flattenTensor(b, loc, tensor));
  return param;
}

Value mlir::lowbit::readKernelParam(OpBuilder &b, Location loc,
                                    const KernelParam &param, Value flat,
                                    bool integer) {
  Value v = param.scalar;
  if (!v)
    v = memref::LoadOp::create(b, loc, param.buffer, flat);
  if (!integer)
    return toF32(b, loc, v);
  if (v.getType() != b.getI32Type())
    v = arith::ExtSIOp::create(b, loc, b.getI32Type(), v);
  return v;
}

void mlir::lowbit::storeAccumulatorTile(OpBuilder &b, Location loc, Value acc,
                                        Value rowLo, Value rowHi, Value column,
                                        const KernelParam *scale, Value bias,
                                        Value y) {
  Type element = cast<MemRefType>(y.getType()).getElementType();
  for (int64_t e = 0; e < 2; ++e) {
    Value n = arith::AddIOp::create(b, loc, column,
                                    arith::ConstantIndexOp::create(b, loc, e));
    Value s;
    if (scale)
      s = readKernelParam(b, loc, *scale, n, /*integer=*/false);
    Value bn;
    if (bias)
      bn = toF32(b, loc, memref::LoadOp::create(b, loc, bias, n));
    for (int64_t half = 0; half < 2; ++half) {
      Value result =
          vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{half, e});
      if (s)
        result = arith::MulFOp::create(b, loc, result, s);
      if (bn)
        result = arith::AddFOp::create(b, loc, result, bn);
      if (!element.isF32())
        result = arith::TruncFOp::create(b, loc, element, result);
      memref::StoreOp::create(b, loc, result, y,
                              ValueRange{half ? rowHi : rowLo, n});
    }
  }
}

Value mlir::lowbit::toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

void mlir::lowbit::buildLaunch(
    OpBuilder &b, Location loc, ArrayRef<int64_t> grid, int64_t threads,
    function_ref<void(gpu::LaunchOp launch)> buildBody, TypeRange workgroup,
    int64_t dynamicSharedBytes) {
  assert(!grid.empty() && grid.size() <= 3 && "a 1-D to 3-D grid");
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value, 3> gridSizes(3, c1);
  for (auto [dim, size] : llvm::enumerate(grid))
    gridSizes[dim] = arith::ConstantIndexOp::create(b, loc, size);
  Value blockSize = arith::ConstantIndexOp::create(b, loc, threads);
  Value dynamicShared;
  if (dynamicSharedBytes)
    dynamicShared = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                                 dynamicSharedBytes);
  auto launch =
      gpu::LaunchOp::create(b, loc, gridSizes[0], gridSizes[1], gridSizes[2],
                            blockSize, c1, c1, dynamicShared,
                            /*asyncTokenType=*/nullptr,
                            /*asyncDependencies=*/{}, workgroup);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  buildBody(launch);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
}

void mlir::lowbit::replaceWithResultBuffer(OpBuilder &b, Location loc,
                                           Operation *op, Value buffer) {
  Value result = bufferization::ToTensorOp::create(
      b, loc, op->getResult(0).getType(), buffer, /*restrict=*/true,
      /*writable=*/true);
  op->replaceAllUsesWith(ValueRange{result});
  op->erase();
}

void mlir::lowbit::beginIfBelow(OpBuilder &b, Location loc, Value index,
                                int64_t bound) {
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, index,
                            arith::ConstantIndexOp::create(b, loc, bound));
  auto ifOp = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
}

FragmentLane mlir::lowbit::buildFragmentLane(OpBuilder &b, Location loc,
                                             Value blockX, Value blockY,
                                             Value threadId,
                                             int64_t warpsPerBlock,
                                             int64_t tileM, int64_t tileN,
                                             int64_t codesPerRegisterRow) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  FragmentLane lane;
  Value warp = arith::DivUIOp::create(b, loc, threadId, index(kThreadsPerWarp));
  Value laneId =
      arith::RemUIOp::create(b, loc, threadId, index(kThreadsPerWarp));
  lane.g = arith::DivUIOp::create(b, loc, laneId, index(4));
  lane.kOffset = arith::MulIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, laneId, index(4)),
      index(codesPerRegisterRow));
  lane.m0 = arith::MulIOp::create(b, loc, blockY, index(tileM));
  lane.n0 = arith::MulIOp::create(
      b, loc,
      arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, blockX, index(warpsPerBlock)),
          warp),
      index(tileN));
  lane.rowLo = arith::AddIOp::create(b, loc, lane.m0, lane.g);
  lane.rowHi = arith::AddIOp::create(b, loc, lane.rowLo, index(8));
  return lane;
}

EmulatedThread mlir::lowbit::buildEmulatedThreadLoops(
    OpBuilder &b, Location loc, Value zero, Value one, int64_t blocksX,
    int64_t blocksY, int64_t threads, int64_t warpsPerBlock) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto by = scf::ForOp::create(b, loc, zero, index(blocksY), one);
  b.setInsertionPointToStart(by.getBody());
  auto bx = scf::ForOp::create(b, loc, zero, index(blocksX), one);
  b.setInsertionPointToStart(bx.getBody());
  auto th = scf::ForOp::create(b, loc, zero, index(threads), one);
  b.setInsertionPointToStart(th.getBody());
  EmulatedThread thread;
  thread.blockX = bx.getInductionVar();
  thread.blockY = by.getInductionVar();
  thread.threadId = th.getInductionVar();
  thread.warpId = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc,
          arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(b, loc, thread.blockY, index(blocksX)),
              thread.blockX),
          index(warpsPerBlock)),
      arith::DivUIOp::create(b, loc, thread.threadId,
                             index(threads / warpsPerBlock)));
  return thread;
}

void mlir::lowbit::scatterFragmentA(OpBuilder &b, Location loc,
                                    const FragmentLane &lane, Value a, Value k0,
                                    Value tiles, Value warpId,
                                    WidenElement widen) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  int64_t elements = cast<VectorType>(a.getType()).getDimSize(1);
  Value g8 = arith::AddIOp::create(b, loc, lane.g, index(8));
  for (int64_t reg = 0; reg < 4; ++reg)
    for (int64_t e = 0; e < elements; ++e) {
      Value k = arith::AddIOp::create(
          b, loc, k0,
          arith::AddIOp::create(b, loc, lane.kOffset,
                                index(4 * elements * (reg / 2) + e)));
      memref::StoreOp::create(b, loc, widen(a, {reg, e}), tiles,
                              ValueRange{warpId, k, reg % 2 ? g8 : lane.g});
    }
}

void mlir::lowbit::scatterFragmentB(OpBuilder &b, Location loc,
                                    const FragmentLane &lane, Value registers,
                                    int64_t tile, Value k0, Value tiles,
                                    Value warpId, WidenElement widen) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  int64_t elements = cast<VectorType>(registers.getType()).getDimSize(1);
  for (int64_t reg = 0; reg < 2; ++reg)
    for (int64_t e = 0; e < elements; ++e) {
      Value k = arith::AddIOp::create(
          b, loc, k0,
          arith::AddIOp::create(b, loc, lane.kOffset,
                                index(4 * elements * reg + e)));
      memref::StoreOp::create(b, loc, widen(registers, {reg, e}), tiles,
                              ValueRange{warpId, index(tile), k, lane.g});
    }
}

SmallVector<Value> mlir::lowbit::gatherAccumulators(
    OpBuilder &b, Location loc, const FragmentLane &lane, Value g8,
    Value column, Value tiles, ValueRange indexPrefix, int64_t tileCount,
    VectorType cType) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  SmallVector<Value> accumulators;
  for (int64_t j = 0; j < tileCount; ++j) {
    Value c = arith::ConstantOp::create(b, loc, b.getZeroAttr(cType));
    for (int64_t half = 0; half < 2; ++half)
      for (int64_t e = 0; e < 2; ++e) {
        SmallVector<Value> indices(indexPrefix);
        indices.append({index(j), half ? g8 : lane.g,
                        arith::AddIOp::create(b, loc, column, index(e))});
        Value v = memref::LoadOp::create(b, loc, tiles, indices);
        c = vector::InsertOp::create(b, loc, v, c, ArrayRef<int64_t>{half, e});
      }
    accumulators.push_back(c);
  }
  return accumulators;
}

Value mlir::lowbit::buildEmulatedTileDot(OpBuilder &b, Location loc,
                                         Value aTiles, ValueRange aPrefix,
                                         Value m, Value bTiles,
                                         ValueRange bPrefix, Value n,
                                         Value kBegin, Value kEnd) {
  Type element = cast<MemRefType>(aTiles.getType()).getElementType();
  bool isFloat = isa<FloatType>(element);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto kLoop = scf::ForOp::create(b, loc, kBegin, kEnd, one, ValueRange{zero});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(kLoop.getBody());
  Value k = kLoop.getInductionVar();
  SmallVector<Value> aIndex(aPrefix), bIndex(bPrefix);
  aIndex.append({k, m});
  bIndex.append({k, n});
  Value av = memref::LoadOp::create(b, loc, aTiles, aIndex);
  Value bv = memref::LoadOp::create(b, loc, bTiles, bIndex);
  Value sum = kLoop.getRegionIterArgs()[0];
  Value next = isFloat ? arith::AddFOp::create(
                             b, loc, sum, arith::MulFOp::create(b, loc, av, bv))
                             .getResult()
                       : arith::AddIOp::create(
                             b, loc, sum, arith::MulIOp::create(b, loc, av, bv))
                             .getResult();
  scf::YieldOp::create(b, loc, next);
  return kLoop.getResult(0);
}
