//===- QuantMatmulMma.cpp - tensor-core kernels for lowbit.matmul ---------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The integer (W8A8) and FP8 lowbit.matmul on tensor cores. With the
// sums over one weight-scale block B of Kb codes (all of K, or one group):
//
//   acc[m, n, B] = sum_k (a - za)(w - zw)
//                = S - za Cw - zw Ra + Kb za zw
//   S  = sum_k a[m, k] w[n, k]          mma.sync m16n8k32 s8/u8 x s8/u8
//                                       -> s32 (the codes as they are)
//   Cw = col_sums[n, B]                 (compile-time column sums)
//   Ra = sum_k a[m, k]                  (run time: one more mma.sync with
//                                        a B fragment of ones)
//   y[m, n] = trunc(sum_B f32(acc[m, n, B]) (sa[m] sw[n, B]) + bias[n])
//
// in the order the CPU lowering uses, so the two agree exactly. FP8
// (E4M3/E5M2 x E4M3/E5M2) accumulates S in f32 with
// mma.sync.m16n8k32.f32.e4m3.e4m3.f32 (PTX ISA 8.4, sm_89+: only built with
// fp8=true, which lowbit-lower-to-nvvm sets for sm_90a); it has no
// zero-points. Before and after:
//
//   %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0>
//          scales(%sa : tensor<Mxf32>)) rhs(as #lowbit.scheme<i8, axis = 0>
//          scales(dense_resource<ws> : tensor<Nxf32>))
//          : tensor<MxKxi8>, tensor<NxKxi8> -> tensor<MxNxf16>
// ->
//   %ab = bufferization.to_buffer %a read_only     (likewise w, sa, ...)
//   %yb = memref.alloc() : memref<MxNxf16>
//   gpu.launch blocks(ceil(N / 32 W), M / 16, 1) threads(32 W, 1, 1) {
//     m0 = 16 block.y, n0 = 32 (block.x W + warp)    // 16 x 32 per warp
//     scf.if n0 < N {
//       y[0..4) = scf.for B = 0 to K / Kb {
//         S[0..4), R = scf.for k0 = B Kb to (B + 1) Kb step 32 {
//           a = vector<4x4xi8> (rows m0 + g (+8), cols k0 + 4t (+16))
//           S[j] = mma.sync m16n8k32 (a, w fragment of n0 + 8j + g,
//                  S[j])  (inline PTX; u8/s8 x u8/s8, wrapping)
//           R = mma.sync (a, ones, R)                  (when zw != 0)
//         }
//         y[j] += f32(S[j] - za Cw - zw R + Kb za zw) (sa sw)
//       }
//       yb[m, n] = trunc(y + bias[n])                 // the C registers
//     }
//   }
//   %y = bufferization.to_tensor %yb restrict writable
//
// with g = lane / 4, t = lane % 4. Applies to static [M, K] x [N, K]
// operands with M % 16, N % 32 and K % 32 == 0 (and the group size a
// multiple of 32), activation scales per tensor or per row (static or
// dynamic), weight scales per tensor, per output row or group-wise along K,
// and a real result or a requantize(...) to i8/u8 codes (per tensor or per
// output channel, as lowbit.quantize lowers it: clamp(roundeven((y + bias)
// / so) + zo)). Anything else keeps the generic lowering.
//
// Staged kernels first: with `warpgroup-mma` (sm_90a) a product with M, N,
// K multiples of 128, symmetric weights and scales constant along K
// becomes lowbit.staged_matmul {warpgroup} (TMA + wgmma, codes multiplied
// as they are); with `staged` one with multiples of 64 and symmetric i8 or
// FP8 weights becomes lowbit.staged_matmul (cp.async + ldmatrix +
// mma.sync); lowbit-gpu-staged-matmul builds both after bufferization
// (StagedMatmul.cpp). The kernel above takes the rest.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "../LowbitToLinalg/CodeDecoding.h"
#include "KernelBuilding.h"
#include "QuantMatmulEpilogue.h"
#include "QuantMmaSync.h"
#include "StagedMatmul.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUQUANTMATMULPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// mma.sync m16n8k32 (s8 and FP8), four n8 tiles per warp.
constexpr int64_t kTileM = 16, kTileN = 8, kTileK = 32, kTilesN = 4;

