//===- CodeDecoding.cpp - IR that turns codes into values -----------------===//

#include "CodeDecoding.h"

#include "lowbit/Quant/Formats.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

static bool isFourBit(Type type) { return type.getIntOrFloatBitWidth() == 4; }

CodeSource mlir::lowbit::getCodeSource(OpBuilder &b, Location loc,
                                       Value codes) {
  auto type = cast<RankedTensorType>(codes.getType());
  CodeSource source;
  source.tensor = codes;
  source.shape.assign(type.getShape().begin(), type.getShape().end());
  DenseResourceElementsAttr resource;
  if (!matchPattern(codes, m_Constant(&resource)))
    return source;
  Type element = type.getElementType();
  bool fourBit = isFourBit(element);
  if (!fourBit && !isa<FloatType>(element))
    return source;
  // Reinterpret the same blob: flat bytes, no copy and no expansion.
  int64_t count = type.getNumElements();
  int64_t bytes = fourBit ? (count + 1) / 2 : count;
  auto bytesType = RankedTensorType::get({bytes}, b.getI8Type());
  auto reinterpreted =
      DenseResourceElementsAttr::get(bytesType, resource.getRawHandle());
  source.tensor = arith::ConstantOp::create(b, loc, bytesType, reinterpreted);
  source.flat = true;
  source.packed = fourBit;
  return source;
}

AffineExpr mlir::lowbit::getFlatExpr(ArrayRef<AffineExpr> dims,
                                     ArrayRef<int64_t> shape) {
  AffineExpr flat = getAffineConstantExpr(0, dims.front().getContext());
  int64_t stride = 1;
  for (int64_t i = shape.size() - 1; i >= 0; --i) {
    flat = flat + dims[i] * stride;
    stride *= shape[i];
  }
  return flat;
}

AffineMap mlir::lowbit::getCodeReadMap(const CodeSource &source,
                                       ArrayRef<AffineExpr> codeDims,
                                       unsigned numLoops) {
  MLIRContext *ctx = codeDims.front().getContext();
  if (!source.flat)
    return AffineMap::get(numLoops, 0, codeDims, ctx);
  AffineExpr flat = getFlatExpr(codeDims, source.shape);
  return AffineMap::get(numLoops, 0, source.packed ? flat.floorDiv(2) : flat,
                        ctx);
}

Value mlir::lowbit::emitFlatIndex(OpBuilder &b, Location loc,
                                  const CodeSource &source,
                                  ArrayRef<AffineExpr> codeDims,
                                  unsigned numLoops) {
  SmallVector<Value> indices;
  for (unsigned i = 0; i < numLoops; ++i)
    indices.push_back(linalg::IndexOp::create(b, loc, i));
  AffineMap map = AffineMap::get(
      numLoops, 0, getFlatExpr(codeDims, source.shape), b.getContext());
  return affine::AffineApplyOp::create(b, loc, map, indices);
}

Value mlir::lowbit::emitCodeAsI32(OpBuilder &b, Location loc, Value raw,
                                  bool packed, Value flatIndex,
                                  SchemeAttr scheme) {
  Type i32 = b.getI32Type();
  bool isSigned = scheme.getFormat() == StorageFormat::I8 ||
                  scheme.getFormat() == StorageFormat::I4;
  Type rawType = raw.getType();
  if (isa<FloatType>(rawType)) {
    // A code tensor of a float storage type produced at run time.
    raw = arith::BitcastOp::create(
        b, loc, b.getIntegerType(rawType.getIntOrFloatBitWidth()), raw);
    rawType = raw.getType();
  }
  if (!packed) {
    if (rawType == i32)
      return raw;
    return isSigned ? arith::ExtSIOp::create(b, loc, i32, raw).getResult()
                    : arith::ExtUIOp::create(b, loc, i32, raw).getResult();
  }
  // Packed byte: the parity of the flat index picks the nibble.
  Value byte = arith::ExtUIOp::create(b, loc, i32, raw);
  Value flat = arith::IndexCastOp::create(b, loc, i32, flatIndex);
  Value one = arith::ConstantIntOp::create(b, loc, i32, 1);
  Value four = arith::ConstantIntOp::create(b, loc, i32, 4);
  Value fifteen = arith::ConstantIntOp::create(b, loc, i32, 15);
  Value high = arith::AndIOp::create(b, loc, flat, one);
  Value shift = arith::MulIOp::create(b, loc, high, four);
  Value nibble = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, byte, shift), fifteen);
  if (!isSigned)
    return nibble;
  // Two's complement of 4 bits: (n ^ 8) - 8.
  Value eight = arith::ConstantIntOp::create(b, loc, i32, 8);
  return arith::SubIOp::create(
      b, loc, arith::XOrIOp::create(b, loc, nibble, eight), eight);
}

