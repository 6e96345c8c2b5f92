//===- WarpgroupMma.cpp - sm_90a TMA + wgmma kernel for lowbit.matmul -----===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// A lowbit.staged_matmul {warpgroup} y[M, N] = f(sum_k (a[m, k] - za)
// w[n, k] sa sw) with 8-bit codes (s8/u8 x s8/u8 into s32, or e4m3/e5m2 x
// e4m3/e5m2 into f32), M, N, K multiples of 128, becomes on the host two
// TMA tensor maps and one kernel of 128 x 128 blocks of y, two warpgroups
// of 128 threads:
//
//   ta = nvgpu.tma.create.descriptor a box[128, 128]   (the device buffers,
//   tw = nvgpu.tma.create.descriptor w box[128, 128]    as bytes; 128-byte
//                                                        swizzle)
//   gpu.launch blocks(N / 128, M / 128) threads(256)
//       dynamic_shared_memory_size 3 x 32 KiB + 1 KiB {
//     stage s (s < 3): A tile [128 x 128 bytes], W tile [128 x 128 bytes],
//       1024-byte aligned (the swizzle pattern repeats every 1024 bytes)
//     full[s] = nvgpu.mbarrier (count 1), initialized by thread 0, which
//       also fences the tensormap proxy for ta, tw (copied from the host)
//       and prefetches them
//     thread 0: k-tiles 0, 1 -> stages 0, 1: arrive.expect_tx(full[s],
//       32 KiB); tma.async.load ta[k, m0], tw[k, n0] -> stage s
//     acc (64 f32 or s32 per thread) = scf.for kt = 0 to K / 128 {
//       thread 0: k-tile kt + 2 -> stage (kt + 2) % 3 (read by kt - 1,
//                 finished: see the barrier below)
//       mbarrier.try_wait.parity full[kt % 3], (kt / 3) % 2
//       wgmma.fence
//       4 x wgmma.mma_async m64n128k32 (A: rows 64 wg.. of the A tile,
//           B: the W tile; both from shared memory, K-major; FP8: the
//           first with scale-d 0, a fresh sum per k-tile)
//       wgmma.commit_group; wgmma.wait_group 0
//       FP8: acc += the k-tile's sums (f32 registers)
//       gpu.barrier                  // stage kt % 3 free for k-tile kt + 3
//     }
//     epilogue on the accumulators (QuantMatmulEpilogue): S - za Cw, times
//     sa[m] sw[n], + bias[n], cast or requantize, store
//   }
//
// Three stages take 97 KiB: two blocks fit on an SM, each hiding the
// other's drain at the end of its k-tiles.
//
// Matrix descriptors (64 bits, PTX ISA "matrix descriptor format"): start
// address >> 4 in bits 0..13, leading byte offset >> 4 in bits 16..29
// (unused for a swizzled K-major operand whose k-tile is one swizzle row:
// 1), stride byte offset >> 4 in bits 32..45 (1024: eight 128-byte rows to
// the next group of eight), base offset 0 in bits 49..51 (tiles are
// 1024-byte aligned), layout 1 (128-byte swizzle) in bits 62..63. Both
// operands are K-major (rows of 128 codes, the layout TMA writes with
// CU_TENSOR_MAP_SWIZZLE_128B: 16-byte chunk c of row r at chunk c ^ (r % 8)),
// which is the only layout wgmma takes for 8-bit operands (no transpose).
// The k32 step j of a k-tile starts 32 j bytes into the rows (start
// address + 2 j); warpgroup wg's A rows start 64 wg rows = 8 KiB in.
//
// Accumulators: register i of lane L of warp w (within the warpgroup) is
// row 16 w + L / 4 + 8 ((i % 4) / 2), column 8 (i / 4) + 2 (L % 4) + i % 2
// of the warpgroup's 64 x 128 tile: 16 n8 tiles in the mma.sync C layout,
// which is what QuantMatmulEpilogue takes.
//
// Numerics: the integer products are exact in s32, as on the CPU and in
// the mma.sync kernel; the FP8 tensor cores of sm_90 accumulate with fewer
// bits than f32 (about 14), so FP8 sums restart every k-tile of 128
// products and are added in f32 registers: results differ from one f32
// chain by the tensor cores' rounding within a k-tile only.
//
// The dynamic shared memory starts after the static shared variables (the
// mbarriers; lowbit-gpu-extern-dynamic-shared-memory makes it the real
// `.extern .shared` array): the kernel rounds its address up to 1024 bytes,
// hence the extra kSwizzleAlign bytes it asks for.
//
// Runs after lowbit-gpu-device-buffers: the op's buffers are then device
// buffers, so the tensor maps (built on the host, copied to the device by
// the runtime's mgpuTensorMapEncodeTiledMemref) point at device memory.
//
//===----------------------------------------------------------------------===//

