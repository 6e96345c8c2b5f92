//===- QuantParams.cpp - checks of scales and zero-points -----------------===//
//
// For a quantized tensor of shape S under scheme (granularity, axis A,
// group G), the scales and zero-points have the shape
//   per tensor: scalar (a typed float / integer attribute, or a tensor of
//               shape [] or [1]),
//   per axis:   [S[A]],
//   group-wise: S with S[A] replaced by S[A] / G,
// scales are strictly positive and finite, and zero-points lie in the code
// range of the format.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/QuantParams.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::lowbit;

std::string mlir::lowbit::formatShape(ArrayRef<int64_t> shape) {
  std::string result = "[";
  llvm::raw_string_ostream os(result);
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << "?";
        else
          os << dim;
      },
      ", ");
  os << "]";
  return result;
}

/// True when `actual` is an acceptable shape for a parameter expected to be
/// `expected` (dynamic dimensions match anything; a per-tensor parameter may
/// be a rank-0 or a one-element rank-1 tensor).
static bool isCompatibleParamShape(ArrayRef<int64_t> actual,
                                   ArrayRef<int64_t> expected) {
  if (expected.empty())
    return actual.empty() ||
           (actual.size() == 1 &&
            (actual[0] == 1 || ShapedType::isDynamic(actual[0])));
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip_equal(actual, expected))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(e) && a != e)
      return false;
  return true;
}

static std::string granularityPhrase(SchemeAttr scheme) {
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    return "per-tensor";
  case Granularity::Axis:
    return "per-axis";
  case Granularity::Group:
    return "group-wise";
  }
  llvm_unreachable("unknown granularity");
}

/// Verifies a static scale attribute: typed scalar or elements attribute of
/// the scheme's scale type and the expected shape, with positive finite
/// values where they can be read.
static LogicalResult verifyStaticScales(Operation *op, const QuantParams &p,
                                        ArrayRef<int64_t> expected) {
  Type scaleType = p.scheme.getScaleType();
  auto checkValue = [&](const APFloat &value) -> LogicalResult {
    double v = value.convertToDouble();
    if (!std::isfinite(v) || v <= 0.0)
      return op->emitOpError()
             << p.role << "scales must be positive and finite, found " << v;
    return success();
  };
  if (auto scalar = dyn_cast<FloatAttr>(p.staticScales)) {
    if (!expected.empty())
      return op->emitOpError()
             << p.role << "scales given as a scalar, but the "
             << granularityPhrase(p.scheme)
             << " scheme needs a tensor of shape " << formatShape(expected);
    if (scalar.getType() != scaleType)
      return op->emitOpError() << p.role << "scale has type "
                               << scalar.getType() << ", but the scheme's "
                               << "scale type is " << scaleType;
    return checkValue(scalar.getValue());
  }
  auto elements = dyn_cast<ElementsAttr>(p.staticScales);
  if (!elements)
    return op->emitOpError()
           << p.role << "scales must be a float or an elements attribute, got "
           << p.staticScales;
  ShapedType type = elements.getShapedType();
  if (p.scalesAreCodes) {
    if (!type.getElementType().isSignlessInteger(8))
      return op->emitOpError()
             << p.role << "double-quantized scales must be i8 codes, got "
             << type.getElementType();
    if (!isCompatibleParamShape(type.getShape(), expected))
      return op->emitOpError() << p.role << "scale codes have shape "
                               << formatShape(type.getShape()) << ", but the "
                               << granularityPhrase(p.scheme)
                               << " scheme needs " << formatShape(expected);
    return success();
  }
  if (type.getElementType() != scaleType)
    return op->emitOpError()
           << p.role << "scales have element type " << type.getElementType()
           << ", but the scheme's scale type is " << scaleType;
  if (!isCompatibleParamShape(type.getShape(), expected))
    return op->emitOpError()
           << p.role << "scales have shape " << formatShape(type.getShape())
           << ", but the " << granularityPhrase(p.scheme) << " scheme needs "
           << formatShape(expected);
  if (auto dense = dyn_cast<DenseFPElementsAttr>(p.staticScales))
    for (const APFloat &value : dense.getValues<APFloat>())
      if (failed(checkValue(value)))
        return failure();
  return success();
}

