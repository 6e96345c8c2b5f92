//===- DecodedGemmKernel.h - Weight-only GEMM on decoded blocks -*- C++ -*-===//
//
// The decode-then-GEMM kernel of lowbit-cpu-kernels for weight-only matmuls
// with many activation rows: each task decodes a block of its weight rows
// into a buffer and runs register tiles over transposed activations. See
// DecodedGemmKernel.cpp for the loops and the maths.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_DECODEDGEMMKERNEL_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_DECODEDGEMMKERNEL_H

#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

/// The register tile and the blocks of the decode-then-GEMM kernel.
struct DecodedGemmShape {
  /// f32 lanes of a vector register.
  int64_t lanes;
  /// Activation rows of a tile, in vectors of `lanes` rows.
  int64_t rowVectors;
  /// Output columns (weight rows) of a tile, one broadcast weight each.
  int64_t columns;
  /// Output columns of a parallel task (a multiple of `columns`).
  int64_t taskColumns;
  /// Codes of K decoded into the buffer at once (a multiple of the
  /// decoder's step; even with `bf16`).
  int64_t kBlock;
  bool fma;
  /// Products by lowbit.dot_bf16 on activations and weights rounded to
  /// bf16 (16 lanes only).
  bool bf16;
};

/// Stores decoded weights into the kernel's buffer: `values` are f32
/// vectors of `lanes` consecutive k from `k`; returns the new buffer.
using StoreDecodedFn =
    function_ref<Value(Value buffer, Value k, ArrayRef<Value> values)>;

/// Emits the decoding of weight row `n`, codes [kStart, kEnd) (multiples of
/// the decoder's step, within one K block of the weight's layout: the
/// caller's DecodedGemmShape::kBlock must respect that): a loop over the
/// steps calling `store` with each step's dequantized values (scale and
/// zero-point applied) in k order; returns the buffer the loop yields.
using DecodeRowFn = function_ref<Value(Value buffer, Value n, Value kStart,
                                       Value kEnd, StoreDecodedFn store)>;

/// y = x @ dequantize(W)^T (+ bias) for f32 activations x [M, K] and a
/// weight of `n` rows that `decodeRow` decodes; returns y [M, N] (a new
/// tensor). `bias` is a [N] f32 tensor or null. N must be a multiple of
/// `shape.taskColumns`.
Value buildDecodedGemm(OpBuilder &b, Location loc, Value x, int64_t n,
                       int64_t k, Value bias, const DecodedGemmShape &shape,
                       DecodeRowFn decodeRow);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_DECODEDGEMMKERNEL_H