#include "StagedMatmul.h"

#include "KernelBuilding.h"
#include "Wgmma.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Block tile (M and N) and k-tile (codes = bytes), one TMA box each.
constexpr int64_t kTile = 128;
constexpr int64_t kStages = 3;
constexpr int64_t kWarpgroups = 2;
/// K of one 8-bit wgmma.
constexpr int64_t kWgmmaK = 32;
constexpr int64_t kTileBytes = kTile * kTile;
constexpr int64_t kStageBytes = 2 * kTileBytes;
/// The dynamic shared memory is rounded up to kSwizzleAlign at run time.
constexpr int64_t kSharedBytes = kStages * kStageBytes + kSwizzleAlign;

NVVM::WGMMATypes wgmmaType(StorageFormat f) {
  switch (f) {
  case StorageFormat::F8E4M3FN:
    return NVVM::WGMMATypes::e4m3;
  case StorageFormat::F8E5M2:
    return NVVM::WGMMATypes::e5m2;
  case StorageFormat::U8:
    return NVVM::WGMMATypes::u8;
  default:
    return NVVM::WGMMATypes::s8;
  }
}

class WarpgroupKernelBuilder {
public:
  WarpgroupKernelBuilder(OpBuilder &b, Location loc,
                         const QuantMatmulPlan &plan,
                         const QuantMatmulHost &host, Value y)
      : b(b), loc(loc), plan(plan), host(host), y(y) {}

