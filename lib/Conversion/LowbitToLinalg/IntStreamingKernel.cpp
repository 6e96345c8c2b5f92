//===- IntStreamingKernel.cpp - W8A8 matmul as a streaming CPU kernel -----===//
//
// lowbit.matmul with i8 activation and weight codes (symmetric, per-row or
// per-tensor scales, f32 result) as the streaming kernel's loops on i32
// lanes (StreamingLoops.h): each weight row streamed once per block of
// activation rows, the codes multiplied in registers,
//
//   y[m, n] = f32(sum_k x[m, k] w[n, k]) * (sx[m] * sw[n]) (+ bias[n])
//
// with vpdpbusd where the target has VNNI (x + 128 as u8, corrected by
// 128 * sum_k w[n, k] from the constant weight), else pmaddwd on codes
// sign-extended to i16 (4, 8 or 16 lanes), else i32 products. Integer sums
// are exact, so y equals the linalg lowering's bit for bit. Constant
// weights whose N is a multiple of the lanes take the panel kernel of
// PanelKernels.cpp instead; this kernel takes the others.
//
//===----------------------------------------------------------------------===//

#include "IntStreamingKernel.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::lowbit;

/// Whether the integer kernel multiplies sign-extended i16 pairs by
/// lowbit.dot_i16 (pmaddwd): without VNNI, at 4, 8 or 16 lanes.
bool mlir::lowbit::intKernelPairs(const KernelShape &shape) {
  return !shape.vnni &&
         (shape.lanes == 4 || shape.lanes == 8 || shape.lanes == 16);
}

namespace {

/// Codes of K the integer kernel reads per step: 4 per lane with VNNI, 2
/// with pairs, else 1.
int64_t intKernelStep(const KernelShape &shape) {
  return shape.vnni              ? 4 * shape.lanes
         : intKernelPairs(shape) ? 2 * shape.lanes
                                 : shape.lanes;
}

} // namespace

LogicalResult mlir::lowbit::matchIntKernel(OpBuilder &b, MatmulOp op,
                                           const KernelShape &shape,
                                           IntKernelInputs &in) {
  SchemeAttr lhsScheme = op.getLhsScheme(), rhsScheme = op.getRhsScheme();
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  if (lhsType.getRank() != 2 || rhsType.getRank() != 2 ||
      !op.getType().getElementType().isF32() || op.getResultSchemeAttr())
    return failure();
  if (lhsScheme.getFormat() != StorageFormat::I8 ||
      rhsScheme.getFormat() != StorageFormat::I8 || !lhsScheme.getSymmetric() ||
      !rhsScheme.getSymmetric())
    return failure();
  auto perRow = [](SchemeAttr scheme) {
    return scheme.getGranularity() == Granularity::Tensor ||
           (scheme.getGranularity() == Granularity::Axis &&
            scheme.getAxis() == 0);
  };
  if (!perRow(lhsScheme) || !perRow(rhsScheme))
    return failure();
  if (Value bias = op.getBias())
    if (!cast<RankedTensorType>(bias.getType()).getElementType().isF32())
      return failure();
  int64_t n = rhsType.getDimSize(0), k = rhsType.getDimSize(1);
  int64_t step = intKernelStep(shape);
  if (ShapedType::isDynamic(n) || ShapedType::isDynamic(k) ||
      lhsType.getDimSize(1) != k || k == 0 || k % step != 0)
    return failure();
  // Constant codes: needed with VNNI (the correction), and for the panel
  // kernels (VNNI or i16 pairs).
  std::optional<SmallVector<int8_t>> codes;
  if (shape.vnni || intKernelPairs(shape))
    codes = getConstantCodes(op.getRhs());
  if (codes && int64_t(codes->size()) != n * k)
    codes.reset();
  if (shape.vnni && !codes)
    return failure();
  Location loc = op.getLoc();
  in.lhs = op.getLhs();
  in.rhs = op.getRhs();
  in.k = k;
  in.n = n;
  in.lhsGranularity = lhsScheme.getGranularity();
  if (Value dynamic = op.getLhsDynamicScales()) {
    // Per tensor, a dynamic scale comes as a tensor of one element.
    in.lhsScale.tensor = dynamic;
  } else {
    in.lhsScale = getParam(b, loc, op.getLhsScalesAttr());
  }
  in.rhsGranularity = rhsScheme.getGranularity();
  in.rhsScale = getParam(b, loc, op.getRhsScalesAttr());
  in.bias = op.getBias();
  if (codes)
    in.weightCodes = std::move(*codes);
  return success();
}

