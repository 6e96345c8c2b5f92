//===- DecodedGemmKernel.cpp - Weight-only GEMM on decoded blocks ---------===//
//
// A weight-only matmul y = x @ dequantize(W)^T with many activation rows is
// bound by multiplies, not by the weight stream: decoding each weight once
// per row block and multiplying it from a register is what pays. The
// kernel transposes the activations once per call, and each task decodes
// a block of its weight rows into a buffer (scale and zero-point applied,
// k contiguous per row) that register tiles then read as broadcast
// scalars against vectors of VL activation rows:
//
//   xT[k, m] = x[m, k]                      // once per call, rows padded to VL
//   scf.forall (t) in (N / TN) shared_outs(y)          // TN columns a task
//     for each chunk of rows m0 .. m0 + MC:            // xT block in L2
//       yT = 0                                         // [TN, MC]
//       for each block of K [k0, k0 + KB):
//         buf[c, k - k0] = dequantize(w[n0 + c, k])   // TN x KB values
//         for each tile of NC columns c0 and RV vectors of VL rows m:
//           acc[v][c] = yT[c0 + c, m + v VL ..]
//           for k in the block:
//             acc[v][c] = fma(xT[k, m + v VL ..], broadcast(buf[c0 + c, k]),
//                             acc[v][c])
//           yT[c0 + c, m + v VL ..] = acc[v][c]
//       y[m, n0 + c] = yT[c, m - m0] (+ bias[n0 + c])  // rows < M only
//
// Every output is one FMA chain over k in order from zero, so its bits do
// not depend on M, the tile or the threads; the weights are the linalg
// lowering's dequantized values ((code - zero-point) * scale in f32) and
// only the summation order differs from the streaming kernel. An RV x NC
// tile costs RV vector loads and NC broadcasts per k for RV x NC FMAs
// (3 x 8 with AVX-512's 32 registers, 3 x 4 with 16); decoding costs one
// pass over TN x KB weights per chunk of MC rows.
//
// With bf16 products (AVX512-BF16), activations and dequantized weights are
// rounded to bf16 (nearest even) and the k loop takes pairs: xT holds i32
// words of (x[m, 2q], x[m, 2q + 1]) and the buffer words of (w[n, 2q],
// w[n, 2q + 1]), and each step is
//
//   acc[v][c] = lowbit.dot_bf16(acc[v][c], xT[q, m + v VL ..],
//                               broadcast(buf[c0 + c, q]))
//
// (vdpbf16ps: two products per lane, exact in f32, added to f32 sums):
// twice the products per instruction of f32 FMAs, operands kept to 8
// significant bits.
//
//===----------------------------------------------------------------------===//

#include "DecodedGemmKernel.h"

#include "KernelSupport.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Bytes of the transposed activations a chunk of rows may hold for one K
/// block: they stay in L2 (1 MiB on the build machine's Zen 5) while the
/// task's column tiles pass over them.
constexpr int64_t kChunkActivationBytes = 256 * 1024;

class DecodedGemmBuilder : private KernelLoops {
public:
  DecodedGemmBuilder(OpBuilder &b, Location loc, Value x, int64_t n, int64_t k,
                     Value bias, const DecodedGemmShape &shape,
                     DecodeRowFn decodeRow)
      : KernelLoops(b, loc), x(x), n(n), k(k), bias(bias), shape(shape),
        decodeRow(decodeRow) {
    f32 = b.getF32Type();
    i32 = b.getI32Type();
    floatType = VectorType::get({shape.lanes}, f32);
    wordType = VectorType::get({shape.lanes}, i32);
    pairType = VectorType::get({2 * shape.lanes}, b.getBF16Type());
    perElement = shape.bf16 ? 2 : 1;
    elementType = shape.bf16 ? i32 : f32;
    // Rows of a chunk: whole tiles whose K block of xT fits the budget.
    int64_t tileRows = shape.rowVectors * shape.lanes;
    chunkRows = std::max<int64_t>(1, kChunkActivationBytes /
                                         (shape.kBlock * (shape.bf16 ? 2 : 4)) /
                                         tileRows) *
                tileRows;
  }

