//===- LowbitAttrs.cpp - #lowbit.scheme -----------------------------------===//
//
// Parsing, printing and verification of the quantization scheme attribute.
//
// Syntax: `#lowbit.scheme<FORMAT [, group = G] [, axis = A] [, affine]
//                          [, scale = f16|bf16|f32]>`
// Absent `axis` means per tensor, `axis` alone per axis, `group` with `axis`
// group-wise along that axis.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::lowbit;

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

bool SchemeAttr::isIntegerFormat() const {
  switch (getFormat()) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4:
    return true;
  default:
    return false;
  }
}

bool SchemeAttr::isSubByte() const {
  switch (getFormat()) {
  case StorageFormat::I4:
  case StorageFormat::U4:
  case StorageFormat::NF4:
  case StorageFormat::F4E2M1FN:
    return true;
  default:
    return false;
  }
}

bool SchemeAttr::isFp8Format() const {
  return getFormat() == StorageFormat::F8E4M3FN ||
         getFormat() == StorageFormat::F8E5M2;
}

bool SchemeAttr::multipliesExactlyWith(SchemeAttr other) const {
  return (isIntegerFormat() && other.isIntegerFormat()) ||
         (isFp8Format() && other.isFp8Format());
}

Type SchemeAttr::getStorageType() const {
  MLIRContext *ctx = getContext();
  switch (getFormat()) {
  case StorageFormat::I8:
  case StorageFormat::U8:
    return IntegerType::get(ctx, 8);
  case StorageFormat::I4:
  case StorageFormat::U4:
  case StorageFormat::NF4:
    return IntegerType::get(ctx, 4);
  case StorageFormat::F4E2M1FN:
    return Float4E2M1FNType::get(ctx);
  case StorageFormat::F8E4M3FN:
    return Float8E4M3FNType::get(ctx);
  case StorageFormat::F8E5M2:
    return Float8E5M2Type::get(ctx);
  }
  llvm_unreachable("unknown storage format");
}

int64_t SchemeAttr::getCodeMin() const {
  switch (getFormat()) {
  case StorageFormat::I8:
    return -128;
  case StorageFormat::I4:
    return -8;
  default:
    return 0;
  }
}

int64_t SchemeAttr::getCodeMax() const {
  switch (getFormat()) {
  case StorageFormat::I8:
    return 127;
  case StorageFormat::U8:
    return 255;
  case StorageFormat::I4:
    return 7;
  default:
    return 15;
  }
}

SmallVector<int64_t> SchemeAttr::getScaleShape(ArrayRef<int64_t> shape) const {
  switch (getGranularity()) {
  case Granularity::Tensor:
    return {};
  case Granularity::Axis:
    return {shape[getAxis()]};
  case Granularity::Group: {
    SmallVector<int64_t> result(shape);
    int64_t &dim = result[getAxis()];
    if (!ShapedType::isDynamic(dim))
      dim /= getGroupSize();
    return result;
  }
  }
  llvm_unreachable("unknown granularity");
}

