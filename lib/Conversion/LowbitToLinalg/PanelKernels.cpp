//===- PanelKernels.cpp - Outer-product CPU kernels on packed panels ------===//
//
// A float matmul y = x @ W with a constant W [K, N] becomes a register-tiled
// outer-product kernel. W is repacked at compile time into column panels of
// NR = c * VL columns (packColumnPanels: panel p is K rows of NR contiguous
// values), and each step of the kernel multiplies one k of MR activation
// rows (broadcast scalars) with one k-row of a panel (c vector loads) into
// MR x c accumulator vectors:
//
//   y = 0
//   scf.forall (t) in (P / PB) shared_outs(y)      // PB panels per task
//     for each block of K [k0, k1), at most 2048 long: // panel slices in L2
//       for each chunk of rows whose x block fits in 256 KiB (L2):
//         for p in the task's panels:
//           for each tile of MR rows (then of 4, then of 1) at m0:
//             acc[r][c] = y[m0 + r, p * NR + c * VL ..]
//             for k in [k0, k1):
//               w_c = Wp[p, k, c * VL ..]                  (c vector loads)
//               acc[r][c] = fma(broadcast(x[m0 + r, k]), w_c, acc[r][c])
//             y[m0 + r, p * NR + c * VL ..] = acc[r][c]
//
// Each output is one chain of fused multiply-adds over k in order, started
// from zero and carried through y between K blocks, so its bits depend on
// neither M, the tile it falls in, nor the number of threads. There are no
// horizontal reductions and every activation is read as a scalar broadcast
// (the embedded-broadcast operand of the FMA): MR x c FMAs per c + MR loads.
// The panels' slices of a K block stay in L2 while the chunk's rows pass
// (the 4 k-rows a step reads are in L1), and the chunk's x block stays in
// L2 while the task's panels pass.
//
//===----------------------------------------------------------------------===//

#include "PanelKernels.h"

#include "lowbit/Quant/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Columns of K a block holds: K in ceil(K / 2048) blocks of equal size
/// rounded up to a multiple of 4 (the unrolling), so that a panel's slice
/// (2048 x NR x 4 bytes, 256 KiB at 32 columns) stays in L2 while the rows
/// pass. Measured on the build machine (Zen 5, 1 MiB L2, 48 KiB L1), f32
/// 4096 x 11008 with two threads against oneDNN: blocks of 256 (the slice
/// in L1) 0.53x at M = 16, 0.98x at M = 512; of 1024 0.90x and 1.00x; of
/// 2048 1.10x and 1.02x; unblocked 1.05x and 0.68x. Long contiguous slices
/// stream from DRAM better at small M, and the slice must stay in L2 at
/// large M.
int64_t panelKBlock(int64_t k) {
  int64_t numBlocks = llvm::divideCeil(k, 2048);
  return llvm::divideCeil(llvm::divideCeil(k, numBlocks), 4) * 4;
}

class FloatPanelKernelBuilder {
public:
  FloatPanelKernelBuilder(OpBuilder &b, Location loc, Value x, Value panels,
                          int64_t k, int64_t n, const PanelShape &shape)
      : b(b), loc(loc), x(x), panels(panels), k(k), n(n), shape(shape) {
    vectorType = VectorType::get({shape.lanes}, b.getF32Type());
  }

  Value build() {
    Value m = tensor::DimOp::create(b, loc, x, 0);
    SmallVector<OpFoldResult> ySizes = {m, b.getIndexAttr(n)};
    Value y0 = tensor::EmptyOp::create(b, loc, ySizes, b.getF32Type());
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    y0 = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{y0})
             .getResult(0);

