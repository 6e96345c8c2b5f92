//===- DequantGemv.cpp - GPU kernels for lowbit.dequant_matmul ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// lowbit.dequant_matmul with few activation rows (M <= max-m) is a GEMV:
// its time is the time to read the weight once. This pass replaces it, on
// tensors, by one gpu.launch that reads each weight byte exactly once:
//
//   %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 128,
//          axis = 1, scale = f16> scales(...) bias(%b)
//          : tensor<MxKxf16>, tensor<NxKxi4> -> tensor<MxNxf16>
//
// becomes
//
//   %xb = bufferization.to_buffer %x read_only    (likewise weight bytes,
//   %yb = memref.alloc() : memref<MxNxf16>         scales, bias)
//   gpu.launch blocks(ceil(N / W), 1, 1) threads(32 W, 1, 1) {
//     n = block * W + warp                         // one warp per weight row
//     scf.if n < N {
//       acc[0..M) = scf.for byte = 16 lane to K/2 step 512 {
//         q = vector.load %wb[n K/2 + byte] {alignment = 16} : vector<16xi8>
//         codes = vector.interleave (q & 15), (q >> 4)  // 32 x i32, in regs
//         w = sitofp((codes ^ 8) - 8)                   // or table / fp8
//         s = scale[n, 2 byte / G]
//         acc[m] += s * vector.reduction<add>(x[m, 2 byte ..+32] * w)
//       }
//       acc[m] = warp butterfly sum (gpu.shuffle xor 16, 8, 4, 2, 1)
//       lane 0: y[m, n] = trunc(acc[m] (* channel scale) + bias[n])
//     }
//   }
//   %y = bufferization.to_tensor %yb restrict writable
//
// Loads are coalesced: the 32 lanes of a warp read 512 consecutive bytes of
// the row per step, 16 bytes each. The scale (group-wise or per row) and
// the bias are applied in registers; nothing but y is written.
//
// Above max-m (tensor-cores=true), f16 activations with M % 16, N % 32 and
// K % 16 == 0 get a tensor-core kernel instead:
//
//   gpu.launch blocks(ceil(N / 32 W), M / 16, 1) threads(32 W, 1, 1) {
//     m0 = 16 block.y, n0 = 32 (block.x W + warp)  // a 16 x 32 tile per warp
//     scf.if n0 < N {
//       acc[0..4) = scf.for k0 = 0 to K step 16 {
//         a = x fragment (vector<4x2xf16>, rows m0 + g (+8), cols k0 + 2t (+8))
//         b[j] = dequantized w fragment (vector<2x2xf16>, row n0 + 8j + g,
//                codes k0 + 2t (+8), times their group scale, in registers)
//         acc[j] = nvgpu.mma.sync(a, b[j], acc[j]) {mmaShape = [16, 8, 16]}
//       }
//       y[m, n] = trunc(acc (* channel scale) + bias)  // the C registers
//     }
//   }
//
// with g = lane / 4, t = lane % 4 (the m16n8k16 fragment layouts). Operands
// go from global memory straight into registers: no shared-memory staging
// (its barriers cannot be built before bufferization, see
// docs/passes/lower-to-nvvm.md).
//
// Applies to: static [M, K] x [N, K] operands, f16/bf16/f32 activations
// (f16 for tensor cores), 4-bit weights stored as constants (i4, u4, nf4,
// f4E2M1FN; packed blobs are read as they are, dense constants are packed
// here) or 8-bit weights (i8, u8, f8E4M3FN, f8E5M2; constants or
// arguments), scales per tensor, per output row or group-wise along K,
// optional integer zero-points. For the GEMV, K must be a multiple of the
// codes in 16 bytes (32 or 16) and so must the group size; for tensor
// cores, of 16. Anything else is left to the generic lowering.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "../LowbitToLinalg/CodeDecoding.h"
#include "KernelBuilding.h"
#include "StagedMma.h"
#include "WeightDecoding.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUGEMVPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The tensor-core tile: four mma.sync n8 tiles per warp.
constexpr int64_t kMmaTilesN = 4;
/// Bytes of weight one lane loads per step.
constexpr int64_t kChunkBytes = 16;

/// Everything the kernel builder needs, checked by `plan`.
struct GemvPlan {
  int64_t m = 0, n = 0, k = 0;
  unsigned bits = 0;
  SchemeAttr scheme;
  Type activation;
  /// Codes per group along K (0: per row or per tensor).
  int64_t groupSize = 0;
  /// M is above max-m: the tensor-core strategy instead of the GEMV.
  bool mma = false;
  /// The staged tensor-core kernel (StagedMma.cpp) rather than the
  /// unstaged one.
  bool staged = false;
  /// Why the staged kernel was not taken (mma only), for explain.
  std::string notStaged;
};

