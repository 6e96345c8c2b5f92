//===- Wgmma.h - sm_90a warpgroup MMA pieces shared by kernels --*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// What the wgmma kernels (lowbit-gpu-staged-matmul for the integer and FP8
// lowbit.matmul, the warpgroup variant of lowbit-gpu-staged-mma for
// dequant_matmul) have in common, and their host emulation of the
// hardware:
//
// - Operand tiles in shared memory are K-major rows of exactly 128 bytes
//   (128 8-bit codes or 64 f16/bf16), 128-byte swizzled: the 16-byte chunk
//   c of row r sits at chunk c ^ (r % 8), i.e. address bits 4..6 XOR bits
//   7..9, which needs tiles at 1024-byte aligned shared addresses.
// - Matrix descriptor (PTX ISA "matrix descriptor format"), 64 bits:
//     bits  0..13  start address >> 4
//     bits 16..29  leading byte offset >> 4 (unused for these tiles: 1)
//     bits 32..45  stride byte offset >> 4 (1024: to the next 8 rows)
//     bits 49..51  base offset (0: tiles are 1024-byte aligned)
//     bits 62..63  layout: 1 = 128-byte swizzle
//   The k-th wgmma K step of a tile starts k * (K step bytes) further:
//   + 2 per 32 bytes in the start field.
// - Accumulators of wgmma m64nNk*: register i of lane L of warp w of the
//   warpgroup holds row 16 w + L / 4 + 8 ((i % 4) / 2), column 8 (i / 4) +
//   2 (L % 4) + i % 2 of the 64 x N tile: N / 8 tiles in the mma.sync C
//   layout.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_WGMMA_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_WGMMA_H

#include "KernelBuilding.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

/// Rows of one wgmma (and of one warpgroup's accumulators), the threads of
/// a warpgroup, the bytes of a swizzled row.
constexpr int64_t kWgmmaM = 64, kWarpgroupThreads = 128, kSwizzleRow = 128;
/// The 128-byte swizzle repeats every 8 rows: tiles start at multiples of
/// 1024 bytes.
constexpr int64_t kSwizzleAlign = 1024;

/// The first kSwizzleAlign-aligned shared address at or after `base` (an
/// index), and its distance from `base`.
std::pair<Value, Value> alignSharedAddress(OpBuilder &b, Location loc,
                                           Value base);

/// The matrix descriptor of a K-major, 128-byte swizzled tile at shared
/// address `address` (i64).
Value buildMatrixDescriptor(OpBuilder &b, Location loc, Value address);

/// `descriptor` moved `bytes` (a multiple of 16) along the rows.
Value offsetMatrixDescriptor(OpBuilder &b, Location loc, Value descriptor,
                             int64_t bytes);

/// The accumulator struct of an m64nN wgmma (N / 2 elements of `element`
/// per thread), zero.
Value buildZeroAccumulators(OpBuilder &b, Location loc, Type element,
                            int64_t n);

/// acc + A B (`accumulate`) or A B alone by one wgmma.mma_async
/// m64nNk(K), A and B K-major from shared memory; `typeD` f32 or s32 (then
/// wrapping).
Value buildWgmma(OpBuilder &b, Location loc, Value acc, Value descA,
                 Value descB, int64_t n, int64_t k, NVVM::WGMMATypes typeA,
                 NVVM::WGMMATypes typeB, NVVM::WGMMATypes typeD,
                 bool accumulate = true);

/// An accumulator struct of an m64nN wgmma whose values do not matter (the
/// input of a wgmma that does not accumulate).
Value buildUndefinedAccumulators(OpBuilder &b, Location loc, Type element,
                                 int64_t n);

/// `a` + `c`, accumulator structs of f32, element by element.
Value addAccumulators(OpBuilder &b, Location loc, Value a, Value c);

/// The accumulators of `acc` as N / 8 vector<2x2> tiles of the mma.sync C
/// layout (rows g and g + 8, columns 2t and 2t + 1 of each n8 tile).
SmallVector<Value> accumulatorTiles(OpBuilder &b, Location loc, Value acc,
                                    int64_t n);

/// The lane of thread `laneId` of warp `warp` (within the warpgroup) whose
/// accumulators cover rows from `m0` and columns from `n0`, in
/// FragmentLane terms (kOffset = 4 t: 2 t = kOffset / 2 is the column).
FragmentLane warpgroupLane(OpBuilder &b, Location loc, Value m0, Value n0,
                           Value warp, Value laneId);

//===----------------------------------------------------------------------===//
// Host emulation of the hardware
//===----------------------------------------------------------------------===//

/// The physical shared address of `address` (i64) in a 128-byte swizzled
/// tile.
Value swizzleAddress(OpBuilder &b, Location loc, Value address);

/// Reads one operand element (an f32 or i32 value) of emulated shared
/// memory at byte index `at` (index).
using EmulatedElementRead = function_ref<Value(Value at)>;

/// wgmma m64nNk(K) by its definition: tile[m, n] += sum over k < K of
/// A(m, k) B(n, k), the operands read through descriptors `descA` and
/// `descB` (start address, stride byte offset, layout bits decoded as the
/// PTX ISA defines them; element (row, k) at start + (row / 8) SBO +
/// (row % 8) 128 + k elementBytes, swizzled when the layout is 1) from
/// emulated shared memory whose first byte is shared address
/// `sharedBase`; `tile` is memref<64xN> of f32 or i32, summed in k order.
void emulateWgmma(OpBuilder &b, Location loc, Value sharedBase, Value descA,
                  Value descB, Value tile, int64_t n, int64_t k,
                  int64_t elementBytes, EmulatedElementRead readA,
                  EmulatedElementRead readB);

/// The accumulator struct of lane `laneId` of warp `warp`, gathered from
/// the warpgroup's `tile` (memref<64xN>) by the wgmma D layout.
Value gatherWgmmaAccumulators(OpBuilder &b, Location loc, Value tile,
                              Value warp, Value laneId, int64_t n);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_WGMMA_H