using Param = QuantMatmulParam;
using MatmulPlan = QuantMatmulPlan;
using HostValues = QuantMatmulHost;

/// Why `op` keeps the generic lowering, or "" when the kernel applies.
std::string planMatmul(MatmulOp op, bool allowFp8, MatmulPlan &out) {
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  if (lhsType.getRank() != 2 || rhsType.getRank() != 2 ||
      !lhsType.hasStaticShape() || !rhsType.hasStaticShape())
    return "needs static rank-2 operands";
  out.m = lhsType.getDimSize(0);
  out.k = lhsType.getDimSize(1);
  out.n = rhsType.getDimSize(0);
  if (out.m % kTileM || out.n % (kTileN * kTilesN) || out.k % kTileK)
    return "needs M % 16, N % 32 and K % 32 == 0";
  out.result = op.getType().getElementType();
  if (SchemeAttr result = op.getResultSchemeAttr()) {
    // Per tensor or per output channel (the verifier allows nothing else).
    if (result.getFormat() != StorageFormat::I8 &&
        result.getFormat() != StorageFormat::U8)
      return "requantize(...) to other codes than i8/u8 is not supported";
    if (!isa<ElementsAttr, FloatAttr>(op.getResultScalesAttr()))
      return "needs static requantize scales";
    out.requantize = true;
    out.resultAffine = !result.getSymmetric();
    out.resultMin = result.getCodeMin();
    out.resultMax = result.getCodeMax();
  }
  SchemeAttr lhs = op.getLhsScheme(), rhs = op.getRhsScheme();
  out.lhsFormat = lhs.getFormat();
  out.rhsFormat = rhs.getFormat();
  auto eightBitInt = [](StorageFormat f) {
    return f == StorageFormat::I8 || f == StorageFormat::U8;
  };
  if (isFp8StorageFormat(out.lhsFormat) && isFp8StorageFormat(out.rhsFormat)) {
    if (!allowFp8)
      return "FP8 mma.sync needs sm_89 or later (fp8=false)";
    if (!lhs.getSymmetric() || !rhs.getSymmetric())
      return "FP8 operands must be symmetric";
    out.fp8 = true;
  } else if (!eightBitInt(out.lhsFormat) || !eightBitInt(out.rhsFormat)) {
    return "needs i8/u8 x i8/u8 or FP8 x FP8 codes";
  }
  // Activation scales must be constant along K: per tensor or per row.
  switch (lhs.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (lhs.getAxis() != 0)
      return "activation scales must be per tensor or per row";
    break;
  case Granularity::Group:
    if (lhs.getAxis() != 1 || lhs.getGroupSize() != out.k)
      return "activation scales must be per tensor or per row";
    break;
  }
  out.blockK = out.k;
  switch (rhs.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (rhs.getAxis() != 0)
      return "per-axis weight scales must be per output row";
    break;
  case Granularity::Group:
    if (rhs.getAxis() != 1)
      return "group-wise weight scales must be along K";
    out.blockK = rhs.getGroupSize();
    if (out.blockK % kTileK)
      return "the group size is not a multiple of 32";
    break;
  }
  out.blocks = out.k / out.blockK;
  if (!isa<ElementsAttr, FloatAttr>(op.getRhsScalesAttr()))
    return "needs static weight scales";
  if (!op.getLhsScalesAttr() && !op.getLhsDynamicScales())
    return "needs activation scales";
  if (op.getBias() && op.getBias().getType().getRank() != 1)
    return "needs a rank-1 bias";
  if (!out.fp8) {
    out.needColSums = !lhs.getSymmetric();
    out.needRowSums = !rhs.getSymmetric();
    if (out.needColSums && !op.getColSumsAttr())
      return "the activation zero-point correction needs col_sums";
  }
  return "";
}

