//===- WarpgroupDequantMma.cpp - sm_90a wgmma kernel for dequant_matmul ---===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The sm_90a variant of the staged dequant_matmul kernel
// (lowbit-gpu-staged-mma{warpgroup-mma=true}): y[M, N] = x[M, K]
// dequant(w)[N, K]^T with f16 or bf16 activations, M % 64, N % 128,
// K % 64 == 0, one warpgroup (128 threads) per 64 x 128 block of y, the
// products on wgmma m64n128k16 with both operands in shared memory:
//
//   gpu.launch blocks(N / 128, M / 64) threads(128)
//       dynamic_shared_memory_size 32 KiB + 2 weight stages + 1 KiB {
//     shared (from the first 1024-byte aligned address):
//       x stages 0, 1   [64 rows x 64 f16], 128-byte swizzled      2 x 8 KiB
//       B tile          [128 rows (n) x 64 f16], 128-byte swizzled   16 KiB
//       w stages 0, 1   [128 rows x (K-tile bytes + 16)] codes as stored
//     cp.async k-tile 0 (x rows into swizzled chunks, weight bytes)
//     acc (64 f32 per thread) = scf.for kt = 0 to K / 64 {
//       cp.async k-tile kt + 1 into the other stage; wait for k-tile kt
//       gpu.barrier
//       thread t decodes weight row t of k-tile kt: 16 bytes at a time
//         (32 4-bit or 16 8-bit codes), zero-point, group scale, rounded
//         to the activation type, stored as 16-byte chunks into row t of
//         the B tile (chunk c at c ^ (t % 8))
//       fence.proxy.async.shared::cta    // generic-proxy shared writes
//       gpu.barrier                      // (cp.async, st.shared) visible
//                                        // to wgmma, every row written
//       wgmma.fence; 4 x wgmma.mma_async m64n128k16 (x stage, B tile,
//         descriptors 32 bytes further per k16 step); commit; wait 0
//       gpu.barrier                      // x stage and B tile free
//     }
//     epilogue per n8 tile of the accumulators: per-row or per-tensor
//     scale, bias, cast, store (storeAccumulatorTile)
//   }
//
// Compared with the mma.sync staged kernel (StagedMma.cpp: 64 x 64 blocks,
// each lane decoding the code pairs its B registers need, twice per code
// since two warps share a block column), each code is decoded once per
// block into the shared B tile that wgmma reads, and one warpgroup
// instruction covers a 64 x 128 x 16 product. Descriptors, swizzle and the
// accumulator layout: Wgmma.h. The copies are cp.async, not TMA: the
// kernel needs no tensor map (and so no device address at compile time);
// the copy of k-tile kt + 1 overlaps the decoding and products of k-tile
// kt, as in the mma.sync kernel.
//
// The host emulation (lowbit-gpu-staged-mma{host-emulation=true}) runs the
// same copies, decoding and epilogue code on a host buffer standing for
// the dynamic shared memory (whose first byte is shared address 48, as if
// static shared memory came first), and wgmma by its definition through
// the kernel's descriptors (emulateWgmma).
//
//===----------------------------------------------------------------------===//

#include "StagedMma.h"

