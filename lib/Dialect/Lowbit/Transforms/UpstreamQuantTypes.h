//===- UpstreamQuantTypes.h - !quant.uniform <-> #lowbit.scheme -*- C++ -*-===//
//
// Conversion between the element types of the upstream quant dialect
// (!quant.uniform per tensor, per axis and sub-channel) and a #lowbit.scheme
// with its scales and zero-points as attributes. Shared by
// lowbit-import-quant and lowbit-export-quant; docs/passes/quant-interop.md
// holds the mapping table.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_UPSTREAMQUANTTYPES_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_UPSTREAMQUANTTYPES_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::lowbit {

/// A scheme with compile-time scales and zero-points, as a lowbit op holds
/// them: scales a FloatAttr (per tensor) or an elements attribute, zero-points
/// the same with i32 elements, null when the scheme is symmetric.
struct StaticQuantParams {
  SchemeAttr scheme;
  Attribute scales;
  Attribute zeroPoints;
};

/// What the imported parameters will be used for. A storage range narrower
/// than the storage type (`i8<-127:127>`) changes what quantization produces
/// but not what dequantization computes, so only dequantization accepts it.
enum class QuantUse { Quantize, Dequantize };

/// Per-axis and group-wise parameters with more elements than this become
/// dense_resource blobs on import; smaller ones stay readable dense arrays.
constexpr int64_t kMaxInlineQuantParams = 16;

/// Converts the `!quant.uniform` element type of `type` into a scheme with
/// f32 scales (upstream's double scales rounded to nearest) and, when any
/// zero-point is non-zero, i32 zero-points. Reports through `emitError` why a
/// type has no lowbit form (storage width, narrow range for `use` Quantize,
/// expressed type, sub-channel blocks along several axes, ...) and fails.
FailureOr<StaticQuantParams>
importQuantizedType(RankedTensorType type, QuantUse use,
                    function_ref<InFlightDiagnostic()> emitError);

/// Builds the `!quant.uniform` element type for codes of `shape` under
/// `params`, with `expressedType` as the real type. Scales stored in
/// dense_resource blobs are read. Reports and fails for non-integer formats,
/// unreadable parameters, and scales that upstream rejects or that a
/// sub-channel type (whose scales have the expressed type) cannot hold
/// exactly.
FailureOr<quant::QuantizedType>
exportQuantizedType(const StaticQuantParams &params, ArrayRef<int64_t> shape,
                    Type expressedType,
                    function_ref<InFlightDiagnostic()> emitError);

/// Replaces `y = quant.scast(quant.scast(x))` by `x` when `y` and `x` have
/// the same type, and erases the casts this leaves unused. Other dead casts
/// are left alone.
void foldStorageCastPairs(Operation *root);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_UPSTREAMQUANTTYPES_H