/// Ops built outside the kernel.
struct HostValues {
  Value x, codes, bias;
  KernelParam scale, zeroPoint;
};

/// Why a dequant_matmul keeps the generic lowering, or "" when it applies.
std::string plan(DequantMatmulOp op, int64_t maxM, bool allowMma,
                 bool allowStaged, GemvPlan &out) {
  RankedTensorType xType = op.getInput().getType();
  RankedTensorType wType = op.getWeight().getType();
  if (xType.getRank() != 2 || wType.getRank() != 2 || !xType.hasStaticShape() ||
      !wType.hasStaticShape())
    return "needs static rank-2 operands";
  out.m = xType.getDimSize(0);
  out.k = xType.getDimSize(1);
  out.n = wType.getDimSize(0);
  out.activation = xType.getElementType();
  if (out.m > maxM) {
    // The tensor-core strategy: m16n8k16 f16 tiles, 16 x 32 per warp.
    if (!allowMma)
      return "M is above max-m";
    // The staged kernel when the shape allows it, else the unstaged one.
    out.notStaged = allowStaged
                        ? stagedMmaRejection(out.m, out.n, out.k,
                                             out.activation, op.getScheme())
                        : "staged=false";
    out.staged = out.notStaged.empty();
    if (!out.activation.isF16() && !out.staged)
      return "the unstaged tensor-core kernel needs f16 activations (" +
             out.notStaged + ")";
    if (out.m % kMmaM || out.n % (kMmaN * kMmaTilesN) || out.k % kMmaK)
      return "the tensor-core strategy needs M % 16, N % 32, K % 16 == 0";
    out.mma = true;
  }
  if (!out.activation.isF16() && !out.activation.isBF16() &&
      !out.activation.isF32())
    return "needs f16, bf16 or f32 activations";
  out.scheme = op.getScheme();
  if (op.getScaleBlockScalesAttr())
    return "double-quantized scales are not supported";
  out.bits = codeBits(out.scheme);
  // The K granularity of one step: a 16-byte chunk (GEMV) or a k16 tile.
  int64_t chunkCodes = out.mma ? kMmaK : kChunkBytes * (8 / out.bits);
  if (out.k % chunkCodes)
    return "K is not a multiple of " + std::to_string(chunkCodes);
  switch (out.scheme.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (out.scheme.getAxis() != 0)
      return "per-axis scales must be per output row";
    break;
  case Granularity::Group:
    if (out.scheme.getAxis() != 1)
      return "group-wise scales must be along K";
    out.groupSize = out.scheme.getGroupSize();
    if (out.groupSize % chunkCodes)
      return "the group size is not a multiple of " +
             std::to_string(chunkCodes);
    break;
  }
  if (!isa<ElementsAttr, FloatAttr>(op.getScalesAttr()))
    return "needs static scales";
  if (op.getBias() && (op.getBias().getType().getRank() != 1))
    return "needs a rank-1 bias";
  return "";
}

/// The weight bytes as a flat i8 tensor, or null when they cannot be read
/// that way (4-bit codes that are not a packed constant).
Value flatCodes(OpBuilder &b, Location loc, const GemvPlan &plan,
                Value weight) {
  CodeSource source = getCodeSource(b, loc, weight);
  if (source.flat)
    return source.tensor;
  if (plan.bits == 4) {
    // A dense (not resource) 4-bit constant is packed here, two codes per
    // byte, low nibble first, as the packed blobs are.
    DenseElementsAttr dense;
    if (!matchPattern(weight, m_Constant(&dense)))
      return {};
    auto nibble = [](Attribute attr) -> uint8_t {
      if (auto i = dyn_cast<IntegerAttr>(attr))
        return i.getValue().getZExtValue() & 15;
      return cast<FloatAttr>(attr).getValue().bitcastToAPInt().getZExtValue() &
             15;
    };
    int64_t count = dense.getNumElements();
    auto bytesType = RankedTensorType::get({(count + 1) / 2}, b.getI8Type());
    DenseElementsAttr bytes;
    if (dense.isSplat()) {
      uint8_t code = nibble(dense.getSplatValue<Attribute>());
      bytes = DenseElementsAttr::get(
          bytesType, b.getI8IntegerAttr(int8_t(code | code << 4)));
    } else {
      std::vector<int8_t> packed((count + 1) / 2, 0);
      int64_t i = 0;
      for (Attribute attr : dense.getValues<Attribute>()) {
        packed[i / 2] |= int8_t(nibble(attr) << (4 * (i % 2)));
        ++i;
      }
      bytes = DenseElementsAttr::get(bytesType, ArrayRef<int8_t>(packed));
    }
    return arith::ConstantOp::create(b, loc, bytesType, bytes);
  }
  // 8-bit codes of a float type stay that type in memory; the kernel
  // bitcasts the loaded vector to bytes.
  return flattenTensor(b, loc, weight);
}