    // Tasks of PB panels: the largest divisor of P that leaves at least 16
    // tasks (each task reads the activations once per chunk, so fewer,
    // larger tasks read them less often; 16 share out over the cores).
    int64_t numPanels = n / shape.width();
    int64_t panelsPerTask = std::max<int64_t>(1, numPanels / 16);
    while (numPanels % panelsPerTask != 0)
      --panelsPerTask;
    int64_t taskWidth = panelsPerTask * shape.width();
    auto forall = scf::ForallOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{b.getIndexAttr(numPanels / panelsPerTask)},
        ValueRange{y0}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value task = forall.getInductionVar(0);
    Value out = forall.getRegionIterArgs().front();
    Value n0 = mul(task, index(taskWidth));
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), n0};
    SmallVector<OpFoldResult> sizes = {m, b.getIndexAttr(taskWidth)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value tile =
        tensor::ExtractSliceOp::create(b, loc, out, offsets, sizes, strides);
    Value firstPanel = mul(task, index(panelsPerTask));

    int64_t kBlock = panelKBlock(k);
    int64_t chunk =
        std::max<int64_t>(1, (256 * 1024) / (kBlock * 4) / shape.rows) *
        shape.rows;
    Value result =
        loop(index(0), index(k), kBlock, tile, [&](Value k0, Value kTile) {
          Value k1 =
              arith::MinUIOp::create(b, loc, add(k0, index(kBlock)), index(k));
          return loop(index(0), m, chunk, kTile, [&](Value m0, Value cTile) {
            Value m1 = arith::MinUIOp::create(b, loc, add(m0, index(chunk)), m);
            return loop(index(0), index(panelsPerTask), 1, cTile,
                        [&](Value panel, Value pTile) {
                          Value p = add(firstPanel, panel);
                          Value column = mul(panel, index(shape.width()));
                          return emitRowTiles(pTile, m0, m1, p, column, k0, k1);
                        });
          });
        });

    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, result, out, offsets, sizes,
                                          strides);
    return forall.getResult(0);
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value lhs, Value rhs) {
    return arith::AddIOp::create(b, loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return arith::MulIOp::create(b, loc, lhs, rhs);
  }

  /// scf.for from `lower` to `upper` by `step` carrying one tensor, whose
  /// body is `body(iv, carried)` returning the new tensor.
  Value loop(Value lower, Value upper, int64_t step, Value init,
             function_ref<Value(Value, Value)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lower, upper, index(step), ValueRange{init},
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          scf::YieldOp::create(b, loc, body(iv, args.front()));
        });
    return forOp.getResult(0);
  }

  /// Rows [m0, m1) of panel `p` (columns `column`.. of the tile): tiles of
  /// shape.rows rows, then of 4, then one by one.
  Value emitRowTiles(Value tile, Value m0, Value m1, Value p, Value column,
                     Value k0, Value k1) {
    SmallVector<int64_t, 3> tileRows = {shape.rows};
    if (shape.rows > 4)
      tileRows.push_back(4);
    if (shape.rows > 1)
      tileRows.push_back(1);
    Value start = m0;
    for (int64_t rows : tileRows) {
      // The end of the rows this tile size covers: whole tiles only.
      Value end =
          rows == 1
              ? m1
              : add(start,
                    mul(arith::DivUIOp::create(
                            b, loc, arith::SubIOp::create(b, loc, m1, start),
                            index(rows)),
                        index(rows)));
      tile = loop(start, end, rows, tile, [&](Value row, Value rTile) {
        return emitTile(rTile, row, rows, p, column, k0, k1);
      });
      start = end;
    }
    return tile;
  }

  /// One register tile: `rows` rows from `m0` times the panel's columns,
  /// accumulated over [k0, k1) onto what the tile holds.
  Value emitTile(Value tile, Value m0, int64_t rows, Value p, Value column,
                 Value k0, Value k1) {
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> rowIndex, columnIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(r == 0 ? m0 : add(m0, index(r)));
    for (int64_t c = 0; c < shape.vectors; ++c)
      columnIndex.push_back(c == 0 ? column
                                   : add(column, index(c * shape.lanes)));
    SmallVector<Value> accs;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < shape.vectors; ++c)
        accs.push_back(vector::TransferReadOp::create(
            b, loc, vectorType, tile, ValueRange{rowIndex[r], columnIndex[c]},
            padding, ArrayRef<bool>{true}));

    // Four k per iteration when every block is a multiple of 4.
    int64_t unroll = k % 4 == 0 ? 4 : 1;
    auto kLoop = scf::ForOp::create(
        b, loc, k0, k1, index(unroll), accs,
        [&](OpBuilder &, Location, Value kIndex, ValueRange carried) {
          SmallVector<Value> acc(carried.begin(), carried.end());
          for (int64_t u = 0; u < unroll; ++u) {
            Value kk = u == 0 ? kIndex : add(kIndex, index(u));
            SmallVector<Value> weights;
            for (int64_t c = 0; c < shape.vectors; ++c)
              weights.push_back(vector::TransferReadOp::create(
                  b, loc, vectorType, panels,
                  ValueRange{p, kk, index(c * shape.lanes)}, padding,
                  ArrayRef<bool>{true}));
            for (int64_t r = 0; r < rows; ++r) {
              Value activation = vector::BroadcastOp::create(
                  b, loc, vectorType,
                  tensor::ExtractOp::create(b, loc, x,
                                            ValueRange{rowIndex[r], kk}));
              for (int64_t c = 0; c < shape.vectors; ++c) {
                Value &sum = acc[r * shape.vectors + c];
                sum = shape.fma ? vector::FMAOp::create(b, loc, activation,
                                                        weights[c], sum)
                                      .getResult()
                                : arith::AddFOp::create(
                                      b, loc,
                                      arith::MulFOp::create(b, loc, activation,
                                                            weights[c]),
                                      sum)
                                      .getResult();
              }
            }
          }
          scf::YieldOp::create(b, loc, acc);
        });

    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < shape.vectors; ++c)
        tile =
            vector::TransferWriteOp::create(
                b, loc, kLoop.getResult(r * shape.vectors + c), tile,
                ValueRange{rowIndex[r], columnIndex[c]}, ArrayRef<bool>{true})
                .getResult();
    return tile;
  }

  OpBuilder &b;
  Location loc;
  Value x, panels;
  int64_t k, n;
  PanelShape shape;
  VectorType vectorType;
};

} // namespace

std::optional<PanelShape> mlir::lowbit::choosePanelShape(int64_t lanes,
                                                         int64_t n,
                                                         int64_t rows,
                                                         bool fma) {
  if (n % lanes != 0)
    return std::nullopt;
  int64_t vectors = n % (2 * lanes) == 0 ? 2 : 1;
  if (rows == 0)
    rows = lanes >= 16 ? 12 : 6;
  return PanelShape{lanes, vectors, rows, fma};
}

Value mlir::lowbit::buildFloatPanelKernel(OpBuilder &b, Location loc, Value x,
                                          ArrayRef<float> weight, int64_t k,
                                          int64_t n, const PanelShape &shape) {
  std::vector<float> packed =
      ::lowbit::quant::packColumnPanels(weight.data(), k, n, shape.width());
  auto type = RankedTensorType::get({n / shape.width(), k, shape.width()},
                                    b.getF32Type());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                     packed.size() * sizeof(float)),
      /*align=*/64);
  auto attr = DenseResourceElementsAttr::get(type, "lowbit.weight_panels",
                                             std::move(blob));
  Value panels = arith::ConstantOp::create(b, loc, type, attr);
  return FloatPanelKernelBuilder(b, loc, x, panels, k, n, shape).build();
}