  Value build() {
    Value m = tensor::DimOp::create(b, loc, x, 0);
    Value transposed = transposeActivations(m);
    SmallVector<OpFoldResult> ySizes = {m, b.getIndexAttr(n)};
    Value y0 = tensor::EmptyOp::create(b, loc, ySizes, f32);
    return buildColumnTasks(
        b, loc, y0, m, b.getIndexAttr(n / shape.taskColumns), shape.taskColumns,
        [&](Value slice, Value, Value n0) {
          return emitTask(slice, n0, m, transposed);
        });
  }

private:
  /// The map of a transfer along the first of two dimensions (a column).
  AffineMap columnMap() {
    return AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext());
  }

  /// xT [K / P, Mp] (P = 1 for f32, 2 for bf16 words), Mp = M rounded up
  /// to VL, rows past M zero: element (q, m) is x[m, q] (f32) or the word of
  /// bf16(x[m, 2q]) (low half) and bf16(x[m, 2q + 1]). Columns of x are
  /// read as vectors of VL rows (masked past M), in an scf.forall over
  /// blocks of K.
  Value transposeActivations(Value m) {
    Value paddedRows = roundUp(m, shape.lanes);
    int64_t elements = k / perElement;
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(elements), paddedRows};
    Value init = tensor::EmptyOp::create(b, loc, sizes, elementType);
    // Blocks of 256 elements (of K / P): one task each.
    int64_t blockElements = std::min<int64_t>(256, elements);
    while (elements % blockElements != 0)
      --blockElements;
    auto forall = scf::ForallOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{b.getIndexAttr(elements / blockElements)},
        ValueRange{init}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value q0 = mul(forall.getInductionVar(0), index(blockElements));
    Value out = forall.getRegionIterArgs().front();
    SmallVector<OpFoldResult> offsets = {q0, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> blockSizes = {b.getIndexAttr(blockElements),
                                            paddedRows};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value block = tensor::ExtractSliceOp::create(b, loc, out, offsets,
                                                 blockSizes, strides);
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value result = loop(
        index(0), paddedRows, shape.lanes, block, [&](Value row, Value rows) {
          return loop(
              index(0), index(blockElements), 1, rows, [&](Value q, Value out) {
                Value column = add(q0, q);
                auto readColumn = [&](Value kk) -> Value {
                  return vector::TransferReadOp::create(
                      b, loc, floatType, x, ValueRange{row, kk}, padding,
                      columnMap(), ArrayRef<bool>{false});
                };
                Value value;
                if (shape.bf16) {
                  Value even = mul(column, index(2));
                  Value low = arith::TruncFOp::create(
                      b, loc, VectorType::get({shape.lanes}, b.getBF16Type()),
                      readColumn(even));
                  Value high = arith::TruncFOp::create(
                      b, loc, VectorType::get({shape.lanes}, b.getBF16Type()),
                      readColumn(offset(even, 1)));
                  value = vector::BitCastOp::create(
                      b, loc, wordType,
                      vector::InterleaveOp::create(b, loc, low, high));
                } else {
                  value = readColumn(column);
                }
                return vector::TransferWriteOp::create(b, loc, value, out,
                                                       ValueRange{q, row},
                                                       ArrayRef<bool>{true})
                    .getResult();
              });
        });
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, result, out, offsets,
                                          blockSizes, strides);
    return forall.getResult(0);
  }

  /// One task: columns n0 .. n0 + TN of y (`slice`).
  Value emitTask(Value slice, Value n0, Value m, Value transposed) {
    int64_t width = shape.taskColumns;
    int64_t blockElements = shape.kBlock / perElement;
    Value buffer = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{width, blockElements}, elementType);
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value tileInit = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{width, chunkRows}, f32);
    return loop(index(0), m, chunkRows, slice, [&](Value mc, Value ySlice) {
      Value mEnd = min(add(mc, index(chunkRows)), m);
      // The chunk's rows in whole vectors (xT is padded to them).
      Value vectorRows =
          roundUp(arith::SubIOp::create(b, loc, mEnd, mc), shape.lanes);
      Value tile =
          linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{tileInit})
              .getResult(0);
      tile = loop(index(0), index(k), shape.kBlock, tile,
                  [&](Value k0, Value kTile) {
                    Value k1 = min(add(k0, index(shape.kBlock)), index(k));
                    Value decoded = decodeBlock(buffer, n0, k0, k1);
                    return emitColumnTiles(kTile, decoded, transposed, mc,
                                           vectorRows, k0, k1);
                  });
      return writeBack(tile, ySlice, n0, mc, mEnd);
    });
  }

  /// The task's weight rows n0 .. n0 + TN, codes [k0, k1), dequantized into
  /// the buffer: buf[c, (k - k0) / P].
  Value decodeBlock(Value buffer, Value n0, Value k0, Value k1) {
    return loop(
        index(0), index(shape.taskColumns), 1, buffer, [&](Value c, Value buf) {
          return decodeRow(
              buf, add(n0, c), k0, k1,
              [&](Value buf, Value kk, ArrayRef<Value> values) -> Value {
                Value element =
                    div(arith::SubIOp::create(b, loc, kk, k0), perElement);
                for (auto [i, value] : llvm::enumerate(values)) {
                  Value stored = value;
                  int64_t step = shape.lanes / perElement;
                  if (shape.bf16)
                    stored = vector::BitCastOp::create(
                        b, loc, VectorType::get({step}, i32),
                        arith::TruncFOp::create(
                            b, loc,
                            VectorType::get({shape.lanes}, b.getBF16Type()),
                            value));
                  buf = vector::TransferWriteOp::create(
                            b, loc, stored, buf,
                            ValueRange{c, offset(element, i * step)},
                            ArrayRef<bool>{true})
                            .getResult();
                }
                return buf;
              });
        });
  }

  /// All register tiles of the chunk for K block [k0, k1): column tiles of
  /// NC, row tiles of RV vectors, then of 2 (RV > 2) and of 1.
  Value emitColumnTiles(Value tile, Value decoded, Value transposed, Value mc,
                        Value vectorRows, Value k0, Value k1) {
    Value q0 = div(k0, perElement);
    Value count = div(arith::SubIOp::create(b, loc, k1, k0), perElement);
    SmallVector<int64_t, 3> tileVectors = {shape.rowVectors};
    if (shape.rowVectors > 2)
      tileVectors.push_back(2);
    if (shape.rowVectors > 1)
      tileVectors.push_back(1);
    return loop(index(0), index(shape.taskColumns), shape.columns, tile,
                [&](Value c0, Value cTile) {
                  Value start = index(0);
                  for (int64_t vectors : tileVectors) {
                    // The end of the rows whole tiles of this size cover.
                    int64_t rows = vectors * shape.lanes;
                    Value end =
                        vectors == 1
                            ? vectorRows
                            : add(start, mul(div(arith::SubIOp::create(
                                                     b, loc, vectorRows, start),
                                                 rows),
                                             index(rows)));
                    cTile =
                        loop(start, end, rows, cTile, [&](Value r0, Value t) {
                          return emitTile(t, decoded, transposed, mc, r0,
                                          vectors, c0, q0, count);
                        });
                    start = end;
                  }
                  return cTile;
                });
  }

  /// One register tile: `vectors` x VL rows from r0 (in the chunk) times NC
  /// columns from c0 (in the task), over buffer elements [0, count).
  Value emitTile(Value tile, Value decoded, Value transposed, Value mc,
                 Value r0, int64_t vectors, Value c0, Value q0, Value count) {
    SmallVector<Value> rowIndex, columnIndex;
    for (int64_t v = 0; v < vectors; ++v)
      rowIndex.push_back(offset(r0, v * shape.lanes));
    for (int64_t c = 0; c < shape.columns; ++c)
      columnIndex.push_back(offset(c0, c));
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> accs;
    for (int64_t v = 0; v < vectors; ++v)
      for (int64_t c = 0; c < shape.columns; ++c)
        accs.push_back(vector::TransferReadOp::create(
            b, loc, floatType, tile, ValueRange{columnIndex[c], rowIndex[v]},
            padding, ArrayRef<bool>{true}));
    SmallVector<Value> xRows;
    for (int64_t v = 0; v < vectors; ++v)
      xRows.push_back(add(mc, rowIndex[v]));
    Value elementPadding =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
    auto kLoop = scf::ForOp::create(
        b, loc, index(0), count, index(1), accs,
        [&](OpBuilder &, Location, Value q, ValueRange carried) {
          SmallVector<Value> acc(carried.begin(), carried.end());
          Value xq = add(q0, q);
          SmallVector<Value> activations;
          for (int64_t v = 0; v < vectors; ++v) {
            Value loaded = vector::TransferReadOp::create(
                b, loc, shape.bf16 ? wordType : floatType, transposed,
                ValueRange{xq, xRows[v]}, elementPadding, ArrayRef<bool>{true});
            if (shape.bf16)
              loaded = vector::BitCastOp::create(b, loc, pairType, loaded);
            activations.push_back(loaded);
          }
          for (int64_t c = 0; c < shape.columns; ++c) {
            Value weight = tensor::ExtractOp::create(
                b, loc, decoded, ValueRange{columnIndex[c], q});
            Value broadcast = vector::BroadcastOp::create(
                b, loc, shape.bf16 ? wordType : floatType, weight);
            if (shape.bf16)
              broadcast =
                  vector::BitCastOp::create(b, loc, pairType, broadcast);
            for (int64_t v = 0; v < vectors; ++v) {
              Value &sum = acc[v * shape.columns + c];
              if (shape.bf16)
                sum = DotBF16Op::create(b, loc, floatType, sum, activations[v],
                                        broadcast);
              else
                sum = emitMultiplyAdd(b, loc, activations[v], broadcast, sum,
                                      shape.fma);
            }
          }
          scf::YieldOp::create(b, loc, acc);
        });
    for (int64_t v = 0; v < vectors; ++v)
      for (int64_t c = 0; c < shape.columns; ++c)
        tile =
            vector::TransferWriteOp::create(
                b, loc, kLoop.getResult(v * shape.columns + c), tile,
                ValueRange{columnIndex[c], rowIndex[v]}, ArrayRef<bool>{true})
                .getResult();
    return tile;
  }

  /// y[m, n0 + c] = tile[c, m - mc] (+ bias[n0 + c]) for the chunk's rows
  /// mc .. mEnd, W = min(VL, TN) columns at a time (a column of the tile
  /// read as a vector; TN is a multiple of W).
  Value writeBack(Value tile, Value ySlice, Value n0, Value mc, Value mEnd) {
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    int64_t width = std::min(shape.lanes, shape.taskColumns);
    auto floatType = VectorType::get({width}, f32);
    return loop(mc, mEnd, 1, ySlice, [&](Value row, Value out) {
      Value inChunk = arith::SubIOp::create(b, loc, row, mc);
      return loop(index(0), index(shape.taskColumns), width, out,
                  [&](Value c, Value rowOut) {
                    Value value = vector::TransferReadOp::create(
                        b, loc, floatType, tile, ValueRange{c, inChunk},
                        padding, columnMap(), ArrayRef<bool>{true});
                    if (bias)
                      value = arith::AddFOp::create(
                          b, loc, value,
                          vector::TransferReadOp::create(
                              b, loc, floatType, bias, ValueRange{add(n0, c)},
                              padding, ArrayRef<bool>{true}));
                    return vector::TransferWriteOp::create(
                               b, loc, value, rowOut, ValueRange{row, c},
                               ArrayRef<bool>{true})
                        .getResult();
                  });
    });
  }

  Value x;
  int64_t n, k;
  Value bias;
  DecodedGemmShape shape;
  DecodeRowFn decodeRow;
  Type f32, i32, elementType;
  VectorType floatType, wordType, pairType;
  /// Values of K per element of xT and the buffer: 1 (f32) or 2 (bf16).
  int64_t perElement;
  /// Rows of a chunk (a multiple of the tile's rows).
  int64_t chunkRows;
};

} // namespace

Value mlir::lowbit::buildDecodedGemm(OpBuilder &b, Location loc, Value x,
                                     int64_t n, int64_t k, Value bias,
                                     const DecodedGemmShape &shape,
                                     DecodeRowFn decodeRow) {
  assert(n % shape.taskColumns == 0 && shape.taskColumns % shape.columns == 0 &&
         shape.taskColumns % std::min(shape.lanes, shape.taskColumns) == 0 &&
         shape.kBlock % (shape.bf16 ? 2 : 1) == 0 && "whole tiles and blocks");
  return DecodedGemmBuilder(b, loc, x, n, k, bias, shape, decodeRow).build();
}