//===----------------------------------------------------------------------===//
// Kernel body
//===----------------------------------------------------------------------===//

/// Builds the body of one GEMV launch.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const GemvPlan &plan,
                const HostValues &host, Value y)
      : b(b), loc(loc), plan(plan), host(host), y(y) {}

  /// Builds the kernel body of thread `threadId` of block `blockId`.
  void build(Value blockId, Value threadId, int64_t warpsPerBlock);
  /// Test only: the same computation as host loops (see host-emulation).
  void buildHostEmulation(int64_t numBlocks, int64_t warpsPerBlock);
  /// The tensor-core kernel body of thread `threadId` of block
  /// (`blockX`, `blockY`): warp tile rows [16 blockY, +16), columns
  /// [32 (blockX warps + warp), +32).
  void buildMma(Value blockX, Value blockY, Value threadId,
                int64_t warpsPerBlock);
  /// Test only: the tensor-core computation as host loops.
  void buildMmaHostEmulation(int64_t blocksX, int64_t blocksY,
                             int64_t warpsPerBlock);

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value toF32(Value v) { return mlir::lowbit::toF32(b, loc, v); }
  /// The weight row of warp `warp` of block `blockId`.
  Value buildRow(Value blockId, Value warp, int64_t warpsPerBlock);
  /// The weight row and the lane of thread `threadId` of block `blockId`;
  /// moves the insertion point into an `scf.if` that the row is inside N.
  std::pair<Value, Value> buildGuardedRow(Value blockId, Value threadId,
                                          int64_t warpsPerBlock);
  /// Where weight row `row`'s scale and zero-point for the code at `k`
  /// are: `row`, or row * groups + k / groupSize when they are group-wise.
  Value buildParamIndex(Value row, Value k);
  /// One lane's f32 sums (one per activation row) over its 16-byte chunks
  /// of weight row `row`: chunks lane, lane + 32, ...
  SmallVector<Value> buildPartialSums(Value row, Value lane);
  /// Row scale, bias, cast and store of the full sums of `row`.
  void buildEpilogue(Value row, ArrayRef<Value> sums);
  /// Weight row `n`, codes [k, k + 2) (k even) dequantized (times their
  /// group scale) to a vector<2xf16> B-fragment register.
  Value buildWeightPair(Value n, Value k);
  /// Where one lane of the tensor-core kernel works (kOffset = 2t: also
  /// the lane's first column in the C registers).
  using MmaLane = FragmentLane;
  MmaLane buildMmaLane(Value blockX, Value blockY, Value threadId,
                       int64_t warpsPerBlock) {
    return buildFragmentLane(b, loc, blockX, blockY, threadId, warpsPerBlock,
                             kMmaM, kMmaN * kMmaTilesN,
                             /*codesPerRegisterRow=*/2);
  }
  /// `scf.if` the warp's tile starts inside N; inserts into its body.
  void buildTileGuard(const MmaLane &lane) {
    beginIfBelow(b, loc, lane.n0, plan.n);
  }
  /// The A registers (x) and the B registers of n8 tile `tile` (w) of the
  /// k16 step at `k0`.
  Value buildFragmentA(const MmaLane &lane, Value k0);
  Value buildFragmentB(const MmaLane &lane, Value k0, int64_t tile);
  /// Row scale, bias, cast and store of the lane's C registers.
  void buildMmaEpilogue(const MmaLane &lane, ArrayRef<Value> accumulators);
  /// Reads a parameter at `flat` (an index), as f32 or i32.
  Value readParam(const KernelParam &param, Value flat, bool integer) {
    return readKernelParam(b, loc, param, flat, integer);
  }
  /// The codes in `bytes` (a vector of i8) as i32 lanes.
  Value decodeCodes(Value bytes) {
    return WeightDecoder(b, loc, plan.scheme).decodeCodes(bytes);
  }
  /// The unscaled real values of `codes` (vector of i32).
  Value decodeValues(Value codes, Value zeroPoint) {
    return WeightDecoder(b, loc, plan.scheme).decodeValues(codes, zeroPoint);
  }

  OpBuilder &b;
  Location loc;
  const GemvPlan &plan;
  const HostValues &host;
  Value y;
};

} // namespace

