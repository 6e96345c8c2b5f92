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
// A bf16 or f16 weight keeps its type in the panels (half the bytes; its
// values are exact in f32): each loaded panel vector is widened to f32
// (arith.extf: a zero-extension and a shift for bf16, vcvtph2ps for f16)
// before its FMAs.
//
// With bf16 pairs (a bf16 weight, bf16 activations, AVX512-BF16) the panels
// hold pairs of k instead: [N / NR, K / 2, 2 NR] bf16, for each pair q the
// values (W[2q, n], W[2q + 1, n]) of the panel's NR columns side by side,
// and each step multiplies one pair of k by vdpbf16ps, the activations'
// pair read as one 32-bit word straight from x and broadcast:
//
//   acc[r][c] = lowbit.dot_bf16(acc[r][c], broadcast(x[m0 + r, 2q .. 2q + 1]),
//                               Wp[p, q, 2 c VL ..])
//
// Products of bf16 values are exact in f32, so this differs from the widened
// FMAs only in the order of each pair's two additions (the odd k first) and
// in flushing denormals; it takes half the multiply instructions and no
// widening (warm, two threads, 4096 x 4096 bf16 on the build machine: 5.18
// against 10.2 ms at M = 128, 0.253 against 0.462 ms at M = 1).
//
// Each output is one chain of fused multiply-adds over k in order, started
// from zero and carried through y between K blocks, so its bits depend on
// neither M, the tile it falls in, nor the number of threads. There are no
// horizontal reductions, and every activation is read once per tile and k
// as a broadcast load (vbroadcastss) shared by the row's c FMAs: each k of a
// tile costs c vector loads and MR broadcasts for MR x c FMAs.
// The panels' slices of a K block stay in L2 while the chunk's rows pass
// (the 4 k-rows a step reads are in L1), and the chunk's x block stays in
// L2 while the task's panels pass.
//
// W8A8 with VNNI (lowbit.matmul, i8 x i8, constant weight): the same loops
// on i32 lanes, four k per step. The codes are packed into panels of 4-code
// groups, [N / NR, K / 4, 4 NR] bytes (for each group q, the codes
// w[n, 4q .. 4q + 3] of the panel's NR columns side by side), and the
// activations are made unsigned once per call as i32 words of four codes,
// u[m, q] = x[m, 4q .. 4q + 3] xor 0x80 (= x + 128):
//
//   acc[r][c] = vpdpbusd(acc[r][c], broadcast(u[m0 + r, q]), Wp[p, q, c ..])
//   y[m, n]   = f32(acc - 128 sum_k w[n, k]) * (sx[m] * sw[n]) (+ bias[n])
//
// with the correction 128 sum_k w[n, k] computed at compile time and the
// epilogue on vectors, the scalar kernel's f32 operations lane by lane, so
// the results are those of the linalg lowering bit for bit. K comes in
// blocks of at most 8192 codes (a 256 KiB panel slice, as f32's 2048);
// with more than one block the task sums into an i32 tile and applies the
// epilogue at the end.
//
// Without VNNI (at 4, 8 or 16 lanes) the same loops run on 2-code groups:
// panels of [N / NR, K / 2, 2 NR] bytes, the activations sign-extended once
// per call into i32 words of two i16 codes, v[m, q] = (x[m, 2q],
// x[m, 2q + 1]), and each step's panel vectors sign-extended to i16:
//
//   acc[r][c] = lowbit.dot_i16(acc[r][c], broadcast(v[m0 + r, q]),
//                              sext16(Wp[p, q, c ..]))           (pmaddwd)
//   y[m, n]   = f32(acc) * (sx[m] * sw[n]) (+ bias[n])
//
// (warm, two threads, 4096 x 4096 on x86-64-v3: 10.9 ms at M = 128 against
// 13.7 for the streaming kernel's i16 pairs and 18.4 for the f32 panels;
// 0.156 against 0.389 ms at M = 1).
//
//===----------------------------------------------------------------------===//