#include "WeightDecoding.h"
#include "Wgmma.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <optional>

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The block tile (one warpgroup: 64 rows, one wgmma's 128 columns) and
/// the k-tile (64 activations: one 128-byte swizzled row).
constexpr int64_t kBlockM = kWgmmaM, kBlockN = 128, kTileK = 64;
/// K of one f16/bf16 wgmma.
constexpr int64_t kStepK = 16;
constexpr int64_t kStages = 2;
/// Bytes of one asynchronous copy, of one decoded chunk (8 activations).
constexpr int64_t kCopyBytes = 16, kChunkElements = 8;
constexpr int64_t kXTileBytes = kBlockM * kSwizzleRow;
constexpr int64_t kBTileBytes = kBlockN * kSwizzleRow;
/// The emulated dynamic shared memory starts at this shared address.
constexpr int64_t kEmulatedSharedBase = 48;

class WarpgroupDequantBuilder : private KernelLoops {
public:
  WarpgroupDequantBuilder(OpBuilder &b, Location loc,
                          const StagedMmaOperands &ops, bool emulate)
      : KernelLoops(b, loc), ops(ops), emulate(emulate),
        decoder(b, loc, ops.scheme) {
    auto xType = cast<MemRefType>(ops.x.getType());
    activation = xType.getElementType();
    m = xType.getDimSize(0);
    k = xType.getDimSize(1);
    n = cast<MemRefType>(ops.y.getType()).getDimSize(1);
    bits = codeBits(ops.scheme);
    stored = cast<MemRefType>(ops.codes.getType()).getElementType();
    if (ops.scheme.getGranularity() == Granularity::Group)
      groupSize = ops.scheme.getGroupSize();
    tileBytes = kTileK * bits / 8;
    // Rows padded by 16 bytes: the 16-byte reads of the decoding phase
    // (eight lanes, eight rows) fall in distinct banks.
    wStride = tileBytes + kCopyBytes;
    wStageBytes = kBlockN * wStride;
  }

  int64_t sharedBytes() const {
    return 2 * kXTileBytes + kBTileBytes + kStages * wStageBytes +
           kSwizzleAlign;
  }
  int64_t gridX() const { return n / kBlockN; }
  int64_t gridY() const { return m / kBlockM; }

  /// The kernel body of thread `tid` of block (`blockX`, `blockY`).
  void buildKernel(Value blockX, Value blockY, Value tid);
  /// Test only: the kernel's phases as host loops.
  void buildEmulation();

private:
  Value toI64(Value v) {
    return arith::IndexCastUIOp::create(b, loc, b.getI64Type(), v);
  }

  /// The shared tiles in the dynamic shared memory `shared` (memref<?xi8>)
  /// whose first byte is at shared address `base`: x stages, the B tile,
  /// w stages, from the first kSwizzleAlign-aligned address.
  struct Shared {
    Value shared, base;
    /// Shared addresses (index) of x stage 0, the B tile, w stage 0.
    Value xAddress, bAddress, wAddress;
    /// The B tile [128 x 64] of the activation type.
    Value bTile;
  };
  Shared buildShared(Value shared, Value base);
  /// A typed view of the shared memory at shared address `address`.
  Value view(const Shared &s, Value address, MemRefType type);
  /// The shared address of x stage `stage`, and the views of x and w.
  Value xAddress(const Shared &s, Value stage) {
    return add(s.xAddress, mul(stage, kXTileBytes));
  }
  Value xView(const Shared &s, Value stage);
  Value wView(const Shared &s, Value stage);
  /// Thread `tid`'s copies of k-tile `kt` of the block at (`m0`, `n0`)
  /// into stage `stage`: cp.async (tokens returned) or, emulated, plain
  /// loads and stores.
  SmallVector<Value> buildCopies(const Shared &s, Value tid, Value m0, Value n0,
                                 Value kt, Value stage);
  Value buildCopy(Value dst, ValueRange dstIndices, Value src,
                  ValueRange srcIndices, int64_t elements);
  /// Per 16-byte read of weight row `tid` in k-tile `kt` (null: the same
  /// for every k-tile), its group scale (when grouped) and zero-point (when
  /// affine), null when not needed. Read before the wait for the k-tile's
  /// copies, so that their latency overlaps it.
  struct RowParams {
    SmallVector<Value> scale, zeroPoint;
  };
  RowParams buildRowParams(Value tid, Value n0, Value kt);
  /// Thread `tid` decodes weight row `tid` of the k-tile in stage `stage`
  /// into the B tile, with `params`.
  void buildDecode(const Shared &s, Value tid, Value stage,
                   const RowParams &params);
  /// The epilogue of thread `tid`'s accumulators `acc`.
  void buildEpilogue(Value acc, Value m0, Value n0, Value tid);

  const StagedMmaOperands &ops;
  bool emulate;
  WeightDecoder decoder;
  int64_t m = 0, n = 0, k = 0, groupSize = 0;
  unsigned bits = 0;
  Type activation, stored;
  int64_t tileBytes = 0, wStride = 0, wStageBytes = 0;
};

} // namespace

