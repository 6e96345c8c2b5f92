//===- StagedMma.cpp - staged tensor-core GEMM for dequant_matmul ---------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// A lowbit.dequant_matmul y[M, N] = x[M, K] dequant(w)[N, K]^T with f16 or
// bf16 activations and M % 64, N % 64, K % 32 == 0 becomes one kernel of
// 64 x 64 blocks of y, four warps of 32 x 32 each (2 x 2), and a software
// pipeline over k-tiles of 32 with two shared-memory stages:
//
//   gpu.launch blocks(N / 64, M / 64) threads(128)
//       workgroup(sx : 2 x 64 x 40 f16 (bf16), sw : 2 x 64 x S codes) {
//     copies(k-tile 0 -> stage 0); g0 = create_group
//     acc[2][4] = scf.for kt = 0 to K / 32 {
//       scf.if kt + 1 < K / 32 {
//         copies(k-tile kt + 1 -> stage (kt + 1) % 2); create_group
//         device_async_wait {numGroups = 1}      // k-tile kt has landed
//       } else { device_async_wait {numGroups = 0} }
//       gpu.barrier                              // ... for every thread
//       per k16 step (2): a[mi] = ldmatrix.x4 sx  (2 per warp)
//                         b[nj] = decode(sw) in registers (4 per warp)
//                         acc[mi][nj] = mma.sync m16n8k16 (8 per warp;
//                           nvgpu's for f16, NVVM's for bf16, which
//                           nvgpu.mma.sync cannot lower)
//       gpu.barrier                  // stage kt % 2 free for k-tile kt + 2
//     }
//     epilogue on the C registers: row/tensor scale, bias, cast, store
//   }
//
// copies(kt -> s): each thread issues two 16-byte nvgpu.device_async_copy
// of x (the 64 x 32 f16 tile, 4 KiB) and one of the weight bytes of the
// 64 rows' k-tile (16 bytes per row for 4-bit codes, 32 for 8-bit ones;
// 8 or 16 bytes per thread), coalesced: consecutive threads read
// consecutive 16-byte chunks of a row. The copy of k-tile kt + 1 runs while
// the tensor cores work on k-tile kt.
//
// Weights stay packed in shared memory (4-bit codes two per byte, as in
// global memory) and each lane decodes the code pairs its B registers need
// straight from there (k 2t..2t+1 and 2t+8..2t+9 of column g, one byte for
// 4-bit codes), in registers, times the group scale, rounded to f16 (or
// bf16, the activation type: tensor cores multiply two of one type). The
// alternative, decoding cooperatively into an f16 shared tile and loading
// B with ldmatrix too, would decode each code once instead of twice (the
// two warps of a block column both decode their columns) but costs a third
// barrier per k-tile, 4 KiB more shared memory per stage and a shared
// round trip; with 4-bit weights the staged bytes are a quarter of the f16
// tile, and decoding is a few integer ops per pair, so registers win here.
//
// Bank conflicts: ldmatrix reads eight 16-byte rows per phase. x rows of
// 32 f16 (64 bytes) would put rows r and r + 2 in the same banks; rows are
// padded to 40 f16 (80 bytes = 20 words: rows 0..7 start at banks 0, 20,
// 8, 28, 16, 4, 24, 12, eight disjoint 4-bank groups). Weight rows of 16
// bytes (4-bit) spread a warp's eight columns over 8 x 4 banks already;
// 32-byte rows (8-bit) would collide every 4 rows, so they are padded to 48
// bytes (12 words). Padded rows stay 16-byte aligned for the copies.
//
// The fragment layouts are the PTX ISA's (g = lane / 4, t = lane % 4; see
// DequantGemv.cpp); ldmatrix .x4 takes the row address of matrix i from
// lanes 8i..8i+7 and gives lane L row L / 4, columns 2(L % 4), +1 of each
// matrix: lane s points at row s % 16, column 8 (s / 16) of the 16 x 16 A
// tile, which makes matrices 0..3 the A registers 0..3.
//
// gpu.barrier and the async-copy groups declare no memory effects and
// buffer-deallocation-pipeline rejects them, so on tensors lowbit-gpu-gemv
// only emits lowbit.staged_dequant_matmul (on buffers, with declared
// effects); lowbit-gpu-staged-mma, after convert-bufferization-to-memref,
// builds the launch here. The host emulation (tests) has no barriers and is
// built on tensors directly, from the same pieces and the same k-loop
// schedule (buildPipeline): per block, all threads' copy phase, then the
// compute phase of every thread (copies of k-tile kt + 1 into the other
// stage happen before k-tile kt is computed, as on the GPU), ldmatrix
// emulated from the addresses of the source lanes, the fragments scattered
// into per-warp tiles by the layouts and multiplied there.
//
//===----------------------------------------------------------------------===//