#include "PanelKernels.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Quant/HalfPrecision.h"
#include "lowbit/Quant/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The K blocks of the panel kernels (balancedKBlock) keep a panel's slice
/// in L2 while the rows pass. For f32, blocks of at most 2048 (2048 x NR x 4
/// bytes, 256 KiB at 32 columns); measured on the build machine (Zen 5, 1
/// MiB L2, 48 KiB L1), f32 4096 x 11008 with two threads against oneDNN:
/// blocks of 256 (the slice in L1) 0.53x at M = 16, 0.98x at M = 512; of
/// 1024 0.90x and 1.00x; of 2048 1.10x and 1.02x; unblocked 1.05x and
/// 0.68x. Long contiguous slices stream from DRAM better at small M, and
/// the slice must stay in L2 at large M. W8A8 codes take a quarter of the
/// bytes: blocks of at most 8192.
constexpr int64_t kFloatPanelKBlock = 2048;
constexpr int64_t kIntPanelKBlock = 8192;

/// The loop nest both panel kernels share (tasks of panels, K blocks, row
/// chunks, panels, row tiles); the index helpers of KernelLoops.
class PanelLoopBuilder : public KernelLoops {
public:
  /// Computes one register tile: `rows` rows from `m0` times panel `p` (the
  /// tile's columns `column`..), over k in [k0, k1); returns the new tile.
  using EmitTile =
      function_ref<Value(Value tile, Value m0, int64_t rows, Value p,
                         Value column, Value k0, Value k1)>;

  PanelLoopBuilder(OpBuilder &b, Location loc, const PanelShape &shape)
      : KernelLoops(b, loc), shape(shape) {}

  /// The forall over tasks of panels filling y0 [M, N]: each task takes
  /// its slice of y, makes its tile of it (`makeTile`, null: the slice
  /// itself), runs the loops with `emitTile` over K blocks of `kBlock` and
  /// row chunks of at most 256 KiB of activations (`activationBytes` a
  /// value), and turns the tile back into the slice (`finishTile(tile,
  /// slice, n0)`, null: the tile is the slice).
  Value buildTasks(
      Value y0, Value m, int64_t n, int64_t k, int64_t kBlock,
      int64_t activationBytes, EmitTile emitTile,
      function_ref<Value(Value slice)> makeTile = {},
      function_ref<Value(Value tile, Value slice, Value n0)> finishTile = {}) {
    // Tasks of PB panels: the largest divisor of P that leaves at least 16
    // tasks (each task reads the activations once per chunk, so fewer,
    // larger tasks read them less often; 16 share out over the cores).
    int64_t numPanels = n / shape.width();
    int64_t panelsPerTask = std::max<int64_t>(1, numPanels / 16);
    while (numPanels % panelsPerTask != 0)
      --panelsPerTask;
    int64_t taskWidth = panelsPerTask * shape.width();
    return buildColumnTasks(
        b, loc, y0, m, b.getIndexAttr(numPanels / panelsPerTask), taskWidth,
        [&](Value slice, Value task, Value n0) {
          Value tile = makeTile ? makeTile(slice) : slice;
          Value firstPanel = mul(task, index(panelsPerTask));

          int64_t chunk =
              std::max<int64_t>(1, (256 * 1024) / (kBlock * activationBytes) /
                                       shape.rows) *
              shape.rows;
          Value result = loop(
              index(0), index(k), kBlock, tile, [&](Value k0, Value kTile) {
                Value k1 = min(add(k0, index(kBlock)), index(k));
                return loop(
                    index(0), m, chunk, kTile, [&](Value m0, Value cTile) {
                      Value m1 = min(add(m0, index(chunk)), m);
                      return loop(
                          index(0), index(panelsPerTask), 1, cTile,
                          [&](Value panel, Value pTile) {
                            Value p = add(firstPanel, panel);
                            Value column = mul(panel, index(shape.width()));
                            return emitRowTiles(pTile, m0, m1, p, column, k0,
                                                k1, emitTile);
                          });
                    });
              });
          if (finishTile)
            result = finishTile(result, slice, n0);
          return result;
        });
  }

