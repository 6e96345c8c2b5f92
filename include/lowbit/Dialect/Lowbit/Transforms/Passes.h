//===- Passes.h - lowbit quantization passes --------------------*- C++ -*-===//
//
// Declares the lowbit passes (constructors and option structs are generated
// from Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::lowbit {

/// A unit attribute on the module, set by the passes that rescale
/// activations outside the quantized ops (lowbit-smooth-quant, and
/// lowbit-quantize-weights with method=awq): the model's float ops no longer
/// compute what the source model's did, which exporters that patch the
/// source model (lowbit-translate --export-onnx) must refuse.
inline constexpr llvm::StringLiteral kActivationRescaledAttr =
    "lowbit.activation_rescaled";

#define GEN_PASS_DECL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H
