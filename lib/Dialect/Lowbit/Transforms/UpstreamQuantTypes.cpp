//===- UpstreamQuantTypes.cpp - !quant.uniform <-> #lowbit.scheme ---------===//
//
// Both sides describe the same affine map x = s * (q - z) on integer codes q;
// only the bookkeeping differs:
//
//   !quant.uniform<i8:f32, s:z>             <i8[, affine]>
//   !quant.uniform<u8:f32:A, {s0:z0, ..}>   <u8, axis = A[, affine]>
//   !quant.uniform<i4:f32:{0:1, 1:G}, ..>   <i4, group = G, axis = 1[, affine]>
//
// (right: the #lowbit.scheme, with scales and zero-points as attributes).
//
// A scheme is affine exactly when some zero-point is non-zero, whatever the
// signedness of the storage. Sub-channel types are classified by the shape of
// their scale tensor: a dimension cut into one block shares its scale, one
// cut into blocks of 1 has a scale per index, and lowbit's granularities are
// "every dimension shared" (tensor), "one dimension per index, the rest
// shared" (axis), and "one dimension in blocks of G, every other per index"
// (group). Anything else has no lowbit form.
//
//===----------------------------------------------------------------------===//

#include "UpstreamQuantTypes.h"

#include "WeightConstants.h"
#include "lowbit/Dialect/Lowbit/IR/QuantParams.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// True when `actual` matches `expected` where both are static.
static bool isCompatibleShape(ArrayRef<int64_t> actual,
                              ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip_equal(actual, expected))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(e) && a != e)
      return false;
  return true;
}

static bool isLowbitRealType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

void mlir::lowbit::foldStorageCastPairs(Operation *root) {
  SmallVector<quant::StorageCastOp> casts;
  root->walk([&](quant::StorageCastOp op) { casts.push_back(op); });
  // The walk visits producers before their users, so a chain of casts
  // collapses in one forward sweep; erasing backwards then removes users
  // before the casts they read.
  llvm::SmallPtrSet<Operation *, 16> touched;
  for (quant::StorageCastOp op : casts) {
    auto source = op.getInput().getDefiningOp<quant::StorageCastOp>();
    if (!source || source.getInput().getType() != op.getType())
      continue;
    op.getResult().replaceAllUsesWith(source.getInput());
    touched.insert(op);
    touched.insert(source);
  }
  for (quant::StorageCastOp op : llvm::reverse(casts))
    if (touched.contains(op) && op->use_empty())
      op->erase();
}

//===----------------------------------------------------------------------===//
// Import
//===----------------------------------------------------------------------===//

/// Scales: a typed f32 scalar per tensor, otherwise a dense array when small
/// and a dense_resource blob when large.
static Attribute makeImportedScales(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                    ArrayRef<float> scales) {
  Type f32 = Float32Type::get(ctx);
  if (shape.empty())
    return FloatAttr::get(f32, static_cast<double>(scales.front()));
  if (static_cast<int64_t>(scales.size()) <= kMaxInlineQuantParams)
    return DenseElementsAttr::get(RankedTensorType::get(shape, f32), scales);
  return makeScalesAttr(f32, shape, scales, "quant_scales");
}

/// Zero-points, i32, laid out like the scales.
static Attribute makeImportedZeroPoints(MLIRContext *ctx,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<int32_t> zeroPoints) {
  Type i32 = IntegerType::get(ctx, 32);
  if (shape.empty())
    return IntegerAttr::get(i32, zeroPoints.front());
  if (static_cast<int64_t>(zeroPoints.size()) <= kMaxInlineQuantParams)
    return DenseElementsAttr::get(RankedTensorType::get(shape, i32),
                                  zeroPoints);
  return makeZeroPointsAttr(ctx, shape, zeroPoints, "quant_zero_points");
}

/// How a sub-channel type maps onto lowbit's granularities.
struct SubChannelLayout {
  Granularity granularity = Granularity::Tensor;
  int64_t axis = -1;
  int64_t groupSize = 0;
};

