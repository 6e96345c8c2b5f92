//===- StagedQuantMma.cpp - staged mma.sync kernel for lowbit.matmul ------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The staged tensor-core kernel of an integer or FP8 lowbit.staged_matmul
// (sm_80 and up; on sm_90a the tile multiples of 128 take the wgmma kernel
// instead): y[M, N] = f(sum_k (a - za) w sa sw) with M, N, K multiples of
// 64, symmetric weights, scales per tensor or per row:
//
//   gpu.launch blocks(N / 64, M / 64) threads(128)
//       dynamic_shared_memory_size 2 stages x (A + W) x 64 x 80 bytes {
//     shared, per stage: A [64 rows x 64 codes], W [64 rows x 64 codes],
//       rows padded to 80 bytes (ldmatrix phases conflict-free: rows 0..7
//       start at banks 0, 20, 8, 28, 16, 4, 24, 12)
//     cp.async k-tile 0 (16-byte chunks, two of A and two of W per thread)
//     acc[2][4] = scf.for kt = 0 to K / 64 {
//       cp.async k-tile kt + 1 into the other stage; wait for k-tile kt
//       gpu.barrier
//       per k32 step (2): A fragments by ldmatrix.x4 (2 per warp), B
//         fragments by ldmatrix.x4 (two n8 tiles each, 2 per warp), 8
//         mma.sync m16n8k32 per warp (u8/s8 codes as they are)
//       gpu.barrier                      // stage free for k-tile kt + 2
//     }
//     epilogue per m16 tile (QuantMatmulEpilogue): S - za Cw, sa sw,
//     bias, cast or requantize
//   }
//
// Four warps of 32 x 32 (2 x 2) per 64 x 64 block; each lane's fragments
// (QuantMmaSync.h) come from shared memory by ldmatrix, which reads b16
// pairs: for 8-bit codes a b16 column pair is four codes, so the f16
// addressing of the staged dequant kernel carries over in bytes. A lane
// s points at row s % 16, byte column 16 (s / 16) of a 16 x 32-code A
// tile, making matrices 0..3 the A registers 0..3; for B, lane s points at
// weight row 8 (s / 16) + s % 8, byte column 16 ((s / 8) % 2), making
// matrices 0, 1 the two registers of n8 tile j and 2, 3 those of j + 1.
//
// The host emulation runs the copies and the epilogue as the kernel does,
// ldmatrix by its definition (register i of lane L: row L / 4, bytes
// 4 (L % 4)..+3 of the 8 x 16-byte matrix whose rows lanes 8i..8i+7 point
// at), and the products by scattering the registers into per-warp tiles
// by the fragment layouts and summing there in k order.
//
//===----------------------------------------------------------------------===//

#include "StagedMatmul.h"

#include "QuantMmaSync.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::lowbit;

namespace {

constexpr int64_t kBlock = 64, kTileK = 64, kStride = kTileK + 16;
constexpr int64_t kWarpTile = 32, kWarpsN = kBlock / kWarpTile;
constexpr int64_t kWarps = kWarpsN * kWarpsN;
constexpr int64_t kThreads = kWarps * kThreadsPerWarp;
constexpr int64_t kTilesM = kWarpTile / kMmaM, kTilesN = kWarpTile / kMmaN;
constexpr int64_t kStages = 2, kCopyBytes = 16;
constexpr int64_t kTileBytes = kBlock * kStride;
constexpr int64_t kSharedBytes = kStages * 2 * kTileBytes;

class StagedQuantBuilder : private KernelLoops {
public:
  StagedQuantBuilder(OpBuilder &b, Location loc, const QuantMatmulPlan &plan,
                     const QuantMatmulHost &host, Value y, bool emulate)
      : KernelLoops(b, loc), plan(plan), host(host), y(y), emulate(emulate) {}

  void buildLaunch();
  void buildEmulation();

private:
  Type accElement() {
    return plan.fp8 ? Type(b.getF32Type()) : Type(b.getI32Type());
  }

  /// Where a thread works: its warp's tile and its fragment coordinates.
  struct Lane {
    Value warp, lane, warpM, warpN;
    FragmentLane fragment;
  };
  Lane buildLane(Value tid, Value m0, Value n0, int64_t mi);

