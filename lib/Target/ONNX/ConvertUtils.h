//===- ConvertUtils.h - shared ONNX converter helpers -----------*- C++ -*-===//
//
// The state of one node being converted and the IR-building helpers that the
// converters of ConvertOps.cpp, ConvertQuantOps.cpp and ConvertDataOps.cpp
// share. Shapes are static: every helper computes result types from its
// operands' types.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_ONNX_CONVERTUTILS_H
#define LOWBIT_LIB_TARGET_ONNX_CONVERTUTILS_H

#include "Importer.h"

#include "mlir/IR/Diagnostics.h"

namespace mlir::lowbit::onnx_import {

namespace ox = ::lowbit::onnx_import;

/// The node being converted.
struct NodeCtx {
  /// The graph importer (values, constants, types).
  Importer &imp;
  const OnnxNode &node;
  /// The node's location: its name fused with the file's.
  Location loc;
  /// Inserts at the end of @main.
  OpBuilder &b;

  /// The node's name, or its first output's when it has none.
  std::string displayName() const {
    if (!node.name.empty() || node.outputs.empty())
      return node.name;
    return node.outputs.front();
  }
  /// An error naming the node, its op type, domain and opset.
  InFlightDiagnostic error() {
    return emitError(loc) << "node '" << displayName() << "' (" << node.opType
                          << ", domain '"
                          << (node.domain.empty() ? "ai.onnx" : node.domain)
                          << "', opset " << imp.getOpset(node) << "): ";
  }
  /// True when input `i` is present (not omitted or empty).
  bool has(unsigned i) const {
    return i < node.inputs.size() && !node.inputs[i].empty();
  }
  /// The value of input `i` (an error when it is missing).
  FailureOr<Value> in(unsigned i) {
    if (!has(i))
      return error() << "input " << i << " is missing";
    return imp.getValue(node.inputs[i], loc);
  }
  /// Defines output `i` (ignored when the node leaves it unnamed).
  void out(unsigned i, Value v) {
    if (i < node.outputs.size() && !node.outputs[i].empty())
      imp.values[node.outputs[i]] = v;
  }
  /// Attribute values, `def` when absent or of another kind.
  int64_t intAttr(const char *name, int64_t def) const {
    const OnnxAttribute *a = node.getAttr(name);
    return a && a->kind == OnnxAttribute::Int ? a->i : def;
  }
  float floatAttr(const char *name, float def) const {
    const OnnxAttribute *a = node.getAttr(name);
    return a && a->kind == OnnxAttribute::Float ? a->f : def;
  }
  std::string stringAttr(const char *name, const char *def) const {
    const OnnxAttribute *a = node.getAttr(name);
    return a && a->kind == OnnxAttribute::String ? a->s : def;
  }
  /// An ints attribute, or null.
  const std::vector<int64_t> *intsAttr(const char *name) const {
    const OnnxAttribute *a = node.getAttr(name);
    return a && a->kind == OnnxAttribute::Ints ? &a->ints : nullptr;
  }
  /// Integers of constant input `i` (an error when it is not a constant).
  FailureOr<SmallVector<int64_t>> constInts(unsigned i, StringRef role = "") {
    const OnnxTensor *t = imp.getConstant(node.inputs[i]);
    if (!t)
      return notConstant(i, role);
    return imp.getInts(*t, loc);
  }
  /// Integers given either as the ints attribute `name` (older opsets) or
  /// as constant input `i` (newer ones); empty when neither is given, with
  /// `given` (when not null) saying which.
  FailureOr<SmallVector<int64_t>> intsAttrOrInput(const char *name, unsigned i,
                                                  bool *given = nullptr) {
    if (given)
      *given = true;
    if (const std::vector<int64_t> *attr = intsAttr(name))
      return SmallVector<int64_t>(attr->begin(), attr->end());
    if (has(i))
      return constInts(i, name);
    if (given)
      *given = false;
    return SmallVector<int64_t>();
  }
  /// The error for input `i` (`role`, e.g. "pads") that must be known at
  /// import time but is a graph input or computed at run time.
  InFlightDiagnostic notConstant(unsigned i, StringRef role = "") {
    InFlightDiagnostic diag = error() << "input " << i;
    if (!role.empty())
      diag << " (" << role << ")";
    diag << " '" << node.inputs[i] << "' must be a constant (initializer, "
         << "Constant node, or folded shape arithmetic), but it is ";
    bool isGraphInput = llvm::any_of(imp.model.inputs, [&](const auto &in) {
      return in.name == node.inputs[i];
    });
    diag << (isGraphInput ? "a graph input" : "computed at run time");
    return diag;
  }
  /// True when input `i` has an unsigned ONNX type (or bool): MLIR's
  /// integers are signless, so converters pick unsigned ops by this.
  bool isUnsigned(unsigned i) const {
    int dt = imp.getDataType(node.inputs[i]);
    return dt == ox::kUInt8 || dt == ox::kUInt16 || dt == ox::kUInt32 ||
           dt == ox::kUInt64 || dt == ox::kUInt4 || dt == ox::kBool;
  }
};

/// The body of an elementwise generic: scalar operands to the result.
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;
/// The body of a contraction: (a, b, accumulator) to the new accumulator.
using MacFn = function_ref<Value(OpBuilder &, Location, Value, Value, Value)>;

/// The reductions `reduce` builds.
enum class ReduceKind {
  Sum,
  Max,
  Mean,
  Min,
  Prod,
  SumSquare,
  L1,
  L2,
  LogSum,
  LogSumExp
};

/// The ranked tensor type of `v`.
RankedTensorType tensorType(Value v);
/// An arith.constant of `value` in the float or integer `type`.
Value scalar(OpBuilder &b, Location loc, Type type, double value);
/// tensor.empty of a static shape.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType);
/// A tensor of `shape` filled with `value` (linalg.fill).
Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
             Type elementType, double value);
