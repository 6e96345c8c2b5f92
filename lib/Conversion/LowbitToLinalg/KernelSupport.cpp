//===- KernelSupport.cpp - Pieces the CPU kernels share -------------------===//
//
// Scales, zero-points and biases of lowbit's matmul ops as constants and
// f32 scalars for the CPU kernels; zero tiles, element conversions and
// resource constants.
//
//===----------------------------------------------------------------------===//

#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::lowbit;

Param mlir::lowbit::getParam(OpBuilder &b, Location loc, Attribute attr) {
  Param param;
  if (auto floatAttr = dyn_cast_if_present<FloatAttr>(attr))
    param.scalar = arith::ConstantOp::create(b, loc, floatAttr);
  else if (auto intAttr = dyn_cast_if_present<IntegerAttr>(attr))
    param.scalar = arith::ConstantIntOp::create(
        b, loc, b.getI32Type(), intAttr.getValue().getSExtValue());
  else if (auto elements = dyn_cast_if_present<ElementsAttr>(attr))
    param.tensor = arith::ConstantOp::create(b, loc, elements.getShapedType(),
                                             cast<TypedAttr>(elements));
  return param;
}

Value mlir::lowbit::readParam(OpBuilder &b, Location loc, const Param &param,
                              Granularity granularity, Value n, Value g) {
  Value value = param.scalar;
  if (!value) {
    auto type = cast<RankedTensorType>(param.tensor.getType());
    SmallVector<Value> index;
    if (granularity == Granularity::Axis)
      index.push_back(n);
    else if (granularity == Granularity::Group)
      index.append({n, g});
    else
      index.assign(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
    value = tensor::ExtractOp::create(b, loc, param.tensor, index);
  }
  Type f32 = b.getF32Type();
  if (value.getType().isInteger())
    return arith::SIToFPOp::create(b, loc, f32, value);
  if (!value.getType().isF32())
    return arith::ExtFOp::create(b, loc, f32, value);
  return value;
}

Value mlir::lowbit::createZeroTensor(OpBuilder &b, Location loc, Value like,
                                     Type elementType) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t dim = 0; dim < type.getRank(); ++dim)
    sizes.push_back(tensor::getMixedSize(b, loc, like, dim));
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
      .getResult(0);
}

Value mlir::lowbit::convertFloatElements(OpBuilder &b, Location loc,
                                         Value tensor, FloatType elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto from = cast<FloatType>(type.getElementType());
  if (from == elementType)
    return tensor;
  SmallVector<OpFoldResult> sizes;
  for (int64_t dim = 0; dim < type.getRank(); ++dim)
    sizes.push_back(tensor::getMixedSize(b, loc, tensor, dim));
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> parallel(type.getRank(),
                                            utils::IteratorType::parallel);
  bool widen = elementType.getWidth() > from.getWidth();
  return linalg::GenericOp::create(
             b, loc, empty.getType(), ValueRange{tensor}, ValueRange{empty},
             ArrayRef<AffineMap>{identity, identity}, parallel,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value converted =
                   widen ? arith::ExtFOp::create(nested, nestedLoc, elementType,
                                                 args[0])
                               .getResult()
                         : arith::TruncFOp::create(nested, nestedLoc,
                                                   elementType, args[0])
                               .getResult();
               linalg::YieldOp::create(nested, nestedLoc, converted);
             })
      .getResult(0);
}

Value mlir::lowbit::createResourceConstant(OpBuilder &b, Location loc,
                                           RankedTensorType type,
                                           StringRef name,
                                           ArrayRef<char> bytes) {
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, /*align=*/64);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return arith::ConstantOp::create(b, loc, type, attr);
}

SmallVector<int32_t> mlir::lowbit::weightRowSums(ArrayRef<int8_t> codes,
                                                 int64_t n, int64_t k) {
  SmallVector<int32_t> sums(n, 0);
  for (int64_t row = 0; row < n; ++row) {
    uint32_t sum = 0;
    for (int64_t col = 0; col < k; ++col)
      sum += static_cast<uint32_t>(int32_t(codes[row * k + col]));
    sums[row] = static_cast<int32_t>(sum);
  }
  return sums;
}

int64_t mlir::lowbit::balancedKBlock(int64_t k, int64_t limit,
                                     int64_t multiple) {
  assert(k > 0 && "no blocks of an empty K");
  int64_t numBlocks = llvm::divideCeil(k, limit);
  return llvm::divideCeil(llvm::divideCeil(k, numBlocks), multiple) * multiple;
}

Value mlir::lowbit::KernelLoops::index(int64_t value) const {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::lowbit::KernelLoops::add(Value lhs, Value rhs) const {
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value mlir::lowbit::KernelLoops::mul(Value lhs, Value rhs) const {
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value mlir::lowbit::KernelLoops::mul(Value lhs, int64_t rhs) const {
  return mul(lhs, index(rhs));
}

Value mlir::lowbit::KernelLoops::div(Value lhs, int64_t rhs) const {
  return rhs == 1 ? lhs : arith::DivUIOp::create(b, loc, lhs, index(rhs));
}

Value mlir::lowbit::KernelLoops::rem(Value lhs, int64_t rhs) const {
  return arith::RemUIOp::create(b, loc, lhs, index(rhs));
}

Value mlir::lowbit::KernelLoops::min(Value lhs, Value rhs) const {
  return arith::MinUIOp::create(b, loc, lhs, rhs);
}

Value mlir::lowbit::KernelLoops::offset(Value base, int64_t i) const {
  return i == 0 ? base : add(base, index(i));
}

Value mlir::lowbit::KernelLoops::roundUp(Value value, int64_t multiple) const {
  return mul(div(add(value, index(multiple - 1)), multiple), index(multiple));
}

Value mlir::lowbit::KernelLoops::loop(
    Value lower, Value upper, Value step, Value init,
    function_ref<Value(Value, Value)> body) const {
  auto forOp =
      scf::ForOp::create(b, loc, lower, upper, step, ValueRange{init},
                         [&](OpBuilder &, Location, Value iv, ValueRange args) {
                           scf::YieldOp::create(b, loc, body(iv, args.front()));
                         });
  return forOp.getResult(0);
}

Value mlir::lowbit::KernelLoops::loop(
    Value lower, Value upper, int64_t step, Value init,
    function_ref<Value(Value, Value)> body) const {
  return loop(lower, upper, index(step), init, body);
}

Value mlir::lowbit::emitMultiplyAdd(OpBuilder &b, Location loc, Value lhs,
                                    Value rhs, Value acc, bool fma) {
  if (fma)
    return vector::FMAOp::create(b, loc, lhs, rhs, acc);
  return arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, lhs, rhs),
                               acc);
}

Value mlir::lowbit::buildColumnTasks(
    OpBuilder &b, Location loc, Value y0, Value m, OpFoldResult numTasks,
    int64_t width,
    function_ref<Value(Value slice, Value task, Value n0)> body) {
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{numTasks},
                                      ValueRange{y0}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value task = forall.getInductionVar(0);
  Value n0 = arith::MulIOp::create(
      b, loc, task, arith::ConstantIndexOp::create(b, loc, width));
  Value out = forall.getRegionIterArgs().front();
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), n0};
  SmallVector<OpFoldResult> sizes = {m, b.getIndexAttr(width)};
  SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, out, offsets, sizes, strides);
  Value result = body(slice, task, n0);
  b.setInsertionPointToEnd(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result, out, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}
