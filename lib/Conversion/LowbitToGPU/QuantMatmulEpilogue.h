//===- QuantMatmulEpilogue.h - epilogue of the quantized matmul kernels -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// What the tensor-core kernels of the integer and FP8 lowbit.matmul (the
// mma.sync kernel of lowbit-gpu-quant-matmul, the wgmma kernel of
// lowbit-gpu-staged-matmul) have in common after the products: the plan of
// the computation, the scales and zero-points as the kernel reads them, and
// the code on the accumulators in the mma.sync C layout (an m16n8 tile per
// vector<2x2>: rows g and g + 8, columns 2t and 2t + 1; a wgmma m64nN
// accumulator is N / 8 such tiles per warp):
//
//   per weight-scale block B:
//     y[m, n] += f32(S - za Cw - zw Ra + Kb za zw) (sa[m] sw[n, B])
//   then y + bias[n], cast to the result type or requantized
//     q = clamp(roundeven(y / so) + zo)
//
// (see QuantMatmulMma.cpp for the terms).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMATMULEPILOGUE_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMATMULEPILOGUE_H

#include "KernelBuilding.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

namespace mlir::lowbit {

/// A scale, zero-point or column sum as the kernel reads it: a scalar, or
/// a flat buffer indexed by row (activations) or by n (K / Kb) + block
/// (weights; n alone when there is one block).
struct QuantMatmulParam : KernelParam {
  /// The buffer holds one value per weight row and block.
  bool perBlock = false;
  /// The buffer holds one value (a dynamic per-tensor parameter).
  bool single = false;
};

/// `value` (a scalar, a flat buffer or a rank-0 buffer; null: absent) as a
/// kernel parameter with `perRowCount` values when it is per row.
QuantMatmulParam makeQuantMatmulParam(Value value, int64_t perRowCount);

/// True for the FP8 storage formats (f8E4M3FN, f8E5M2).
bool isFp8StorageFormat(StorageFormat format);

/// Host emulations only: the 8-bit code `code` (i8) as the tensor cores
/// multiply it: an i32 (u8 zero-extended, s8 sign-extended) or, with the
/// FP8 value `table`, its f32 value.
Value widenCode(OpBuilder &b, Location loc, Value code, StorageFormat format,
                Value table);

/// What the kernel builders need about a quantized matmul.
struct QuantMatmulPlan {
  int64_t m = 0, n = 0, k = 0;
  /// Codes per weight-scale block and blocks per row.
  int64_t blockK = 0, blocks = 1;
  bool fp8 = false;
  /// The code formats (u8 and s8 codes are multiplied as they are: the
  /// tensor cores take u8 x s8 products).
  StorageFormat lhsFormat, rhsFormat;
  /// za or zw can be nonzero: the corrections need Cw (column sums) or Ra
  /// (row sums).
  bool needColSums = false, needRowSums = false;
  Type result;
  /// requantize(...): the result's code range and whether it is affine.
  bool requantize = false, resultAffine = false;
  int64_t resultMin = 0, resultMax = 0;
};

/// Host emulations only: the f32 value of every FP8 code of the plan's lhs
/// and rhs formats as 256-entry buffers (one when the formats agree); null
/// for the integer formats.
struct CodeValueTables {
  Value lhs, rhs;
};
CodeValueTables buildCodeValueTables(OpBuilder &b, Location loc,
                                     const QuantMatmulPlan &plan);

/// The buffers and parameters a quantized-matmul kernel reads.
struct QuantMatmulHost {
  Value lhs, rhs, bias;
  QuantMatmulParam lhsScale, lhsZeroPoint, rhsScale, rhsZeroPoint, colSums;
  /// The requantize epilogue's scale and zero-point (per tensor or per n).
  QuantMatmulParam resultScale, resultZeroPoint;
};

/// Builds the code after the products, writing into `y` [M, N].
class QuantMatmulEpilogue {
public:
  QuantMatmulEpilogue(OpBuilder &b, Location loc, const QuantMatmulPlan &plan,
                      const QuantMatmulHost &host, Value y)
      : b(b), loc(loc), plan(plan), host(host), y(y) {}

  /// Adds block `block`'s corrected, scaled sums (one vector<2x2> of i32 or
  /// f32 per n8 tile from `lane.n0`) to `ys` (vector<2x2xf32> each);
  /// `rowSums` (vector<2x2xi32>, rows g and g + 8) only when the plan needs
  /// them.
  SmallVector<Value> buildBlockUpdate(const FragmentLane &lane, Value block,
                                      ArrayRef<Value> sums, Value rowSums,
                                      ArrayRef<Value> ys);
  /// Bias, then the cast or the requantization, and the store of the
  /// lane's results `ys` (one vector<2x2xf32> per n8 tile).
  void buildEpilogue(const FragmentLane &lane, ArrayRef<Value> ys);

private:
  /// Reads `param` at `flat` as f32 or i32.
  Value read(const QuantMatmulParam &param, Value flat, bool integer);
  /// The index of weight row `n`, block `block` into a weight parameter.
  Value weightIndex(const QuantMatmulParam &param, Value n, Value block);
  Value index(int64_t v);
  Value i32(int64_t v);
  Value add(Value x, Value y);
  Value mul(Value x, Value y);

  OpBuilder &b;
  Location loc;
  const QuantMatmulPlan &plan;
  const QuantMatmulHost &host;
  Value y;
};

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_QUANTMATMULEPILOGUE_H