/// Classifies the blocks of `type` on a tensor of `shape` (see the file
/// comment), or reports why lowbit cannot express them.
static FailureOr<SubChannelLayout>
classifySubChannel(quant::UniformQuantizedSubChannelType type,
                   ArrayRef<int64_t> shape,
                   function_ref<InFlightDiagnostic()> emitError) {
  int64_t rank = shape.size();
  ArrayRef<int64_t> blocks = type.getScales().getType().getShape();
  if (static_cast<int64_t>(blocks.size()) != rank)
    return emitError() << "sub-channel scales have rank " << blocks.size()
                       << ", but the tensor has rank " << rank;
  // 0 marks a dimension without a block size: one block covers it.
  SmallVector<int64_t> blockSize(rank, 0);
  for (auto [dim, size] : type.getBlockSizeInfo()) {
    if (dim < 0 || dim >= rank)
      return emitError() << "sub-channel block size given for dimension " << dim
                         << " of a tensor of rank " << rank;
    blockSize[dim] = size;
  }

  // Dimensions with more than one block: `perIndex` ones have blocks of 1,
  // `grouped` ones larger blocks.
  SmallVector<int64_t> perIndex, grouped;
  for (int64_t d = 0; d < rank; ++d) {
    if (blocks[d] == 1)
      continue;
    if (blockSize[d] == 0)
      return emitError() << "sub-channel scales have " << blocks[d]
                         << " blocks along dimension " << d
                         << ", which has no block size";
    (blockSize[d] == 1 ? perIndex : grouped).push_back(d);
  }

  SubChannelLayout layout;
  if (perIndex.empty() && grouped.empty())
    return layout;
  if (grouped.empty() && perIndex.size() == 1) {
    layout.granularity = Granularity::Axis;
    layout.axis = perIndex.front();
    return layout;
  }
  if (grouped.size() > 1)
    return emitError() << "sub-channel blocks larger than 1 along dimensions "
                       << grouped[0] << " and " << grouped[1]
                       << "; lowbit groups run along one axis, with one "
                          "scale per index of every other axis";
  // Groups along the one blocked dimension (or, with blocks of 1 everywhere,
  // groups of 1 along the last per-index dimension).
  layout.granularity = Granularity::Group;
  layout.axis = grouped.empty() ? perIndex.back() : grouped.front();
  layout.groupSize = grouped.empty() ? 1 : blockSize[layout.axis];
  for (int64_t d = 0; d < rank; ++d) {
    if (d == layout.axis || blocks[d] > 1 || shape[d] == 1)
      continue;
    return emitError() << "sub-channel scales are shared along dimension " << d
                       << " (of size "
                       << (ShapedType::isDynamic(shape[d])
                               ? std::string("?")
                               : std::to_string(shape[d]))
                       << ") while dimension " << layout.axis
                       << " is cut into blocks of " << layout.groupSize
                       << "; lowbit groups need block size 1 on every other "
                          "dimension (one scale per index)";
  }
  return layout;
}

/// Upstream scales are doubles; lowbit keeps f32. Values that round to zero
/// or infinity have no f32 form.
static FailureOr<float>
toF32Scale(double scale, function_ref<InFlightDiagnostic()> emitError) {
  float rounded = static_cast<float>(scale);
  if (!(rounded > 0.0f) || std::isinf(rounded))
    return emitError() << "scale " << scale
                       << " is not a positive finite f32 (lowbit scales are "
                          "f32)";
  return rounded;
}

