//===- WeightConstants.cpp - reading and writing weight constants ---------===//

#include "WeightConstants.h"

#include "lowbit/Quant/HalfPrecision.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

/// Decodes `count` raw little-endian elements of float type `type`.
static bool decodeRaw(Type type, const char *raw, size_t count,
                      std::vector<float> &out) {
  out.resize(count);
  if (type.isF32()) {
    std::memcpy(out.data(), raw, count * sizeof(float));
    return true;
  }
  if (type.isF16() || type.isBF16()) {
    for (size_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, raw + 2 * i, 2);
      out[i] = type.isF16() ? numerics::halfBitsToFloat(bits)
                            : numerics::bfloat16BitsToFloat(bits);
    }
    return true;
  }
  if (type.isF64()) {
    for (size_t i = 0; i < count; ++i) {
      double value;
      std::memcpy(&value, raw + 8 * i, 8);
      out[i] = static_cast<float>(value);
    }
    return true;
  }
  return false;
}

FailureOr<std::vector<float>>
mlir::lowbit::readFloatElements(ElementsAttr attr, std::string &error) {
  ShapedType type = attr.getShapedType();
  Type elementType = type.getElementType();
  if (!isa<FloatType>(elementType)) {
    error = "weight element type must be a float type";
    return failure();
  }
  size_t count = type.getNumElements();
  std::vector<float> out;

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = resource.getData();
    size_t width = elementType.getIntOrFloatBitWidth() / 8;
    if (data.size() != count * width) {
      error = "resource '" + resource.getRawHandle().getKey().str() +
              "' holds " + std::to_string(data.size()) + " bytes, expected " +
              std::to_string(count * width) + " for " + std::to_string(count) +
              " elements (is its blob missing?)";
      return failure();
    }
    if (!decodeRaw(elementType, data.data(), count, out)) {
      error = "unsupported weight element type";
      return failure();
    }
    return out;
  }

  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    if (elementType.isF32() && !dense.isSplat()) {
      auto values = dense.getValues<float>();
      out.assign(values.begin(), values.end());
      return out;
    }
    out.reserve(count);
    for (APFloat value : dense.getValues<APFloat>()) {
      bool lost;
      value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(value.convertToFloat());
    }
    return out;
  }
  error = "unsupported kind of weight constant";
  return failure();
}

std::string mlir::lowbit::getResourceNameHint(ElementsAttr attr,
                                              StringRef fallback) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle().getKey().str();
  return fallback.str();
}

std::vector<float> mlir::lowbit::transposeLastTwo(ArrayRef<float> data,
                                                  ArrayRef<int64_t> shape) {
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  int64_t batch = data.size() / (rows * cols);
  std::vector<float> out(data.size());
  for (int64_t b = 0; b < batch; ++b) {
    const float *src = data.data() + b * rows * cols;
    float *dst = out.data() + b * rows * cols;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        dst[c * rows + r] = src[r * cols + c];
  }
  return out;
}

DenseResourceElementsAttr
mlir::lowbit::makeResourceAttr(ShapedType type, StringRef name,
                               ArrayRef<uint8_t> bytes) {
  // 8-byte alignment: enough for every element type we store, and no more
  // than a bytecode reader can guarantee for a buffer read from a pipe
  // (larger alignments make MLIR bytecode unreadable from stdin).
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                     bytes.size()),
      /*align=*/8);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

Attribute mlir::lowbit::makeScalesAttr(Type scaleType, ArrayRef<int64_t> shape,
                                       ArrayRef<float> scales, StringRef name) {
  if (shape.empty())
    return FloatAttr::get(scaleType, static_cast<double>(scales.front()));
  std::vector<uint8_t> bytes;
  if (scaleType.isF32()) {
    bytes.resize(scales.size() * 4);
    std::memcpy(bytes.data(), scales.data(), bytes.size());
  } else {
    bytes.resize(scales.size() * 2);
    for (size_t i = 0; i < scales.size(); ++i) {
      uint16_t bits = scaleType.isF16()
                          ? numerics::floatToHalfBits(scales[i])
                          : numerics::floatToBFloat16Bits(scales[i]);
      std::memcpy(bytes.data() + 2 * i, &bits, 2);
    }
  }
  return makeResourceAttr(RankedTensorType::get(shape, scaleType), name, bytes);
}

Attribute mlir::lowbit::makeZeroPointsAttr(MLIRContext *ctx,
                                           ArrayRef<int64_t> shape,
                                           ArrayRef<int32_t> zeroPoints,
                                           StringRef name) {
  Type i32 = IntegerType::get(ctx, 32);
  if (shape.empty())
    return IntegerAttr::get(i32, zeroPoints.front());
  std::vector<uint8_t> bytes(zeroPoints.size() * 4);
  std::memcpy(bytes.data(), zeroPoints.data(), bytes.size());
  return makeResourceAttr(RankedTensorType::get(shape, i32), name, bytes);
}