Value KernelBuilder::buildParamIndex(Value row, Value k) {
  if (plan.groupSize == 0)
    return row;
  return arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, row, index(plan.k / plan.groupSize)),
      arith::DivUIOp::create(b, loc, k, index(plan.groupSize)));
}

SmallVector<Value> KernelBuilder::buildPartialSums(Value row, Value lane) {
  Type f32 = b.getF32Type();
  int64_t codesPerByte = 8 / plan.bits;
  int64_t chunkCodes = kChunkBytes * codesPerByte;
  int64_t rowBytes = plan.k / codesPerByte;
  bool grouped = plan.groupSize > 0;
  bool affine = !plan.scheme.getSymmetric();

  Value rowBase = arith::MulIOp::create(b, loc, row, index(rowBytes));
  Value start = arith::MulIOp::create(b, loc, lane, index(kChunkBytes));
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<Value> inits(plan.m, zeroF);
  auto loop = scf::ForOp::create(b, loc, start, index(rowBytes),
                                 index(kThreadsPerWarp * kChunkBytes), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value byte = loop.getInductionVar();
    Type stored = cast<MemRefType>(host.codes.getType()).getElementType();
    auto bytesType = VectorType::get({kChunkBytes}, b.getI8Type());
    Value bytes = vector::LoadOp::create(
        b, loc, VectorType::get({kChunkBytes}, stored), host.codes,
        ValueRange{arith::AddIOp::create(b, loc, rowBase, byte)},
        /*nontemporal=*/false, llvm::MaybeAlign(kChunkBytes));
    if (stored != b.getI8Type())
      bytes = arith::BitcastOp::create(b, loc, bytesType, bytes);
    Value k0 = arith::MulIOp::create(b, loc, byte, index(codesPerByte));

    // This chunk's group: its scale and zero-point.
    Value paramIndex = buildParamIndex(row, k0);
    Value zeroPoint;
    if (affine)
      zeroPoint = readParam(host.zeroPoint, paramIndex, /*integer=*/true);
    Value values = decodeValues(decodeCodes(bytes), zeroPoint);
    Value scale;
    if (grouped)
      scale = readParam(host.scale, paramIndex, /*integer=*/false);

    auto xType = VectorType::get({chunkCodes}, plan.activation);
    SmallVector<Value> next;
    for (int64_t m = 0; m < plan.m; ++m) {
      Value x = vector::LoadOp::create(
          b, loc, xType, host.x, ValueRange{index(m), k0},
          /*nontemporal=*/false, llvm::MaybeAlign(kChunkBytes));
      if (!plan.activation.isF32())
        x = arith::ExtFOp::create(b, loc, VectorType::get({chunkCodes}, f32),
                                  x);
      Value products = arith::MulFOp::create(b, loc, x, values);
      Value dot = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, products, Value(),
          arith::FastMathFlags::reassoc);
      if (scale)
        dot = arith::MulFOp::create(b, loc, dot, scale);
      next.push_back(
          arith::AddFOp::create(b, loc, loop.getRegionIterArgs()[m], dot));
    }
    scf::YieldOp::create(b, loc, next);
  }

  return SmallVector<Value>(loop.getResults());
}

void KernelBuilder::buildEpilogue(Value row, ArrayRef<Value> sums) {
  bool grouped = plan.groupSize > 0;
  Value scale;
  if (!grouped)
    scale = readParam(host.scale, row, /*integer=*/false);
  Value bias;
  if (host.bias)
    bias = toF32(memref::LoadOp::create(b, loc, host.bias, row));
  for (int64_t m = 0; m < plan.m; ++m) {
    Value result = sums[m];
    if (scale)
      result = arith::MulFOp::create(b, loc, result, scale);
    if (bias)
      result = arith::AddFOp::create(b, loc, result, bias);
    if (!plan.activation.isF32())
      result = arith::TruncFOp::create(b, loc, plan.activation, result);
    memref::StoreOp::create(b, loc, result, y, ValueRange{index(m), row});
  }
}

Value KernelBuilder::buildRow(Value blockId, Value warp,
                              int64_t warpsPerBlock) {
  return arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, blockId, index(warpsPerBlock)),
      warp);
}

std::pair<Value, Value> KernelBuilder::buildGuardedRow(Value blockId,
                                                       Value threadId,
                                                       int64_t warpsPerBlock) {
  Value warp = arith::DivUIOp::create(b, loc, threadId, index(kThreadsPerWarp));
  Value lane = arith::RemUIOp::create(b, loc, threadId, index(kThreadsPerWarp));
  Value row = buildRow(blockId, warp, warpsPerBlock);
  beginIfBelow(b, loc, row, plan.n);
  return {row, lane};
}