namespace {

/// Emits the integer kernel: the same column blocks, row blocks and
/// weight-row groups as the dequant_matmul kernel, with i32 lanes:
///
///   VNNI:    acc = lowbit.dot_u8s8(acc, x + 128 (as u8), w)   (vpdpbusd)
///            sum  = reduce(acc) - 128 * sum_k w[n, k]
///   pairs:   acc = lowbit.dot_i16(acc, sext16(x), sext16(w))  (pmaddwd)
///            lane i += x[2i] w[2i] + x[2i+1] w[2i+1], steps of 2 VL codes
///            (without VNNI at 4, 8 and 16 lanes; warm, two threads,
///            4096 x 4096 on x86-64-v3: 13.7 against 26.4 ms for i32
///            products at M = 128, 0.389 against 0.559 ms at M = 1)
///   generic: acc += sext(x) * sext(w)
///   y[m, n] = f32(sum) * (sx[m] * sw[n]) (+ bias[n])
///
/// The integer sums are exact, so y is bit-identical to the linalg
/// lowering's (same f32 epilogue).
class IntKernelBuilder {
public:
  IntKernelBuilder(OpBuilder &b, Location loc, const IntKernelInputs &in,
                   const KernelShape &shape)
      : b(b), loc(loc), in(in), shape(shape) {
    accType = VectorType::get({shape.lanes}, b.getI32Type());
    step = intKernelStep(shape);
    pairs = intKernelPairs(shape);
  }

  Value build(Value y0, Value m) {
    int64_t kBlock = intKBlock();
    if (kBlock == in.k)
      return buildTaskLoops(
          b, loc, y0, m, in.n, /*activationRowBytes=*/in.k, shape,
          [&](Value tile, Value n, Value j, Value m0, int64_t rows,
              int64_t cols,
              Value) { return emitRows(tile, n, j, m0, rows, cols, {}, 0); });
    // K in blocks: the task sums into an i32 tile (exact, so the result
    // does not depend on the blocks), then applies the epilogue.
    Type i32 = b.getI32Type();
    return buildTaskLoops(
        b, loc, y0, m, in.n, /*activationRowBytes=*/kBlock, shape,
        [&](Value tile, Value n, Value j, Value m0, int64_t rows, int64_t cols,
            Value kIndex) {
          return emitRows(tile, n, j, m0, rows, cols, kIndex, kBlock);
        },
        llvm::divideCeil(in.k, kBlock),
        [&](Value slice) { return createZeroTensor(b, loc, slice, i32); },
        [&](Value sums, Value slice, Value n0) {
          return applyEpilogue(sums, slice, n0);
        });
  }

private:
  /// The block of K (in codes, = bytes) the kernel reads at a time: K in
  /// ceil(K / 2048) blocks of equal size, rounded up to whole steps (the
  /// last block may be shorter). On the build machine, 2048 beat 1024 (one
  /// thread, 512 x 4096 x 4096: 21.8 against 24.4 ms).
  int64_t intKBlock() const { return balancedKBlock(in.k, 2048, step); }