WarpgroupDequantBuilder::Shared
WarpgroupDequantBuilder::buildShared(Value shared, Value base) {
  Shared s;
  s.shared = shared;
  s.base = base;
  s.xAddress = alignSharedAddress(b, loc, base).first;
  s.bAddress = add(s.xAddress, index(kStages * kXTileBytes));
  s.wAddress = add(s.bAddress, index(kBTileBytes));
  Attribute space = cast<MemRefType>(shared.getType()).getMemorySpace();
  s.bTile = view(s, s.bAddress,
                 MemRefType::get({kBlockN, kTileK}, activation,
                                 MemRefLayoutAttrInterface(), space));
  return s;
}

Value WarpgroupDequantBuilder::xView(const Shared &s, Value stage) {
  Attribute space = cast<MemRefType>(s.shared.getType()).getMemorySpace();
  return view(s, xAddress(s, stage),
              MemRefType::get({kBlockM, kTileK}, activation,
                              MemRefLayoutAttrInterface(), space));
}

Value WarpgroupDequantBuilder::wView(const Shared &s, Value stage) {
  Attribute space = cast<MemRefType>(s.shared.getType()).getMemorySpace();
  return view(s, add(s.wAddress, mul(stage, wStageBytes)),
              MemRefType::get({kBlockN, wStride}, stored,
                              MemRefLayoutAttrInterface(), space));
}

Value WarpgroupDequantBuilder::view(const Shared &s, Value address,
                                    MemRefType type) {
  Value shift = arith::SubIOp::create(b, loc, address, s.base);
  return memref::ViewOp::create(b, loc, type, s.shared, shift, ValueRange{});
}

Value WarpgroupDequantBuilder::buildCopy(Value dst, ValueRange dstIndices,
                                         Value src, ValueRange srcIndices,
                                         int64_t elements) {
  Type element = cast<MemRefType>(src.getType()).getElementType();
  if (!emulate)
    return nvgpu::DeviceAsyncCopyOp::create(
        b, loc, dst, dstIndices, src, srcIndices, b.getIndexAttr(elements),
        /*srcElements=*/Value(), /*bypassL1=*/b.getUnitAttr());
  auto type = VectorType::get({elements}, element);
  Value v = vector::LoadOp::create(b, loc, type, src, srcIndices);
  vector::StoreOp::create(b, loc, v, dst, dstIndices);
  return {};
}

SmallVector<Value> WarpgroupDequantBuilder::buildCopies(const Shared &s,
                                                        Value tid, Value m0,
                                                        Value n0, Value kt,
                                                        Value stage) {
  SmallVector<Value> tokens;
  Value x = xView(s, stage), w = wView(s, stage);
  // x: 64 rows of 8 chunks of 16 bytes; chunk c of row r goes to chunk
  // c ^ (r % 8) (the 128-byte swizzle wgmma reads).
  constexpr int64_t chunksPerRow = kSwizzleRow / kCopyBytes;
  Value k0 = mul(kt, kTileK);
  for (int64_t i = 0; i < kBlockM * chunksPerRow / kWarpgroupThreads; ++i) {
    Value id = add(tid, index(i * kWarpgroupThreads));
    Value row = div(id, chunksPerRow);
    Value chunk = rem(id, chunksPerRow);
    Value swizzled = arith::XOrIOp::create(b, loc, chunk, rem(row, 8));
    tokens.push_back(buildCopy(x, {row, mul(swizzled, kChunkElements)}, ops.x,
                               {add(m0, row), add(k0, mul(chunk, 8))},
                               kChunkElements));
  }
  // Weights: the k-tile's bytes of 128 rows, in 16-byte chunks.
  int64_t wChunksPerRow = tileBytes / kCopyBytes;
  for (int64_t i = 0; i < kBlockN * wChunksPerRow / kWarpgroupThreads; ++i) {
    Value id = add(tid, index(i * kWarpgroupThreads));
    Value row = div(id, wChunksPerRow);
    Value offset = mul(rem(id, wChunksPerRow), kCopyBytes);
    Value src =
        add(add(mul(add(n0, row), k * bits / 8), mul(kt, tileBytes)), offset);
    tokens.push_back(buildCopy(w, {row, offset}, ops.codes, {src}, kCopyBytes));
  }
  if (emulate)
    tokens.clear();
  return tokens;
}

