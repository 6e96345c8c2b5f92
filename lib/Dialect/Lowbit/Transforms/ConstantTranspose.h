//===- ConstantTranspose.h - transposing constants offline ------*- C++ -*-===//
//
// Moves quantized codes, scales and zero-points stored `[.., K, N]` into the
// `[.., N, K]` layout of lowbit's matmul ops at compile time, keeping how
// they are stored (dense attribute or dense_resource blob, 4-bit codes packed
// two per byte).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTTRANSPOSE_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTTRANSPOSE_H

#include "mlir/IR/BuiltinAttributes.h"

#include <string>

namespace mlir::lowbit {

/// The elements of `attr` (static shape, rank >= 2) with the last two
/// dimensions swapped. A DenseElementsAttr stays one; a dense_resource
/// becomes a new resource named after the old key followed by `suffix`,
/// whose bytes follow lowbit's storage layout (elements of a multiple of 8
/// bits verbatim, 4-bit elements two per byte with the even flat index in
/// the low nibble). Fails with `error` set when the blob is missing or has
/// the wrong size, or the element type has another width.
FailureOr<ElementsAttr>
transposeLastTwoDims(ElementsAttr attr, StringRef suffix, std::string &error);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_CONSTANTTRANSPOSE_H
