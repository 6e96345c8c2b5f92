//===- QuantMmaSync.h - mma.sync m16n8k32 on 8-bit codes --------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The tensor-core instruction of the mma.sync kernels for the integer and
// FP8 lowbit.matmul (the unstaged one of lowbit-gpu-quant-matmul, the
// staged one of lowbit-gpu-staged-matmul): mma.sync m16n8k32 as inline
// PTX, u8/s8 x u8/s8 codes as they are into s32 (wrapping: the i32
// zero-point corrections after it are exact), e4m3/e5m2 into f32.
// Fragments (g = lane / 4, t = lane % 4):
//
//   A (vector<4x4xi8>): reg 0 (g, 4t..4t+3)  reg 1 (g+8, 4t..)
//                       reg 2 (g, 4t+16..)   reg 3 (g+8, 4t+16..)
//   B (vector<2x4xi8>): reg 0 k 4t..4t+3, n g   reg 1 k 4t+16.., n g
//   C (vector<2x2>):    [half][e] row g + 8 half, column 2t + e
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H

#include "QuantMatmulEpilogue.h"

namespace mlir::lowbit {

/// K of one mma.sync on 8-bit codes.
constexpr int64_t kQuantMmaK = 32;

/// c + a b by one mma.sync m16n8k32 (the plan's u8/s8 codes with i32 `c`,
/// or its FP8 formats with f32 `c`).
Value buildQuantMmaSync(OpBuilder &b, Location loc, const QuantMatmulPlan &plan,
                        Value a, Value bFrag, Value c);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMMASYNC_H
