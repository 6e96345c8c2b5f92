//===- ImportONNX.h - ONNX models to func/linalg/lowbit IR ------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Imports an ONNX ModelProto as `func.func @main` over ranked tensors in
// linalg/tensor/arith/math, with lowbit ops for quantized nodes. Graph inputs
// and outputs keep their ONNX names as `onnx.name` argument/result
// attributes; every op carries `loc("<node name>")`; initializers become
// `arith.constant dense_resource<name>` (external data is mapped, not read).
// See docs/tools/lowbit-translate.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_ONNX_IMPORTONNX_H
#define LOWBIT_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
class DialectRegistry;
class MLIRContext;

namespace lowbit {

/// Options of the ONNX importer.
struct OnnxImportOptions {
  /// Shapes of graph inputs, applied before shape inference; they fix
  /// dynamic dims (`--input-shape=name:1x128`).
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
};

/// Parses an `--input-shape` value `name:D0xD1x...` (`name:` alone for a
/// scalar). Returns false with `error` set when it is malformed.
bool parseOnnxInputShape(StringRef spec, std::string &name,
                         std::vector<int64_t> &dims, std::string &error);

/// Registers the dialects that imported modules use.
void registerOnnxImportDialects(DialectRegistry &registry);

/// Imports the ONNX model at `path`. On failure, reports the errors to the
/// context's diagnostic handler and returns null.
OwningOpRef<ModuleOp> importOnnxFile(StringRef path, MLIRContext *context,
                                     const OnnxImportOptions &options = {});

} // namespace lowbit
} // namespace mlir

#endif // LOWBIT_TARGET_ONNX_IMPORTONNX_H