#include "StagedMma.h"

#include "WeightDecoding.h"
#include "lowbit/Conversion/Passes.h"
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
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUSTAGEDMMAPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The block tile, the k-tile, and the warps (2 x 2 of 32 x 32).
constexpr int64_t kBlockM = 64, kBlockN = 64, kTileK = 32;
constexpr int64_t kWarpM = 32, kWarpN = 32, kWarpsN = kBlockN / kWarpN;
constexpr int64_t kWarps = (kBlockM / kWarpM) * kWarpsN;
constexpr int64_t kThreads = kWarps * kThreadsPerWarp;
/// The mma.sync m16n8k16 tiles per warp.
constexpr int64_t kTilesM = kWarpM / kMmaM, kTilesN = kWarpN / kMmaN;
/// Shared-memory stages and the padded x row (f16 elements).
constexpr int64_t kStages = 2, kXStride = kTileK + 8;
/// Bytes of one asynchronous copy of x.
constexpr int64_t kCopyBytes = 16;

/// Builds the staged kernel (or its host emulation) of one product.
class StagedMmaBuilder : private KernelLoops {
public:
  StagedMmaBuilder(OpBuilder &b, Location loc, const StagedMmaOperands &ops,
                   bool emulate)
      : KernelLoops(b, loc), ops(ops), emulate(emulate),
        decoder(b, loc, ops.scheme) {
    auto xType = cast<MemRefType>(ops.x.getType());
    auto yType = cast<MemRefType>(ops.y.getType());
    activation = xType.getElementType();
    m = xType.getDimSize(0);
    k = xType.getDimSize(1);
    n = yType.getDimSize(1);
    bits = codeBits(ops.scheme);
    stored = cast<MemRefType>(ops.codes.getType()).getElementType();
    if (ops.scheme.getGranularity() == Granularity::Group)
      groupSize = ops.scheme.getGroupSize();
    tileBytes = kTileK * bits / 8;
    wStride = bits == 4 ? tileBytes : tileBytes + 16;
    wCopyBytes = kBlockN * tileBytes / kThreads;
  }

  /// The shared x and weight tiles (all stages) in `space`.
  MemRefType sharedXType(Attribute space) {
    return MemRefType::get({kStages, kBlockM, kXStride}, activation,
                           MemRefLayoutAttrInterface(), space);
  }
  MemRefType sharedWType(Attribute space) {
    return MemRefType::get({kStages, kBlockN, wStride}, stored,
                           MemRefLayoutAttrInterface(), space);
  }
  int64_t gridX() const { return n / kBlockN; }
  int64_t gridY() const { return m / kBlockM; }

  /// The kernel body of thread `threadId` of block (`blockX`, `blockY`),
  /// with the shared tiles `sx` and `sw`.
  void buildKernel(Value blockX, Value blockY, Value threadId, Value sx,
                   Value sw);
  /// Test only: the kernel's phases as host loops.
  void buildEmulation();

private:
  /// Where one thread works.
  struct Lane {
    /// The thread's warp, its lane, and the warp's tile in the block.
    Value warp, lane, warpM, warpN;
    /// g = lane / 4 and 2t = 2 (lane % 4) of the fragment layouts.
    FragmentLane fragment;
  };
  /// Per n8 tile of the warp, the group scale (grouped) and zero-point
  /// (affine) of the lane's column for one k-tile; null when not needed.
  struct TileParams {
    SmallVector<Value> scale, zeroPoint;
  };