  /// y[row, col] from the exact sum of products: correction, scales, bias.
  Value epilogue(Value sum, Value row, Value col) {
    if (shape.vnni)
      sum = arith::SubIOp::create(
          b, loc, sum,
          arith::MulIOp::create(
              b, loc,
              tensor::ExtractOp::create(b, loc, in.colSums, ValueRange{col}),
              arith::ConstantIntOp::create(b, loc, b.getI32Type(), 128)));
    Value rhsScale =
        readParam(b, loc, in.rhsScale, in.rhsGranularity, col, Value());
    Value lhsScale =
        readParam(b, loc, in.lhsScale, in.lhsGranularity, row, Value());
    Value scale = arith::MulFOp::create(b, loc, lhsScale, rhsScale);
    Value value = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, b.getF32Type(), sum), scale);
    if (in.bias)
      value = arith::AddFOp::create(
          b, loc, value,
          tensor::ExtractOp::create(b, loc, in.bias, ValueRange{col}));
    return value;
  }

  /// The task's slice of y (columns n0..) from its i32 sums.
  Value applyEpilogue(Value sums, Value slice, Value n0) {
    Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
    Value rows = tensor::DimOp::create(b, loc, sums, 0);
    Value cols = tensor::DimOp::create(b, loc, sums, 1);
    auto rowLoop = scf::ForOp::create(
        b, loc, zero, rows, one, ValueRange{slice},
        [&](OpBuilder &, Location, Value r, ValueRange rowArgs) {
          auto colLoop = scf::ForOp::create(
              b, loc, zero, cols, one, rowArgs,
              [&](OpBuilder &, Location, Value c, ValueRange args) {
                Value sum =
                    tensor::ExtractOp::create(b, loc, sums, ValueRange{r, c});
                Value col = arith::AddIOp::create(b, loc, n0, c);
                Value value = epilogue(sum, r, col);
                scf::YieldOp::create(b, loc,
                                     tensor::InsertOp::create(b, loc, value,
                                                              args.front(),
                                                              ValueRange{r, c})
                                         .getResult());
              });
          scf::YieldOp::create(b, loc, colLoop.getResults());
        });
    return rowLoop.getResult(0);
  }

  /// Rows m0.. of the tile's columns j.. (weight rows n..): y values, or
  /// with `kIndex` the i32 sums of K block `kIndex` (of `kBlock` codes)
  /// added to the tile's.
  Value emitRows(Value tile, Value n, Value j, Value m0, int64_t rows,
                 int64_t cols, Value kIndex, int64_t kBlock) {
    auto offsetBy = [&](Value base, int64_t i) {
      return offsetIndex(b, loc, base, i);
    };
    Type i8 = b.getI8Type();
    auto bytesType = VectorType::get({step}, i8);
    // The codes sign-extended: to i16 pairs, or to i32 lanes.
    auto wideType = pairs ? VectorType::get({step}, b.getI16Type()) : accType;
    Value padding = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, accType,
        DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    Value signBit = arith::ConstantOp::create(
        b, loc, bytesType,
        DenseElementsAttr::get(bytesType, b.getIntegerAttr(i8, -128)));
    SmallVector<Value> init(rows * cols, zeroAcc);
    Value kBegin = indexConst(b, loc, 0), kEnd = indexConst(b, loc, in.k);
    if (kIndex) {
      kBegin =
          arith::MulIOp::create(b, loc, kIndex, indexConst(b, loc, kBlock));
      kEnd = arith::MinUIOp::create(b, loc, offsetBy(kBegin, kBlock), kEnd);
    }
    auto sums = scf::ForOp::create(
        b, loc, kBegin, kEnd, indexConst(b, loc, step), init,
        [&](OpBuilder &, Location, Value k0, ValueRange accs) {
          SmallVector<Value> x, w;
          for (int64_t r = 0; r < rows; ++r) {
            Value codes = vector::TransferReadOp::create(
                b, loc, bytesType, in.lhs, ValueRange{offsetBy(m0, r), k0},
                padding, ArrayRef<bool>{true});
            if (shape.vnni)
              codes = arith::XOrIOp::create(b, loc, codes, signBit);
            else
              codes = arith::ExtSIOp::create(b, loc, wideType, codes);
            x.push_back(codes);
          }
          for (int64_t c = 0; c < cols; ++c) {
            Value codes = vector::TransferReadOp::create(
                b, loc, bytesType, in.rhs, ValueRange{offsetBy(n, c), k0},
                padding, ArrayRef<bool>{true});
            if (!shape.vnni)
              codes = arith::ExtSIOp::create(b, loc, wideType, codes);
            w.push_back(codes);
          }
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < cols; ++c) {
              Value acc = accs[r * cols + c];
              if (shape.vnni) {
                next.push_back(
                    DotU8S8Op::create(b, loc, accType, acc, x[r], w[c]));
              } else if (pairs) {
                next.push_back(
                    DotI16Op::create(b, loc, accType, acc, x[r], w[c]));
              } else {
                next.push_back(arith::AddIOp::create(
                    b, loc, acc, arith::MulIOp::create(b, loc, x[r], w[c])));
              }
            }
          scf::YieldOp::create(b, loc, next);
        });
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t r = 0; r < rows; ++r) {
        Value row = offsetBy(m0, r), tileCol = offsetBy(j, c);
        Value sum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, sums.getResult(r * cols + c));
        Value value = kIndex ? arith::AddIOp::create(
                                   b, loc,
                                   tensor::ExtractOp::create(
                                       b, loc, tile, ValueRange{row, tileCol}),
                                   sum)
                                   .getResult()
                             : epilogue(sum, row, offsetBy(n, c));
        tile = tensor::InsertOp::create(b, loc, value, tile,
                                        ValueRange{row, tileCol});
      }
    return tile;
  }

  OpBuilder &b;
  Location loc;
  const IntKernelInputs &in;
  const KernelShape &shape;
  VectorType accType;
  int64_t step;
  /// Sign-extended i16 pairs by lowbit.dot_i16 (intKernelPairs).
  bool pairs;
};

} // namespace

Value mlir::lowbit::buildIntStreamingKernel(OpBuilder &b, Location loc,
                                            const IntKernelInputs &in,
                                            const KernelShape &shape, Value y0,
                                            Value m) {
  return IntKernelBuilder(b, loc, in, shape).build(y0, m);
}