  /// A view of `shared` (memref<?xi8>) at byte `offset`: [64 x 80] of
  /// `element`.
  Value view(Value shared, Value offset, Type element);
  /// The byte offset of operand `operand` (0: A, 1: W) of stage `stage`.
  Value tileOffset(Value stage, int64_t operand) {
    return add(mul(stage, 2 * kTileBytes), index(operand * kTileBytes));
  }
  /// Thread `tid`'s copies of k-tile `kt` into stage `stage`.
  SmallVector<Value> buildCopies(Value shared, Value tid, Value m0, Value n0,
                                 Value kt, Value stage);
  /// The row and byte column that lane `source` points ldmatrix at, for A
  /// (m16 tile `mi` of warp row `warpM`) or B (n8 tiles 2 `pair`, + 1 of
  /// warp column `warpN`), k32 step `ks`.
  std::pair<Value, Value> addressA(Value source, Value warpM, int64_t mi,
                                   int64_t ks);
  std::pair<Value, Value> addressB(Value source, Value warpN, int64_t pair,
                                   int64_t ks);
  /// ldmatrix.x4 at the address lane `lane` computes with `address` (or,
  /// emulated, by its definition), as vector<4x4xi8>.
  Value buildLoad(Value tile, Value lane,
                  function_ref<std::pair<Value, Value>(Value)> address);
  /// The lane's fragments of k32 step `ks` of a stage: A per m16 tile
  /// (vector<4x4xi8>), W per n8 tile (vector<2x4xi8>).
  struct Fragments {
    SmallVector<Value> a, w;
  };
  Fragments loadFragments(Value aTile, Value wTile, const Lane &lane,
                          int64_t ks);
  /// The epilogue of m16 tile `mi` of the lane's warp: `sums` per n8 tile.
  void buildEpilogue(Value tid, Value m0, Value n0, int64_t mi,
                     ArrayRef<Value> sums);

  const QuantMatmulPlan &plan;
  const QuantMatmulHost &host;
  Value y;
  bool emulate;
};

} // namespace

StagedQuantBuilder::Lane StagedQuantBuilder::buildLane(Value tid, Value m0,
                                                       Value n0, int64_t mi) {
  Lane lane;
  lane.warp = div(tid, kThreadsPerWarp);
  lane.lane = rem(tid, kThreadsPerWarp);
  lane.warpM = div(lane.warp, kWarpsN);
  lane.warpN = rem(lane.warp, kWarpsN);
  FragmentLane &f = lane.fragment;
  f.g = div(lane.lane, 4);
  f.kOffset = mul(rem(lane.lane, 4), 4);
  f.m0 = add(m0, add(mul(lane.warpM, kWarpTile), index(kMmaM * mi)));
  f.n0 = add(n0, mul(lane.warpN, kWarpTile));
  f.rowLo = add(f.m0, f.g);
  f.rowHi = add(f.rowLo, index(8));
  return lane;
}

Value StagedQuantBuilder::view(Value shared, Value offset, Type element) {
  Attribute space = cast<MemRefType>(shared.getType()).getMemorySpace();
  return memref::ViewOp::create(b, loc,
                                MemRefType::get({kBlock, kStride}, element,
                                                MemRefLayoutAttrInterface(),
                                                space),
                                shared, offset, ValueRange{});
}

SmallVector<Value> StagedQuantBuilder::buildCopies(Value shared, Value tid,
                                                   Value m0, Value n0, Value kt,
                                                   Value stage) {
  SmallVector<Value> tokens;
  constexpr int64_t chunksPerRow = kTileK / kCopyBytes;
  Value k0 = mul(kt, kTileK);
  for (int64_t operand = 0; operand < 2; ++operand) {
    Value src = operand ? host.rhs : host.lhs;
    Type element = cast<MemRefType>(src.getType()).getElementType();
    Value dst = view(shared, tileOffset(stage, operand), element);
    Value row0 = operand ? n0 : m0;
    for (int64_t i = 0; i < kBlock * chunksPerRow / kThreads; ++i) {
      Value id = add(tid, index(i * kThreads));
      Value row = div(id, chunksPerRow);
      Value col = mul(rem(id, chunksPerRow), kCopyBytes);
      SmallVector<Value> dstIndices{row, col};
      SmallVector<Value> srcIndices{add(row0, row), add(k0, col)};
      if (!emulate) {
        tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
            b, loc, dst, dstIndices, src, srcIndices,
            b.getIndexAttr(kCopyBytes), /*srcElements=*/Value(),
            /*bypassL1=*/b.getUnitAttr()));
        continue;
      }
      auto type = VectorType::get({kCopyBytes}, element);
      Value v = vector::LoadOp::create(b, loc, type, src, srcIndices);
      vector::StoreOp::create(b, loc, v, dst, dstIndices);
    }
  }
  return tokens;
}