  /// The rows m0 .. m0 + `rows` - 1 of a register tile and the first column
  /// of each of its vectors (from the panel's first column `column`).
  void tileIndices(Value m0, int64_t rows, Value column,
                   SmallVectorImpl<Value> &rowIndex,
                   SmallVectorImpl<Value> &columnIndex) {
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(offset(m0, r));
    for (int64_t c = 0; c < shape.vectors; ++c)
      columnIndex.push_back(offset(column, c * shape.lanes));
  }

private:
  /// Rows [m0, m1) of panel `p`: tiles of shape.rows rows, then of 4, then
  /// one by one.
  Value emitRowTiles(Value tile, Value m0, Value m1, Value p, Value column,
                     Value k0, Value k1, EmitTile emitTile) {
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
                    mul(div(arith::SubIOp::create(b, loc, m1, start), rows),
                        index(rows)));
      tile = loop(start, end, rows, tile, [&](Value row, Value rTile) {
        return emitTile(rTile, row, rows, p, column, k0, k1);
      });
      start = end;
    }
    return tile;
  }

  PanelShape shape;
};

/// The f32 kernel (see the file header).
class FloatPanelKernelBuilder {
public:
  /// `pairs`: panels of bf16 pairs of k, bf16 x (see the file header).
  FloatPanelKernelBuilder(OpBuilder &b, Location loc, Value x, Value panels,
                          int64_t k, int64_t n, const PanelShape &shape,
                          bool pairs)
      : b(b), loc(loc), x(x), panels(panels), k(k), n(n), shape(shape),
        loops(b, loc, shape), pairs(pairs) {
    vectorType = VectorType::get({shape.lanes}, b.getF32Type());
    Type panelElement =
        cast<RankedTensorType>(panels.getType()).getElementType();
    panelVectorType =
        VectorType::get({pairs ? 2 * shape.lanes : shape.lanes}, panelElement);
  }

  Value build() {
    Value m = tensor::DimOp::create(b, loc, x, 0);
    SmallVector<OpFoldResult> ySizes = {m, b.getIndexAttr(n)};
    Value y0 = tensor::EmptyOp::create(b, loc, ySizes, b.getF32Type());
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    y0 = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{y0})
             .getResult(0);
    // With pairs the loops run over pairs of k (panel slices of the same
    // bytes as f32's, 4 activation bytes per pair).
    int64_t steps = pairs ? k / 2 : k;
    return loops.buildTasks(
        y0, m, n, steps, balancedKBlock(steps, kFloatPanelKBlock, 4),
        /*activationBytes=*/4,
        [&](Value tile, Value m0, int64_t rows, Value p, Value column, Value k0,
            Value k1) { return emitTile(tile, m0, rows, p, column, k0, k1); });
  }