/// The element of a one-element tensor `v` as a scalar.
Value extractScalar(OpBuilder &b, Location loc, Value v);
/// `axis` counted from the end when negative.
int64_t normalizeAxis(int64_t axis, int64_t rank);
/// A linalg.generic over the numpy broadcast of `inputs` (and `extraShape`)
/// whose body is `body`; a size-1 dim reads index 0.
FailureOr<Value> elementwise(NodeCtx &c, ArrayRef<Value> inputs,
                             Type elementType, BodyFn body,
                             ArrayRef<int64_t> extraShape = {});
/// `elementwise` whose result element type is the first input's.
FailureOr<Value> sameTypeElementwise(NodeCtx &c, ArrayRef<Value> ins,
                                     BodyFn body);
/// Reshapes `v` to `shape` (same element count) with collapse/expand_shape.
Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);
/// Reduces `x` over the sorted, unique `axes`.
FailureOr<Value> reduce(NodeCtx &c, Value x, ArrayRef<int64_t> axes,
                        bool keepDims, ReduceKind kind);
/// A contraction linalg.generic for any ONNX MatMul operand ranks, with
/// numpy broadcasting of the batch dims; `transB` reads B as [..., N, K].
/// Without `mac` it multiplies and adds floats into `accType` (default:
/// A's element type).
FailureOr<Value> contraction(NodeCtx &c, Value a, Value bv, bool transB,
                             Type accType = {}, MacFn mac = nullptr);
/// Registers a constant computed at import time as the value of output 0.
LogicalResult defineConstant(NodeCtx &c, int dataType, ArrayRef<int64_t> dims,
                             std::string bytes);

/// Converters defined in ConvertQuantOps.cpp.
LogicalResult convertQDQ(NodeCtx &c);
LogicalResult convertMatMulNBits(NodeCtx &c);
LogicalResult convertMatMulInteger(NodeCtx &c);
LogicalResult convertDynamicQuantizeLinear(NodeCtx &c);
LogicalResult convertQLinearMatMul(NodeCtx &c);
/// Converters defined in ConvertDataOps.cpp.
LogicalResult convertSplit(NodeCtx &c);
LogicalResult convertGatherElements(NodeCtx &c);
LogicalResult convertPad(NodeCtx &c);

} // namespace mlir::lowbit::onnx_import

#endif // LOWBIT_LIB_TARGET_ONNX_CONVERTUTILS_H
