//===- CodeDecoding.h - IR that turns codes into values ---------*- C++ -*-===//
//
// Building blocks shared by the lowbit-to-linalg patterns: where the codes
// of a quantized tensor are read from (packed constant bytes or a tensor of
// codes), how one code becomes a real value, and how scales and zero-points
// reach a linalg.generic body.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_CODEDECODING_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_CODEDECODING_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::lowbit {

/// Where a generic reads the codes of a quantized tensor from.
struct CodeSource {
  /// The tensor the generic reads: the code tensor itself, or for packed
  /// constants the blob reinterpreted as a flat tensor of bytes (i8).
  Value tensor;
  /// The tensor is the constant's blob as flat bytes: read byte
  /// `flat(index)` (one code per byte) or `flat(index) floordiv 2`.
  bool flat = false;
  /// Two 4-bit codes per byte, in row-major flat order, low nibble first.
  bool packed = false;
  /// The logical shape of the codes (static for packed constants).
  SmallVector<int64_t> shape;
};

/// Decides how to read `codes`: a dense_resource constant of a 4-bit type is
/// read as its packed bytes (never expanded in memory); a constant of an FP8
/// type as its raw bytes; anything else as is.
CodeSource getCodeSource(OpBuilder &builder, Location loc, Value codes);

/// The row-major flat index of `dims` over a static `shape`.
AffineExpr getFlatExpr(ArrayRef<AffineExpr> dims, ArrayRef<int64_t> shape);

/// The indexing map a generic with `numLoops` loops reads `source` with,
/// given the code tensor's index as expressions of the loops.
AffineMap getCodeReadMap(const CodeSource &source,
                         ArrayRef<AffineExpr> codeDims, unsigned numLoops);

/// Inside a generic body: the flat code index of the current iteration
/// (`affine.apply` of getFlatExpr over the loop indices); only needed for
/// packed sources, whose nibble it selects.
Value emitFlatIndex(OpBuilder &builder, Location loc, const CodeSource &source,
                    ArrayRef<AffineExpr> codeDims, unsigned numLoops);

/// Emits, inside a generic body, the i32 code read at the current
/// iteration: `raw` is the element read from the code source, `flatIndex`
/// (an index value) is only used for packed sources (its parity picks the
/// nibble). Signed formats are sign-extended (i8, i4), the others are
/// unsigned (u8, u4, and the table indices of nf4, f4E2M1FN, FP8).
Value emitCodeAsI32(OpBuilder &builder, Location loc, Value raw, bool packed,
                    Value flatIndex, SchemeAttr scheme);

/// The value table of a table format (nf4, f4E2M1FN: 16 entries; f8E4M3FN,
/// f8E5M2: 256), as a constant tensor; null for integer formats.
Value buildValueTable(OpBuilder &builder, Location loc, SchemeAttr scheme);

/// Emits the unscaled real value of an i32 code: the integer itself minus
/// the zero-point (`zeroPoint` an i32 or null), or the table entry.
Value emitDecodedValue(OpBuilder &builder, Location loc, Value code,
                       Value zeroPoint, Value table, SchemeAttr scheme);

/// A scale or zero-point as a linalg.generic sees it.
struct ParamAccess {
  /// A scalar defined outside the generic (per-tensor static parameters).
  Value scalar;
  /// Or a tensor input read with `map`.
  Value tensor;
  AffineMap map;
};

/// Materialises a static parameter (FloatAttr / IntegerAttr / elements) or
/// forwards a dynamic one, with `tensorMap` the map to use when it is a
/// tensor of the scheme's parameter shape. Per-tensor parameters held in a
/// tensor of shape [] or [1] are read with a constant map.
ParamAccess getParamAccess(OpBuilder &builder, Location loc,
                           Attribute staticValue, Value dynamicValue,
                           unsigned numLoops, AffineMap tensorMap);

/// f32 (or i32) from a body argument or scalar of a parameter: extends
/// f16/bf16 scales to f32.
Value castScaleToF32(OpBuilder &builder, Location loc, Value scale);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_CODEDECODING_H