private:
  /// One register tile: `rows` rows from `m0` times the panel's columns,
  /// accumulated over [k0, k1) onto what the tile holds.
  Value emitTile(Value tile, Value m0, int64_t rows, Value p, Value column,
                 Value k0, Value k1) {
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value panelPadding = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(panelVectorType.getElementType(), 0));
    SmallVector<Value> rowIndex, columnIndex;
    loops.tileIndices(m0, rows, column, rowIndex, columnIndex);
    SmallVector<Value> accs;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < shape.vectors; ++c)
        accs.push_back(vector::TransferReadOp::create(
            b, loc, vectorType, tile, ValueRange{rowIndex[r], columnIndex[c]},
            padding, ArrayRef<bool>{true}));

    // Four steps (k, or pairs of k) per iteration when every block is a
    // multiple of 4.
    int64_t steps = pairs ? k / 2 : k;
    int64_t unroll = steps % 4 == 0 ? 4 : 1;
    auto kLoop = scf::ForOp::create(
        b, loc, k0, k1, loops.index(unroll), accs,
        [&](OpBuilder &, Location, Value kIndex, ValueRange carried) {
          SmallVector<Value> acc(carried.begin(), carried.end());
          for (int64_t u = 0; u < unroll; ++u) {
            Value kk = loops.offset(kIndex, u);
            SmallVector<Value> weights;
            for (int64_t c = 0; c < shape.vectors; ++c) {
              Value weight = vector::TransferReadOp::create(
                  b, loc, panelVectorType, panels,
                  ValueRange{p, kk,
                             loops.index(c * panelVectorType.getNumElements())},
                  panelPadding, ArrayRef<bool>{true});
              if (!pairs && weight.getType() != vectorType)
                weight = arith::ExtFOp::create(b, loc, vectorType, weight);
              weights.push_back(weight);
            }
            for (int64_t r = 0; r < rows; ++r) {
              Value activation;
              if (pairs)
                activation = broadcastPair(rowIndex[r], kk, panelPadding);
              else
                activation = vector::BroadcastOp::create(
                    b, loc, vectorType,
                    tensor::ExtractOp::create(b, loc, x,
                                              ValueRange{rowIndex[r], kk}));
              for (int64_t c = 0; c < shape.vectors; ++c) {
                Value &sum = acc[r * shape.vectors + c];
                if (pairs)
                  sum = DotBF16Op::create(b, loc, vectorType, sum, activation,
                                          weights[c]);
                else
                  sum = emitMultiplyAdd(b, loc, activation, weights[c], sum,
                                        shape.fma);
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

  /// The bf16 pair x[row, 2q], x[row, 2q + 1] in every 32-bit lane: one
  /// word read from x and broadcast (one broadcast load), as 2 VL bf16
  /// values; `padding` is a bf16 zero.
  Value broadcastPair(Value row, Value q, Value padding) {
    Value pair = vector::TransferReadOp::create(
        b, loc, VectorType::get({2}, b.getBF16Type()), x,
        ValueRange{row, loops.mul(q, 2)}, padding, ArrayRef<bool>{true});
    Value word = vector::ExtractOp::create(
        b, loc,
        vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getI32Type()),
                                  pair),
        ArrayRef<int64_t>{0});
    Value words = vector::BroadcastOp::create(
        b, loc, VectorType::get({shape.lanes}, b.getI32Type()), word);
    return vector::BitCastOp::create(b, loc, panelVectorType, words);
  }

  OpBuilder &b;
  Location loc;
  Value x, panels;
  int64_t k, n;
  PanelShape shape;
  PanelLoopBuilder loops;
  /// Panels of bf16 pairs of k, multiplied by lowbit.dot_bf16.
  bool pairs;
  VectorType vectorType;
  /// A vector of panel elements as one load reads them (f32, bf16 or f16;
  /// 2 VL bf16 with pairs).
  VectorType panelVectorType;
};

/// The W8A8 kernel with vpdpbusd, or with pmaddwd on i16 pairs (see the
/// file header).
class IntPanelKernelBuilder {
public:
  /// `corrections` is null for i16 pairs (no +128 to undo).
  IntPanelKernelBuilder(OpBuilder &b, Location loc, const IntKernelInputs &in,
                        Value panels, Value corrections,
                        const PanelShape &shape, bool vnni)
      : b(b), loc(loc), in(in), panels(panels), corrections(corrections),
        shape(shape), loops(b, loc, shape), vnni(vnni) {
    i32 = b.getI32Type();
    group = vnni ? 4 : 2;
    sumType = VectorType::get({shape.lanes}, i32);
    bytesType = VectorType::get({group * shape.lanes}, b.getI8Type());
    pairType = VectorType::get({2 * shape.lanes}, b.getI16Type());
    floatType = VectorType::get({shape.lanes}, b.getF32Type());
  }

  Value build() {
    Value m = tensor::DimOp::create(b, loc, in.lhs, 0);
    words = activationWords(m);
    SmallVector<OpFoldResult> ySizes = {m, b.getIndexAttr(in.n)};
    Value y0 = tensor::EmptyOp::create(b, loc, ySizes, b.getF32Type());
    int64_t kBlock = balancedKBlock(in.k, kIntPanelKBlock, group);
    auto emit = [&](Value tile, Value m0, int64_t rows, Value p, Value column,
                    Value k0, Value k1) {
      return emitTile(tile, m0, rows, p, column, k0, k1,
                      /*blocks=*/kBlock != in.k);
    };
    if (kBlock == in.k)
      return loops.buildTasks(y0, m, in.n, in.k, kBlock, 1, emit);
    // K in blocks: the i32 sums in a tile of the task (wrapping, so the
    // blocks do not change them), the epilogue once at the end.
    return loops.buildTasks(
        y0, m, in.n, in.k, kBlock, 1, emit,
        [&](Value slice) { return createZeroTensor(b, loc, slice, i32); },
        [&](Value sums, Value slice, Value n0) {
          return applyEpilogue(sums, slice, n0);
        });
  }

private:
  /// The activations as i32 words of `group` consecutive k: with VNNI four
  /// unsigned bytes (x + 128, i.e. x xor 0x80), else two codes
  /// sign-extended to i16: [M, K / group], once per call, so that the
  /// kernel broadcasts one word per row and step.
  Value activationWords(Value m) {
    int64_t numWords = in.k / group;
    SmallVector<OpFoldResult> sizes = {m, b.getIndexAttr(numWords)};
    Value init = tensor::EmptyOp::create(b, loc, sizes, i32);
    Value padding = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    Value signBit;
    if (vnni)
      signBit = arith::ConstantOp::create(
          b, loc, bytesType,
          DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(-128)));
    return loops.loop(loops.index(0), m, 1, init, [&](Value row, Value rows) {
      return loops.loop(
          loops.index(0), loops.index(numWords), shape.lanes, rows,
          [&](Value word, Value out) {
            Value bytes = vector::TransferReadOp::create(
                b, loc, bytesType, in.lhs,
                ValueRange{row, loops.mul(word, loops.index(group))}, padding,
                ArrayRef<bool>{true});
            Value packed =
                vnni ? vector::BitCastOp::create(
                           b, loc, sumType,
                           arith::XOrIOp::create(b, loc, bytes, signBit))
                     : vector::BitCastOp::create(
                           b, loc, sumType,
                           arith::ExtSIOp::create(b, loc, pairType, bytes));
            return vector::TransferWriteOp::create(b, loc, packed, out,
                                                   ValueRange{row, word},
                                                   ArrayRef<bool>{true})
                .getResult();
          });
    });
  }

  /// y[row, col ..] for `lanes` columns from their exact sums: correction,
  /// scales, bias (the f32 operations of the scalar epilogue, lane-wise).
  Value epilogue(Value sums, Value row, Value col) {
    Value padding = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value exact = sums;
    if (corrections)
      exact = arith::SubIOp::create(
          b, loc, sums,
          vector::TransferReadOp::create(b, loc, sumType, corrections,
                                         ValueRange{col}, padding,
                                         ArrayRef<bool>{true}));
    Value lhsScale = vector::BroadcastOp::create(
        b, loc, floatType,
        readParam(b, loc, in.lhsScale, in.lhsGranularity, row, Value()));
    Value rhsScale;
    if (in.rhsScale.tensor && in.rhsGranularity == Granularity::Axis) {
      auto type = cast<RankedTensorType>(in.rhsScale.tensor.getType());
      Type element = type.getElementType();
      Value scales = vector::TransferReadOp::create(
          b, loc, VectorType::get({shape.lanes}, element), in.rhsScale.tensor,
          ValueRange{col},
          arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
          ArrayRef<bool>{true});
      if (element.isInteger())
        rhsScale = arith::SIToFPOp::create(b, loc, floatType, scales);
      else if (!element.isF32())
        rhsScale = arith::ExtFOp::create(b, loc, floatType, scales);
      else
        rhsScale = scales;
    } else {
      rhsScale = vector::BroadcastOp::create(
          b, loc, floatType,
          readParam(b, loc, in.rhsScale, in.rhsGranularity, col, Value()));
    }
    Value scale = arith::MulFOp::create(b, loc, lhsScale, rhsScale);
    Value value = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, floatType, exact), scale);
    if (in.bias) {
      Value bias = vector::TransferReadOp::create(
          b, loc, floatType, in.bias, ValueRange{col},
          arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)),
          ArrayRef<bool>{true});
      value = arith::AddFOp::create(b, loc, value, bias);
    }
    return value;
  }

  /// The task's slice of y (columns n0..) from its tile of i32 sums.
  Value applyEpilogue(Value sums, Value slice, Value n0) {
    Value rows = tensor::DimOp::create(b, loc, sums, 0);
    int64_t width = cast<RankedTensorType>(sums.getType()).getDimSize(1);
    Value padding = arith::ConstantIntOp::create(b, loc, i32, 0);
    return loops.loop(
        loops.index(0), rows, 1, slice, [&](Value row, Value rowSlice) {
          return loops.loop(loops.index(0), loops.index(width), shape.lanes,
                            rowSlice, [&](Value c, Value out) {
                              Value sum = vector::TransferReadOp::create(
                                  b, loc, sumType, sums, ValueRange{row, c},
                                  padding, ArrayRef<bool>{true});
                              Value value =
                                  epilogue(sum, row, loops.add(n0, c));
                              return vector::TransferWriteOp::create(
                                         b, loc, value, out, ValueRange{row, c},
                                         ArrayRef<bool>{true})
                                  .getResult();
                            });
        });
  }

  /// One register tile over [k0, k1) (multiples of `group`): with `blocks`, the
  /// sums are carried in the task's i32 tile; otherwise they start at zero
  /// and the tile (the task's slice of y) receives the epilogue's values.
  Value emitTile(Value tile, Value m0, int64_t rows, Value p, Value column,
                 Value k0, Value k1, bool blocks) {
    Value padding = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value bytePadding = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    SmallVector<Value> rowIndex, columnIndex;
    loops.tileIndices(m0, rows, column, rowIndex, columnIndex);
    SmallVector<Value> accs;
    Value zero = arith::ConstantOp::create(
        b, loc, sumType,
        DenseElementsAttr::get(sumType, b.getI32IntegerAttr(0)));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < shape.vectors; ++c)
        accs.push_back(blocks ? vector::TransferReadOp::create(
                                    b, loc, sumType, tile,
                                    ValueRange{rowIndex[r], columnIndex[c]},
                                    padding, ArrayRef<bool>{true})
                                    .getResult()
                              : zero);

    Value groupSize = loops.index(group);
    Value q0 = arith::DivUIOp::create(b, loc, k0, groupSize);
    Value q1 = arith::DivUIOp::create(b, loc, k1, groupSize);
    auto qLoop = scf::ForOp::create(
        b, loc, q0, q1, loops.index(1), accs,
        [&](OpBuilder &, Location, Value q, ValueRange carried) {
          SmallVector<Value> acc(carried.begin(), carried.end());
          SmallVector<Value> weights;
          for (int64_t c = 0; c < shape.vectors; ++c) {
            Value codes = vector::TransferReadOp::create(
                b, loc, bytesType, panels,
                ValueRange{p, q, loops.index(c * group * shape.lanes)},
                bytePadding, ArrayRef<bool>{true});
            if (!vnni)
              codes = arith::ExtSIOp::create(b, loc, pairType, codes);
            weights.push_back(codes);
          }
          for (int64_t r = 0; r < rows; ++r) {
            Value word = tensor::ExtractOp::create(b, loc, words,
                                                   ValueRange{rowIndex[r], q});
            Value activation = vector::BitCastOp::create(
                b, loc, vnni ? bytesType : pairType,
                vector::BroadcastOp::create(b, loc, sumType, word));
            for (int64_t c = 0; c < shape.vectors; ++c) {
              Value &sum = acc[r * shape.vectors + c];
              sum = vnni ? DotU8S8Op::create(b, loc, sumType, sum, activation,
                                             weights[c])
                               .getResult()
                         : DotI16Op::create(b, loc, sumType, sum, activation,
                                            weights[c])
                               .getResult();
            }
          }
          scf::YieldOp::create(b, loc, acc);
        });

    // The panel's first column of y (the tile's columns are the task's).
    Value panelColumn = loops.mul(p, loops.index(shape.width()));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < shape.vectors; ++c) {
        Value sum = qLoop.getResult(r * shape.vectors + c);
        Value value =
            blocks ? sum
                   : epilogue(sum, rowIndex[r],
                              loops.offset(panelColumn, c * shape.lanes));
        tile = vector::TransferWriteOp::create(
                   b, loc, value, tile, ValueRange{rowIndex[r], columnIndex[c]},
                   ArrayRef<bool>{true})
                   .getResult();
      }
    return tile;
  }

  OpBuilder &b;
  Location loc;
  const IntKernelInputs &in;
  Value panels, corrections, words;
  PanelShape shape;
  PanelLoopBuilder loops;
  /// vpdpbusd on 4-code groups, else pmaddwd on 2-code groups.
  bool vnni;
  /// Codes of K per i32 lane and step: 4 or 2.
  int64_t group;
  Type i32;
  VectorType sumType, bytesType, pairType, floatType;
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
                                          int64_t n, const PanelShape &shape,
                                          FloatType panelType, bool bf16Pairs) {
  assert((!bf16Pairs ||
          (panelType.isBF16() && k % 2 == 0 &&
           cast<RankedTensorType>(x.getType()).getElementType().isBF16())) &&
         "bf16 pairs take a bf16 weight and bf16 activations, K even");
  int64_t width = shape.width();
  std::vector<float> packed =
      ::lowbit::quant::packColumnPanels(weight.data(), k, n, width);
  auto type = RankedTensorType::get({n / width, k, width}, panelType);
  if (bf16Pairs) {
    // out[((p * K/2 + q) * NR + j) * 2 + h] = panel p's W[2q + h, j].
    std::vector<float> pairs(packed.size());
    for (int64_t p = 0; p < n / width; ++p)
      for (int64_t q = 0; q < k / 2; ++q)
        for (int64_t j = 0; j < width; ++j)
          for (int64_t h = 0; h < 2; ++h)
            pairs[((p * (k / 2) + q) * width + j) * 2 + h] =
                packed[(p * k + 2 * q + h) * width + j];
    packed = std::move(pairs);
    type = RankedTensorType::get({n / width, k / 2, 2 * width}, panelType);
  }
  Value panels;
  if (panelType.isF32()) {
    panels = createResourceConstant(
        b, loc, type, "lowbit.weight_panels",
        ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                       packed.size() * sizeof(float)));
  } else {
    // The values came from `panelType`, so these conversions are exact.
    assert((panelType.isBF16() || panelType.isF16()) && "a 16-bit float");
    std::vector<uint16_t> halves(packed.size());
    for (size_t i = 0; i < packed.size(); ++i)
      halves[i] = panelType.isBF16()
                      ? ::lowbit::quant::floatToBFloat16Bits(packed[i])
                      : ::lowbit::quant::floatToHalfBits(packed[i]);
    panels = createResourceConstant(
        b, loc, type, "lowbit.weight_panels",
        ArrayRef<char>(reinterpret_cast<const char *>(halves.data()),
                       halves.size() * sizeof(uint16_t)));
  }
  return FloatPanelKernelBuilder(b, loc, x, panels, k, n, shape, bf16Pairs)
      .build();
}

