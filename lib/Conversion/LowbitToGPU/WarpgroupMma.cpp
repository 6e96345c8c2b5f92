//===- WarpgroupMma.cpp - sm_90a TMA + wgmma kernel for lowbit.matmul -----===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// A lowbit.staged_matmul y[M, N] = f(sum_k (a[m, k] - za) w[n, k] sa sw)
// with 8-bit codes (s8/u8 x s8/u8 into s32, or e4m3/e5m2 x e4m3/e5m2 into
// f32), M, N, K multiples of 128, becomes on the host two TMA tensor maps
// and one kernel of 128 x 128 blocks of y, two warpgroups of 128 threads:
//
//   ta = nvgpu.tma.create.descriptor a box[128, 128]   (the device buffers,
//   tw = nvgpu.tma.create.descriptor w box[128, 128]    as bytes; 128-byte
//                                                        swizzle)
//   gpu.launch blocks(N / 128, M / 128) threads(256)
//       dynamic_shared_memory_size 4 x 32 KiB + 1 KiB {
//     stage s (s < 4): A tile [128 x 128 bytes], W tile [128 x 128 bytes],
//       1024-byte aligned (the swizzle pattern repeats every 1024 bytes)
//     full[s] = nvgpu.mbarrier (count 1), initialized by thread 0
//     thread 0: k-tiles 0, 1, 2 -> stages 0, 1, 2: arrive.expect_tx(full[s],
//       32 KiB); tma.async.load ta[k, m0], tw[k, n0] -> stage s
//     acc (64 f32 or s32 per thread) = scf.for kt = 0 to K / 128 {
//       thread 0: k-tile kt + 3 -> stage (kt + 3) % 4 (read by kt - 1,
//                 finished: see the barrier below)
//       mbarrier.try_wait.parity full[kt % 4], (kt / 4) % 2
//       wgmma.fence
//       4 x wgmma.mma_async m64n128k32 (A: rows 64 wg.. of the A tile,
//           B: the W tile; both from shared memory, K-major)
//       wgmma.commit_group; wgmma.wait_group 0
//       gpu.barrier                  // stage kt % 4 free for k-tile kt + 4
//     }
//     epilogue on the accumulators (QuantMatmulEpilogue): S - za Cw, times
//     sa[m] sw[n], + bias[n], cast or requantize, store
//   }
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
// bits than f32 (results differ from an f32 sum in the last bits, more so
// for long K).
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

#include "lowbit/Conversion/Passes.h"

#include "KernelBuilding.h"
#include "QuantMatmulEpilogue.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Quant/Formats.h"

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

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUWARPGROUPMMAPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Block tile (M and N) and k-tile (codes = bytes), one TMA box each.
constexpr int64_t kTile = 128;
constexpr int64_t kStages = 4;
constexpr int64_t kWarpgroups = 2;
constexpr int64_t kWarpgroupThreads = 128;
constexpr int64_t kWgmmaM = 64, kWgmmaK = 32;
constexpr int64_t kTileBytes = kTile * kTile;
constexpr int64_t kStageBytes = 2 * kTileBytes;
/// The 128-byte swizzle repeats every 8 rows: tiles start at multiples of
/// 1024 bytes (the dynamic shared memory is rounded up at run time).
constexpr int64_t kSwizzleAlign = 1024;
constexpr int64_t kSharedBytes = kStages * kStageBytes + kSwizzleAlign;
/// Accumulator registers per thread of an m64n128 wgmma.
constexpr int64_t kAccRegisters = kWgmmaM * kTile / kWarpgroupThreads;

bool isFp8(StorageFormat f) {
  return f == StorageFormat::F8E4M3FN || f == StorageFormat::F8E5M2;
}

