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
// Runs after lowbit-gpu-device-buffers: the op's buffers are then device
// buffers, so the tensor maps (built on the host, copied to the device by
// the runtime's mgpuTensorMapEncodeTiledMemref) point at device memory.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "KernelBuilding.h"
#include "QuantMatmulEpilogue.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
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

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value eq(Value x, int64_t v) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x,
                                 index(v));
  }

  /// A TMA tensor map of `buffer` ([rows, K] codes, read as bytes) with
  /// 128 x 128-byte boxes and the 128-byte swizzle.
  Value buildTensorMap(Value buffer);
  nvgpu::TensorMapDescriptorType tensorMapType();
  nvgpu::MBarrierGroupType barrierType();
  /// The kernel body.
  void buildBody(gpu::LaunchOp launch, Value lhsMap, Value rhsMap);
  /// Thread 0's copies of k-tile `kt` into its stage.
  void buildIssue(Value kt, Value lhsMap, Value rhsMap, Value barriers,
                  Value shared, Value shift, Value m0, Value n0);
  /// The matrix descriptor of a K-major 128-byte-swizzled tile at shared
  /// address `address` (an i64).
  Value buildDescriptor(Value address);
  /// A struct of kAccRegisters zeros.
  Value buildZeroAccumulators(Type element);

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
  auto box = MemRefType::get({kTile, kTile},
                             IntegerType::get(b.getContext(), 8,
                                              IntegerType::Unsigned),
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

Value WarpgroupKernelBuilder::buildDescriptor(Value address) {
  // (address & 0x3ffff) >> 4 | 1 << 16 | (1024 >> 4) << 32 | 1 << 62
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, address, i64(0x3ffff)), i64(4));
  constexpr int64_t fixed = (int64_t(1) << 16) |
                            (int64_t(kSwizzleAlign >> 4) << 32) |
                            (int64_t(1) << 62);
  return arith::OrIOp::create(b, loc, start, i64(fixed));
}

Value WarpgroupKernelBuilder::buildZeroAccumulators(Type element) {
  SmallVector<Type> fields(kAccRegisters, element);
  auto type = LLVM::LLVMStructType::getLiteral(b.getContext(), fields);
  Value acc = LLVM::PoisonOp::create(b, loc, type);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  for (int64_t i = 0; i < kAccRegisters; ++i)
    acc = LLVM::InsertValueOp::create(b, loc, acc, zero, i);
  return acc;
}

void WarpgroupKernelBuilder::buildIssue(Value kt, Value lhsMap, Value rhsMap,
                                        Value barriers, Value shared,
                                        Value shift, Value m0, Value n0) {
  Value stage = arith::RemUIOp::create(b, loc, kt, index(kStages));
  nvgpu::MBarrierArriveExpectTxOp::create(b, loc, barriers,
                                          index(kStageBytes), stage,
                                          /*predicate=*/Value());
  Value stageOffset = add(shift, mul(stage, index(kStageBytes)));
  auto tileType = tensorMapType().getTensor();
  Value k0 = mul(kt, index(kTile));
  for (int64_t operand = 0; operand < 2; ++operand) {
    Value offset =
        operand ? add(stageOffset, index(kTileBytes)) : stageOffset;
    Value tile = memref::ViewOp::create(b, loc, tileType, shared, offset,
                                        ValueRange{});
    // Coordinates innermost first: (k, row).
    nvgpu::TmaAsyncLoadOp::create(
        b, loc, tile, barriers, operand ? rhsMap : lhsMap,
        ValueRange{k0, operand ? n0 : m0}, stage,
        /*multicastMask=*/Value(), /*predicate=*/Value());
  }
}