Value mlir::lowbit::buildIntPanelKernel(OpBuilder &b, Location loc,
                                        const IntKernelInputs &in,
                                        const PanelShape &shape, bool vnni) {
  int64_t k = in.k, n = in.n, width = shape.width();
  // Panels of G-code groups (G = 4 for vpdpbusd, 2 for pmaddwd):
  // out[((p * K/G + q) * NR + j) * G + u] = w[p * NR + j, G q + u].
  int64_t group = vnni ? 4 : 2;
  assert(k % group == 0 && n % width == 0 && "whole panels of whole groups");
  ArrayRef<int8_t> codes = in.weightCodes;
  std::vector<int8_t> packed(codes.size());
  for (int64_t p = 0; p < n / width; ++p)
    for (int64_t q = 0; q < k / group; ++q)
      for (int64_t j = 0; j < width; ++j)
        std::memcpy(&packed[((p * (k / group) + q) * width + j) * group],
                    &codes[(p * width + j) * k + group * q], group);
  auto type = RankedTensorType::get({n / width, k / group, group * width},
                                    b.getI8Type());
  Value panels = createResourceConstant(
      b, loc, type, "lowbit.weight_panels",
      ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                     packed.size()));
  if (!vnni)
    return IntPanelKernelBuilder(b, loc, in, panels, /*corrections=*/{}, shape,
                                 /*vnni=*/false)
        .build();
  // 128 * sum_k w[n, k] (wrapping i32, as the kernel's sums): what the +128
  // of the activations added.
  SmallVector<int32_t> sums = weightRowSums(codes, n, k);
  for (int32_t &sum : sums)
    sum = static_cast<int32_t>(static_cast<uint32_t>(sum) * 128u);
  auto sumsType = RankedTensorType::get({n}, b.getI32Type());
  Value corrections = arith::ConstantOp::create(
      b, loc, sumsType,
      DenseElementsAttr::get(sumsType, ArrayRef<int32_t>(sums)));
  return IntPanelKernelBuilder(b, loc, in, panels, corrections, shape,
                               /*vnni=*/true)
      .build();
}