/// The plan of the epilogue, from the op (lowbit-gpu-quant-matmul checked
/// the rest when it created it; the verifier the shapes).
std::string planStagedMatmul(StagedMatmulOp op, QuantMatmulPlan &plan) {
  MemRefType lhs = op.getLhs().getType(), y = op.getResult().getType();
  plan.m = lhs.getDimSize(0);
  plan.k = lhs.getDimSize(1);
  plan.n = y.getDimSize(1);
  if (plan.m % kTile || plan.n % kTile || plan.k % kTile)
    return "needs M, N and K multiples of 128";
  plan.blockK = plan.k;
  plan.blocks = 1;
  plan.lhsFormat = op.getLhsScheme().getFormat();
  plan.rhsFormat = op.getRhsScheme().getFormat();
  plan.fp8 = isFp8(plan.lhsFormat);
  if (plan.fp8 != isFp8(plan.rhsFormat))
    return "needs FP8 x FP8 or integer x integer codes";
  plan.needColSums = bool(op.getLhsZeroPoints());
  plan.result = y.getElementType();
  if (SchemeAttr result = op.getResultSchemeAttr()) {
    plan.requantize = true;
    plan.resultAffine = !result.getSymmetric();
    plan.resultMin = result.getCodeMin();
    plan.resultMax = result.getCodeMax();
    if (plan.resultAffine != bool(op.getResultZeroPoints()))
      return "requantize zero_points do not match the result scheme";
  }
  return "";
}

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

  /// Where the stages are, from the shared-memory address `base` (index)
  /// of the dynamic shared memory: the first kSwizzleAlign-aligned address
  /// and its distance from `base`.
  std::pair<Value, Value> alignShared(Value base);
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
  /// The matrix descriptor of a K-major 128-byte-swizzled tile at shared
  /// address `address` (an i64).
  Value buildDescriptor(Value address);
  /// Step `step` (k32) of a k-tile: the descriptor 32 step bytes further.
  Value stepDescriptor(Value descriptor, int64_t step) {
    return add(descriptor, i64(step * kWgmmaK / 16));
  }
  /// A struct of kAccRegisters zeros.
  Value buildZeroAccumulators();
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
  /// wgmma m64n128k32: adds the products of the operands that descriptors
  /// `descA` and `descB` describe to `tile` (memref<64x128>).
  void emulateWgmma(Value shared, Value sharedBase, Value descA, Value descB,
                    Value tile, Value lhsTable, Value rhsTable);
  /// The code (decoded) at shared address `address` of a tile described
  /// by `descriptor` (layout bits say whether it is 128-byte swizzled).
  Value emulateSharedRead(Value shared, Value sharedBase, Value address,
                          Value swizzled, StorageFormat format, Value table);
  /// The physical shared address of `address` (i64) in a 128-byte
  /// swizzled tile: 16-byte chunk bits 4..6 XOR row bits 7..9.
  Value swizzle(Value address);
  /// The accumulator registers of lane `laneId` of warp `warp`, gathered
  /// from the warpgroup's `tile` by the wgmma D layout.
  Value gatherAccumulators(Value tile, Value warp, Value laneId);

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

std::pair<Value, Value> WarpgroupKernelBuilder::alignShared(Value base) {
  Value aligned = arith::AndIOp::create(
      b, loc, add(base, index(kSwizzleAlign - 1)), index(-kSwizzleAlign));
  return {aligned, arith::SubIOp::create(b, loc, aligned, base)};
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

Value WarpgroupKernelBuilder::buildDescriptor(Value address) {
  // (address & 0x3ffff) >> 4 | 1 << 16 | (1024 >> 4) << 32 | 1 << 62
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, address, i64(0x3ffff)), i64(4));
  constexpr int64_t fixed = (int64_t(1) << 16) |
                            (int64_t(kSwizzleAlign >> 4) << 32) |
                            (int64_t(1) << 62);
  return arith::OrIOp::create(b, loc, start, i64(fixed));
}

std::pair<Value, Value>
WarpgroupKernelBuilder::buildDescriptors(Value aligned, Value stage,
                                         Value warpgroup) {
  Value rows = mul(warpgroup, index(kWgmmaM * kTile));
  Value a = toI64(add(tileAddress(aligned, stage, 0), rows));
  Value w = toI64(tileAddress(aligned, stage, 1));
  return {buildDescriptor(a), buildDescriptor(w)};
}