  /// The host part: the tensor maps, then the launch.
  void build();
  /// Test only: the kernel's computation in host loops (see
  /// buildHostEmulation).
  void buildHostEmulation();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value eq(Value x, int64_t v) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, index(v));
  }
  Value toI64(Value v) {
    return arith::IndexCastUIOp::create(b, loc, b.getI64Type(), v);
  }
  Type accElement() {
    return plan.fp8 ? Type(b.getF32Type()) : Type(b.getI32Type());
  }

  /// A TMA tensor map of `buffer` ([rows, K] codes, read as bytes) with
  /// 128 x 128-byte boxes and the 128-byte swizzle.
  Value buildTensorMap(Value buffer);
  nvgpu::TensorMapDescriptorType tensorMapType();
  nvgpu::MBarrierGroupType barrierType();
  /// The kernel body.
  void buildBody(gpu::LaunchOp launch, Value lhsMap, Value rhsMap);

  /// The shared address (index) of `operand`'s tile (0: A, 1: W) in stage
  /// `stage`.
  Value tileAddress(Value aligned, Value stage, int64_t operand);
  /// The TMA coordinates of k-tile `kt` of rows from `row0`: innermost
  /// first (k, row).
  SmallVector<Value> tmaCoordinates(Value kt, Value row0);
  /// The stage of k-tile `kt`.
  Value stageOf(Value kt) {
    return arith::RemUIOp::create(b, loc, kt, index(kStages));
  }
  /// The matrix descriptors (i64) of the A rows of `warpgroup` and of the
  /// W tile in stage `stage`.
  std::pair<Value, Value> buildDescriptors(Value aligned, Value stage,
                                           Value warpgroup);
  /// The epilogue of lane `laneId` of warp `warp` of `warpgroup` in the
  /// block at (m0, n0), on its accumulator registers `acc`.
  void buildAccumulatorEpilogue(Value acc, Value m0, Value n0, Value warpgroup,
                                Value warp, Value laneId);

  // Host emulation of the hardware: TMA, wgmma, the register layout.
  /// TMA: the box at `coordinates` (innermost first) of `global` into the
  /// emulated shared memory `shared` (whose first byte is shared address
  /// `sharedBase`) at `address`, 128-byte swizzled.
  void emulateTmaLoad(Value shared, Value sharedBase, Value address,
                      Value global, ArrayRef<Value> coordinates);
  /// wgmma m64n128k32 (emulateWgmma) on the emulated shared memory, the
  /// codes decoded by format (`lhsTable`, `rhsTable`: FP8 value tables).
  void emulateProducts(Value shared, Value sharedBase, Value descA, Value descB,
                       Value tile, Value lhsTable, Value rhsTable);
  /// The code at byte `at` of `shared`, as i32 (integers) or decoded by
  /// `table` (FP8).
  Value readCode(Value shared, Value at, StorageFormat format, Value table);
  /// Host emulation: warpgroup `warpgroup`'s [64 x 128] accumulators in the
  /// [warpgroups x 64 x 128] buffer `tiles`.
  Value warpgroupTile(Value tiles, OpFoldResult warpgroup);

  OpBuilder &b;
  Location loc;
  const QuantMatmulPlan &plan;
  const QuantMatmulHost &host;
  Value y;
};

} // namespace

nvgpu::TensorMapDescriptorType WarpgroupKernelBuilder::tensorMapType() {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto box = MemRefType::get(
      {kTile, kTile},
      IntegerType::get(b.getContext(), 8, IntegerType::Unsigned),
      MemRefLayoutAttrInterface(), workgroup);
  return nvgpu::TensorMapDescriptorType::get(
      b.getContext(), box, nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
      nvgpu::TensorMapL2PromoKind::L2PROMO_256B,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
}

nvgpu::MBarrierGroupType WarpgroupKernelBuilder::barrierType() {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  return nvgpu::MBarrierGroupType::get(b.getContext(), workgroup, kStages);
}

Value WarpgroupKernelBuilder::buildTensorMap(Value buffer) {
  // The tensor map only needs the bytes: the codes (i8, u8, f8E4M3FN,
  // f8E5M2) are viewed as ui8, which nvgpu maps to
  // CU_TENSOR_MAP_DATA_TYPE_UINT8 (the cast folds away in LLVM: both
  // memrefs lower to the same descriptor struct).
  auto type = cast<MemRefType>(buffer.getType());
  auto u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  Value bytes = buffer;
  if (type.getElementType() != u8)
    bytes = UnrealizedConversionCastOp::create(
                b, loc, TypeRange{type.clone(u8)}, ValueRange{buffer})
                .getResult(0);
  Value unranked = memref::CastOp::create(
      b, loc, UnrankedMemRefType::get(u8, type.getMemorySpace()), bytes);
  return nvgpu::TmaCreateDescriptorOp::create(
      b, loc, tensorMapType(), unranked,
      ValueRange{index(kTile), index(kTile)});
}

Value WarpgroupKernelBuilder::tileAddress(Value aligned, Value stage,
                                          int64_t operand) {
  return add(aligned,
             add(mul(stage, index(kStageBytes)), index(operand * kTileBytes)));
}

SmallVector<Value> WarpgroupKernelBuilder::tmaCoordinates(Value kt,
                                                          Value row0) {
  return {mul(kt, index(kTile)), row0};
}

std::pair<Value, Value>
WarpgroupKernelBuilder::buildDescriptors(Value aligned, Value stage,
                                         Value warpgroup) {
  Value rows = mul(warpgroup, index(kWgmmaM * kTile));
  Value a = toI64(add(tileAddress(aligned, stage, 0), rows));
  Value w = toI64(tileAddress(aligned, stage, 1));
  return {buildMatrixDescriptor(b, loc, a), buildMatrixDescriptor(b, loc, w)};
}

void WarpgroupKernelBuilder::buildAccumulatorEpilogue(Value acc, Value m0,
                                                      Value n0, Value warpgroup,
                                                      Value warp,
                                                      Value laneId) {
  FragmentLane lane = warpgroupLane(
      b, loc, add(m0, mul(warpgroup, index(kWgmmaM))), n0, warp, laneId);
  SmallVector<Value> sums = accumulatorTiles(b, loc, acc, kTile);
  Value zeroY = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(VectorType::get({2, 2}, b.getF32Type())));
  SmallVector<Value> ys(sums.size(), zeroY);
  QuantMatmulEpilogue epilogue(b, loc, plan, host, y);
  ys = epilogue.buildBlockUpdate(lane, index(0), sums, Value(), ys);
  epilogue.buildEpilogue(lane, ys);
}