FailureOr<StaticQuantParams> mlir::lowbit::importQuantizedType(
    RankedTensorType type, QuantUse use,
    function_ref<InFlightDiagnostic()> emitError) {
  MLIRContext *ctx = type.getContext();
  auto qtype = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!qtype ||
      !isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
           quant::UniformQuantizedSubChannelType>(qtype))
    return emitError() << "only !quant.uniform element types have a lowbit "
                          "form, got "
                       << type.getElementType();

  Type expressed = qtype.getExpressedType();
  if (!isLowbitRealType(expressed))
    return emitError() << "expressed type " << expressed
                       << " has no lowbit form; lowbit real tensors are f32, "
                          "f16 or bf16";

  unsigned width = qtype.getStorageTypeIntegralWidth();
  bool isSigned = qtype.isSigned();
  StorageFormat format;
  if (width == 8)
    format = isSigned ? StorageFormat::I8 : StorageFormat::U8;
  else if (width == 4)
    format = isSigned ? StorageFormat::I4 : StorageFormat::U4;
  else
    return emitError() << "storage type " << (isSigned ? "i" : "u") << width
                       << " has no lowbit format; lowbit stores i8, u8, i4 "
                          "and u4";
  // Only for the code range of the format.
  auto plain = SchemeAttr::get(ctx, format);
  int64_t codeMin = plain.getCodeMin(), codeMax = plain.getCodeMax();
  if (use == QuantUse::Quantize && qtype.hasStorageTypeBounds())
    return emitError() << "storage range [" << qtype.getStorageTypeMin() << ", "
                       << qtype.getStorageTypeMax()
                       << "] is narrower than the range [" << codeMin << ", "
                       << codeMax << "] of " << stringifyStorageFormat(format)
                       << "; lowbit.quantize clamps to the full range, so it "
                          "cannot produce this type (dequantizing it is "
                          "supported)";

  ArrayRef<int64_t> shape = type.getShape();
  SubChannelLayout layout;
  SmallVector<int64_t> scaleShape;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    scales.push_back(perTensor.getScale());
    zeroPoints.push_back(perTensor.getZeroPoint());
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    layout.granularity = Granularity::Axis;
    layout.axis = perAxis.getQuantizedDimension();
    if (layout.axis >= type.getRank())
      return emitError() << "quantized dimension " << layout.axis
                         << " is out of range for a tensor of rank "
                         << type.getRank();
    llvm::append_range(scales, perAxis.getScales());
    llvm::append_range(zeroPoints, perAxis.getZeroPoints());
    scaleShape.push_back(static_cast<int64_t>(scales.size()));
  } else {
    auto subChannel = cast<quant::UniformQuantizedSubChannelType>(qtype);
    FailureOr<SubChannelLayout> classified =
        classifySubChannel(subChannel, shape, emitError);
    if (failed(classified))
      return failure();
    layout = *classified;
    for (APFloat value : subChannel.getScales().getValues<APFloat>()) {
      bool lost;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      scales.push_back(value.convertToDouble());
    }
    // Upstream prints unsigned zero-points in the storage width as signed
    // numbers (u4 15 as -1), which re-parse wider: keep the storage bits.
    unsigned storageWidth = subChannel.getStorageTypeIntegralWidth();
    for (const APInt &value : subChannel.getZeroPoints().getValues<APInt>())
      zeroPoints.push_back(
          isSigned ? value.getSExtValue()
                   : static_cast<int64_t>(value.zextOrTrunc(64).getZExtValue() &
                                          ((uint64_t(1) << storageWidth) - 1)));
    ArrayRef<int64_t> blocks = subChannel.getScales().getType().getShape();
    if (layout.granularity == Granularity::Axis)
      scaleShape.push_back(blocks[layout.axis]);
    else if (layout.granularity == Granularity::Group)
      scaleShape.assign(blocks.begin(), blocks.end());
  }

  SmallVector<float> f32Scales;
  for (double scale : scales) {
    FailureOr<float> rounded = toF32Scale(scale, emitError);
    if (failed(rounded))
      return failure();
    f32Scales.push_back(*rounded);
  }
  SmallVector<int32_t> i32ZeroPoints;
  for (int64_t zp : zeroPoints) {
    if (zp < codeMin || zp > codeMax)
      return emitError() << "zero point " << zp
                         << " is outside the code range [" << codeMin << ", "
                         << codeMax << "] of "
                         << stringifyStorageFormat(format);
    i32ZeroPoints.push_back(static_cast<int32_t>(zp));
  }
  bool symmetric = llvm::all_of(zeroPoints, [](int64_t zp) { return zp == 0; });

  auto scheme =
      SchemeAttr::get(ctx, format, layout.granularity, layout.axis,
                      layout.groupSize, symmetric, Float32Type::get(ctx));
  if (failed(scheme.verifyForShape(emitError, shape)))
    return failure();
  SmallVector<int64_t> expected = scheme.getScaleShape(shape);
  if (!isCompatibleShape(scaleShape, expected))
    return emitError() << "the quantized type has scales of shape "
                       << formatShape(scaleShape) << ", but "
                       << Attribute(scheme) << " on a tensor of shape "
                       << formatShape(shape) << " needs "
                       << formatShape(expected);

  StaticQuantParams params;
  params.scheme = scheme;
  params.scales = makeImportedScales(ctx, scaleShape, f32Scales);
  if (!symmetric)
    params.zeroPoints = makeImportedZeroPoints(ctx, scaleShape, i32ZeroPoints);
  return params;
}