Value WarpgroupKernelBuilder::buildZeroAccumulators() {
  SmallVector<Type> fields(kAccRegisters, accElement());
  return LLVM::ZeroOp::create(
      b, loc, LLVM::LLVMStructType::getLiteral(b.getContext(), fields));
}

void WarpgroupKernelBuilder::buildAccumulatorEpilogue(Value acc, Value m0,
                                                      Value n0, Value warpgroup,
                                                      Value warp,
                                                      Value laneId) {
  // Register 4 j + r: n8 tile j, [r / 2][r % 2] of the mma.sync C layout.
  FragmentLane lane;
  lane.g = arith::DivUIOp::create(b, loc, laneId, index(4));
  lane.kOffset =
      mul(arith::RemUIOp::create(b, loc, laneId, index(4)), index(4));
  lane.m0 = add(m0, add(mul(warpgroup, index(kWgmmaM)), mul(warp, index(16))));
  lane.n0 = n0;
  lane.rowLo = add(lane.m0, lane.g);
  lane.rowHi = add(lane.rowLo, index(8));
  auto tileType = VectorType::get({2, 2}, accElement());
  SmallVector<Value> sums, ys;
  Value zeroY = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(VectorType::get({2, 2}, b.getF32Type())));
  for (int64_t j = 0; j < kTile / kMmaN; ++j) {
    Value tile = arith::ConstantOp::create(b, loc, b.getZeroAttr(tileType));
    for (int64_t r = 0; r < 4; ++r) {
      Value v = LLVM::ExtractValueOp::create(b, loc, acc, 4 * j + r);
      tile = vector::InsertOp::create(b, loc, v, tile,
                                      ArrayRef<int64_t>{r / 2, r % 2});
    }
    sums.push_back(tile);
    ys.push_back(zeroY);
  }
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
  auto [aligned, shift] = alignShared(base);

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

  auto loop = scf::ForOp::create(b, loc, index(0), index(kTiles), index(1),
                                 ValueRange{buildZeroAccumulators()});
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
    Value acc = loop.getRegionIterArgs()[0];
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    auto shape =
        NVVM::MMAShapeAttr::get(b.getContext(), kWgmmaM, kTile, kWgmmaK);
    for (int64_t step = 0; step < kTile / kWgmmaK; ++step)
      acc = NVVM::WgmmaMmaAsyncOp::create(
          b, loc, acc.getType(), acc, stepDescriptor(descA, step),
          stepDescriptor(descB, step), shape, wgmmaType(plan.lhsFormat),
          wgmmaType(plan.rhsFormat),
          plan.fp8 ? NVVM::WGMMATypes::f32 : NVVM::WGMMATypes::s32,
          NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row, NVVM::MMALayout::col,
          plan.fp8 ? NVVM::MMAIntOverflowAttr()
                   : NVVM::MMAIntOverflowAttr::get(
                         b.getContext(), NVVM::MMAIntOverflow::wrapped));
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
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

Value WarpgroupKernelBuilder::swizzle(Value address) {
  Value row = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, address, i64(7)), i64(7));
  return arith::XOrIOp::create(b, loc, address,
                               arith::ShLIOp::create(b, loc, row, i64(4)));
}

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
  Value physical = swizzle(toI64(add(address, add(mul(r, index(kTile)), c))));
  Value at = arith::SubIOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, b.getIndexType(), physical),
      sharedBase);
  memref::StoreOp::create(b, loc, code, shared, at);
}