void WarpgroupKernelBuilder::buildBody(gpu::LaunchOp launch, Value lhsMap,
                                       Value rhsMap) {
  Value tid = launch.getThreadIds().x;
  Value m0 = mul(launch.getBlockIds().y, index(kTile));
  Value n0 = mul(launch.getBlockIds().x, index(kTile));
  Value warpgroup =
      arith::DivUIOp::create(b, loc, tid, index(kWarpgroupThreads));
  Value inGroup = arith::RemUIOp::create(b, loc, tid, index(kWarpgroupThreads));
  Value warp = arith::DivUIOp::create(b, loc, inGroup, index(kThreadsPerWarp));
  Value laneId = arith::RemUIOp::create(b, loc, tid, index(kThreadsPerWarp));
  int64_t kTiles = plan.k / kTile;

  // Dynamic shared memory, its stages from the first aligned address.
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto sharedType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                    MemRefLayoutAttrInterface(), workgroup);
  Value shared = gpu::DynamicSharedMemoryOp::create(b, loc, sharedType);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, shared);
  Value aligned = alignSharedAddress(b, loc, base).first;

  Value barriers = nvgpu::MBarrierCreateOp::create(b, loc, barrierType());
  Value leader = eq(tid, 0);
  auto issue = [&](Value kt) {
    // Thread 0: k-tile kt of A and W into its stage, completing on the
    // stage's barrier once both tiles' bytes have landed.
    Value stage = stageOf(kt);
    nvgpu::MBarrierArriveExpectTxOp::create(b, loc, barriers,
                                            index(kStageBytes), stage,
                                            /*predicate=*/Value());
    for (int64_t operand = 0; operand < 2; ++operand) {
      Value offset = arith::SubIOp::create(
          b, loc, tileAddress(aligned, stage, operand), base);
      Value tile = memref::ViewOp::create(b, loc, tensorMapType().getTensor(),
                                          shared, offset, ValueRange{});
      nvgpu::TmaAsyncLoadOp::create(
          b, loc, tile, barriers, operand ? rhsMap : lhsMap,
          tmaCoordinates(kt, operand ? n0 : m0), stage,
          /*multicastMask=*/Value(), /*predicate=*/Value());
    }
  };
  {
    OpBuilder::InsertionGuard guard(b);
    auto init = scf::IfOp::create(b, loc, leader, /*withElse=*/false);
    b.setInsertionPointToStart(&init.getThenRegion().front());
    for (int64_t s = 0; s < kStages; ++s)
      nvgpu::MBarrierInitOp::create(b, loc, barriers, index(1), index(s),
                                    /*predicate=*/Value());
    // Make the initialized barriers visible to the TMA unit.
    NVVM::FenceMbarrierInitOp::create(b, loc);
    // The tensor maps were copied to global memory from the host: fence
    // the tensormap proxy before the first copy reads them (CUDA guide),
    // and prefetch them.
    for (Value map : {lhsMap, rhsMap}) {
      nvgpu::TmaFenceOp::create(b, loc, map);
      nvgpu::TmaPrefetchOp::create(b, loc, map, /*predicate=*/Value());
    }
  }
  gpu::BarrierOp::create(b, loc);
  int64_t ahead = std::min<int64_t>(kStages - 1, kTiles);
  {
    OpBuilder::InsertionGuard guard(b);
    auto prologue = scf::IfOp::create(b, loc, leader, /*withElse=*/false);
    b.setInsertionPointToStart(&prologue.getThenRegion().front());
    for (int64_t kt = 0; kt < ahead; ++kt)
      issue(index(kt));
  }

  auto loop = scf::ForOp::create(
      b, loc, index(0), index(kTiles), index(1),
      ValueRange{buildZeroAccumulators(b, loc, accElement(), kTile)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value next = add(kt, index(ahead));
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          next, index(kTiles));
    {
      // k-tile kt + ahead goes to the stage k-tile kt - 1 used: every
      // warpgroup finished it before the barrier at the end of kt - 1.
      OpBuilder::InsertionGuard ifGuard(b);
      auto refill = scf::IfOp::create(
          b, loc, arith::AndIOp::create(b, loc, leader, inRange),
          /*withElse=*/false);
      b.setInsertionPointToStart(&refill.getThenRegion().front());
      issue(next);
    }
    Value stage = stageOf(kt);
    // Phase parity of the stage's barrier: it completes once per round.
    Value round = arith::DivUIOp::create(b, loc, kt, index(kStages));
    Value parity = arith::IndexCastUIOp::create(
        b, loc, b.getI1Type(), arith::RemUIOp::create(b, loc, round, index(2)));
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity,
                                           index(10000000), stage);

    auto [descA, descB] = buildDescriptors(aligned, stage, warpgroup);
    // Integer sums stay in the wgmma accumulators (exact); FP8 ones start
    // afresh every k-tile (the first wgmma does not accumulate) and are
    // added to f32 registers after it: the FP8 tensor cores accumulate
    // with fewer bits than f32.
    Value carried = loop.getRegionIterArgs()[0];
    Value acc = plan.fp8
                    ? buildUndefinedAccumulators(b, loc, accElement(), kTile)
                    : carried;
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t step = 0; step < kTile / kWgmmaK; ++step)
      acc = buildWgmma(
          b, loc, acc, offsetMatrixDescriptor(b, loc, descA, step * kWgmmaK),
          offsetMatrixDescriptor(b, loc, descB, step * kWgmmaK), kTile, kWgmmaK,
          wgmmaType(plan.lhsFormat), wgmmaType(plan.rhsFormat),
          plan.fp8 ? NVVM::WGMMATypes::f32 : NVVM::WGMMATypes::s32,
          /*accumulate=*/!plan.fp8 || step > 0);
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    if (plan.fp8)
      acc = addAccumulators(b, loc, carried, acc);
    // Every warpgroup is done with this stage before thread 0 refills it.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }
  buildAccumulatorEpilogue(loop.getResult(0), m0, n0, warpgroup, warp, laneId);
}