//===----------------------------------------------------------------------===//
// Export
//===----------------------------------------------------------------------===//

/// Reads static scales (typed scalar, dense or dense_resource tensor).
static FailureOr<SmallVector<float>>
readScales(Attribute attr, function_ref<InFlightDiagnostic()> emitError) {
  if (auto scalar = dyn_cast_if_present<FloatAttr>(attr))
    return SmallVector<float>{static_cast<float>(scalar.getValueAsDouble())};
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  if (!elements)
    return emitError() << "scales must be a float or an elements attribute, "
                          "got "
                       << attr;
  std::string error;
  FailureOr<std::vector<float>> values = readFloatElements(elements, error);
  if (failed(values))
    return emitError() << "cannot read the scales: " << error;
  return SmallVector<float>(values->begin(), values->end());
}

/// Reads static zero-points (typed scalar, dense or dense_resource tensor of
/// any integer width) as signed values.
static FailureOr<SmallVector<int64_t>>
readZeroPoints(Attribute attr, function_ref<InFlightDiagnostic()> emitError) {
  if (auto scalar = dyn_cast<IntegerAttr>(attr))
    return SmallVector<int64_t>{scalar.getValue().getSExtValue()};
  SmallVector<int64_t> result;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &value : dense.getValues<APInt>())
      result.push_back(value.getSExtValue());
    return result;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ShapedType type = resource.getType();
    auto intType = dyn_cast<IntegerType>(type.getElementType());
    unsigned width = intType ? intType.getWidth() : 0;
    if (width != 8 && width != 16 && width != 32 && width != 64)
      return emitError() << "zero points of type " << type
                         << " cannot be read; expected i8, i16, i32 or i64 "
                            "elements";
    ArrayRef<char> data = resource.getData();
    size_t count = type.getNumElements(), bytes = width / 8;
    if (data.size() != count * bytes)
      return emitError() << "zero-point resource '"
                         << resource.getRawHandle().getKey() << "' holds "
                         << data.size() << " bytes, expected " << count * bytes
                         << " (is its blob missing?)";
    for (size_t i = 0; i < count; ++i) {
      uint64_t raw = 0;
      std::memcpy(&raw, data.data() + i * bytes, bytes);
      result.push_back(APInt(width, raw).getSExtValue());
    }
    return result;
  }
  return emitError() << "zero points must be an integer or integer elements "
                        "attribute, got "
                     << attr;
}

