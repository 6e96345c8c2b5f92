//===- KernelSupport.h - Pieces the CPU kernels share -----------*- C++ -*-===//
//
// Shared by the streaming kernels (CPUKernels.cpp), the panel kernels
// (PanelKernels.cpp) and the decode-then-GEMM kernel (DecodedGemmKernel.cpp)
// of lowbit-cpu-kernels: the scales, zero-points and other operands of
// lowbit's matmul ops as the kernels read them, the inputs of the W8A8
// kernels, the tensors they create, and the index arithmetic and loops of
// their builders (KernelLoops, also used by the GPU kernel builders).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_KERNELSUPPORT_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_KERNELSUPPORT_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

/// A scale or zero-point of the op: a scalar, or a constant tensor indexed
/// by nothing (per tensor), [n] (per channel) or [n, g] (group-wise).
struct Param {
  Value scalar;
  Value tensor;
};

/// The constant of `attr` (a float or integer scalar, or elements) as a
/// Param; empty for a null attribute.
Param getParam(OpBuilder &b, Location loc, Attribute attr);

/// The parameter of row `n` and group `g` as an f32 scalar.
Value readParam(OpBuilder &b, Location loc, const Param &param,
                Granularity granularity, Value n, Value g);

/// What the integer kernel needs about a lowbit.matmul.
struct IntKernelInputs {
  Value lhs, rhs;
  int64_t k = 0, n = 0;
  /// Activation scale: per row (dynamic [M] or constant) or per tensor.
  Param lhsScale;
  Granularity lhsGranularity = Granularity::Tensor;
  Param rhsScale;
  Granularity rhsGranularity = Granularity::Tensor;
  Value bias;
  /// sum_k w[n, k] as a constant [N] tensor of i32 (VNNI only: the
  /// compensation of the +128 that makes the activations unsigned).
  Value colSums;
  /// The constant weight's codes, row-major [N, K] (VNNI only).
  SmallVector<int8_t> weightCodes;
};

/// The size of the blocks K is read in: K in ceil(K / `limit`) blocks of
/// equal size, rounded up to a multiple of `multiple` (the last block may be
/// shorter); K itself when K <= `limit`. K must be positive.
int64_t balancedKBlock(int64_t k, int64_t limit, int64_t multiple);

/// sum_k codes[n, k] for each row of the row-major [n, k] `codes`, in
/// wrapping i32 arithmetic (as the kernels' sums).
SmallVector<int32_t> weightRowSums(ArrayRef<int8_t> codes, int64_t n,
                                   int64_t k);

/// An scf.forall over `numTasks` tasks that share out y0 [M, N] by columns,
/// task t owning columns [t * width, (t + 1) * width): `body(slice, task,
/// n0)` gets the task's slice of y (tensor.extract_slice, n0 its first
/// column) with the insertion point inside the forall and returns the new
/// slice, which tensor.parallel_insert_slice puts back. Returns the new y.
Value buildColumnTasks(
    OpBuilder &b, Location loc, Value y0, Value m, OpFoldResult numTasks,
    int64_t width, function_ref<Value(Value slice, Value task, Value n0)> body);

/// Index arithmetic and scf.for loops carrying one tensor, for the kernel
/// builders (the CPU panel and decode-then-GEMM kernels and the GPU
/// tensor-core kernels derive from it and use the names as their own).
class KernelLoops {
public:
  KernelLoops(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// The index constant `value`.
  Value index(int64_t value) const;
  Value add(Value lhs, Value rhs) const;
  Value mul(Value lhs, Value rhs) const;
  Value mul(Value lhs, int64_t rhs) const;
  /// Unsigned division and remainder by a constant (indices are never
  /// negative here; division by 1 is `lhs` itself).
  Value div(Value lhs, int64_t rhs) const;
  Value rem(Value lhs, int64_t rhs) const;
  Value min(Value lhs, Value rhs) const;
  /// `base` + `i` (`base` itself for 0).
  Value offset(Value base, int64_t i) const;
  /// `value` rounded up to a multiple of `multiple`.
  Value roundUp(Value value, int64_t multiple) const;
  /// scf.for from `lower` to `upper` by `step` carrying one tensor, whose
  /// body is `body(iv, carried)` returning the new tensor.
  Value loop(Value lower, Value upper, Value step, Value init,
             function_ref<Value(Value, Value)> body) const;
  Value loop(Value lower, Value upper, int64_t step, Value init,
             function_ref<Value(Value, Value)> body) const;

protected:
  OpBuilder &b;
  Location loc;
};

/// acc + lhs * rhs: one vector.fma with `fma`, else a multiply and an add
/// (targets without FMA, where vector.fma would become a libm call).
Value emitMultiplyAdd(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value acc, bool fma);

/// A zero-filled tensor of `like`'s shape (dynamic sizes read from it) with
/// elements of `elementType`.
Value createZeroTensor(OpBuilder &b, Location loc, Value like,
                       Type elementType);

/// `tensor` with its float elements converted to `elementType` (arith.extf
/// to a wider type, exact; arith.truncf to a narrower one, nearest even)
/// by an elementwise linalg.generic; `tensor` itself when it already has
/// that element type.
Value convertFloatElements(OpBuilder &b, Location loc, Value tensor,
                           FloatType elementType);

/// A constant `type` tensor holding `bytes` (its elements in memory order) as
/// a dense_resource blob named `name`, aligned for vector loads.
Value createResourceConstant(OpBuilder &b, Location loc, RankedTensorType type,
                             StringRef name, ArrayRef<char> bytes);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_KERNELSUPPORT_H