Value mlir::lowbit::buildValueTable(OpBuilder &b, Location loc,
                                    SchemeAttr scheme) {
  std::vector<float> values;
  switch (scheme.getFormat()) {
  case StorageFormat::NF4:
    for (float level : numerics::nf4Levels())
      values.push_back(level);
    break;
  case StorageFormat::F4E2M1FN:
    for (unsigned code = 0; code < 16; ++code)
      values.push_back(numerics::decodeFP4E2M1(code));
    break;
  case StorageFormat::F8E4M3FN:
    for (unsigned code = 0; code < 256; ++code)
      values.push_back(numerics::decodeFP8E4M3FN(code));
    break;
  case StorageFormat::F8E5M2:
    for (unsigned code = 0; code < 256; ++code)
      values.push_back(numerics::decodeFP8E5M2(code));
    break;
  default:
    return {};
  }
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, type, DenseElementsAttr::get(type, ArrayRef<float>(values)));
}

Value mlir::lowbit::emitDecodedValue(OpBuilder &b, Location loc, Value code,
                                     Value zeroPoint, Value table,
                                     SchemeAttr scheme) {
  if (table) {
    Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), code);
    return tensor::ExtractOp::create(b, loc, table, ValueRange{index});
  }
  if (zeroPoint)
    code = arith::SubIOp::create(b, loc, code, zeroPoint);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), code);
}

ParamAccess mlir::lowbit::getParamAccess(OpBuilder &b, Location loc,
                                         Attribute staticValue,
                                         Value dynamicValue, unsigned numLoops,
                                         AffineMap tensorMap) {
  ParamAccess access;
  MLIRContext *ctx = b.getContext();
  if (auto floatAttr = dyn_cast_if_present<FloatAttr>(staticValue)) {
    access.scalar = arith::ConstantOp::create(b, loc, floatAttr);
    return access;
  }
  if (auto intAttr = dyn_cast_if_present<IntegerAttr>(staticValue)) {
    access.scalar = arith::ConstantIntOp::create(
        b, loc, b.getI32Type(), intAttr.getValue().getSExtValue());
    return access;
  }
  if (auto elements = dyn_cast_if_present<ElementsAttr>(staticValue))
    access.tensor = arith::ConstantOp::create(b, loc, elements.getShapedType(),
                                              cast<TypedAttr>(elements));
  else
    access.tensor = dynamicValue;

  auto type = cast<RankedTensorType>(access.tensor.getType());
  if (type.getRank() != static_cast<int64_t>(tensorMap.getNumResults())) {
    // A per-tensor parameter held in a tensor of shape [] or [1].
    SmallVector<AffineExpr> zeros(type.getRank(),
                                  getAffineConstantExpr(0, ctx));
    access.map = AffineMap::get(numLoops, 0, zeros, ctx);
  } else {
    access.map = tensorMap;
  }
  return access;
}

Value mlir::lowbit::castScaleToF32(OpBuilder &b, Location loc, Value scale) {
  if (scale.getType().isF32() || scale.getType().isInteger())
    return scale;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), scale);
}
