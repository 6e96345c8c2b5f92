//===- IntStreamingKernel.h - W8A8 streaming CPU kernel ---------*- C++ -*-===//
//
// The streaming kernel of lowbit-cpu-kernels for W8A8 lowbit.matmul ops; see
// IntStreamingKernel.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_INTSTREAMINGKERNEL_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_INTSTREAMINGKERNEL_H

#include "KernelSupport.h"
#include "StreamingLoops.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

namespace mlir::lowbit {

/// Whether the integer kernels multiply sign-extended i16 pairs by
/// lowbit.dot_i16 (pmaddwd): without VNNI, at 4, 8 or 16 lanes.
bool intKernelPairs(const KernelShape &shape);

/// Matches a W8A8 `op` (i8 x i8 codes, symmetric, per-row or per-tensor
/// scales, f32 result and bias, static N and K a multiple of the kernel's
/// step; with VNNI a constant weight) and fills `in`, the constant weight
/// codes included where a kernel uses them.
LogicalResult matchIntKernel(OpBuilder &b, MatmulOp op,
                             const KernelShape &shape, IntKernelInputs &in);

/// Emits the streaming W8A8 kernel for `in` into y0 [M, N] (M = `m`) and
/// returns y.
Value buildIntStreamingKernel(OpBuilder &b, Location loc,
                              const IntKernelInputs &in,
                              const KernelShape &shape, Value y0, Value m);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_INTSTREAMINGKERNEL_H