  Lane buildLane(Value threadId);
  /// Thread `tid`'s copies of k-tile `kt` of the block at (`m0`, `n0`) into
  /// stage `stage`: asynchronous (their tokens returned) or, emulated,
  /// plain loads and stores.
  SmallVector<Value> buildCopies(Value tid, Value m0, Value n0, Value kt,
                                 Value stage, Value sx, Value sw);
  /// Copies `elements` elements from `src`[srcIndices] to `dst`[dstIndices].
  Value buildCopy(Value dst, ValueRange dstIndices, Value src,
                  ValueRange srcIndices, int64_t elements);
  /// The row and column of the A tile (m16 tile `mi` of warp row `warpM`,
  /// k16 step `ks`) whose address lane `lane` gives ldmatrix.
  std::pair<Value, Value> buildRowAddress(Value lane, Value warpM, int64_t mi,
                                          int64_t ks);
  /// The A registers (vector<4x2xf16>) of `lane` for that tile.
  Value buildLoadA(Value sx, Value stage, const Lane &lane, int64_t mi,
                   int64_t ks);
  TileParams buildTileParams(const Lane &lane, Value n0, Value kt);
  /// acc + a b by mma.sync m16n8k16 (f32 accumulators).
  Value buildMmaSync(Value a, Value w, Value acc);
  /// The B registers (vector<2x2xf16>) of n8 tile `nj`, k16 step `ks`,
  /// decoded from the shared weight bytes.
  Value buildLoadB(Value sw, Value stage, const Lane &lane, int64_t nj,
                   int64_t ks, const TileParams &params);
  /// The software pipeline over the k-tiles, which the kernel and its
  /// emulation share: `copy` k-tile 0 into stage 0; then per k-tile kt,
  /// `copy` k-tile kt + 1 into stage (kt + 1) % 2 when there is one and
  /// `ready` (with that copy's result, or the first copy's and `last`),
  /// `compute` k-tile kt from stage kt % 2 (carrying `inits` through the
  /// loop) and `done`. Returns the carried values after the last k-tile.
  struct PipelineSteps {
    function_ref<Value(Value kt, Value stage)> copy;
    function_ref<void(Value copied, bool last)> ready;
    function_ref<SmallVector<Value>(Value kt, Value stage, ValueRange carried)>
        compute;
    function_ref<void()> done;
  };
  SmallVector<Value> buildPipeline(ValueRange inits,
                                   const PipelineSteps &steps);
  /// Scale, bias, cast and store of m16 tile `mi`'s C registers `acc`
  /// (one per n8 tile).
  void buildEpilogue(const Lane &lane, Value m0, Value n0, int64_t mi,
                     ArrayRef<Value> acc);

  const StagedMmaOperands &ops;
  bool emulate;
  WeightDecoder decoder;
  int64_t m = 0, n = 0, k = 0, groupSize = 0;
  unsigned bits = 0;
  /// The activation type (f16 or bf16): also the tensor-core operands'.
  Type activation;
  Type stored;
  /// Weight bytes per row and k-tile, per padded shared row, per thread.
  int64_t tileBytes = 0, wStride = 0, wCopyBytes = 0;
};

} // namespace

StagedMmaBuilder::Lane StagedMmaBuilder::buildLane(Value threadId) {
  Lane lane;
  lane.warp = div(threadId, kThreadsPerWarp);
  lane.lane = rem(threadId, kThreadsPerWarp);
  lane.warpM = div(lane.warp, kWarpsN);
  lane.warpN = rem(lane.warp, kWarpsN);
  lane.fragment.g = div(lane.lane, 4);
  lane.fragment.kOffset = mul(rem(lane.lane, 4), 2);
  return lane;
}

Value StagedMmaBuilder::buildCopy(Value dst, ValueRange dstIndices, Value src,
                                  ValueRange srcIndices, int64_t elements) {
  Type element = cast<MemRefType>(src.getType()).getElementType();
  if (!emulate) {
    // 16-byte copies bypass L1 (cp.async.cg): the tiles are read once per
    // block and live in shared memory; smaller ones cannot (cp.async.ca).
    int64_t bytes = elements * element.getIntOrFloatBitWidth() / 8;
    return nvgpu::DeviceAsyncCopyOp::create(
        b, loc, dst, dstIndices, src, srcIndices, b.getIndexAttr(elements),
        /*srcElements=*/Value(),
        bytes == kCopyBytes ? b.getUnitAttr() : UnitAttr());
  }
  auto type = VectorType::get({elements}, element);
  Value v = vector::LoadOp::create(b, loc, type, src, srcIndices);
  vector::StoreOp::create(b, loc, v, dst, dstIndices);
  return {};
}