std::pair<Value, Value> StagedQuantBuilder::addressA(Value source, Value warpM,
                                                     int64_t mi, int64_t ks) {
  Value row =
      add(add(mul(warpM, kWarpTile), index(kMmaM * mi)), rem(source, 16));
  Value col = add(index(kQuantMmaK * ks), mul(div(source, 16), 16));
  return {row, col};
}

std::pair<Value, Value> StagedQuantBuilder::addressB(Value source, Value warpN,
                                                     int64_t pair, int64_t ks) {
  Value row = add(add(mul(warpN, kWarpTile), index(2 * kMmaN * pair)),
                  add(mul(div(source, 16), 8), rem(source, 8)));
  Value col =
      add(index(kQuantMmaK * ks), mul(rem(div(source, 8), 2), kCopyBytes));
  return {row, col};
}

Value StagedQuantBuilder::buildLoad(
    Value tile, Value lane,
    function_ref<std::pair<Value, Value>(Value)> address) {
  auto type = VectorType::get({4, 4}, b.getI8Type());
  Value frag;
  if (!emulate) {
    auto [row, col] = address(lane);
    frag = nvgpu::LdMatrixOp::create(b, loc, type, tile, ValueRange{row, col},
                                     /*transpose=*/false, /*numTiles=*/4);
  } else {
    // Register i of lane L: row L / 4, bytes 4 (L % 4)..+3 of the matrix
    // whose rows lanes 8i..8i+7 point at.
    frag = arith::ConstantOp::create(
        b, loc, cast<DenseElementsAttr>(b.getZeroAttr(type)));
    for (int64_t i = 0; i < 4; ++i) {
      auto [row, col] = address(add(index(8 * i), div(lane, 4)));
      Value quad = vector::LoadOp::create(
          b, loc, VectorType::get({4}, b.getI8Type()), tile,
          ValueRange{row, add(col, mul(rem(lane, 4), 4))});
      frag = vector::InsertOp::create(b, loc, quad, frag, i);
    }
  }
  return frag;
}

StagedQuantBuilder::Fragments
StagedQuantBuilder::loadFragments(Value aTile, Value wTile, const Lane &lane,
                                  int64_t ks) {
  Fragments frags;
  for (int64_t mi = 0; mi < kTilesM; ++mi)
    frags.a.push_back(buildLoad(aTile, lane.lane, [&](Value s) {
      return addressA(s, lane.warpM, mi, ks);
    }));
  // One ldmatrix.x4 covers n8 tiles 2 pair and 2 pair + 1: two registers
  // each.
  for (int64_t pair = 0; pair < kTilesN / 2; ++pair) {
    Value quads = buildLoad(wTile, lane.lane, [&](Value s) {
      return addressB(s, lane.warpN, pair, ks);
    });
    for (int64_t half = 0; half < 2; ++half)
      frags.w.push_back(vector::ShuffleOp::create(
          b, loc, quads, quads, ArrayRef<int64_t>{2 * half, 2 * half + 1}));
  }
  return frags;
}

void StagedQuantBuilder::buildEpilogue(Value tid, Value m0, Value n0,
                                       int64_t mi, ArrayRef<Value> sums) {
  Lane lane = buildLane(tid, m0, n0, mi);
  Value zeroY = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(VectorType::get({2, 2}, b.getF32Type())));
  SmallVector<Value> ys(sums.size(), zeroY);
  QuantMatmulEpilogue epilogue(b, loc, plan, host, y);
  ys = epilogue.buildBlockUpdate(lane.fragment, index(0), sums, Value(), ys);
  epilogue.buildEpilogue(lane.fragment, ys);
}