Value WarpgroupKernelBuilder::emulateSharedRead(Value shared, Value sharedBase,
                                                Value address, Value swizzled,
                                                StorageFormat format,
                                                Value table) {
  Value physical =
      arith::SelectOp::create(b, loc, swizzled, swizzle(address), address);
  Value at = arith::SubIOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, b.getIndexType(), physical),
      sharedBase);
  Value code = memref::LoadOp::create(b, loc, shared, at);
  if (table) {
    Value idx = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code);
    return memref::LoadOp::create(b, loc, table, idx);
  }
  if (format == StorageFormat::U8)
    return arith::ExtUIOp::create(b, loc, b.getI32Type(), code);
  return arith::ExtSIOp::create(b, loc, b.getI32Type(), code);
}

void WarpgroupKernelBuilder::emulateWgmma(Value shared, Value sharedBase,
                                          Value descA, Value descB, Value tile,
                                          Value lhsTable, Value rhsTable) {
  // The PTX matrix-descriptor semantics for K-major operands: element
  // (row, k) of the operand is at start + (row / 8) SBO + (row % 8) 128 + k
  // bytes, swizzled when the layout bits (62..63) are 1 (128-byte swizzle).
  OpBuilder::InsertionGuard guard(b);
  auto field = [&](Value desc, int64_t shift, int64_t mask) -> Value {
    return arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, desc, i64(shift)), i64(mask));
  };
  auto decode = [&](Value desc) {
    Value start = arith::ShLIOp::create(b, loc, field(desc, 0, 0x3fff), i64(4));
    Value stride =
        arith::ShLIOp::create(b, loc, field(desc, 32, 0x3fff), i64(4));
    Value swizzled = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           field(desc, 62, 3), i64(1));
    return std::make_tuple(start, stride, swizzled);
  };
  auto [startA, strideA, swizzledA] = decode(descA);
  auto [startB, strideB, swizzledB] = decode(descB);
  auto addressOf = [&](Value start, Value stride, Value row, Value k) {
    Value r = toI64(row);
    Value atom = arith::ShRUIOp::create(b, loc, r, i64(3));
    Value inAtom = arith::AndIOp::create(b, loc, r, i64(7));
    return add(add(start, mul(atom, stride)),
               add(mul(inAtom, i64(kTile)), toI64(k)));
  };
  Value zero = index(0), one = index(1);
  auto ms = scf::ForOp::create(b, loc, zero, index(kWgmmaM), one);
  b.setInsertionPointToStart(ms.getBody());
  Value m = ms.getInductionVar();
  auto ns = scf::ForOp::create(b, loc, zero, index(kTile), one);
  b.setInsertionPointToStart(ns.getBody());
  Value n = ns.getInductionVar();
  Value old = memref::LoadOp::create(b, loc, tile, ValueRange{m, n});
  auto ks =
      scf::ForOp::create(b, loc, zero, index(kWgmmaK), one, ValueRange{old});
  b.setInsertionPointToStart(ks.getBody());
  Value k = ks.getInductionVar();
  Value a =
      emulateSharedRead(shared, sharedBase, addressOf(startA, strideA, m, k),
                        swizzledA, plan.lhsFormat, lhsTable);
  Value w =
      emulateSharedRead(shared, sharedBase, addressOf(startB, strideB, n, k),
                        swizzledB, plan.rhsFormat, rhsTable);
  Value sum = ks.getRegionIterArgs()[0];
  Value next = plan.fp8 ? Value(arith::AddFOp::create(
                              b, loc, sum, arith::MulFOp::create(b, loc, a, w)))
                        : Value(add(sum, mul(a, w)));
  scf::YieldOp::create(b, loc, next);
  b.setInsertionPointAfter(ks);
  memref::StoreOp::create(b, loc, ks.getResult(0), tile, ValueRange{m, n});
}