SmallVector<Value> StagedMmaBuilder::buildCopies(Value tid, Value m0, Value n0,
                                                 Value kt, Value stage,
                                                 Value sx, Value sw) {
  SmallVector<Value> tokens;
  // x: 64 rows of 32 f16, 4 chunks of 16 bytes per row; chunk c of the
  // tile is copied by thread c % 128.
  int64_t xChunkElements = kCopyBytes / 2;
  int64_t xChunksPerRow = kTileK / xChunkElements;
  Value k0 = mul(kt, kTileK);
  for (int64_t i = 0; i < kBlockM * xChunksPerRow / kThreads; ++i) {
    Value chunk = add(tid, index(i * kThreads));
    Value row = div(chunk, xChunksPerRow);
    Value col = mul(rem(chunk, xChunksPerRow), xChunkElements);
    tokens.push_back(buildCopy(sx, {stage, row, col}, ops.x,
                               {add(m0, row), add(k0, col)}, xChunkElements));
  }
  // Weights: the k-tile's bytes of 64 rows, one copy per thread.
  int64_t chunksPerRow = tileBytes / wCopyBytes;
  Value row = div(tid, chunksPerRow);
  Value offset = mul(rem(tid, chunksPerRow), wCopyBytes);
  Value src =
      add(add(mul(add(n0, row), k * bits / 8), mul(kt, tileBytes)), offset);
  tokens.push_back(
      buildCopy(sw, {stage, row, offset}, ops.codes, {src}, wCopyBytes));
  if (emulate)
    tokens.clear();
  return tokens;
}

std::pair<Value, Value> StagedMmaBuilder::buildRowAddress(Value lane,
                                                          Value warpM,
                                                          int64_t mi,
                                                          int64_t ks) {
  // Lanes 0-7: rows 0-7, k 0-7 (A reg 0); 8-15: rows 8-15, k 0-7 (reg 1);
  // 16-23: rows 0-7, k 8-15 (reg 2); 24-31: rows 8-15, k 8-15 (reg 3).
  Value row = add(add(mul(warpM, kWarpM), index(kMmaM * mi)), rem(lane, 16));
  Value col = add(index(kMmaK * ks), mul(div(lane, 16), 8));
  return {row, col};
}

Value StagedMmaBuilder::buildLoadA(Value sx, Value stage, const Lane &lane,
                                   int64_t mi, int64_t ks) {
  auto aType = VectorType::get({4, 2}, activation);
  if (!emulate) {
    auto [row, col] = buildRowAddress(lane.lane, lane.warpM, mi, ks);
    return nvgpu::LdMatrixOp::create(b, loc, aType, sx,
                                     ValueRange{stage, row, col},
                                     /*transpose=*/false, /*numTiles=*/4);
  }
  // ldmatrix .x4 by its definition: register i of lane L is row L / 4,
  // columns 2 (L % 4) and + 1, of the 8 x 8 matrix whose rows lanes
  // 8i..8i+7 point at.
  Value a = arith::ConstantOp::create(
      b, loc, cast<DenseElementsAttr>(b.getZeroAttr(aType)));
  for (int64_t i = 0; i < 4; ++i) {
    Value source = add(index(8 * i), div(lane.lane, 4));
    auto [row, col] = buildRowAddress(source, lane.warpM, mi, ks);
    Value pair = vector::LoadOp::create(
        b, loc, VectorType::get({2}, activation), sx,
        ValueRange{stage, row, add(col, mul(rem(lane.lane, 4), 2))});
    a = vector::InsertOp::create(b, loc, pair, a, i);
  }
  return a;
}

StagedMmaBuilder::TileParams
StagedMmaBuilder::buildTileParams(const Lane &lane, Value n0, Value kt) {
  // `kt` (the k-tile) only matters for group-wise parameters.
  TileParams params;
  bool grouped = groupSize > 0;
  bool affine = !ops.scheme.getSymmetric();
  for (int64_t nj = 0; nj < kTilesN; ++nj) {
    Value column = add(add(n0, mul(lane.warpN, kWarpN)),
                       add(index(kMmaN * nj), lane.fragment.g));
    // A k-tile lies inside one group (the group size is a multiple of 32).
    Value flat = column;
    if (grouped)
      flat = add(mul(column, k / groupSize), div(mul(kt, kTileK), groupSize));
    params.scale.push_back(
        grouped ? readKernelParam(b, loc, ops.scale, flat, /*integer=*/false)
                : Value());
    params.zeroPoint.push_back(
        affine ? readKernelParam(b, loc, ops.zeroPoint, flat, /*integer=*/true)
               : Value());
  }
  return params;
}