void WarpgroupKernelBuilder::buildBody(gpu::LaunchOp launch, Value lhsMap,
                                       Value rhsMap) {
  Value tid = launch.getThreadIds().x;
  Value m0 = mul(launch.getBlockIds().y, index(kTile));
  Value n0 = mul(launch.getBlockIds().x, index(kTile));
  Value warpgroup = arith::DivUIOp::create(b, loc, tid,
                                           index(kWarpgroupThreads));
  Value inGroup = arith::RemUIOp::create(b, loc, tid, index(kWarpgroupThreads));
  Value warp = arith::DivUIOp::create(b, loc, inGroup, index(kThreadsPerWarp));
  Value laneId = arith::RemUIOp::create(b, loc, tid, index(kThreadsPerWarp));
  int64_t kTiles = plan.k / kTile;

  // Dynamic shared memory, rounded up to kSwizzleAlign.
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto sharedType =
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup);
  Value shared = gpu::DynamicSharedMemoryOp::create(b, loc, sharedType);
  Value base =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, shared);
  Value mask = index(kSwizzleAlign - 1);
  Value aligned = arith::AndIOp::create(
      b, loc, add(base, mask),
      arith::ConstantIndexOp::create(b, loc, ~(kSwizzleAlign - 1)));
  Value shift = arith::SubIOp::create(b, loc, aligned, base);
  Value alignedI64 =
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), aligned);

  Value barriers = nvgpu::MBarrierCreateOp::create(b, loc, barrierType());
  Value leader = eq(tid, 0);
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
      buildIssue(index(kt), lhsMap, rhsMap, barriers, shared, shift, m0, n0);
  }

  Type accElement = plan.fp8 ? Type(b.getF32Type()) : Type(b.getI32Type());
  Value zeroAcc = buildZeroAccumulators(accElement);
  auto loop = scf::ForOp::create(b, loc, index(0), index(kTiles), index(1),
                                 ValueRange{zeroAcc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value next = add(kt, index(ahead));
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          next, index(kTiles));
    {
      OpBuilder::InsertionGuard ifGuard(b);
      auto issue = scf::IfOp::create(
          b, loc, arith::AndIOp::create(b, loc, leader, inRange),
          /*withElse=*/false);
      b.setInsertionPointToStart(&issue.getThenRegion().front());
      buildIssue(next, lhsMap, rhsMap, barriers, shared, shift, m0, n0);
    }
    Value stage = arith::RemUIOp::create(b, loc, kt, index(kStages));
    Value round = arith::DivUIOp::create(b, loc, kt, index(kStages));
    Value parity = arith::IndexCastUIOp::create(
        b, loc, b.getI1Type(),
        arith::RemUIOp::create(b, loc, round, index(2)));
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity,
                                           index(10000000), stage);

    Value stageAddress = add(
        alignedI64,
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(),
                                     mul(stage, index(kStageBytes))));
    Value warpgroupRows = arith::IndexCastUIOp::create(
        b, loc, b.getI64Type(), mul(warpgroup, index(kWgmmaM * kTile)));
    Value descA = buildDescriptor(add(stageAddress, warpgroupRows));
    Value descB = buildDescriptor(add(stageAddress, i64(kTileBytes)));
    Value acc = loop.getRegionIterArgs()[0];
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    auto shape = NVVM::MMAShapeAttr::get(b.getContext(), kWgmmaM, kTile,
                                         kWgmmaK);
    for (int64_t step = 0; step < kTile / kWgmmaK; ++step) {
      // 32 bytes further along the rows: + 2 in the start address field.
      Value stepOffset = i64(step * kWgmmaK / 16);
      acc = NVVM::WgmmaMmaAsyncOp::create(
          b, loc, acc.getType(), acc, add(descA, stepOffset),
          add(descB, stepOffset), shape, wgmmaType(plan.lhsFormat),
          wgmmaType(plan.rhsFormat),
          plan.fp8 ? NVVM::WGMMATypes::f32 : NVVM::WGMMATypes::s32,
          NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
          NVVM::MMALayout::col,
          plan.fp8 ? NVVM::MMAIntOverflowAttr()
                   : NVVM::MMAIntOverflowAttr::get(
                         b.getContext(), NVVM::MMAIntOverflow::wrapped));
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    // Every warpgroup is done with this stage before thread 0 refills it.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }

  // The epilogue on the warp's 16 x 128 rows of accumulators.
  FragmentLane lane;
  lane.g = arith::DivUIOp::create(b, loc, laneId, index(4));
  lane.kOffset = mul(arith::RemUIOp::create(b, loc, laneId, index(4)),
                     index(4));
  lane.m0 = add(m0, add(mul(warpgroup, index(kWgmmaM)),
                        mul(warp, index(16))));
  lane.n0 = n0;
  lane.rowLo = add(lane.m0, lane.g);
  lane.rowHi = add(lane.rowLo, index(8));
  Value acc = loop.getResult(0);
  auto tileType = VectorType::get({2, 2}, accElement);
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

void WarpgroupKernelBuilder::build() {
  Value lhsMap = buildTensorMap(host.lhs);
  Value rhsMap = buildTensorMap(host.rhs);
  buildLaunch(
      b, loc, {plan.n / kTile, plan.m / kTile},
      kWarpgroups * kWarpgroupThreads,
      [&](gpu::LaunchOp launch) { buildBody(launch, lhsMap, rhsMap); },
      /*workgroup=*/{}, /*dynamicSharedBytes=*/kSharedBytes);
}

namespace {

struct GPUWarpgroupMmaPass
    : public mlir::lowbit::impl::GPUWarpgroupMmaPassBase<GPUWarpgroupMmaPass> {
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
      WarpgroupKernelBuilder(b, op.getLoc(), plan, host, op.getResult())
          .build();
      op.erase();
    }
  }
};

} // namespace