/// Why `op`, planned by `planMatmul`, does not get a kernel of
/// lowbit-gpu-staged-matmul whose shape check says `shapeRejection`, or "".
std::string planStagedKernel(MatmulOp op, const MatmulPlan &plan,
                             std::string shapeRejection) {
  if (!shapeRejection.empty())
    return shapeRejection;
  if (plan.blocks != 1)
    return "group-wise weight scales (per tensor or per row only)";
  if (!op.getRhsScheme().getSymmetric())
    return "weight zero-points";
  return "";
}

/// A static parameter (attribute) or a dynamic one (tensor operand).
Param materialize(OpBuilder &b, Location loc, Attribute attr, Value dynamic,
                  int64_t perRowCount) {
  if (dynamic) {
    // Rank 0 (a dynamic per-tensor parameter) stays rank 0: read at [].
    auto type = cast<RankedTensorType>(dynamic.getType());
    return makeQuantMatmulParam(toBuffer(b, loc,
                                         type.getRank() == 0
                                             ? dynamic
                                             : flattenTensor(b, loc, dynamic)),
                                perRowCount);
  }
  KernelParam param = materializeConstantParam(b, loc, attr);
  return makeQuantMatmulParam(param.scalar ? param.scalar : param.buffer,
                              perRowCount);
}

//===----------------------------------------------------------------------===//
// Kernel body
//===----------------------------------------------------------------------===//

class MmaBuilder {
public:
  MmaBuilder(OpBuilder &b, Location loc, const MatmulPlan &plan,
             const HostValues &host, Value y)
      : b(b), loc(loc), plan(plan), host(host), y(y) {}

  /// The kernel body of thread `threadId` of block (`blockX`, `blockY`).
  void build(Value blockX, Value blockY, Value threadId, int64_t warps);
  /// Test only: the same computation as host loops.
  void buildHostEmulation(int64_t blocksX, int64_t blocksY, int64_t warps);

private:
  using Lane = FragmentLane;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  VectorType accType() {
    return VectorType::get({2, 2}, plan.fp8 ? Type(b.getF32Type())
                                            : Type(b.getI32Type()));
  }
  Value zeroAcc() {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(accType()));
  }

  /// The lane of thread `threadId` of block (`blockX`, `blockY`): four
  /// codes per register row.
  Lane buildLane(Value blockX, Value blockY, Value threadId, int64_t warps) {
    return buildFragmentLane(b, loc, blockX, blockY, threadId, warps, kTileM,
                             kTileN * kTilesN, /*codesPerRegisterRow=*/4);
  }
  /// `scf.if` the warp's tile starts inside N; inserts into its body.
  void buildTileGuard(const Lane &lane) {
    beginIfBelow(b, loc, lane.n0, plan.n);
  }
  /// Four bytes of a code buffer at `indices`, as i8.
  Value loadQuad(Value buffer, ValueRange indices);
  /// The A registers (vector<4x4xi8>) of the k32 step at `k0`.
  Value buildFragmentA(const Lane &lane, Value k0);
  /// The B registers (vector<2x4xi8>) of n8 tile `tile`.
  Value buildFragmentB(const Lane &lane, Value k0, int64_t tile);
  Value buildMma(Value a, Value bFrag, Value c);
  QuantMatmulEpilogue epilogue() {
    return QuantMatmulEpilogue(b, loc, plan, host, y);
  }

  OpBuilder &b;
  Location loc;
  const MatmulPlan &plan;
  const HostValues &host;
  Value y;
};

} // namespace

Value MmaBuilder::loadQuad(Value buffer, ValueRange indices) {
  auto i8x4 = VectorType::get({4}, b.getI8Type());
  Type stored = cast<MemRefType>(buffer.getType()).getElementType();
  // Four consecutive codes at a multiple of 4 (K % 32 == 0): 4-byte aligned.
  Value quad = vector::LoadOp::create(
      b, loc, VectorType::get({4}, stored), buffer, indices,
      /*nontemporal=*/false, llvm::MaybeAlign(4));
  if (stored != b.getI8Type())
    quad = arith::BitcastOp::create(b, loc, i8x4, quad);
  return quad;
}