Value StagedMmaBuilder::buildLoadB(Value sw, Value stage, const Lane &lane,
                                   int64_t nj, int64_t ks,
                                   const TileParams &params) {
  auto bType = VectorType::get({2, 2}, activation);
  Value column =
      add(mul(lane.warpN, kWarpN), add(index(kMmaN * nj), lane.fragment.g));
  Value w = arith::ConstantOp::create(
      b, loc, cast<DenseElementsAttr>(b.getZeroAttr(bType)));
  for (int64_t reg = 0; reg < 2; ++reg) {
    // Codes k, k + 1 of the k-tile: one byte for 4-bit codes, two else.
    Value kk = add(lane.fragment.kOffset, index(kMmaK * ks + 8 * reg));
    int64_t bytes = bits == 4 ? 1 : 2;
    Value raw = vector::LoadOp::create(
        b, loc, VectorType::get({bytes}, stored), sw,
        ValueRange{stage, column, bits == 4 ? div(kk, 2) : kk});
    if (stored != b.getI8Type())
      raw = arith::BitcastOp::create(
          b, loc, VectorType::get({bytes}, b.getI8Type()), raw);
    Value values =
        decoder.decodeValues(decoder.decodeCodes(raw), params.zeroPoint[nj]);
    if (Value scale = params.scale[nj])
      values = arith::MulFOp::create(
          b, loc, values,
          vector::BroadcastOp::create(b, loc, values.getType(), scale));
    Value pair = arith::TruncFOp::create(
        b, loc, VectorType::get({2}, activation), values);
    w = vector::InsertOp::create(b, loc, pair, w, reg);
  }
  return w;
}

Value StagedMmaBuilder::buildMmaSync(Value a, Value w, Value acc) {
  if (activation.isF16())
    return nvgpu::MmaSyncOp::create(b, loc, a, w, acc,
                                    ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK});
  // nvgpu.mma.sync has no bf16 lowering; NVVM's mma.sync takes the bf16
  // pairs as i32 registers and returns the four f32 accumulators as a
  // struct.
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto registers = [&](Value fragment, int64_t count) {
    SmallVector<Value> packed;
    for (int64_t r = 0; r < count; ++r) {
      Value pair = vector::ExtractOp::create(b, loc, fragment, r);
      Value word =
          vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), pair);
      packed.push_back(vector::ExtractOp::create(b, loc, word, 0));
    }
    return packed;
  };
  SmallVector<Value> c;
  for (int64_t half = 0; half < 2; ++half)
    for (int64_t e = 0; e < 2; ++e)
      c.push_back(
          vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{half, e}));
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                     SmallVector<Type>(4, f32));
  Value d = NVVM::MmaOp::create(
      b, loc, resultType, registers(a, 4), registers(w, 2), c,
      ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK}, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> elements;
  for (int64_t i = 0; i < 4; ++i)
    elements.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
  return vector::FromElementsOp::create(b, loc, acc.getType(), elements);
}

void StagedMmaBuilder::buildEpilogue(const Lane &lane, Value m0, Value n0,
                                     int64_t mi, ArrayRef<Value> acc) {
  bool grouped = groupSize > 0;
  Value rowLo = add(add(m0, mul(lane.warpM, kWarpM)),
                    add(index(kMmaM * mi), lane.fragment.g));
  Value rowHi = add(rowLo, index(8));
  for (int64_t nj = 0; nj < kTilesN; ++nj)
    storeAccumulatorTile(b, loc, acc[nj], rowLo, rowHi,
                         add(add(n0, mul(lane.warpN, kWarpN)),
                             add(index(kMmaN * nj), lane.fragment.kOffset)),
                         grouped ? nullptr : &ops.scale, ops.bias, ops.y);
}