FailureOr<quant::QuantizedType> mlir::lowbit::exportQuantizedType(
    const StaticQuantParams &params, ArrayRef<int64_t> shape,
    Type expressedType, function_ref<InFlightDiagnostic()> emitError) {
  SchemeAttr scheme = params.scheme;
  if (!scheme.isIntegerFormat())
    return emitError() << "format "
                       << stringifyStorageFormat(scheme.getFormat())
                       << " has no !quant.uniform form (upstream storage "
                          "types are integers on a uniform grid)";
  if (!isLowbitRealType(expressedType))
    return emitError() << "real type " << expressedType
                       << " is not f32, f16 or bf16";

  FailureOr<SmallVector<float>> scales = readScales(params.scales, emitError);
  if (failed(scales))
    return failure();
  SmallVector<int64_t> zeroPoints(scales->size(), 0);
  if (!scheme.getSymmetric()) {
    FailureOr<SmallVector<int64_t>> read =
        readZeroPoints(params.zeroPoints, emitError);
    if (failed(read))
      return failure();
    if (read->size() != scales->size())
      return emitError() << read->size() << " zero points for "
                         << scales->size() << " scales";
    zeroPoints = std::move(*read);
  }
  for (int64_t zp : zeroPoints)
    if (zp < scheme.getCodeMin() || zp > scheme.getCodeMax())
      return emitError() << "zero point " << zp
                         << " is outside the code range ["
                         << scheme.getCodeMin() << ", " << scheme.getCodeMax()
                         << "] of "
                         << stringifyStorageFormat(scheme.getFormat());

  MLIRContext *ctx = scheme.getContext();
  bool isSigned = scheme.getCodeMin() < 0;
  unsigned width = scheme.getStorageType().getIntOrFloatBitWidth();
  Type storageType = IntegerType::get(ctx, width);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t storageMin = scheme.getCodeMin(), storageMax = scheme.getCodeMax();
  SmallVector<double> doubles(scales->begin(), scales->end());
  // getChecked has reported the problem when it returns a null type.
  auto checked =
      [](quant::QuantizedType type) -> FailureOr<quant::QuantizedType> {
    if (!type)
      return failure();
    return type;
  };

  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    if (doubles.size() != 1)
      return emitError() << "a per-tensor scheme needs one scale, got "
                         << doubles.size();
    return checked(quant::UniformQuantizedType::getChecked(
        emitError, flags, storageType, expressedType, doubles.front(),
        zeroPoints.front(), storageMin, storageMax));
  case Granularity::Axis:
    return checked(quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, storageType, expressedType, doubles, zeroPoints,
        static_cast<int32_t>(scheme.getAxis()), storageMin, storageMax));
  case Granularity::Group:
    break;
  }

  // Sub-channel: blocks of G along the scheme's axis, of 1 along every other
  // dimension. Its scales are elements of the expressed type, so they must
  // convert exactly; zero-points are elements of the storage type.
  auto elements = dyn_cast<ElementsAttr>(params.scales);
  if (!elements)
    return emitError() << "group-wise scales must be a tensor attribute";
  ArrayRef<int64_t> scaleShape = elements.getShapedType().getShape();
  int64_t rank = shape.size();
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blockSizes;
  for (int64_t d = 0; d < rank; ++d) {
    dims.push_back(static_cast<int32_t>(d));
    blockSizes.push_back(d == scheme.getAxis() ? scheme.getGroupSize() : 1);
  }
  const llvm::fltSemantics &semantics =
      cast<FloatType>(expressedType).getFloatSemantics();
  SmallVector<APFloat> scaleValues;
  for (float scale : *scales) {
    APFloat value(scale);
    bool lost = false;
    value.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    if (lost)
      return emitError() << "scale " << scale << " is not exactly "
                         << "representable in " << expressedType
                         << ", the element type of a sub-channel type's "
                            "scales; use scales of type "
                         << expressedType << " or an f32 real type";
    scaleValues.push_back(value);
  }
  SmallVector<APInt> zeroPointValues;
  for (int64_t zp : zeroPoints)
    zeroPointValues.push_back(
        APInt(width, static_cast<uint64_t>(zp), /*isSigned=*/isSigned));
  auto scalesAttr = DenseElementsAttr::get(
      RankedTensorType::get(scaleShape, expressedType), scaleValues);
  auto zeroPointsAttr = DenseElementsAttr::get(
      RankedTensorType::get(scaleShape, storageType), zeroPointValues);
  return checked(quant::UniformQuantizedSubChannelType::getChecked(
      emitError, flags, storageType, expressedType, scalesAttr, zeroPointsAttr,
      dims, blockSizes, storageMin, storageMax));
}