void KernelBuilder::build(Value blockId, Value threadId,
                          int64_t warpsPerBlock) {
  auto [row, lane] = buildGuardedRow(blockId, threadId, warpsPerBlock);
  SmallVector<Value> sums = buildPartialSums(row, lane);

  // Butterfly: after the xor steps every lane holds the row's full sum.
  for (Value &sum : sums)
    for (int32_t offset = kThreadsPerWarp / 2; offset > 0; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(
          b, loc, sum, offset, kThreadsPerWarp, gpu::ShuffleMode::XOR);
      sum = arith::AddFOp::create(b, loc, sum, shuffle.getShuffleResult());
    }

  // Epilogue in lane 0.
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, index(0));
  auto ifFirst = scf::IfOp::create(b, loc, isFirst, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifFirst.getThenRegion().front());
  buildEpilogue(row, sums);
}

void KernelBuilder::buildHostEmulation(int64_t numBlocks,
                                       int64_t warpsPerBlock) {
  // Pass 1: every lane of every warp, in turn, computes its partial sums
  // and leaves them in scratch[block][warp][lane][m]. Pass 2: per warp, the
  // lanes' sums are added (what the butterfly computes) and the epilogue
  // runs.
  Type f32 = b.getF32Type();
  int64_t lanes = numBlocks * warpsPerBlock * kThreadsPerWarp;
  Value scratch =
      memref::AllocOp::create(b, loc, MemRefType::get({lanes * plan.m}, f32));
  Value zero = index(0), one = index(1);
  // The first of thread `tid`'s plan.m partial sums in block `block`.
  auto scratchSlot = [&](Value block, Value tid) -> Value {
    return arith::MulIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, block,
                                  index(warpsPerBlock * kThreadsPerWarp)),
            tid),
        index(plan.m));
  };
  {
    OpBuilder::InsertionGuard guard(b);
    auto blocks = scf::ForOp::create(b, loc, zero, index(numBlocks), one);
    b.setInsertionPointToStart(blocks.getBody());
    auto threads = scf::ForOp::create(
        b, loc, zero, index(warpsPerBlock * kThreadsPerWarp), one);
    b.setInsertionPointToStart(threads.getBody());
    Value tid = threads.getInductionVar();
    auto [row, lane] =
        buildGuardedRow(blocks.getInductionVar(), tid, warpsPerBlock);
    SmallVector<Value> sums = buildPartialSums(row, lane);
    Value slot = scratchSlot(blocks.getInductionVar(), tid);
    for (int64_t m = 0; m < plan.m; ++m)
      memref::StoreOp::create(
          b, loc, sums[m], scratch,
          ValueRange{arith::AddIOp::create(b, loc, slot, index(m))});
  }
  OpBuilder::InsertionGuard guard(b);
  auto blocks = scf::ForOp::create(b, loc, zero, index(numBlocks), one);
  b.setInsertionPointToStart(blocks.getBody());
  auto warps = scf::ForOp::create(b, loc, zero, index(warpsPerBlock), one);
  b.setInsertionPointToStart(warps.getBody());
  Value warp = warps.getInductionVar();
  Value row = buildRow(blocks.getInductionVar(), warp, warpsPerBlock);
  beginIfBelow(b, loc, row, plan.n);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  auto laneLoop = scf::ForOp::create(b, loc, zero, index(kThreadsPerWarp), one,
                                     SmallVector<Value>(plan.m, zeroF));
  {
    OpBuilder::InsertionGuard laneGuard(b);
    b.setInsertionPointToStart(laneLoop.getBody());
    Value tid = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, warp, index(kThreadsPerWarp)),
        laneLoop.getInductionVar());
    Value slot = scratchSlot(blocks.getInductionVar(), tid);
    SmallVector<Value> next;
    for (int64_t m = 0; m < plan.m; ++m) {
      Value partial = memref::LoadOp::create(
          b, loc, scratch,
          ValueRange{arith::AddIOp::create(b, loc, slot, index(m))});
      next.push_back(arith::AddFOp::create(
          b, loc, laneLoop.getRegionIterArgs()[m], partial));
    }
    scf::YieldOp::create(b, loc, next);
  }
  buildEpilogue(row, SmallVector<Value>(laneLoop.getResults()));
}