Value WarpgroupKernelBuilder::gatherAccumulators(Value tile, Value warp,
                                                 Value laneId) {
  // Register i: row 16 warp + g + 8 ((i % 4) / 2), column 8 (i / 4) +
  // 2 t + i % 2 (the PTX wgmma D layout).
  Value g = arith::DivUIOp::create(b, loc, laneId, index(4));
  Value t2 = mul(arith::RemUIOp::create(b, loc, laneId, index(4)), index(2));
  Value acc = buildZeroAccumulators();
  for (int64_t i = 0; i < kAccRegisters; ++i) {
    Value row = add(mul(warp, index(16)), add(g, index(8 * ((i % 4) / 2))));
    Value col = add(index(8 * (i / 4) + i % 2), t2);
    Value v = memref::LoadOp::create(b, loc, tile, ValueRange{row, col});
    acc = LLVM::InsertValueOp::create(b, loc, acc, v, i);
  }
  return acc;
}

void WarpgroupKernelBuilder::buildHostEmulation() {
  // Per block: the k-tiles in the kernel's order (thread 0's copies of
  // k-tile kt + 3 before the products of k-tile kt), the copies emulating
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
  auto decodeTable = [&](StorageFormat format) -> Value {
    if (!isFp8(format))
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
  };
  Value lhsTable = decodeTable(plan.lhsFormat);
  Value rhsTable = decodeTable(plan.rhsFormat);
  Value aligned = alignShared(sharedBase).first;
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
      Value tile = memref::SubViewOp::create(
          b, loc, tiles,
          ArrayRef<OpFoldResult>{b.getIndexAttr(wg), b.getIndexAttr(0),
                                 b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(kWgmmaM),
                                 b.getIndexAttr(kTile)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                 b.getIndexAttr(1)});
      Value tile2d = memref::CollapseShapeOp::create(
          b, loc, tile, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      for (int64_t step = 0; step < kTile / kWgmmaK; ++step)
        emulateWgmma(shared, sharedBase, stepDescriptor(descA, step),
                     stepDescriptor(descB, step), tile2d, lhsTable, rhsTable);
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
  Value tile = memref::SubViewOp::create(
      b, loc, tiles,
      ArrayRef<OpFoldResult>{warpgroup, b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(kWgmmaM),
                             b.getIndexAttr(kTile)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                             b.getIndexAttr(1)});
  Value tile2d = memref::CollapseShapeOp::create(
      b, loc, tile, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  buildAccumulatorEpilogue(gatherAccumulators(tile2d, warp, laneId), m0, n0,
                           warpgroup, warp, laneId);
}

namespace {

struct GPUWarpgroupMmaPass
    : public mlir::lowbit::impl::GPUWarpgroupMmaPassBase<GPUWarpgroupMmaPass> {
  using GPUWarpgroupMmaPassBase::GPUWarpgroupMmaPassBase;

  void runOnOperation() override {
    SmallVector<StagedMatmulOp> ops;
    getOperation().walk([&](StagedMatmulOp op) { ops.push_back(op); });
    for (StagedMatmulOp op : ops) {
      QuantMatmulPlan plan;
      std::string reason = planStagedMatmul(op, plan);
      if (!reason.empty()) {
        op.emitError("lowbit-gpu-warpgroup-mma: ") << reason;
        return signalPassFailure();
      }
      QuantMatmulHost host;
      host.lhs = op.getLhs();
      host.rhs = op.getRhs();
      host.bias = op.getBias();
      host.lhsScale = makeQuantMatmulParam(op.getLhsScales(), plan.m);
      host.lhsZeroPoint = makeQuantMatmulParam(op.getLhsZeroPoints(), plan.m);
      host.rhsScale = makeQuantMatmulParam(op.getRhsScales(), plan.n);
      host.colSums = makeQuantMatmulParam(op.getColSums(), plan.n);
      host.resultScale = makeQuantMatmulParam(op.getResultScales(), plan.n);
      host.resultZeroPoint =
          makeQuantMatmulParam(op.getResultZeroPoints(), plan.n);
      OpBuilder b(op);
      WarpgroupKernelBuilder builder(b, op.getLoc(), plan, host,
                                     op.getResult());
      if (hostEmulation)
        builder.buildHostEmulation();
      else
        builder.build();
      op.erase();
    }
  }
};

} // namespace
