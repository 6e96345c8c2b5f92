//===- SchemeOptions.cpp - pass options to quantization schemes -----------===//

#include "SchemeOptions.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

FailureOr<WeightSchemeRequest>
mlir::lowbit::parseWeightSchemeRequest(MLIRContext *ctx, StringRef format,
                                       StringRef granularity, int64_t groupSize,
                                       bool symmetric, StringRef scaleType,
                                       std::string &error) {
  WeightSchemeRequest request;
  std::optional<StorageFormat> parsedFormat = symbolizeStorageFormat(format);
  if (!parsedFormat) {
    error = "option 'format': unknown storage format '" + format.str() +
            "'; expected i8, u8, i4, u4, nf4, f4E2M1FN, f8E4M3FN or f8E5M2";
    return failure();
  }
  request.format = *parsedFormat;

  std::optional<Granularity> parsedGranularity =
      llvm::StringSwitch<std::optional<Granularity>>(granularity)
          .Case("tensor", Granularity::Tensor)
          .Case("channel", Granularity::Axis)
          .Case("group", Granularity::Group)
          .Default(std::nullopt);
  if (!parsedGranularity) {
    error = "option 'granularity': unknown granularity '" + granularity.str() +
            "'; expected tensor, channel or group";
    return failure();
  }
  request.granularity = *parsedGranularity;

  if (request.granularity == Granularity::Group && groupSize <= 0) {
    error = "option 'group-size': must be positive, got " +
            std::to_string(groupSize);
    return failure();
  }
  request.groupSize = groupSize;

  request.symmetric = symmetric;
  bool integer = request.format == StorageFormat::I8 ||
                 request.format == StorageFormat::U8 ||
                 request.format == StorageFormat::I4 ||
                 request.format == StorageFormat::U4;
  if (!symmetric && !integer) {
    error = "option 'symmetric=false': format " + format.str() +
            " is symmetric only; affine needs i8, u8, i4 or u4";
    return failure();
  }

  request.scaleType = llvm::StringSwitch<Type>(scaleType)
                          .Case("f32", Float32Type::get(ctx))
                          .Case("f16", Float16Type::get(ctx))
                          .Case("bf16", BFloat16Type::get(ctx))
                          .Default(Type());
  if (!request.scaleType) {
    error = "option 'scale-type': unknown scale type '" + scaleType.str() +
            "'; expected f32, f16 or bf16";
    return failure();
  }
  return request;
}

SchemeAttr mlir::lowbit::getWeightScheme(MLIRContext *ctx,
                                         const WeightSchemeRequest &request,
                                         ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  // Per channel on a batched [B, N, K] weight means one scale per (b, n):
  // a group spanning all of K.
  if (request.granularity == Granularity::Axis && rank == 3 &&
      !ShapedType::isDynamic(shape.back()))
    return SchemeAttr::get(ctx, request.format, Granularity::Group, rank - 1,
                           shape.back(), request.symmetric, request.scaleType);
  switch (request.granularity) {
  case Granularity::Tensor:
    return SchemeAttr::get(ctx, request.format, Granularity::Tensor, -1, 0,
                           request.symmetric, request.scaleType);
  case Granularity::Axis:
    return SchemeAttr::get(ctx, request.format, Granularity::Axis, rank - 2, 0,
                           request.symmetric, request.scaleType);
  case Granularity::Group:
    return SchemeAttr::get(ctx, request.format, Granularity::Group, rank - 1,
                           request.groupSize, request.symmetric,
                           request.scaleType);
  }
  llvm_unreachable("unknown granularity");
}

numerics::Scheme mlir::lowbit::toNumericsScheme(SchemeAttr scheme) {
  numerics::Scheme result;
  switch (scheme.getFormat()) {
  case StorageFormat::I8:
    result.format = numerics::StorageFormat::I8;
    break;
  case StorageFormat::U8:
    result.format = numerics::StorageFormat::U8;
    break;
  case StorageFormat::I4:
    result.format = numerics::StorageFormat::I4;
    break;
  case StorageFormat::U4:
    result.format = numerics::StorageFormat::U4;
    break;
  case StorageFormat::NF4:
    result.format = numerics::StorageFormat::NF4;
    break;
  case StorageFormat::F4E2M1FN:
    result.format = numerics::StorageFormat::FP4E2M1;
    break;
  case StorageFormat::F8E4M3FN:
    result.format = numerics::StorageFormat::F8E4M3FN;
    break;
  case StorageFormat::F8E5M2:
    result.format = numerics::StorageFormat::F8E5M2;
    break;
  }
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    result.granularity = numerics::Granularity::Tensor;
    break;
  case Granularity::Axis:
    result.granularity = numerics::Granularity::Axis;
    break;
  case Granularity::Group:
    result.granularity = numerics::Granularity::Group;
    break;
  }
  result.axis = scheme.getAxis();
  result.groupSize = scheme.getGroupSize();
  result.symmetric = scheme.getSymmetric();
  Type scaleType = scheme.getScaleType();
  result.scaleType = scaleType.isF16()    ? numerics::ScaleType::F16
                     : scaleType.isBF16() ? numerics::ScaleType::BF16
                                          : numerics::ScaleType::F32;
  return result;
}