//===----------------------------------------------------------------------===//
// Tensor-core kernel
//===----------------------------------------------------------------------===//
//
// One warp computes a 16 x 32 tile of y as four m16n8k16 products per k16
// step, operands read from global memory straight into the fragment
// registers (no shared-memory staging yet), weights dequantized in
// registers. PTX fragment layouts, with g = lane / 4 and t = lane % 4:
//
//   A (16 x 16, x):  reg 0: (g, 2t..2t+1)      reg 1: (g + 8, 2t..2t+1)
//                    reg 2: (g, 2t+8..2t+9)    reg 3: (g + 8, 2t+8..2t+9)
//   B (16 x 8, w^T): reg 0: k 2t..2t+1, n g    reg 1: k 2t+8..2t+9, n g
//   C (16 x 8, f32): [0][0..1]: (g, 2t..2t+1)  [1][0..1]: (g + 8, 2t..2t+1)
//

Value KernelBuilder::buildWeightPair(Value n, Value k) {
  // Flat code index n K + k is even: for 4-bit codes one byte holds the
  // pair (low nibble first), for 8-bit codes two bytes do.
  Value flat = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, n, index(plan.k)), k);
  Type stored = cast<MemRefType>(host.codes.getType()).getElementType();
  int64_t bytes = plan.bits == 4 ? 1 : 2;
  Value offset =
      plan.bits == 4 ? arith::DivUIOp::create(b, loc, flat, index(2)) : flat;
  Value raw = vector::LoadOp::create(
      b, loc, VectorType::get({bytes}, stored), host.codes, ValueRange{offset},
      /*nontemporal=*/false, llvm::MaybeAlign(bytes));
  if (stored != b.getI8Type())
    raw = arith::BitcastOp::create(
        b, loc, VectorType::get({bytes}, b.getI8Type()), raw);
  bool grouped = plan.groupSize > 0;
  Value paramIndex = buildParamIndex(n, k);
  Value zeroPoint;
  if (!plan.scheme.getSymmetric())
    zeroPoint = readParam(host.zeroPoint, paramIndex, /*integer=*/true);
  Value values = decodeValues(decodeCodes(raw), zeroPoint);
  if (grouped) {
    Value scale = readParam(host.scale, paramIndex, /*integer=*/false);
    values = arith::MulFOp::create(
        b, loc, values,
        vector::BroadcastOp::create(b, loc, values.getType(), scale));
  }
  return arith::TruncFOp::create(b, loc, VectorType::get({2}, b.getF16Type()),
                                 values);
}

Value KernelBuilder::buildFragmentA(const MmaLane &lane, Value k0) {
  auto f16x2 = VectorType::get({2}, b.getF16Type());
  auto aType = VectorType::get({4, 2}, b.getF16Type());
  Value kLo = arith::AddIOp::create(b, loc, k0, lane.kOffset);
  Value kHi = arith::AddIOp::create(b, loc, kLo, index(8));
  Value a = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(aType, b.getF16FloatAttr(0)));
  int64_t reg = 0;
  for (Value k : {kLo, kHi})
    for (Value row : {lane.rowLo, lane.rowHi}) {
      // k is even and K a multiple of 16: 4-byte aligned.
      Value pair =
          vector::LoadOp::create(b, loc, f16x2, host.x, ValueRange{row, k},
                                 /*nontemporal=*/false, llvm::MaybeAlign(4));
      a = vector::InsertOp::create(b, loc, pair, a, reg++);
    }
  return a;
}

Value KernelBuilder::buildFragmentB(const MmaLane &lane, Value k0,
                                    int64_t tile) {
  auto bType = VectorType::get({2, 2}, b.getF16Type());
  Value kLo = arith::AddIOp::create(b, loc, k0, lane.kOffset);
  Value kHi = arith::AddIOp::create(b, loc, kLo, index(8));
  Value n = arith::AddIOp::create(
      b, loc, lane.n0,
      arith::AddIOp::create(b, loc, index(kMmaN * tile), lane.g));
  Value w = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(bType, b.getF16FloatAttr(0)));
  w = vector::InsertOp::create(b, loc, buildWeightPair(n, kLo), w, 0);
  return vector::InsertOp::create(b, loc, buildWeightPair(n, kHi), w, 1);
}

void KernelBuilder::buildMmaEpilogue(const MmaLane &lane,
                                     ArrayRef<Value> accumulators) {
  // Each lane owns two rows x two columns of every n8 tile.
  bool grouped = plan.groupSize > 0;
  for (int64_t j = 0; j < kMmaTilesN; ++j)
    storeAccumulatorTile(
        b, loc, accumulators[j], lane.rowLo, lane.rowHi,
        arith::AddIOp::create(
            b, loc, lane.n0,
            arith::AddIOp::create(b, loc, index(kMmaN * j), lane.kOffset)),
        grouped ? nullptr : &host.scale, host.bias, y);
}