/// Verifies a static zero-point attribute: integers of the expected shape
/// inside the code range of the format.
static LogicalResult verifyStaticZeroPoints(Operation *op, const QuantParams &p,
                                            ArrayRef<int64_t> expected) {
  int64_t lo = p.scheme.getCodeMin(), hi = p.scheme.getCodeMax();
  auto checkValue = [&](const APInt &value) -> LogicalResult {
    int64_t v = value.getSExtValue();
    if (v < lo || v > hi)
      return op->emitOpError()
             << p.role << "zero point " << v << " is outside the code range ["
             << lo << ", " << hi << "] of "
             << stringifyStorageFormat(p.scheme.getFormat());
    return success();
  };
  if (auto scalar = dyn_cast<IntegerAttr>(p.staticZeroPoints)) {
    if (!scalar.getType().isSignlessInteger(32))
      return op->emitOpError()
             << p.role << "zero point must be an i32, got " << scalar.getType();
    if (!expected.empty())
      return op->emitOpError()
             << p.role << "zero points given as a scalar, but the "
             << granularityPhrase(p.scheme)
             << " scheme needs a tensor of shape " << formatShape(expected);
    return checkValue(scalar.getValue());
  }
  auto elements = dyn_cast<ElementsAttr>(p.staticZeroPoints);
  if (!elements || !elements.getShapedType().getElementType().isInteger())
    return op->emitOpError()
           << p.role
           << "zero points must be an integer or integer elements attribute, "
              "got "
           << p.staticZeroPoints;
  // i32 whatever the format: a narrower type would make u8/u4 zero-points
  // above the signed range ambiguous.
  if (!elements.getShapedType().getElementType().isSignlessInteger(32))
    return op->emitOpError()
           << p.role << "zero points must be i32, got element type "
           << elements.getShapedType().getElementType();
  ArrayRef<int64_t> shape = elements.getShapedType().getShape();
  if (!isCompatibleParamShape(shape, expected))
    return op->emitOpError()
           << p.role << "zero points have shape " << formatShape(shape)
           << ", but the " << granularityPhrase(p.scheme) << " scheme needs "
           << formatShape(expected);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(p.staticZeroPoints))
    for (const APInt &value : dense.getValues<APInt>())
      if (failed(checkValue(value)))
        return failure();
  return success();
}

LogicalResult mlir::lowbit::verifyQuantParams(Operation *op,
                                              const QuantParams &p) {
  SchemeAttr scheme = p.scheme;
  Type storageType = scheme.getStorageType();
  if (p.codeType.getElementType() != storageType)
    return op->emitOpError() << p.role << "codes have element type "
                             << p.codeType.getElementType() << ", but format "
                             << stringifyStorageFormat(scheme.getFormat())
                             << " is stored as " << storageType;

  ArrayRef<int64_t> shape = p.codeType.getShape();
  if (failed(scheme.verifyForShape(
          [&]() {
            InFlightDiagnostic diag = op->emitOpError();
            diag << p.role;
            return diag;
          },
          shape)))
    return failure();
  SmallVector<int64_t> expected = scheme.getScaleShape(shape);

  // Scales: exactly one source.
  if (p.staticScales && p.dynamicScales)
    return op->emitOpError() << p.role
                             << "scales given both as an attribute and as an "
                                "operand; give exactly one";
  if (!p.staticScales && !p.dynamicScales)
    return op->emitOpError() << p.role << "scales are missing";
  if (p.staticScales) {
    if (failed(verifyStaticScales(op, p, expected)))
      return failure();
  } else {
    auto type = cast<RankedTensorType>(p.dynamicScales.getType());
    if (type.getElementType() != scheme.getScaleType())
      return op->emitOpError()
             << p.role << "scale operand has element type "
             << type.getElementType() << ", but the scheme's scale type is "
             << scheme.getScaleType();
    if (!isCompatibleParamShape(type.getShape(), expected))
      return op->emitOpError() << p.role << "scale operand has shape "
                               << formatShape(type.getShape()) << ", but the "
                               << granularityPhrase(scheme) << " scheme needs "
                               << formatShape(expected);
  }

  // Zero-points: exactly for affine schemes, given the same way as scales.
  bool hasZeroPoints = p.staticZeroPoints || p.dynamicZeroPoints;
  if (scheme.getSymmetric() && hasZeroPoints)
    return op->emitOpError()
           << p.role
           << "zero points given, but the scheme is symmetric (zero point 0); "
              "mark the scheme 'affine' or drop them";
  if (!scheme.getSymmetric() && !hasZeroPoints)
    return op->emitOpError()
           << p.role << "the scheme is affine, but zero points are missing";
  if (!hasZeroPoints)
    return success();
  if (bool(p.staticZeroPoints) != bool(p.staticScales))
    return op->emitOpError()
           << p.role
           << "zero points must be given the same way as the scales (both "
              "attributes or both operands)";
  if (p.staticZeroPoints)
    return verifyStaticZeroPoints(op, p, expected);
  auto type = cast<RankedTensorType>(p.dynamicZeroPoints.getType());
  if (!isCompatibleParamShape(type.getShape(), expected))
    return op->emitOpError() << p.role << "zero point operand has shape "
                             << formatShape(type.getShape()) << ", but the "
                             << granularityPhrase(scheme) << " scheme needs "
                             << formatShape(expected);
  return success();
}