Value MmaBuilder::buildFragmentA(const Lane &lane, Value k0) {
  // reg 0: (g, 4t..4t+3)   reg 1: (g+8, 4t..)   reg 2: (g, 4t+16..)
  // reg 3: (g+8, 4t+16..)
  Value kLo = add(k0, lane.kOffset);
  Value kHi = add(kLo, index(16));
  auto aType = VectorType::get({4, 4}, b.getI8Type());
  Value a = arith::ConstantOp::create(b, loc, b.getZeroAttr(aType));
  int64_t reg = 0;
  for (Value k : {kLo, kHi})
    for (Value row : {lane.rowLo, lane.rowHi})
      a = vector::InsertOp::create(
          b, loc, loadQuad(host.lhs, ValueRange{row, k}), a, reg++);
  return a;
}

Value MmaBuilder::buildFragmentB(const Lane &lane, Value k0, int64_t tile) {
  // reg 0: k 4t..4t+3, n g   reg 1: k 4t+16..4t+19, n g; w is [N, K]
  // row-major (flat), so each register is four consecutive codes.
  Value n = add(lane.n0, add(index(kTileN * tile), lane.g));
  Value base = add(mul(n, index(plan.k)), add(k0, lane.kOffset));
  auto bType = VectorType::get({2, 4}, b.getI8Type());
  Value frag = arith::ConstantOp::create(b, loc, b.getZeroAttr(bType));
  frag = vector::InsertOp::create(b, loc, loadQuad(host.rhs, ValueRange{base}),
                                  frag, 0);
  return vector::InsertOp::create(
      b, loc, loadQuad(host.rhs, ValueRange{add(base, index(16))}), frag, 1);
}

Value MmaBuilder::buildMma(Value a, Value bFrag, Value c) {
  return buildQuantMmaSync(b, loc, plan, a, bFrag, c);
}

void MmaBuilder::build(Value blockX, Value blockY, Value threadId,
                       int64_t warps) {
  Lane lane = buildLane(blockX, blockY, threadId, warps);
  buildTileGuard(lane);
  Value zeroY = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(VectorType::get({2, 2}, b.getF32Type())));
  auto blockLoop =
      scf::ForOp::create(b, loc, index(0), index(plan.blocks), index(1),
                         SmallVector<Value>(kTilesN, zeroY));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(blockLoop.getBody());
    Value block = blockLoop.getInductionVar();
    Value start = mul(block, index(plan.blockK));
    SmallVector<Value> inits(kTilesN + (plan.needRowSums ? 1 : 0), zeroAcc());
    auto kLoop = scf::ForOp::create(
        b, loc, start, add(start, index(plan.blockK)), index(kTileK), inits);
    {
      OpBuilder::InsertionGuard kGuard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      Value a = buildFragmentA(lane, k0);
      SmallVector<Value> next;
      for (int64_t j = 0; j < kTilesN; ++j)
        next.push_back(buildMma(a, buildFragmentB(lane, k0, j),
                                kLoop.getRegionIterArgs()[j]));
      if (plan.needRowSums) {
        // A times a B of ones: every column of C holds the row sums of a'.
        Value ones = arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(VectorType::get({2, 4}, b.getI8Type()),
                                   b.getI8IntegerAttr(1)));
        next.push_back(buildMma(a, ones, kLoop.getRegionIterArgs()[kTilesN]));
      }
      scf::YieldOp::create(b, loc, next);
    }
    SmallVector<Value> sums(kLoop.getResults().take_front(kTilesN));
    Value rowSums = plan.needRowSums ? kLoop.getResult(kTilesN) : Value();
    SmallVector<Value> ys(blockLoop.getRegionIterArgs());
    scf::YieldOp::create(
        b, loc, epilogue().buildBlockUpdate(lane, block, sums, rowSums, ys));
  }
  epilogue().buildEpilogue(lane, SmallVector<Value>(blockLoop.getResults()));
}

