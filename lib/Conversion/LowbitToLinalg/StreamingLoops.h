//===- StreamingLoops.h - Task loops of the streaming CPU kernels -*- C++
//-*-===//
//
// The loop structure the streaming kernels of lowbit-cpu-kernels share (the
// weight-only dequant kernel of CPUKernels.cpp and the W8A8 kernel of
// IntStreamingKernel.cpp): an scf.forall over blocks of output columns, in
// each the activation rows in chunks that stay in L2, a few weight rows at
// a time, the rows in register blocks; and the kernel shape both take.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_STREAMINGLOOPS_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_STREAMINGLOOPS_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::lowbit {

/// The shape of a streaming kernel: vector lanes, rows of x sharing one
/// decoded weight step, weight rows read together, and the target's features
/// the kernels use.
struct KernelShape {
  int64_t lanes;
  int64_t rows;
  int64_t cols;
  bool fma;
  /// Integer dot products with vpdpbusd (AVX512-VNNI or AVX-VNNI).
  bool vnni = false;
  /// Constant weights are stored in the order the kernel reads them (and
  /// 4-bit codes as lane words).
  bool repack = true;
};

/// Computes rows m0.. of a task's columns j.. (weight rows n..) into
/// `tile`, `rows` rows and `cols` columns at once, for K block `kBlock`
/// (null without K blocks); returns the new tile.
using EmitRowsFn =
    function_ref<Value(Value tile, Value n, Value j, Value m0, int64_t rows,
                       int64_t cols, Value kBlock)>;
/// Makes a task's tile from its slice of y.
using MakeTileFn = function_ref<Value(Value slice)>;
/// Turns a task's tile back into its slice of y (columns n0..).
using FinishTileFn = function_ref<Value(Value tile, Value slice, Value n0)>;

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

/// `base` + `i` (`base` itself for 0).
Value offsetIndex(OpBuilder &b, Location loc, Value base, int64_t i);

/// The output columns of one task: the largest of 64, 32, ..., 1 dividing
/// N that still leaves 4 tasks, when N allows.
int64_t taskColumnBlock(int64_t nSize);

/// The weight rows the kernel reads together (`cols`, at most a task's).
int64_t weightRowGroup(int64_t nSize, const KernelShape &shape);

/// The i8 codes of a constant weight, or nothing.
std::optional<SmallVector<int8_t>> getConstantCodes(Value weight);

/// Emits the task and loop structure both kernels share and returns the
/// new y: an scf.forall over blocks of output columns (the largest of 64,
/// 32, ..., 1 dividing N that still leaves 4 tasks, when N allows, so that
/// small layers are shared out too); in each, the activation rows in
/// chunks that stay in L2, the block's columns `shape.cols` at a time, and
/// the chunk's rows `shape.rows` at a time, then one by one. With
/// `numKBlocks` > 1, all of that once per block of K (outermost in the
/// task), so that the block's slices of a few weight rows stay in L1 while
/// the chunk's activation rows pass.
/// `emitRows(tile, n, j, m0, rows, cols, kBlock)` computes rows m0.. of the
/// block's columns j.. (weight rows n..) into `tile` (for K block `kBlock`,
/// null without K blocks) and returns it. The tile is the task's slice of
/// y, or what `makeTile(slice)` makes of it, turned back into the slice of
/// y (of columns n0..) by `finishTile(tile, slice, n0)`.
Value buildTaskLoops(OpBuilder &b, Location loc, Value y0, Value m,
                     int64_t nSize, int64_t activationRowBytes,
                     const KernelShape &shape, EmitRowsFn emitRows,
                     int64_t numKBlocks = 1, MakeTileFn makeTile = {},
                     FinishTileFn finishTile = {});

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_STREAMINGLOOPS_H
