//===- KernelBuilding.h - IR pieces shared by the GPU kernels ---*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// What the lowbit-gpu-gemv and lowbit-gpu-quant-matmul kernel builders have
// in common: the host side around a kernel (tensors bridged to read-only
// buffers, constant scales as scalars or flat buffers, the gpu.launch, the
// result buffer back to a tensor), the indices of one lane of an mma.sync
// warp tile, and the host loops that stand in for the grid in the
// host-emulation test mode. Their index arithmetic is the CPU kernels'
// KernelLoops (LowbitToLinalg/KernelSupport.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_KERNELBUILDING_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_KERNELBUILDING_H

#include "../LowbitToLinalg/KernelSupport.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

constexpr int64_t kThreadsPerWarp = 32;
/// The f16/bf16 tensor-core instruction: mma.sync m16n8k16.
constexpr int64_t kMmaM = 16, kMmaN = 8, kMmaK = 16;

/// A read-only buffer of a ranked tensor, for a kernel to read.
Value toBuffer(OpBuilder &b, Location loc, Value tensor);

/// `tensor` as a rank-1 tensor (itself when it is rank 1).
Value flattenTensor(OpBuilder &b, Location loc, Value tensor);

/// A scale or zero-point as a kernel reads it: a scalar constant, or a
/// flat 1-D buffer.
struct KernelParam {
  Value scalar;
  Value buffer;
};

/// A constant scale or zero-point (a FloatAttr, an IntegerAttr or an
/// ElementsAttr): a scalar when it holds one value (integers as i32), else
/// a flat read-only buffer.
KernelParam materializeConstantParam(OpBuilder &b, Location loc,
                                     Attribute attr);

/// Reads a scale or zero-point at `flat` (an index; ignored for a scalar),
/// as f32 (`integer` false) or i32.
Value readKernelParam(OpBuilder &b, Location loc, const KernelParam &param,
                      Value flat, bool integer);

/// The epilogue of one m16n8 tile of mma.sync C registers `acc`
/// (vector<2x2xf32>: rows `rowLo`, `rowHi`, columns `column`, + 1): times
/// the per-column `scale` (unless null), plus `bias`[column] (unless
/// null), cast to the element type of `y` and stored there.
void storeAccumulatorTile(OpBuilder &b, Location loc, Value acc, Value rowLo,
                          Value rowHi, Value column, const KernelParam *scale,
                          Value bias, Value y);

/// `v` (a float) as f32.
Value toF32(OpBuilder &b, Location loc, Value v);

/// A gpu.launch of `grid` blocks (x first; dimensions not given are 1) of
/// `threads` threads along x, whose body `buildBody` fills (the insertion
/// point at the start of the body; the terminator is added after), with
/// `workgroup` memory attributions (shared memory) of those types and
/// `dynamicSharedBytes` of dynamic shared memory (gpu.dynamic_shared_memory).
void buildLaunch(OpBuilder &b, Location loc, ArrayRef<int64_t> grid,
                 int64_t threads,
                 function_ref<void(gpu::LaunchOp launch)> buildBody,
                 TypeRange workgroup = {}, int64_t dynamicSharedBytes = 0);

/// Replaces the single result of `op` by the kernel's result buffer
/// `buffer` as a tensor (bufferization.to_tensor restrict writable) and
/// erases `op`.
void replaceWithResultBuffer(OpBuilder &b, Location loc, Operation *op,
                             Value buffer);

/// `scf.if index < bound`; moves the insertion point into its body.
void beginIfBelow(OpBuilder &b, Location loc, Value index, int64_t bound);

/// Where one lane of a warp that computes a tileM x tileN tile with
/// mma.sync works, in the PTX fragment layouts' terms g = lane / 4 and
/// t = lane % 4.
struct FragmentLane {
  Value g;
  /// t times the codes one fragment register holds per row: the lane's
  /// first K offset in the A and B registers.
  Value kOffset;
  /// The warp tile's first row and column.
  Value m0, n0;
  /// The rows of the lane's A and C registers: m0 + g and m0 + g + 8.
  Value rowLo, rowHi;
};

/// The lane of thread `threadId` of block (`blockX`, `blockY`), with
/// `warpsPerBlock` warp tiles side by side along N in a block and one block
/// row per tileM rows.
FragmentLane buildFragmentLane(OpBuilder &b, Location loc, Value blockX,
                               Value blockY, Value threadId,
                               int64_t warpsPerBlock, int64_t tileM,
                               int64_t tileN, int64_t codesPerRegisterRow);

/// Converts element `position` of fragment registers to the element type of
/// the host-emulation tiles.
using WidenElement =
    function_ref<Value(Value registers, ArrayRef<int64_t> position)>;

/// Host emulation: stores the lane's A registers `a` (vector<4xE>: rows g,
/// g + 8, K offsets kOffset and kOffset + 4E from `k0`) into the warp's
/// tile `tiles`[warpId, k, m], each element through `widen`.
void scatterFragmentA(OpBuilder &b, Location loc, const FragmentLane &lane,
                      Value a, Value k0, Value tiles, Value warpId,
                      WidenElement widen);

/// Host emulation: stores the lane's B registers `registers` of n8 tile
/// `tile` (vector<2xE>: column g, K offsets kOffset and kOffset + 4E from
/// `k0`) into `tiles`[warpId, tile, k, n], each element through `widen`.
void scatterFragmentB(OpBuilder &b, Location loc, const FragmentLane &lane,
                      Value registers, int64_t tile, Value k0, Value tiles,
                      Value warpId, WidenElement widen);

/// Host emulation: the lane's C registers (`cType`, vector<2x2>: rows g and
/// `g8` = g + 8, columns `column` and `column` + 1) of `tiles` n8 tiles,
/// gathered from `tiles`[indexPrefix..., tile, m, n].
SmallVector<Value> gatherAccumulators(OpBuilder &b, Location loc,
                                      const FragmentLane &lane, Value g8,
                                      Value column, Value tiles,
                                      ValueRange indexPrefix, int64_t tileCount,
                                      VectorType cType);

/// Host emulation: sum over k in [kBegin, kEnd), in order, of
/// aTiles[aPrefix..., k, m] * bTiles[bPrefix..., k, n], in the tiles'
/// element type (f32, or an integer for exact integer products).
Value buildEmulatedTileDot(OpBuilder &b, Location loc, Value aTiles,
                           ValueRange aPrefix, Value m, Value bTiles,
                           ValueRange bPrefix, Value n, Value kBegin,
                           Value kEnd);

/// One emulated thread of a host-emulation grid.
struct EmulatedThread {
  Value blockX, blockY, threadId;
  /// The global index of the thread's warp.
  Value warpId;
};

/// Host loops over blocks (y, then x) and `threads` threads per block
/// (`warpsPerBlock` warps of threads / warpsPerBlock threads), in place of
/// a `blocksX` x `blocksY` grid; moves the insertion point into the
/// innermost body. `zero` and `one` are index constants.
EmulatedThread buildEmulatedThreadLoops(OpBuilder &b, Location loc, Value zero,
                                        Value one, int64_t blocksX,
                                        int64_t blocksY, int64_t threads,
                                        int64_t warpsPerBlock);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_KERNELBUILDING_H