void MmaBuilder::buildHostEmulation(int64_t blocksX, int64_t blocksY,
                                    int64_t warps) {
  // mma.sync is warp-wide, so: pass 1 scatters every lane's A and B
  // registers into per-warp tiles by the PTX fragment layouts
  // (A[k][m], B[tile][k][n]; codes as i32, FP8 decoded to f32), pass 2
  // multiplies each warp's tiles per weight-scale block (in k order, i32 or
  // f32, and the row sums of A: the ones-mma), pass 3 gathers each lane's C
  // registers by the C layout and runs the block updates and the epilogue.
  Type element = plan.fp8 ? Type(b.getF32Type()) : Type(b.getI32Type());
  int64_t totalWarps = blocksX * blocksY * warps;
  Value aTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({totalWarps, plan.k, kTileM}, element));
  Value bTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({totalWarps, kTilesN, plan.k, kTileN}, element));
  Value cTiles = memref::AllocOp::create(
      b, loc,
      MemRefType::get({totalWarps, plan.blocks, kTilesN, kTileM, kTileN},
                      element));
  Value rTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({totalWarps, plan.blocks, kTileM}, element));
  // FP8 codes to f32 through a 256-entry table (host code only).
  CodeValueTables tables = buildCodeValueTables(b, loc, plan);
  Value table = tables.lhs, rhsTable = tables.rhs;
  auto widen = [&](Value frag, ArrayRef<int64_t> pos, Value decode,
                   StorageFormat format) -> Value {
    return widenCode(b, loc, vector::ExtractOp::create(b, loc, frag, pos),
                     format, decode);
  };
  Value zero = index(0), one = index(1);
  auto threadLoops = [&](int64_t threads) {
    return buildEmulatedThreadLoops(b, loc, zero, one, blocksX, blocksY,
                                    threads, warps);
  };
  {
    // Pass 1: scatter the fragments.
    OpBuilder::InsertionGuard guard(b);
    EmulatedThread thread = threadLoops(warps * kThreadsPerWarp);
    Value warpId = thread.warpId;
    Lane lane = buildLane(thread.blockX, thread.blockY, thread.threadId, warps);
    buildTileGuard(lane);
    auto kLoop = scf::ForOp::create(b, loc, zero, index(plan.k), index(kTileK));
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    scatterFragmentA(b, loc, lane, buildFragmentA(lane, k0), k0, aTiles, warpId,
                     [&](Value frag, ArrayRef<int64_t> pos) {
                       return widen(frag, pos, table, plan.lhsFormat);
                     });
    for (int64_t j = 0; j < kTilesN; ++j)
      scatterFragmentB(b, loc, lane, buildFragmentB(lane, k0, j), j, k0, bTiles,
                       warpId, [&](Value frag, ArrayRef<int64_t> pos) {
                         return widen(frag, pos, rhsTable, plan.rhsFormat);
                       });
  }
  auto addElem = [&](Value x, Value v) -> Value {
    return plan.fp8 ? arith::AddFOp::create(b, loc, x, v).getResult()
                    : arith::AddIOp::create(b, loc, x, v).getResult();
  };
  {
    // Pass 2: per warp and block, C[tile][m][n] = sum_k A[k][m] B[tile][k][n]
    // and R[m] = sum_k A[k][m].
    OpBuilder::InsertionGuard guard(b);
    Value warpId = threadLoops(warps).warpId;
    auto blockLoop = scf::ForOp::create(b, loc, zero, index(plan.blocks), one);
    b.setInsertionPointToStart(blockLoop.getBody());
    Value block = blockLoop.getInductionVar();
    Value start = mul(block, index(plan.blockK));
    Value end = add(start, index(plan.blockK));
    Value zeroElem = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    auto mLoop = scf::ForOp::create(b, loc, zero, index(kTileM), one);
    b.setInsertionPointToStart(mLoop.getBody());
    Value m = mLoop.getInductionVar();
    {
      OpBuilder::InsertionGuard rowGuard(b);
      auto kLoop = scf::ForOp::create(b, loc, start, end, one, zeroElem);
      b.setInsertionPointToStart(kLoop.getBody());
      Value av = memref::LoadOp::create(
          b, loc, aTiles, ValueRange{warpId, kLoop.getInductionVar(), m});
      scf::YieldOp::create(b, loc, addElem(kLoop.getRegionIterArgs()[0], av));
      b.setInsertionPointAfter(kLoop);
      memref::StoreOp::create(b, loc, kLoop.getResult(0), rTiles,
                              ValueRange{warpId, block, m});
    }
    for (int64_t j = 0; j < kTilesN; ++j) {
      OpBuilder::InsertionGuard tileGuard(b);
      auto nLoop = scf::ForOp::create(b, loc, zero, index(kTileN), one);
      b.setInsertionPointToStart(nLoop.getBody());
      Value n = nLoop.getInductionVar();
      Value sum =
          buildEmulatedTileDot(b, loc, aTiles, ValueRange{warpId}, m, bTiles,
                               ValueRange{warpId, index(j)}, n, start, end);
      memref::StoreOp::create(b, loc, sum, cTiles,
                              ValueRange{warpId, block, index(j), m, n});
    }
  }
  // Pass 3: gather the C registers per block, block updates, epilogue.
  OpBuilder::InsertionGuard guard(b);
  EmulatedThread thread = threadLoops(warps * kThreadsPerWarp);
  Value warpId = thread.warpId;
  Lane lane = buildLane(thread.blockX, thread.blockY, thread.threadId, warps);
  buildTileGuard(lane);
  Value g8 = add(lane.g, index(8));
  Value t2 = arith::DivUIOp::create(b, loc, lane.kOffset, index(2));
  Value zeroY = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(VectorType::get({2, 2}, b.getF32Type())));
  auto blockLoop = scf::ForOp::create(b, loc, zero, index(plan.blocks), one,
                                      SmallVector<Value>(kTilesN, zeroY));
  {
    OpBuilder::InsertionGuard blockGuard(b);
    b.setInsertionPointToStart(blockLoop.getBody());
    Value block = blockLoop.getInductionVar();
    SmallVector<Value> sums =
        gatherAccumulators(b, loc, lane, g8, t2, cTiles,
                           ValueRange{warpId, block}, kTilesN, accType());
    Value rowSums;
    if (plan.needRowSums) {
      rowSums = zeroAcc();
      for (int64_t half = 0; half < 2; ++half) {
        Value v = memref::LoadOp::create(
            b, loc, rTiles, ValueRange{warpId, block, half ? g8 : lane.g});
        for (int64_t e = 0; e < 2; ++e)
          rowSums = vector::InsertOp::create(b, loc, v, rowSums,
                                             ArrayRef<int64_t>{half, e});
      }
    }
    SmallVector<Value> ys(blockLoop.getRegionIterArgs());
    scf::YieldOp::create(
        b, loc, epilogue().buildBlockUpdate(lane, block, sums, rowSums, ys));
  }
  epilogue().buildEpilogue(lane, SmallVector<Value>(blockLoop.getResults()));
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