SmallVector<Value> StagedMmaBuilder::buildPipeline(ValueRange inits,
                                                   const PipelineSteps &steps) {
  int64_t kTiles = k / kTileK;
  Value zero = index(0);
  Value first = steps.copy(zero, zero);
  auto loop = scf::ForOp::create(b, loc, zero, index(kTiles), index(1), inits);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value kt = loop.getInductionVar();
  Value next = add(kt, index(1));
  Value hasNext = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                                        index(kTiles));
  auto ifNext = scf::IfOp::create(b, loc, hasNext, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard ifGuard(b);
    b.setInsertionPointToStart(&ifNext.getThenRegion().front());
    steps.ready(steps.copy(next, rem(next, kStages)), /*last=*/false);
    b.setInsertionPointToStart(&ifNext.getElseRegion().front());
    steps.ready(first, /*last=*/true);
  }
  SmallVector<Value> results =
      steps.compute(kt, rem(kt, kStages), loop.getRegionIterArgs());
  steps.done();
  // Without carried values the loop has its terminator already.
  if (!inits.empty())
    scf::YieldOp::create(b, loc, results);
  return SmallVector<Value>(loop.getResults());
}

void StagedMmaBuilder::buildKernel(Value blockX, Value blockY, Value threadId,
                                   Value sx, Value sw) {
  auto cType = VectorType::get({2, 2}, b.getF32Type());
  Lane lane = buildLane(threadId);
  Value m0 = mul(blockY, kBlockM), n0 = mul(blockX, kBlockN);
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto copy = [&](Value kt, Value stage) -> Value {
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        b, loc, tokenType, buildCopies(threadId, m0, n0, kt, stage, sx, sw));
  };
  auto ready = [&](Value copied, bool last) {
    // All groups but the prefetch just issued have landed, k-tile kt with
    // them; for the last k-tile, all groups.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, copied,
                                     b.getI32IntegerAttr(last ? 0 : 1));
  };
  // Without groups the lane's zero-points do not depend on the k-tile:
  // read them once, before the loop.
  std::optional<TileParams> fixedParams;
  if (groupSize == 0)
    fixedParams = buildTileParams(lane, n0, /*kt=*/Value());
  auto compute = [&](Value kt, Value stage,
                     ValueRange carried) -> SmallVector<Value> {
    // Every thread's copies of k-tile kt are visible to the block.
    gpu::BarrierOp::create(b, loc);
    TileParams params =
        fixedParams ? *fixedParams : buildTileParams(lane, n0, kt);
    SmallVector<Value> acc(carried);
    for (int64_t ks = 0; ks < kTileK / kMmaK; ++ks) {
      SmallVector<Value> a;
      for (int64_t mi = 0; mi < kTilesM; ++mi)
        a.push_back(buildLoadA(sx, stage, lane, mi, ks));
      for (int64_t nj = 0; nj < kTilesN; ++nj) {
        Value w = buildLoadB(sw, stage, lane, nj, ks, params);
        for (int64_t mi = 0; mi < kTilesM; ++mi) {
          Value &c = acc[mi * kTilesN + nj];
          c = buildMmaSync(a[mi], w, c);
        }
      }
    }
    return acc;
  };
  // Stage kt % 2 is read by all warps before the copy of k-tile kt + 2
  // (issued in the next iteration) overwrites it.
  auto done = [&] { gpu::BarrierOp::create(b, loc); };
  Value zeroC = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(cType, b.getF32FloatAttr(0)));
  SmallVector<Value> results =
      buildPipeline(SmallVector<Value>(kTilesM * kTilesN, zeroC),
                    {copy, ready, compute, done});
  for (int64_t mi = 0; mi < kTilesM; ++mi)
    buildEpilogue(lane, m0, n0, mi,
                  ArrayRef<Value>(results).slice(mi * kTilesN, kTilesN));
}

