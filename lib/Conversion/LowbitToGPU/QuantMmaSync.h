//===- QuantMmaSync.h - mma.sync m16n8k32 on 8-bit codes --------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The tensor-core instruction of the mma.sync kernels for the integer and
// FP8 lowbit.matmul (the unstaged one of lowbit-gpu-quant-matmul, the
// staged one of lowbit-gpu-staged-matmul): mma.sync m16n8k32, s8 x s8 into
// s32 through nvgpu.mma.sync, e4m3/e5m2 into f32 as inline PTX (neither
// nvgpu nor NVVM has a dense FP8 mma.sync). Fragments (g = lane / 4,
// t = lane % 4):
//
//   A (vector<4x4xi8>): reg 0 (g, 4t..4t+3)  reg 1 (g+8, 4t..)
//                       reg 2 (g, 4t+16..)   reg 3 (g+8, 4t+16..)
//   B (vector<2x4xi8>): reg 0 k 4t..4t+3, n g   reg 1 k 4t+16.., n g
//   C (vector<2x2>):    [half][e] row g + 8 half, column 2t + e
//
// nvgpu.mma.sync lowers the s8 product with .satfinite: sums saturate
// instead of wrapping, which the exact i32 corrections of the epilogue
// never meet below K = 2^31 / 2^14 (products of s8 codes are at most
// 2^14), about 131 000.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H

#include "QuantMatmulEpilogue.h"

namespace mlir::lowbit {

/// K of one mma.sync on 8-bit codes.
constexpr int64_t kQuantMmaK = 32;

/// c + a b by one mma.sync m16n8k32 (s8 codes with i32 `c`, or the plan's
/// FP8 formats with f32 `c`).
Value buildQuantMmaSync(OpBuilder &b, Location loc, const QuantMatmulPlan &plan,
                        Value a, Value bFrag, Value c);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H
