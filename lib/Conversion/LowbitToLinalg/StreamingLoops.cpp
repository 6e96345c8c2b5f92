//===- StreamingLoops.cpp - Task loops of the streaming CPU kernels -------===//
//
// See StreamingLoops.h.
//
//===----------------------------------------------------------------------===//

#include "StreamingLoops.h"

#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::lowbit;

Value mlir::lowbit::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The output columns of one task: the largest of 64, 32, ..., 1 dividing
/// N that still leaves 4 tasks, when N allows.
int64_t mlir::lowbit::taskColumnBlock(int64_t nSize) {
  int64_t block = 64;
  while (block > 1 && (nSize % block != 0 || nSize / block < 4))
    block /= 2;
  return block;
}

/// The weight rows the kernel reads together (`cols`, at most a task's).
int64_t mlir::lowbit::weightRowGroup(int64_t nSize, const KernelShape &shape) {
  return std::min(shape.cols, taskColumnBlock(nSize));
}

namespace {

/// One task of buildTaskLoops: columns n0 .. n0 + `block` of y (`slice`),
/// returns their new values.
Value emitTask(OpBuilder &b, Location loc, Value slice, Value n0, Value m,
               int64_t block, int64_t activationRowBytes,
               const KernelShape &shape, EmitRowsFn emitRows,
               int64_t numKBlocks, MakeTileFn makeTile,
               FinishTileFn finishTile) {
  Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
  Value tile = makeTile ? makeTile(slice) : slice;

  // Rows in chunks of `chunk` (so that a chunk of activations stays in
  // L2 while the block's weight rows pass over it), inside a chunk in
  // blocks of `rows`, then the rest one by one.
  Value rowsConst = indexConst(b, loc, shape.rows);
  int64_t chunk =
      std::max<int64_t>(1, (256 * 1024 / activationRowBytes) / shape.rows) *
      shape.rows;
  Value chunkConst = indexConst(b, loc, chunk);
  int64_t cols = std::min(shape.cols, block);
  Value kBlock;
  scf::ForOp kBlocks;
  if (numKBlocks > 1) {
    kBlocks = scf::ForOp::create(b, loc, zero, indexConst(b, loc, numKBlocks),
                                 one, ValueRange{tile});
    b.setInsertionPointToStart(kBlocks.getBody());
    kBlock = kBlocks.getInductionVar();
    tile = kBlocks.getRegionIterArgs().front();
  }
  auto chunks = scf::ForOp::create(
      b, loc, zero, m, chunkConst, ValueRange{tile},
      [&](OpBuilder &, Location, Value mc, ValueRange chunkArgs) {
        Value mEnd = arith::MinUIOp::create(
            b, loc, arith::AddIOp::create(b, loc, mc, chunkConst), m);
        Value count = arith::SubIOp::create(b, loc, mEnd, mc);
        Value mMain = arith::AddIOp::create(
            b, loc, mc,
            arith::MulIOp::create(
                b, loc, arith::DivUIOp::create(b, loc, count, rowsConst),
                rowsConst));
        auto columns = scf::ForOp::create(
            b, loc, zero, indexConst(b, loc, block), indexConst(b, loc, cols),
            chunkArgs, [&](OpBuilder &, Location, Value j, ValueRange args) {
              Value n = arith::AddIOp::create(b, loc, n0, j);
              auto main = scf::ForOp::create(
                  b, loc, mc, mMain, rowsConst, args,
                  [&](OpBuilder &, Location, Value m0, ValueRange inner) {
                    scf::YieldOp::create(b, loc,
                                         emitRows(inner.front(), n, j, m0,
                                                  shape.rows, cols, kBlock));
                  });
              auto rest = scf::ForOp::create(
                  b, loc, mMain, mEnd, one, main.getResults(),
                  [&](OpBuilder &, Location, Value m0, ValueRange inner) {
                    scf::YieldOp::create(
                        b, loc,
                        emitRows(inner.front(), n, j, m0, 1, cols, kBlock));
                  });
              scf::YieldOp::create(b, loc, rest.getResults());
            });
        scf::YieldOp::create(b, loc, columns.getResults());
      });
  Value result = chunks.getResult(0);
  if (kBlocks) {
    b.setInsertionPointToEnd(kBlocks.getBody());
    scf::YieldOp::create(b, loc, result);
    result = kBlocks.getResult(0);
    b.setInsertionPointAfter(kBlocks);
  }
  if (finishTile)
    result = finishTile(result, slice, n0);
  return result;
}

} // namespace

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
Value mlir::lowbit::buildTaskLoops(
    OpBuilder &b, Location loc, Value y0, Value m, int64_t nSize,
    int64_t activationRowBytes, const KernelShape &shape, EmitRowsFn emitRows,
    int64_t numKBlocks, MakeTileFn makeTile, FinishTileFn finishTile) {
  int64_t block = taskColumnBlock(nSize);
  Value numBlocks = indexConst(b, loc, nSize / block);
  return buildColumnTasks(
      b, loc, y0, m, numBlocks, block, [&](Value slice, Value, Value n0) {
        return emitTask(b, loc, slice, n0, m, block, activationRowBytes, shape,
                        emitRows, numKBlocks, makeTile, finishTile);
      });
}

/// `base` + `i` (`base` itself for 0).
Value mlir::lowbit::offsetIndex(OpBuilder &b, Location loc, Value base,
                                int64_t i) {
  return i == 0 ? base
                : arith::AddIOp::create(b, loc, base, indexConst(b, loc, i));
}

/// The i8 codes of a constant weight, or nothing.
std::optional<SmallVector<int8_t>>
mlir::lowbit::getConstantCodes(Value weight) {
  DenseResourceElementsAttr resource;
  if (matchPattern(weight, m_Constant(&resource))) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return SmallVector<int8_t>(data.begin(), data.end());
  }
  DenseElementsAttr dense;
  if (matchPattern(weight, m_Constant(&dense)) &&
      dense.getElementType().isInteger(8)) {
    auto values = dense.getValues<int8_t>();
    SmallVector<int8_t> codes(values.begin(), values.end());
    if (dense.isSplat())
      codes.assign(dense.getNumElements(), dense.getSplatValue<int8_t>());
    return codes;
  }
  return std::nullopt;
}