void StagedMmaBuilder::buildEmulation() {
  Type f32 = b.getF32Type();
  auto alloc = [&](MemRefType type) -> Value {
    return memref::AllocOp::create(b, loc, type);
  };
  Value sx = alloc(sharedXType(Attribute()));
  Value sw = alloc(sharedWType(Attribute()));
  // Per warp: the A tiles [warp * 2 + mi][k][m], the B tiles
  // [warp][nj][k][n] of one k-tile, the C tiles [warp][mi][nj][m][n].
  Value aTiles = alloc(MemRefType::get({kWarps * kTilesM, kTileK, kMmaM}, f32));
  Value bTiles = alloc(MemRefType::get({kWarps, kTilesN, kTileK, kMmaN}, f32));
  Value cTiles =
      alloc(MemRefType::get({kWarps, kTilesM, kTilesN, kMmaM, kMmaN}, f32));
  Value zero = index(0), one = index(1);
  auto forLoop = [&](int64_t count) {
    auto loop = scf::ForOp::create(b, loc, zero, index(count), one);
    b.setInsertionPointToStart(loop.getBody());
    return loop.getInductionVar();
  };
  // One phase: every thread of the block in turn.
  auto threadPhase = [&](function_ref<void(Value tid)> body) {
    OpBuilder::InsertionGuard guard(b);
    body(forLoop(kThreads));
  };
  auto widen = [&](Value v, ArrayRef<int64_t> position) -> Value {
    Value element = vector::ExtractOp::create(b, loc, v, position);
    return arith::ExtFOp::create(b, loc, f32, element);
  };

  OpBuilder::InsertionGuard guard(b);
  Value m0 = mul(forLoop(gridY()), kBlockM);
  Value n0 = mul(forLoop(gridX()), kBlockN);
  // Copies and waits are synchronous here: a copy phase is every thread's
  // copies in turn, and a k-tile's compute phase follows the prefetch of
  // the next one, as on the GPU.
  auto copy = [&](Value kt, Value stage) -> Value {
    threadPhase(
        [&](Value tid) { buildCopies(tid, m0, n0, kt, stage, sx, sw); });
    return Value();
  };
  auto ready = [](Value, bool) {};
  auto compute = [&](Value kt, Value stage, ValueRange) -> SmallVector<Value> {
    threadPhase([&](Value tid) {
      Lane lane = buildLane(tid);
      TileParams params = buildTileParams(lane, n0, kt);
      for (int64_t ks = 0; ks < kTileK / kMmaK; ++ks) {
        Value k0 = index(kMmaK * ks);
        for (int64_t mi = 0; mi < kTilesM; ++mi)
          scatterFragmentA(b, loc, lane.fragment,
                           buildLoadA(sx, stage, lane, mi, ks), k0, aTiles,
                           add(mul(lane.warp, kTilesM), index(mi)), widen);
        for (int64_t nj = 0; nj < kTilesN; ++nj)
          scatterFragmentB(b, loc, lane.fragment,
                           buildLoadB(sw, stage, lane, nj, ks, params), nj, k0,
                           bTiles, lane.warp, widen);
      }
    });
    // C[warp][mi][nj] (+)= A[warp, mi] B[warp, nj] over the k-tile.
    OpBuilder::InsertionGuard warpGuard(b);
    Value isFirst =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kt, zero);
    Value warp = forLoop(kWarps);
    for (int64_t mi = 0; mi < kTilesM; ++mi)
      for (int64_t nj = 0; nj < kTilesN; ++nj) {
        OpBuilder::InsertionGuard tileGuard(b);
        Value row = forLoop(kMmaM);
        Value col = forLoop(kMmaN);
        Value sum = buildEmulatedTileDot(
            b, loc, aTiles, ValueRange{add(mul(warp, kTilesM), index(mi))}, row,
            bTiles, ValueRange{warp, index(nj)}, col, zero, index(kTileK));
        SmallVector<Value> cIndex{warp, index(mi), index(nj), row, col};
        Value previous = memref::LoadOp::create(b, loc, cTiles, cIndex);
        Value accumulated = arith::AddFOp::create(b, loc, previous, sum);
        Value c = arith::SelectOp::create(b, loc, isFirst, sum, accumulated);
        memref::StoreOp::create(b, loc, c, cTiles, cIndex);
      }
    return {};
  };
  buildPipeline({}, {copy, ready, compute, [] {}});
  threadPhase([&](Value tid) {
    Lane lane = buildLane(tid);
    Value g8 = add(lane.fragment.g, index(8));
    for (int64_t mi = 0; mi < kTilesM; ++mi)
      buildEpilogue(lane, m0, n0, mi,
                    gatherAccumulators(b, loc, lane.fragment, g8,
                                       lane.fragment.kOffset, cTiles,
                                       ValueRange{lane.warp, index(mi)},
                                       kTilesN, VectorType::get({2, 2}, f32)));
  });
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string mlir::lowbit::stagedMmaRejection(int64_t m, int64_t n, int64_t k,
                                             Type activation,
                                             SchemeAttr scheme) {
  if (!activation.isF16() && !activation.isBF16())
    return "the staged kernel needs f16 or bf16 activations";
  if (m % kBlockM || n % kBlockN || k % kTileK)
    return "the staged kernel needs M % 64, N % 64 and K % 32 == 0";
  // Every storage format decodes (WeightDecoding); a new format must be
  // taught to the decoder before the kernel takes it (-Wswitch flags it).
  switch (scheme.getFormat()) {
  case StorageFormat::I4:
  case StorageFormat::U4:
  case StorageFormat::NF4:
  case StorageFormat::F4E2M1FN:
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::F8E4M3FN:
  case StorageFormat::F8E5M2:
    break;
  }
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (scheme.getAxis() != 0)
      return "the staged kernel needs per-channel scales along the weight "
             "rows (axis 0)";
    break;
  case Granularity::Group:
    if (scheme.getAxis() != 1)
      return "the staged kernel needs groups along K (axis 1)";
    if (scheme.getGroupSize() % kTileK)
      return "the staged kernel needs a group size that is a multiple of 32";
    break;
  }
  return "";
}