void WarpgroupKernelBuilder::build() {
  Value lhsMap = buildTensorMap(host.lhs);
  Value rhsMap = buildTensorMap(host.rhs);
  buildLaunch(
      b, loc, {plan.n / kTile, plan.m / kTile}, kWarpgroups * kWarpgroupThreads,
      [&](gpu::LaunchOp launch) { buildBody(launch, lhsMap, rhsMap); },
      /*workgroup=*/{}, /*dynamicSharedBytes=*/kSharedBytes);
}

//===----------------------------------------------------------------------===//
// Host emulation
//===----------------------------------------------------------------------===//

void WarpgroupKernelBuilder::emulateTmaLoad(Value shared, Value sharedBase,
                                            Value address, Value global,
                                            ArrayRef<Value> coordinates) {
  // Box element (r, c) of the [rows, K] tensor at (k0, row0) = coordinates
  // (innermost first) lands at address + 128 r + c, swizzled.
  OpBuilder::InsertionGuard guard(b);
  Value zero = index(0), one = index(1);
  auto rows = scf::ForOp::create(b, loc, zero, index(kTile), one);
  b.setInsertionPointToStart(rows.getBody());
  Value r = rows.getInductionVar();
  auto cols = scf::ForOp::create(b, loc, zero, index(kTile), one);
  b.setInsertionPointToStart(cols.getBody());
  Value c = cols.getInductionVar();
  Value code = memref::LoadOp::create(
      b, loc, global,
      ValueRange{add(coordinates[1], r), add(coordinates[0], c)});
  if (code.getType() != b.getI8Type())
    code = arith::BitcastOp::create(b, loc, b.getI8Type(), code);
  Value physical =
      swizzleAddress(b, loc, toI64(add(address, add(mul(r, index(kTile)), c))));
  Value at = arith::SubIOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, b.getIndexType(), physical),
      sharedBase);
  memref::StoreOp::create(b, loc, code, shared, at);
}