void StagedQuantBuilder::buildLaunch() {
  auto body = [&](gpu::LaunchOp launch) {
    Value tid = launch.getThreadIds().x;
    Value m0 = mul(launch.getBlockIds().y, kBlock);
    Value n0 = mul(launch.getBlockIds().x, kBlock);
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    Value shared = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
    auto copy = [&](Value kt, Value stage) -> Value {
      return nvgpu::DeviceAsyncCreateGroupOp::create(
          b, loc, tokenType, buildCopies(shared, tid, m0, n0, kt, stage));
    };
    Value zero = index(0);
    Value first = copy(zero, zero);
    Lane lane = buildLane(tid, m0, n0, 0);
    int64_t kTiles = plan.k / kTileK;
    Value zeroC = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(VectorType::get({2, 2}, accElement())));
    auto loop =
        scf::ForOp::create(b, loc, zero, index(kTiles), index(1),
                           SmallVector<Value>(kTilesM * kTilesN, zeroC));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      Value stage = rem(kt, kStages);
      Value next = add(kt, index(1));
      auto prefetch = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                                index(kTiles)),
          /*withElse=*/true);
      {
        // k-tile kt + 1 into the stage k-tile kt - 1 used (freed by the
        // barrier at its end); then k-tile kt has landed.
        OpBuilder::InsertionGuard ifGuard(b);
        b.setInsertionPointToStart(&prefetch.getThenRegion().front());
        nvgpu::DeviceAsyncWaitOp::create(b, loc, copy(next, rem(next, kStages)),
                                         b.getI32IntegerAttr(1));
        b.setInsertionPointToStart(&prefetch.getElseRegion().front());
        nvgpu::DeviceAsyncWaitOp::create(b, loc, first, b.getI32IntegerAttr(0));
      }
      gpu::BarrierOp::create(b, loc);
      Value aTile = view(shared, tileOffset(stage, 0), b.getI8Type());
      Value wTile = view(shared, tileOffset(stage, 1), b.getI8Type());
      SmallVector<Value> acc(loop.getRegionIterArgs());
      for (int64_t ks = 0; ks < kTileK / kQuantMmaK; ++ks) {
        Fragments frags = loadFragments(aTile, wTile, lane, ks);
        for (int64_t mi = 0; mi < kTilesM; ++mi)
          for (int64_t nj = 0; nj < kTilesN; ++nj) {
            Value &c = acc[mi * kTilesN + nj];
            c = buildQuantMmaSync(b, loc, plan, frags.a[mi], frags.w[nj], c);
          }
      }
      // Every warp is done with this stage before it is refilled.
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, acc);
    }
    for (int64_t mi = 0; mi < kTilesM; ++mi)
      buildEpilogue(
          tid, m0, n0, mi,
          SmallVector<Value>(loop.getResults().slice(mi * kTilesN, kTilesN)));
  };
  mlir::lowbit::buildLaunch(b, loc, {plan.n / kBlock, plan.m / kBlock},
                            kThreads, body, /*workgroup=*/{}, kSharedBytes);
}