void mlir::lowbit::buildStagedMmaLaunch(OpBuilder &b, Location loc,
                                        const StagedMmaOperands &operands) {
  StagedMmaBuilder builder(b, loc, operands, /*emulate=*/false);
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  buildLaunch(b, loc, {builder.gridX(), builder.gridY()}, kThreads,
              [&](gpu::LaunchOp launch) {
                builder.buildKernel(launch.getBlockIds().x,
                                    launch.getBlockIds().y,
                                    launch.getThreadIds().x,
                                    launch.getWorkgroupAttributions()[0],
                                    launch.getWorkgroupAttributions()[1]);
              },
              {builder.sharedXType(workgroup), builder.sharedWType(workgroup)});
}

void mlir::lowbit::buildStagedMmaHostEmulation(
    OpBuilder &b, Location loc, const StagedMmaOperands &operands) {
  StagedMmaBuilder(b, loc, operands, /*emulate=*/true).buildEmulation();
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

struct GPUStagedMmaPass
    : public mlir::lowbit::impl::GPUStagedMmaPassBase<GPUStagedMmaPass> {
  using GPUStagedMmaPassBase::GPUStagedMmaPassBase;

  void runOnOperation() override {
    SmallVector<StagedDequantMatmulOp> ops;
    getOperation().walk([&](StagedDequantMatmulOp op) { ops.push_back(op); });
    for (StagedDequantMatmulOp op : ops) {
      // The kernel reads whole tiles with 16-byte copies and indexes every
      // buffer as dense row-major memory: refuse what it cannot run.
      MemRefType x = op.getInput().getType(), y = op.getResult().getType();
      std::string rejection =
          stagedMmaRejection(x.getDimSize(0), y.getDimSize(1), x.getDimSize(1),
                             x.getElementType(), op.getScheme());
      if (rejection.empty() &&
          llvm::any_of(op->getOperands(), [](Value operand) {
            auto type = dyn_cast<MemRefType>(operand.getType());
            return type && !type.getLayout().isIdentity();
          }))
        rejection = "the staged kernel needs buffers with identity layouts";
      if (!rejection.empty()) {
        op.emitOpError() << rejection;
        return signalPassFailure();
      }
      auto param = [](Value v) {
        KernelParam p;
        if (!v)
          return p;
        (isa<MemRefType>(v.getType()) ? p.buffer : p.scalar) = v;
        return p;
      };
      StagedMmaOperands operands{
          op.getInput(), op.getCodes(),         op.getResult(),
          op.getBias(),  param(op.getScales()), param(op.getZeroPoints()),
          op.getScheme()};
      OpBuilder b(op);
      bool warpgroup =
          warpgroupMma && warpgroupDequantRejection(
                              x.getDimSize(0), y.getDimSize(1), x.getDimSize(1),
                              x.getElementType(), op.getScheme())
                              .empty();
      if (warpgroup && hostEmulation)
        buildWarpgroupDequantHostEmulation(b, op.getLoc(), operands);
      else if (warpgroup)
        buildWarpgroupDequantLaunch(b, op.getLoc(), operands);
      else if (hostEmulation)
        buildStagedMmaHostEmulation(b, op.getLoc(), operands);
      else
        buildStagedMmaLaunch(b, op.getLoc(), operands);
      op.erase();
    }
  }
};

} // namespace
