//===- OpIdentity.h - stable names for ops ----------------------*- C++ -*-===//
//
// The names by which reports, statistics files and policies refer to an op:
// the source model's node name when the location carries one, otherwise the
// name of the weight it reads, otherwise its position.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_OPIDENTITY_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_OPIDENTITY_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::lowbit {

/// `file:line:col` for file locations, the name for named locations (ONNX
/// node names), the printed location otherwise.
std::string formatLocation(Location loc);

/// The name of `loc` if it is (or fuses) a NameLoc, else an empty string.
std::string getLocationName(Location loc);

/// A stable identifier for a matmul-like op: its location name; else, for a
/// lowbit matmul reading a dense_resource weight `<w>.q`, `<w>`; else
/// `<op name>#<index>` with `index` its position among ops of that name in
/// the enclosing symbol table (module) in walk order.
std::string getOpIdentifier(Operation *op);

/// The key under which statistics files (lowbit-insert-observers,
/// lowbit-run --calibrate) and the passes reading them refer to the input of
/// a matmul: its location name; else, for a float matmul, the name of its
/// dense_resource weight `floatWeight` (the quantized weight is named
/// `<name>.q`, which getOpIdentifier maps back); else getOpIdentifier. The
/// last is positional and changes when the op is rewritten: `stable` says
/// whether the key survives lowbit-quantize-weights.
std::string getStatisticsKey(Operation *op, Attribute floatWeight,
                             bool *stable = nullptr);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_OPIDENTITY_H