void StagedQuantBuilder::buildEmulation() {
  // Per block: the copies of k-tile 0, then per k-tile the copies of the
  // next one and every thread's fragments of this one, scattered into
  // per-warp tiles (A[warp][mi][k][m], B[warp][nj][k][n], i32 or FP8
  // decoded to f32) and added to C[warp][mi][nj][m][n] in k order; at the
  // end every lane's C registers gathered and the epilogue.
  Type element = accElement();
  Value bytes = memref::AllocOp::create(
      b, loc, MemRefType::get({kSharedBytes}, b.getI8Type()));
  Value shared = memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), bytes);
  Value aTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({kWarps * kTilesM, kTileK, kMmaM}, element));
  Value bTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({kWarps, kTilesN, kTileK, kMmaN}, element));
  Value cTiles = memref::AllocOp::create(
      b, loc,
      MemRefType::get({kWarps, kTilesM, kTilesN, kMmaM, kMmaN}, element));
  CodeValueTables tables = buildCodeValueTables(b, loc, plan);
  Value lhsTable = tables.lhs, rhsTable = tables.rhs;
  auto widen = [&](Value table, StorageFormat format) {
    return [&, table, format](Value frag, ArrayRef<int64_t> pos) -> Value {
      return widenCode(b, loc, vector::ExtractOp::create(b, loc, frag, pos),
                       format, table);
    };
  };
  Value zero = index(0), one = index(1);
  auto forLoop = [&](int64_t count) {
    auto loop = scf::ForOp::create(b, loc, zero, index(count), one);
    b.setInsertionPointToStart(loop.getBody());
    return loop.getInductionVar();
  };
  auto threadPhase = [&](function_ref<void(Value tid)> body) {
    OpBuilder::InsertionGuard guard(b);
    body(forLoop(kThreads));
  };

  OpBuilder::InsertionGuard guard(b);
  Value m0 = mul(forLoop(plan.m / kBlock), kBlock);
  Value n0 = mul(forLoop(plan.n / kBlock), kBlock);
  linalg::FillOp::create(
      b, loc,
      arith::ConstantOp::create(b, loc, b.getZeroAttr(element)).getResult(),
      cTiles);
  threadPhase([&](Value tid) { buildCopies(shared, tid, m0, n0, zero, zero); });
  {
    OpBuilder::InsertionGuard loopGuard(b);
    int64_t kTiles = plan.k / kTileK;
    Value kt = forLoop(kTiles);
    Value stage = rem(kt, kStages);
    Value next = add(kt, index(1));
    auto prefetch = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                              index(kTiles)),
        /*withElse=*/false);
    {
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(&prefetch.getThenRegion().front());
      threadPhase([&](Value tid) {
        buildCopies(shared, tid, m0, n0, next, rem(next, kStages));
      });
    }
    threadPhase([&](Value tid) {
      Lane lane = buildLane(tid, m0, n0, 0);
      Value aTile = view(shared, tileOffset(stage, 0), b.getI8Type());
      Value wTile = view(shared, tileOffset(stage, 1), b.getI8Type());
      for (int64_t ks = 0; ks < kTileK / kQuantMmaK; ++ks) {
        Value k0 = index(kQuantMmaK * ks);
        Fragments frags = loadFragments(aTile, wTile, lane, ks);
        for (int64_t mi = 0; mi < kTilesM; ++mi)
          scatterFragmentA(b, loc, lane.fragment, frags.a[mi], k0, aTiles,
                           add(mul(lane.warp, kTilesM), index(mi)),
                           widen(lhsTable, plan.lhsFormat));
        for (int64_t nj = 0; nj < kTilesN; ++nj)
          scatterFragmentB(b, loc, lane.fragment, frags.w[nj], nj, k0, bTiles,
                           lane.warp, widen(rhsTable, plan.rhsFormat));
      }
    });
    // C[warp][mi][nj][m][n] += A B over the k-tile, in k order.
    OpBuilder::InsertionGuard warpGuard(b);
    Value warp = forLoop(kWarps);
    Value mi = forLoop(kTilesM);
    Value nj = forLoop(kTilesN);
    Value m = forLoop(kMmaM);
    Value n = forLoop(kMmaN);
    SmallVector<Value> cIndex{warp, mi, nj, m, n};
    Value old = memref::LoadOp::create(b, loc, cTiles, cIndex);
    auto ks =
        scf::ForOp::create(b, loc, zero, index(kTileK), one, ValueRange{old});
    b.setInsertionPointToStart(ks.getBody());
    Value k = ks.getInductionVar();
    Value av = memref::LoadOp::create(
        b, loc, aTiles, ValueRange{add(mul(warp, kTilesM), mi), k, m});
    Value bv =
        memref::LoadOp::create(b, loc, bTiles, ValueRange{warp, nj, k, n});
    Value sum = ks.getRegionIterArgs()[0];
    Value nextSum =
        plan.fp8 ? Value(arith::AddFOp::create(
                       b, loc, sum, arith::MulFOp::create(b, loc, av, bv)))
                 : Value(add(sum, arith::MulIOp::create(b, loc, av, bv)));
    scf::YieldOp::create(b, loc, nextSum);
    b.setInsertionPointAfter(ks);
    memref::StoreOp::create(b, loc, ks.getResult(0), cTiles, cIndex);
  }
  threadPhase([&](Value tid) {
    Lane lane = buildLane(tid, m0, n0, 0);
    Value g8 = add(lane.fragment.g, index(8));
    Value t2 = div(lane.fragment.kOffset, 2);
    for (int64_t mi = 0; mi < kTilesM; ++mi)
      buildEpilogue(tid, m0, n0, mi,
                    gatherAccumulators(b, loc, lane.fragment, g8, t2, cTiles,
                                       ValueRange{lane.warp, index(mi)},
                                       kTilesN,
                                       VectorType::get({2, 2}, element)));
  });
}

std::string mlir::lowbit::stagedQuantMatmulRejection(int64_t m, int64_t n,
                                                     int64_t k) {
  if (m % kBlock || n % kBlock || k % kTileK)
    return "the staged mma.sync kernel needs M, N and K multiples of 64";
  return "";
}

void mlir::lowbit::buildStagedQuantMatmul(OpBuilder &b, Location loc,
                                          const QuantMatmulPlan &plan,
                                          const QuantMatmulHost &host, Value y,
                                          bool emulate) {
  StagedQuantBuilder builder(b, loc, plan, host, y, emulate);
  if (emulate)
    builder.buildEmulation();
  else
    builder.buildLaunch();
}
