//===- ConstantTranspose.cpp - transposing constants offline --------------===//
//
// For a row-major tensor [.., R, C] and its transpose [.., C, R], element i
// of the result (batch b, row c, column r) is element
//   b * R * C + r * C + c
// of the source. 4-bit blobs are unpacked to one code per element, permuted
// and packed again, so a code's nibble moves to wherever its new flat index
// puts it (even index: low nibble).
//
//===----------------------------------------------------------------------===//

#include "ConstantTranspose.h"
#include "WeightConstants.h"

#include "lowbit/Quant/Packing.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

FailureOr<ElementsAttr> mlir::lowbit::transposeLastTwoDims(ElementsAttr attr,
                                                           StringRef suffix,
                                                           std::string &error) {
  ShapedType type = attr.getShapedType();
  if (!type.hasStaticShape() || type.getRank() < 2) {
    error = "only constants of static shape and rank >= 2 can be transposed";
    return failure();
  }
  SmallVector<int64_t> shape(type.getShape());
  int64_t rank = shape.size();
  int64_t rows = shape[rank - 2], cols = shape[rank - 1];
  std::swap(shape[rank - 2], shape[rank - 1]);
  auto newType = RankedTensorType::get(shape, type.getElementType());
  int64_t count = type.getNumElements();
  auto sourceIndex = [&](int64_t i) {
    int64_t plane = rows * cols;
    int64_t b = i / plane, row = (i % plane) / rows, col = i % rows;
    return b * plane + col * cols + row;
  };

  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return ElementsAttr(dense.reshape(newType));
    SmallVector<Attribute> values(dense.getValues<Attribute>());
    SmallVector<Attribute> result(count);
    for (int64_t i = 0; i < count; ++i)
      result[i] = values[sourceIndex(i)];
    return ElementsAttr(DenseElementsAttr::get(newType, result));
  }

  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource) {
    error = "unsupported kind of constant";
    return failure();
  }
  std::string key = getResourceNameHint(resource, "");
  Type elementType = type.getElementType();
  if (!elementType.isIntOrFloat()) {
    error = "resource '" + key + "' has a non-scalar element type";
    return failure();
  }
  unsigned bits = elementType.getIntOrFloatBitWidth();
  ArrayRef<char> data = resource.getData();
  auto checkSize = [&](size_t expected) -> LogicalResult {
    if (data.size() == expected)
      return success();
    error = "resource '" + key + "' holds " + std::to_string(data.size()) +
            " bytes, expected " + std::to_string(expected) + " for " +
            std::to_string(count) + " elements (is its blob missing?)";
    return failure();
  };
  const auto *raw = reinterpret_cast<const uint8_t *>(data.data());
  std::vector<uint8_t> bytes;
  if (bits == 4) {
    if (failed(checkSize((count + 1) / 2)))
      return failure();
    std::vector<int32_t> codes =
        numerics::unpackNibbles(raw, count, /*signExtend=*/false);
    std::vector<int32_t> transposed(count);
    for (int64_t i = 0; i < count; ++i)
      transposed[i] = codes[sourceIndex(i)];
    bytes = numerics::packNibbles(transposed);
  } else if (bits % 8 == 0) {
    size_t width = bits / 8;
    if (failed(checkSize(count * width)))
      return failure();
    bytes.resize(count * width);
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(bytes.data() + i * width, raw + sourceIndex(i) * width,
                  width);
  } else {
    error = "resource '" + key + "' has " + std::to_string(bits) +
            "-bit elements; only 4-bit and whole-byte elements are stored";
    return failure();
  }
  return ElementsAttr(makeResourceAttr(newType, key + suffix.str(), bytes));
}