void KernelBuilder::buildMma(Value blockX, Value blockY, Value threadId,
                             int64_t warpsPerBlock) {
  auto cType = VectorType::get({2, 2}, b.getF32Type());
  MmaLane lane = buildMmaLane(blockX, blockY, threadId, warpsPerBlock);
  buildTileGuard(lane);
  Value zeroC = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(cType, b.getF32FloatAttr(0)));
  SmallVector<Value> inits(kMmaTilesN, zeroC);
  auto loop =
      scf::ForOp::create(b, loc, index(0), index(plan.k), index(kMmaK), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = loop.getInductionVar();
    Value a = buildFragmentA(lane, k0);
    SmallVector<Value> next;
    for (int64_t j = 0; j < kMmaTilesN; ++j)
      next.push_back(nvgpu::MmaSyncOp::create(
          b, loc, a, buildFragmentB(lane, k0, j), loop.getRegionIterArgs()[j],
          ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK}));
    scf::YieldOp::create(b, loc, next);
  }
  buildMmaEpilogue(lane, SmallVector<Value>(loop.getResults()));
}

void KernelBuilder::buildMmaHostEmulation(int64_t blocksX, int64_t blocksY,
                                          int64_t warpsPerBlock) {
  // The warp-wide mma.sync cannot run lane by lane, so: pass 1 scatters
  // every lane's A and B fragment registers into per-warp f32 tiles by the
  // PTX fragment layout (A[k][m], B[tile][k][n]), pass 2 multiplies the
  // tiles of each warp, pass 3 gathers each lane's C registers by the C
  // layout and runs the epilogue.
  Type f32 = b.getF32Type();
  int64_t warps = blocksX * blocksY * warpsPerBlock;
  int64_t kTiles = plan.k;
  Value aTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({warps, kTiles, kMmaM}, f32));
  Value bTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({warps, kMmaTilesN, kTiles, kMmaN}, f32));
  Value cTiles = memref::AllocOp::create(
      b, loc, MemRefType::get({warps, kMmaTilesN, kMmaM, kMmaN}, f32));
  Value zero = index(0), one = index(1);
  auto threadLoops = [&](int64_t threads) {
    return buildEmulatedThreadLoops(b, loc, zero, one, blocksX, blocksY,
                                    threads, warpsPerBlock);
  };
  auto extract = [&](Value v, ArrayRef<int64_t> pos) -> Value {
    Value e = vector::ExtractOp::create(b, loc, v, pos);
    return arith::ExtFOp::create(b, loc, f32, e);
  };
  {
    // Pass 1: scatter the fragments.
    OpBuilder::InsertionGuard guard(b);
    EmulatedThread thread = threadLoops(warpsPerBlock * kThreadsPerWarp);
    Value warpId = thread.warpId;
    MmaLane lane = buildMmaLane(thread.blockX, thread.blockY, thread.threadId,
                                warpsPerBlock);
    buildTileGuard(lane);
    auto kLoop = scf::ForOp::create(b, loc, zero, index(plan.k), index(kMmaK));
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    scatterFragmentA(b, loc, lane, buildFragmentA(lane, k0), k0, aTiles, warpId,
                     extract);
    for (int64_t j = 0; j < kMmaTilesN; ++j)
      scatterFragmentB(b, loc, lane, buildFragmentB(lane, k0, j), j, k0, bTiles,
                       warpId, extract);
  }
  {
    // Pass 2: C[tile][m][n] = sum_k A[k][m] B[tile][k][n], per warp.
    OpBuilder::InsertionGuard guard(b);
    Value warpId = threadLoops(warpsPerBlock).warpId;
    for (int64_t j = 0; j < kMmaTilesN; ++j) {
      OpBuilder::InsertionGuard tileGuard(b);
      auto mLoop = scf::ForOp::create(b, loc, zero, index(kMmaM), one);
      b.setInsertionPointToStart(mLoop.getBody());
      auto nLoop = scf::ForOp::create(b, loc, zero, index(kMmaN), one);
      b.setInsertionPointToStart(nLoop.getBody());
      Value sum = buildEmulatedTileDot(
          b, loc, aTiles, ValueRange{warpId}, mLoop.getInductionVar(), bTiles,
          ValueRange{warpId, index(j)}, nLoop.getInductionVar(), zero,
          index(plan.k));
      memref::StoreOp::create(b, loc, sum, cTiles,
                              ValueRange{warpId, index(j),
                                         mLoop.getInductionVar(),
                                         nLoop.getInductionVar()});
    }
  }
  // Pass 3: gather the C registers, epilogue.
  OpBuilder::InsertionGuard guard(b);
  EmulatedThread thread = threadLoops(warpsPerBlock * kThreadsPerWarp);
  Value warpId = thread.warpId;
  MmaLane lane = buildMmaLane(thread.blockX, thread.blockY, thread.threadId,
                              warpsPerBlock);
  buildTileGuard(lane);
  Value g8 = arith::AddIOp::create(b, loc, lane.g, index(8));
  buildMmaEpilogue(lane,
                   gatherAccumulators(b, loc, lane, g8, lane.kOffset, cTiles,
                                      ValueRange{warpId}, kMmaTilesN,
                                      VectorType::get({2, 2}, f32)));
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