WarpgroupDequantBuilder::RowParams
WarpgroupDequantBuilder::buildRowParams(Value tid, Value n0, Value kt) {
  int64_t codesPerRead = kCopyBytes * 8 / bits;
  Value row = add(n0, tid);
  RowParams params;
  for (int64_t read = 0; read < tileBytes / kCopyBytes; ++read) {
    Value flat = row;
    if (groupSize) {
      // A read lies inside one group (the group size is a multiple of 32).
      Value kCode = add(mul(kt, kTileK), index(read * codesPerRead));
      flat = add(mul(row, k / groupSize), div(kCode, groupSize));
    }
    params.scale.push_back(
        groupSize ? readKernelParam(b, loc, ops.scale, flat, /*integer=*/false)
                  : Value());
    params.zeroPoint.push_back(
        ops.scheme.getSymmetric()
            ? Value()
            : readKernelParam(b, loc, ops.zeroPoint, flat, /*integer=*/true));
  }
  return params;
}

void WarpgroupDequantBuilder::buildDecode(const Shared &s, Value tid,
                                          Value stage,
                                          const RowParams &params) {
  // Row tid, 16 bytes at a time: 32 4-bit or 16 8-bit codes.
  int64_t codesPerRead = kCopyBytes * 8 / bits;
  Value swizzleRow = rem(tid, 8);
  Value w = wView(s, stage);
  for (int64_t read = 0; read < tileBytes / kCopyBytes; ++read) {
    Value raw =
        vector::LoadOp::create(b, loc, VectorType::get({kCopyBytes}, stored), w,
                               ValueRange{tid, index(read * kCopyBytes)});
    if (stored != b.getI8Type())
      raw = arith::BitcastOp::create(
          b, loc, VectorType::get({kCopyBytes}, b.getI8Type()), raw);
    int64_t kInTile = read * codesPerRead;
    Value scale = params.scale[read];
    Value values =
        decoder.decodeValues(decoder.decodeCodes(raw), params.zeroPoint[read]);
    if (scale)
      values = arith::MulFOp::create(
          b, loc, values,
          vector::BroadcastOp::create(b, loc, values.getType(), scale));
    Value rounded = arith::TruncFOp::create(
        b, loc, VectorType::get({codesPerRead}, activation), values);
    for (int64_t c = 0; c < codesPerRead / kChunkElements; ++c) {
      // A shuffle, which the NVVM lowering takes (a strided slice is not
      // lowered in kernels).
      SmallVector<int64_t> lanes;
      for (int64_t e = 0; e < kChunkElements; ++e)
        lanes.push_back(c * kChunkElements + e);
      Value chunk = vector::ShuffleOp::create(b, loc, rounded, rounded, lanes);
      Value logical = index(kInTile / kChunkElements + c);
      Value physical = arith::XOrIOp::create(b, loc, logical, swizzleRow);
      vector::StoreOp::create(b, loc, chunk, s.bTile,
                              ValueRange{tid, mul(physical, kChunkElements)});
    }
  }
}

void WarpgroupDequantBuilder::buildEpilogue(Value acc, Value m0, Value n0,
                                            Value tid) {
  Value warp = div(tid, kThreadsPerWarp);
  Value laneId = rem(tid, kThreadsPerWarp);
  FragmentLane lane = warpgroupLane(b, loc, m0, n0, warp, laneId);
  Value t2 = div(lane.kOffset, 2);
  bool grouped = groupSize > 0;
  SmallVector<Value> tiles = accumulatorTiles(b, loc, acc, kBlockN);
  for (auto [j, tile] : llvm::enumerate(tiles))
    storeAccumulatorTile(b, loc, tile, lane.rowLo, lane.rowHi,
                         add(n0, add(index(kMmaN * j), t2)),
                         grouped ? nullptr : &ops.scale, ops.bias, ops.y);
}