Value WarpgroupKernelBuilder::readCode(Value shared, Value at,
                                       StorageFormat format, Value table) {
  return widenCode(b, loc, memref::LoadOp::create(b, loc, shared, at), format,
                   table);
}

Value WarpgroupKernelBuilder::warpgroupTile(Value tiles,
                                            OpFoldResult warpgroup) {
  Value tile = memref::SubViewOp::create(
      b, loc, tiles,
      ArrayRef<OpFoldResult>{warpgroup, b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(kWgmmaM),
                             b.getIndexAttr(kTile)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                             b.getIndexAttr(1)});
  return memref::CollapseShapeOp::create(
      b, loc, tile, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
}

void WarpgroupKernelBuilder::emulateProducts(Value shared, Value sharedBase,
                                             Value descA, Value descB,
                                             Value tile, Value lhsTable,
                                             Value rhsTable) {
  emulateWgmma(
      b, loc, sharedBase, descA, descB, tile, kTile, kWgmmaK,
      /*elementBytes=*/1,
      [&](Value at) { return readCode(shared, at, plan.lhsFormat, lhsTable); },
      [&](Value at) { return readCode(shared, at, plan.rhsFormat, rhsTable); });
}

void WarpgroupKernelBuilder::buildHostEmulation() {
  // Per block: the k-tiles in the kernel's order (thread 0's copies of
  // k-tile kt + 2 before the products of k-tile kt), the copies emulating
  // TMA into a host buffer standing for the dynamic shared memory (whose
  // first byte is at shared address 48, as if static shared memory came
  // first), the products emulating wgmma from the kernel's descriptors;
  // then every thread's registers by the D layout and the kernel's
  // epilogue. Barriers and waits have nothing to do in sequential code.
  constexpr int64_t emulatedBase = 48;
  Value sharedBase = index(emulatedBase);
  Value shared = memref::AllocOp::create(
      b, loc, MemRefType::get({kSharedBytes}, b.getI8Type()));
  Value tiles = memref::AllocOp::create(
      b, loc, MemRefType::get({kWarpgroups, kWgmmaM, kTile}, accElement()));
  Value kTileSums = memref::AllocOp::create(
      b, loc, MemRefType::get({kWgmmaM, kTile}, accElement()));
  CodeValueTables tables = buildCodeValueTables(b, loc, plan);
  Value lhsTable = tables.lhs, rhsTable = tables.rhs;
  Value aligned = alignSharedAddress(b, loc, sharedBase).first;
  int64_t kTiles = plan.k / kTile;
  int64_t ahead = std::min<int64_t>(kStages - 1, kTiles);

  OpBuilder::InsertionGuard guard(b);
  Value zero = index(0), one = index(1);
  auto by = scf::ForOp::create(b, loc, zero, index(plan.m / kTile), one);
  b.setInsertionPointToStart(by.getBody());
  auto bx = scf::ForOp::create(b, loc, zero, index(plan.n / kTile), one);
  b.setInsertionPointToStart(bx.getBody());
  Value m0 = mul(by.getInductionVar(), index(kTile));
  Value n0 = mul(bx.getInductionVar(), index(kTile));
  Value zeroAcc =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(accElement()));
  linalg::FillOp::create(b, loc, zeroAcc, tiles);
  auto issue = [&](Value kt) {
    Value stage = stageOf(kt);
    for (int64_t operand = 0; operand < 2; ++operand)
      emulateTmaLoad(shared, sharedBase, tileAddress(aligned, stage, operand),
                     operand ? host.rhs : host.lhs,
                     tmaCoordinates(kt, operand ? n0 : m0));
  };
  for (int64_t kt = 0; kt < ahead; ++kt)
    issue(index(kt));
  {
    OpBuilder::InsertionGuard loopGuard(b);
    auto loop = scf::ForOp::create(b, loc, zero, index(kTiles), one);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value next = add(kt, index(ahead));
    auto refill = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                              index(kTiles)),
        /*withElse=*/false);
    {
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(&refill.getThenRegion().front());
      issue(next);
    }
    Value stage = stageOf(kt);
    for (int64_t wg = 0; wg < kWarpgroups; ++wg) {
      auto [descA, descB] = buildDescriptors(aligned, stage, index(wg));
      Value tile2d = warpgroupTile(tiles, b.getIndexAttr(wg));
      // FP8: the k-tile's products from zero, then added to the tile (the
      // kernel's promotion to f32 registers).
      Value target = tile2d;
      if (plan.fp8) {
        target = kTileSums;
        linalg::FillOp::create(b, loc, zeroAcc, target);
      }
      for (int64_t step = 0; step < kTile / kWgmmaK; ++step)
        emulateProducts(shared, sharedBase,
                        offsetMatrixDescriptor(b, loc, descA, step * kWgmmaK),
                        offsetMatrixDescriptor(b, loc, descB, step * kWgmmaK),
                        target, lhsTable, rhsTable);
      if (plan.fp8)
        linalg::AddOp::create(b, loc, ValueRange{tile2d, kTileSums},
                              ValueRange{tile2d});
    }
  }
  auto threads = scf::ForOp::create(
      b, loc, zero, index(kWarpgroups * kWarpgroupThreads), one);
  b.setInsertionPointToStart(threads.getBody());
  Value tid = threads.getInductionVar();
  Value warpgroup =
      arith::DivUIOp::create(b, loc, tid, index(kWarpgroupThreads));
  Value inGroup = arith::RemUIOp::create(b, loc, tid, index(kWarpgroupThreads));
  Value warp = arith::DivUIOp::create(b, loc, inGroup, index(kThreadsPerWarp));
  Value laneId = arith::RemUIOp::create(b, loc, tid, index(kThreadsPerWarp));
  buildAccumulatorEpilogue(
      gatherWgmmaAccumulators(b, loc, warpgroupTile(tiles, warpgroup), warp,
                              laneId, kTile),
      m0, n0, warpgroup, warp, laneId);
}

std::string mlir::lowbit::warpgroupMatmulRejection(int64_t m, int64_t n,
                                                   int64_t k) {
  if (m % kTile || n % kTile || k % kTile)
    return "the wgmma kernel needs M, N and K multiples of 128";
  return "";
}

void mlir::lowbit::buildWarpgroupMatmul(OpBuilder &b, Location loc,
                                        const QuantMatmulPlan &plan,
                                        const QuantMatmulHost &host, Value y,
                                        bool emulate) {
  WarpgroupKernelBuilder builder(b, loc, plan, host, y);
  if (emulate)
    builder.buildHostEmulation();
  else
    builder.build();
}