struct GPUGemvPass : public mlir::lowbit::impl::GPUGemvPassBase<GPUGemvPass> {
  using GPUGemvPassBase::GPUGemvPassBase;

  void runOnOperation() override {
    SmallVector<DequantMatmulOp> ops;
    getOperation().walk([&](DequantMatmulOp op) { ops.push_back(op); });
    for (DequantMatmulOp op : ops)
      rewrite(op);
  }

private:
  void rewrite(DequantMatmulOp op);
};

} // namespace

void GPUGemvPass::rewrite(DequantMatmulOp op) {
  GemvPlan plan;
  auto leave = [&](const Twine &why) {
    if (explain)
      op.emitRemark() << "left to the generic lowering: " << why;
  };
  std::string why = ::plan(op, maxM, tensorCores, staged, plan);
  if (!why.empty())
    return leave(why);
  if (!plan.scheme.getSymmetric() && !op.getZeroPointsAttr())
    return leave("affine weights without zero-points");
  OpBuilder b(op);
  Location loc = op.getLoc();
  HostValues host;
  Value codes = flatCodes(b, loc, plan, op.getWeight());
  if (!codes)
    return leave("4-bit codes that are not a constant");
  if (plan.mma && !plan.staged && explain)
    op.emitRemark() << "unstaged tensor-core kernel: " << plan.notStaged;
  host.codes = toBuffer(b, loc, codes);
  host.x = toBuffer(b, loc, op.getInput());
  if (op.getBias())
    host.bias = toBuffer(b, loc, op.getBias());
  host.scale = materializeConstantParam(b, loc, op.getScalesAttr());
  if (!plan.scheme.getSymmetric())
    host.zeroPoint = materializeConstantParam(b, loc, op.getZeroPointsAttr());
  auto yType = MemRefType::get({plan.m, plan.n}, plan.activation);
  Value y = memref::AllocOp::create(b, loc, yType);

  int64_t warps = std::max<int64_t>(1, warpsPerBlock);
  int64_t numBlocks = (plan.n + warps - 1) / warps;
  int64_t mmaBlocksX = (plan.n / (kMmaN * kMmaTilesN) + warps - 1) / warps;
  if (plan.staged) {
    // The staged kernel's barriers cannot cross buffer deallocation: on
    // the GPU, lowbit-gpu-staged-mma builds it later from this op.
    StagedMmaOperands operands{host.x,     host.codes, y,
                               host.bias,  host.scale, host.zeroPoint,
                               plan.scheme};
    auto asValue = [](const KernelParam &p) {
      return p.scalar ? p.scalar : p.buffer;
    };
    if (hostEmulation)
      buildStagedMmaHostEmulation(b, loc, operands);
    else
      StagedDequantMatmulOp::create(
          b, loc, host.x, host.codes, y, asValue(host.scale),
          asValue(host.zeroPoint), host.bias, plan.scheme);
  } else if (plan.mma && hostEmulation) {
    KernelBuilder(b, loc, plan, host, y)
        .buildMmaHostEmulation(mmaBlocksX, plan.m / kMmaM, warps);
  } else if (plan.mma) {
    // Grid: warpsPerBlock warp tiles of 16 x 32 along N per block, one
    // block row per 16 rows of M.
    buildLaunch(b, loc, {mmaBlocksX, plan.m / kMmaM}, warps * kThreadsPerWarp,
                [&](gpu::LaunchOp launch) {
                  KernelBuilder(b, loc, plan, host, y)
                      .buildMma(launch.getBlockIds().x, launch.getBlockIds().y,
                                launch.getThreadIds().x, warps);
                });
  } else if (hostEmulation) {
    // Test only: the same body in host loops, so that the CPU pipeline can
    // run it.
    KernelBuilder(b, loc, plan, host, y).buildHostEmulation(numBlocks, warps);
  } else {
    buildLaunch(b, loc, {numBlocks}, warps * kThreadsPerWarp,
                [&](gpu::LaunchOp launch) {
                  KernelBuilder(b, loc, plan, host, y)
                      .build(launch.getBlockIds().x, launch.getThreadIds().x,
                             warps);
                });
  }
  replaceWithResultBuffer(b, loc, op, y);
}