void WarpgroupDequantBuilder::buildKernel(Value blockX, Value blockY,
                                          Value tid) {
  Value m0 = mul(blockY, kBlockM), n0 = mul(blockX, kBlockN);
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  Value dynamic = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, dynamic);
  Shared s = buildShared(dynamic, base);
  int64_t kTiles = k / kTileK;
  Value zero = index(0);
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto copy = [&](Value kt, Value stage) -> Value {
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        b, loc, tokenType, buildCopies(s, tid, m0, n0, kt, stage));
  };
  Value first = copy(zero, zero);
  // Without groups the row's parameters do not change along K.
  std::optional<RowParams> fixedParams;
  if (!groupSize)
    fixedParams = buildRowParams(tid, n0, Value());
  NVVM::WGMMATypes type =
      activation.isF16() ? NVVM::WGMMATypes::f16 : NVVM::WGMMATypes::bf16;
  auto loop = scf::ForOp::create(
      b, loc, zero, index(kTiles), index(1),
      ValueRange{buildZeroAccumulators(b, loc, b.getF32Type(), kBlockN)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value stage = rem(kt, kStages);
    Value next = add(kt, index(1));
    RowParams params = fixedParams ? *fixedParams : buildRowParams(tid, n0, kt);
    Value hasNext = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          next, index(kTiles));
    auto prefetch = scf::IfOp::create(b, loc, hasNext, /*withElse=*/true);
    {
      OpBuilder::InsertionGuard ifGuard(b);
      // The copy of k-tile kt + 1 goes to the stage k-tile kt - 1 used
      // (freed by the barrier at the end of kt - 1); then all groups but
      // that one have landed, k-tile kt with them.
      b.setInsertionPointToStart(&prefetch.getThenRegion().front());
      nvgpu::DeviceAsyncWaitOp::create(b, loc, copy(next, rem(next, kStages)),
                                       b.getI32IntegerAttr(1));
      b.setInsertionPointToStart(&prefetch.getElseRegion().front());
      nvgpu::DeviceAsyncWaitOp::create(b, loc, first, b.getI32IntegerAttr(0));
    }
    // Every thread's copies of k-tile kt are visible to the block.
    gpu::BarrierOp::create(b, loc);
    buildDecode(s, tid, stage, params);
    // The generic-proxy writes (cp.async, the decoded B tile) become
    // visible to wgmma's async proxy, and every row is written.
    NVVM::FenceProxyOp::create(
        b, loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
    gpu::BarrierOp::create(b, loc);
    Value descA = buildMatrixDescriptor(b, loc, toI64(xAddress(s, stage)));
    Value descB = buildMatrixDescriptor(b, loc, toI64(s.bAddress));
    Value acc = loop.getRegionIterArgs()[0];
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    int64_t stepBytes = kStepK * activation.getIntOrFloatBitWidth() / 8;
    for (int64_t step = 0; step < kTileK / kStepK; ++step)
      acc = buildWgmma(b, loc, acc,
                       offsetMatrixDescriptor(b, loc, descA, step * stepBytes),
                       offsetMatrixDescriptor(b, loc, descB, step * stepBytes),
                       kBlockN, kStepK, type, type, NVVM::WGMMATypes::f32);
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    // The x stage and the B tile are free for the next k-tile.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }
  buildEpilogue(loop.getResult(0), m0, n0, tid);
}

void WarpgroupDequantBuilder::buildEmulation() {
  // The dynamic shared memory as a host buffer whose first byte stands for
  // shared address kEmulatedSharedBase; per block, the k-tiles in the
  // kernel's order, each phase every thread in turn; wgmma by its
  // definition through the kernel's descriptors into a 64 x 128 f32 tile.
  Value base = index(kEmulatedSharedBase);
  Value bytes = memref::AllocOp::create(
      b, loc, MemRefType::get({sharedBytes()}, b.getI8Type()));
  Value dynamic = memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), bytes);
  Shared s = buildShared(dynamic, base);
  // Activations read as 2-byte elements from the same buffer.
  Value halves = memref::ViewOp::create(
      b, loc, MemRefType::get({sharedBytes() / 2}, activation), dynamic,
      index(0), ValueRange{});
  Value tile = memref::AllocOp::create(
      b, loc, MemRefType::get({kWgmmaM, kBlockN}, b.getF32Type()));
  Value zero = index(0), one = index(1);
  auto forLoop = [&](int64_t count) {
    auto loop = scf::ForOp::create(b, loc, zero, index(count), one);
    b.setInsertionPointToStart(loop.getBody());
    return loop.getInductionVar();
  };
  auto threadPhase = [&](function_ref<void(Value tid)> body) {
    OpBuilder::InsertionGuard guard(b);
    body(forLoop(kWarpgroupThreads));
  };
  auto read = [&](Value at) -> Value {
    Value v = memref::LoadOp::create(b, loc, halves, ValueRange{div(at, 2)});
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  };

  OpBuilder::InsertionGuard guard(b);
  Value m0 = mul(forLoop(gridY()), kBlockM);
  Value n0 = mul(forLoop(gridX()), kBlockN);
  linalg::FillOp::create(
      b, loc,
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)).getResult(),
      tile);
  threadPhase([&](Value tid) { buildCopies(s, tid, m0, n0, zero, zero); });
  {
    OpBuilder::InsertionGuard loopGuard(b);
    Value kt = forLoop(k / kTileK);
    Value stage = rem(kt, kStages);
    Value next = add(kt, index(1));
    auto prefetch = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                              index(k / kTileK)),
        /*withElse=*/false);
    {
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(&prefetch.getThenRegion().front());
      threadPhase([&](Value tid) {
        buildCopies(s, tid, m0, n0, next, rem(next, kStages));
      });
    }
    threadPhase([&](Value tid) {
      buildDecode(s, tid, stage, buildRowParams(tid, n0, kt));
    });
    Value descA = buildMatrixDescriptor(b, loc, toI64(xAddress(s, stage)));
    Value descB = buildMatrixDescriptor(b, loc, toI64(s.bAddress));
    int64_t stepBytes = kStepK * activation.getIntOrFloatBitWidth() / 8;
    for (int64_t step = 0; step < kTileK / kStepK; ++step)
      emulateWgmma(b, loc, base,
                   offsetMatrixDescriptor(b, loc, descA, step * stepBytes),
                   offsetMatrixDescriptor(b, loc, descB, step * stepBytes),
                   tile, kBlockN, kStepK, /*elementBytes=*/2, read, read);
  }
  threadPhase([&](Value tid) {
    Value warp = div(tid, kThreadsPerWarp);
    Value laneId = rem(tid, kThreadsPerWarp);
    buildEpilogue(gatherWgmmaAccumulators(b, loc, tile, warp, laneId, kBlockN),
                  m0, n0, tid);
  });
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string mlir::lowbit::warpgroupDequantRejection(int64_t m, int64_t n,
                                                    int64_t k, Type activation,
                                                    SchemeAttr scheme) {
  if (std::string staged = stagedMmaRejection(m, n, k, activation, scheme);
      !staged.empty())
    return staged;
  if (m % kBlockM || n % kBlockN || k % kTileK)
    return "the wgmma kernel needs M % 64, N % 128 and K % 64 == 0";
  return "";
}

void mlir::lowbit::buildWarpgroupDequantLaunch(
    OpBuilder &b, Location loc, const StagedMmaOperands &operands) {
  WarpgroupDequantBuilder builder(b, loc, operands, /*emulate=*/false);
  buildLaunch(
      b, loc, {builder.gridX(), builder.gridY()}, kWarpgroupThreads,
      [&](gpu::LaunchOp launch) {
        builder.buildKernel(launch.getBlockIds().x, launch.getBlockIds().y,
                            launch.getThreadIds().x);
      },
      /*workgroup=*/{}, builder.sharedBytes());
}

void mlir::lowbit::buildWarpgroupDequantHostEmulation(
    OpBuilder &b, Location loc, const StagedMmaOperands &operands) {
  WarpgroupDequantBuilder(b, loc, operands, /*emulate=*/true).buildEmulation();
}
