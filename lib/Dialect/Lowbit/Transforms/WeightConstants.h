//===- WeightConstants.h - reading and writing weight constants -*- C++ -*-===//
//
// Weights and their quantization parameters live in dense_resource blobs so a
// large model is never uniqued as attribute arrays. These helpers read float
// weights from any elements attribute and write codes, scales and
// zero-points back as resources.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTCONSTANTS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTCONSTANTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>
#include <vector>

namespace mlir::lowbit {

/// Reads the elements of a float constant (f32, f16, bf16 or f64; dense or
/// dense_resource) as f32 in row-major order. Fails with `error` set when the
/// element type is not a float or the resource blob holds no data.
FailureOr<std::vector<float>> readFloatElements(ElementsAttr attr,
                                                std::string &error);

/// The resource key of a dense_resource constant, or `fallback`.
std::string getResourceNameHint(ElementsAttr attr, StringRef fallback);

/// Swaps the last two dimensions of a row-major tensor of `shape`.
std::vector<float> transposeLastTwo(ArrayRef<float> data,
                                    ArrayRef<int64_t> shape);

/// A dense_resource attribute of `type` holding `bytes` verbatim (4-bit
/// element types: two codes per byte, low nibble first).
DenseResourceElementsAttr makeResourceAttr(ShapedType type, StringRef name,
                                           ArrayRef<uint8_t> bytes);

/// Scales of `scaleType` (values already representable in it): a typed
/// FloatAttr for a scalar `shape`, a dense_resource tensor otherwise.
Attribute makeScalesAttr(Type scaleType, ArrayRef<int64_t> shape,
                         ArrayRef<float> scales, StringRef name);

/// Zero-points as i32: an IntegerAttr for a scalar `shape`, a dense_resource
/// tensor otherwise.
Attribute makeZeroPointsAttr(MLIRContext *ctx, ArrayRef<int64_t> shape,
                             ArrayRef<int32_t> zeroPoints, StringRef name);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTCONSTANTS_H