struct GPUQuantMatmulPass
    : public mlir::lowbit::impl::GPUQuantMatmulPassBase<GPUQuantMatmulPass> {
  using GPUQuantMatmulPassBase::GPUQuantMatmulPassBase;

  void runOnOperation() override {
    SmallVector<MatmulOp> ops;
    getOperation().walk([&](MatmulOp op) { ops.push_back(op); });
    for (MatmulOp op : ops)
      rewrite(op);
  }

private:
  void rewrite(MatmulOp op);
};

} // namespace

void GPUQuantMatmulPass::rewrite(MatmulOp op) {
  MatmulPlan plan;
  std::string reason = planMatmul(op, fp8, plan);
  if (!reason.empty()) {
    if (explain)
      op.emitRemark() << "lowbit-gpu-quant-matmul: generic lowering: "
                      << reason;
    return;
  }
  // The staged kernels first, the unstaged one for the rest.
  bool warpgroup = false, staged = false;
  if (warpgroupMma && !hostEmulation) {
    reason = planStagedKernel(op, plan,
                              warpgroupMatmulRejection(plan.m, plan.n, plan.k));
    warpgroup = reason.empty();
    if (!warpgroup && explain)
      op.emitRemark() << "lowbit-gpu-quant-matmul: not the wgmma kernel: "
                      << reason;
  }
  if (!warpgroup && this->staged && !hostEmulation) {
    reason = planStagedKernel(
        op, plan, stagedQuantMatmulRejection(plan.m, plan.n, plan.k));
    staged = reason.empty();
    if (!staged && explain)
      op.emitRemark() << "lowbit-gpu-quant-matmul: not the staged kernel: "
                      << reason;
  }
  OpBuilder b(op);
  Location loc = op.getLoc();
  int64_t m = plan.m, n = plan.n;
  HostValues host;
  host.lhs = toBuffer(b, loc, op.getLhs());
  CodeSource source = getCodeSource(b, loc, op.getRhs());
  // Flat codes for the unstaged kernel, [N, K] rows for the staged ones.
  host.rhs =
      toBuffer(b, loc,
               source.flat           ? source.tensor
               : warpgroup || staged ? op.getRhs()
                                     : flattenTensor(b, loc, op.getRhs()));
  if (op.getBias())
    host.bias = toBuffer(b, loc, op.getBias());
  host.lhsScale =
      materialize(b, loc, op.getLhsScalesAttr(), op.getLhsDynamicScales(), m);
  if (!op.getLhsScheme().getSymmetric())
    host.lhsZeroPoint = materialize(b, loc, op.getLhsZeroPointsAttr(),
                                    op.getLhsDynamicZeroPoints(), m);
  host.rhsScale = materialize(b, loc, op.getRhsScalesAttr(), Value(), n);
  if (!op.getRhsScheme().getSymmetric())
    host.rhsZeroPoint =
        materialize(b, loc, op.getRhsZeroPointsAttr(), Value(), n);
  if (plan.needColSums)
    host.colSums = materialize(b, loc, op.getColSumsAttr(), Value(), n);
  if (plan.requantize) {
    host.resultScale =
        materialize(b, loc, op.getResultScalesAttr(), Value(), n);
    if (plan.resultAffine)
      host.resultZeroPoint =
          materialize(b, loc, op.getResultZeroPointsAttr(), Value(), n);
  }
  Value y = memref::AllocOp::create(
      b, loc, MemRefType::get({plan.m, plan.n}, plan.result));

  if (warpgroup || staged) {
    // The staged kernels read the weights as [N, K] rows.
    Value rhs = host.rhs;
    auto flat = cast<MemRefType>(rhs.getType());
    auto rows = MemRefType::get({plan.n, plan.k}, flat.getElementType());
    if (flat.getRank() == 1)
      rhs = memref::ExpandShapeOp::create(
          b, loc, rows, rhs, ArrayRef<ReassociationIndices>{{0, 1}});
    auto value = [](const Param &param) {
      return param.scalar ? param.scalar : param.buffer;
    };
    StagedMatmulOp::create(
        b, loc, host.lhs, rhs, y, value(host.lhsScale),
        value(host.lhsZeroPoint), value(host.rhsScale), value(host.colSums),
        host.bias, value(host.resultScale), value(host.resultZeroPoint),
        op.getLhsScheme(), op.getRhsScheme(), op.getResultSchemeAttr(),
        warpgroup ? b.getUnitAttr() : UnitAttr());
    replaceWithResultBuffer(b, loc, op, y);
    return;
  }

  int64_t warps = std::max<int64_t>(1, warpsPerBlock);
  int64_t blocksX = (plan.n / (kTileN * kTilesN) + warps - 1) / warps;
  int64_t blocksY = plan.m / kTileM;
  if (hostEmulation) {
    MmaBuilder(b, loc, plan, host, y)
        .buildHostEmulation(blocksX, blocksY, warps);
  } else {
    buildLaunch(b, loc, {blocksX, blocksY}, warps * kThreadsPerWarp,
                [&](gpu::LaunchOp launch) {
                  MmaBuilder(b, loc, plan, host, y)
                      .build(launch.getBlockIds().x, launch.getBlockIds().y,
                             launch.getThreadIds().x, warps);
                });
  }
  replaceWithResultBuffer(b, loc, op, y);
}