LogicalResult
SchemeAttr::verifyForShape(function_ref<InFlightDiagnostic()> emitError,
                           ArrayRef<int64_t> shape) const {
  if (getGranularity() == Granularity::Tensor)
    return success();
  int64_t rank = shape.size();
  if (getAxis() >= rank)
    return emitError() << "scheme axis " << getAxis()
                       << " is out of range for a tensor of rank " << rank;
  if (getGranularity() == Granularity::Group) {
    int64_t dim = shape[getAxis()];
    if (!ShapedType::isDynamic(dim) && dim % getGroupSize() != 0)
      return emitError() << "group size " << getGroupSize()
                         << " does not divide dimension " << getAxis()
                         << " of size " << dim;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StorageFormat format, Granularity granularity,
                                 int64_t axis, int64_t groupSize,
                                 bool symmetric, Type scaleType) {
  if (granularity == Granularity::Tensor && (axis != -1 || groupSize != 0))
    return emitError() << "a per-tensor scheme takes no axis or group size";
  if (granularity != Granularity::Tensor && axis < 0)
    return emitError() << "axis must be non-negative, got " << axis;
  if (granularity == Granularity::Axis && groupSize != 0)
    return emitError() << "a per-axis scheme takes no group size";
  if (granularity == Granularity::Group && groupSize <= 0)
    return emitError() << "group size must be positive, got " << groupSize;
  if (!scaleType ||
      !(scaleType.isF32() || scaleType.isF16() || scaleType.isBF16()))
    return emitError() << "scale type must be f32, f16 or bf16, got "
                       << scaleType;
  bool integer = format == StorageFormat::I8 || format == StorageFormat::U8 ||
                 format == StorageFormat::I4 || format == StorageFormat::U4;
  if (!symmetric && !integer)
    return emitError() << "format " << stringifyStorageFormat(format)
                       << " is symmetric only; 'affine' needs an integer "
                          "format (i8, u8, i4, u4)";
  return success();
}

//===----------------------------------------------------------------------===//
// Parsing and printing
//===----------------------------------------------------------------------===//

/// Parses the storage format. `i8` and `i4` reach the parser as integer types,
/// the other names as keywords.
static FailureOr<StorageFormat> parseStorageFormat(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef name;
  std::string typeName;
  if (failed(parser.parseOptionalKeyword(&name))) {
    Type type;
    if (parser.parseType(type))
      return failure();
    llvm::raw_string_ostream os(typeName);
    os << type;
    name = typeName;
  }
  std::optional<StorageFormat> format = symbolizeStorageFormat(name);
  if (!format)
    return parser.emitError(loc)
           << "unknown storage format '" << name
           << "'; expected one of i8, u8, i4, u4, nf4, f4E2M1FN, f8E4M3FN, "
              "f8E5M2";
  return *format;
}

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess())
    return {};
  FailureOr<StorageFormat> format = parseStorageFormat(parser);
  if (failed(format))
    return {};

  std::optional<int64_t> axis, groupSize;
  std::optional<bool> symmetric;
  Type scaleType;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    auto duplicate = [&]() {
      parser.emitError(keyLoc) << "'" << key << "' given twice";
      return Attribute();
    };
    if (key == "axis" || key == "group") {
      std::optional<int64_t> &slot = key == "axis" ? axis : groupSize;
      if (slot)
        return duplicate();
      int64_t value = 0;
      if (parser.parseEqual() || parser.parseInteger(value))
        return {};
      slot = value;
    } else if (key == "affine" || key == "symmetric") {
      if (symmetric)
        return duplicate();
      symmetric = key == "symmetric";
    } else if (key == "scale") {
      if (scaleType)
        return duplicate();
      if (parser.parseEqual() || parser.parseType(scaleType))
        return {};
    } else {
      parser.emitError(keyLoc)
          << "unknown scheme parameter '" << key
          << "'; expected 'axis', 'group', 'affine', 'symmetric' or 'scale'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  if (groupSize && !axis) {
    parser.emitError(loc) << "a group-wise scheme needs the axis the groups "
                             "run along ('axis = A')";
    return {};
  }

  Granularity granularity = groupSize ? Granularity::Group
                            : axis    ? Granularity::Axis
                                      : Granularity::Tensor;
  MLIRContext *ctx = parser.getContext();
  return getChecked([&]() { return parser.emitError(loc); }, ctx, *format,
                    granularity, axis.value_or(-1), groupSize.value_or(0),
                    symmetric.value_or(true),
                    scaleType ? scaleType : Float32Type::get(ctx));
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyStorageFormat(getFormat());
  if (getGranularity() == Granularity::Group)
    printer << ", group = " << getGroupSize();
  if (getGranularity() != Granularity::Tensor)
    printer << ", axis = " << getAxis();
  if (!getSymmetric())
    printer << ", affine";
  if (!getScaleType().isF32())
    printer << ", scale = " << getScaleType();
  printer << ">";
}
