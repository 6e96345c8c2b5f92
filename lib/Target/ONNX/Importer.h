//===- Importer.h - state shared by the ONNX graph and op importers -*- C++
//-*-===//
//
// The MLIR-building half of the ONNX importer (no exceptions, no libonnx):
// it walks the OnnxModel produced by the reader and builds func/linalg IR.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_ONNX_IMPORTER_H
#define LOWBIT_LIB_TARGET_ONNX_IMPORTER_H

#include "OnnxModel.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>

namespace mlir::lowbit::onnx_import {

using ::lowbit::onnx_import::OnnxAttribute;
using ::lowbit::onnx_import::OnnxModel;
using ::lowbit::onnx_import::OnnxNode;
using ::lowbit::onnx_import::OnnxTensor;
using ::lowbit::onnx_import::OnnxValueType;

/// Builds the body of @main node by node.
class Importer {
public:
  Importer(const OnnxModel &model, MLIRContext *context, Location fileLoc)
      : model(model), context(context), builder(context), fileLoc(fileLoc) {}

  /// The MLIR element type of an ONNX data type (unsigned integers become
  /// signless; their signedness stays known through the ONNX type).
  FailureOr<Type> getElementType(int dataType, Location loc, StringRef what);
  /// A static ranked tensor type for a value type; errors name `what`.
  FailureOr<RankedTensorType> getTensorType(const OnnxValueType &type,
                                            Location loc, StringRef what);
  /// The inferred type of a value, if shape inference gave a static one.
  std::optional<RankedTensorType> getInferredType(StringRef name);
  /// The ONNX data type of a value (kUndefined when unknown).
  int getDataType(StringRef name) const;

  /// The SSA value of an ONNX value name, materializing initializers on
  /// first use.
  FailureOr<Value> getValue(StringRef name, Location loc);
  /// The constant tensor behind a name (initializer or Constant output).
  const OnnxTensor *getConstant(StringRef name) const;
  /// The bytes of a constant tensor, checked against its type.
  FailureOr<ArrayRef<char>> getBytes(const OnnxTensor &tensor, Location loc);
  /// Integer / float values of a constant tensor.
  FailureOr<SmallVector<int64_t>> getInts(const OnnxTensor &tensor,
                                          Location loc);
  FailureOr<SmallVector<double>> getFloats(const OnnxTensor &tensor,
                                           Location loc);
  /// An arith.constant for a tensor (dense_resource named `key`).
  FailureOr<Value> materializeConstant(const OnnxTensor &tensor, StringRef key,
                                       Location loc);

  /// The opset version of the node's domain.
  int64_t getOpset(const OnnxNode &node) const;

  /// Runs the import.
  OwningOpRef<ModuleOp> run();

  const OnnxModel &model;
  MLIRContext *context;
  OpBuilder builder;
  Location fileLoc;
  llvm::StringMap<Value> values;
  llvm::StringMap<const OnnxTensor *> constants;
  /// Outputs of Constant nodes: small ones become `dense<...>`.
  llvm::StringSet<> constantNodeOutputs;
  /// Tensors built from Constant nodes' scalar/list attributes.
  std::vector<std::shared_ptr<OnnxTensor>> synthesized;

private:
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> externalSlices;
};

/// Converts one node, defining its outputs in `importer.values`.
LogicalResult convertNode(Importer &importer, const OnnxNode &node,
                          Location loc);

} // namespace mlir::lowbit::onnx_import

#endif // LOWBIT_LIB_TARGET_ONNX_IMPORTER_H
