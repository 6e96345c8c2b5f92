//===- ExportONNX.h - quantized lowbit models back to ONNX ------*- C++ -*-===//
//
// lowbit-translate --export-onnx: writes a model quantized by lowbit as
// standard ONNX by patching the ONNX model it was imported from. Each
// quantized matmul (lowbit.dequant_matmul, lowbit.matmul) is found in the
// source by its location (the ONNX node name the importer put there) or its
// weight's name, and its float weight is replaced by a DequantizeLinear of
// the codes (per tensor, per channel, or blocked with block_size), or the
// node by com.microsoft MatMulNBits; a static activation scheme becomes a
// QuantizeLinear/DequantizeLinear pair on the node's input. Every other node
// is the source's own. See docs/tools/lowbit-translate.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_ONNX_EXPORTONNX_H
#define LOWBIT_TARGET_ONNX_EXPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::lowbit {

struct OnnxExportOptions {
  /// The ONNX model the module was imported from.
  std::string sourcePath;
  /// 4-bit group-wise weights of MatMul nodes as com.microsoft MatMulNBits.
  bool matmulNBits = false;
  /// Keep activations float even where the module quantizes them.
  bool weightsOnly = false;
  /// Initializers of at least this many bytes go to `<output>.data`;
  /// negative: never.
  int64_t externalDataThreshold = 1024;
};

/// Writes `module` to `outputPath` as ONNX (atomically). Emits a diagnostic
/// at the op or module and fails when the module holds something ONNX cannot
/// express (e.g. NF4 weights, dynamic activation scales).
LogicalResult exportOnnxFile(ModuleOp module, llvm::StringRef outputPath,
                             const OnnxExportOptions &options);

} // namespace mlir::lowbit

#endif // LOWBIT_TARGET_ONNX_EXPORTONNX_H
