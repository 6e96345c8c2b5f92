//===- OpIdentity.cpp - stable names for ops ------------------------------===//

#include "OpIdentity.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace mlir::lowbit;

std::string mlir::lowbit::formatLocation(Location loc) {
  if (auto fileLoc = dyn_cast<FileLineColLoc>(loc))
    return (fileLoc.getFilename().getValue() + ":" + Twine(fileLoc.getLine()) +
            ":" + Twine(fileLoc.getColumn()))
        .str();
  std::string name = getLocationName(loc);
  if (!name.empty())
    return name;
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return formatLocation(fused.getLocations().front());
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

std::string mlir::lowbit::getLocationName(Location loc) {
  if (auto nameLoc = dyn_cast<NameLoc>(loc))
    return nameLoc.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string name = getLocationName(inner);
      if (!name.empty())
        return name;
    }
  return "";
}

/// `<w>` for a weight constant `dense_resource<<w>.q>`.
static std::string getWeightStem(Value weight) {
  DenseResourceElementsAttr attr;
  if (!weight || !matchPattern(weight, m_Constant(&attr)))
    return "";
  StringRef key = attr.getRawHandle().getKey();
  key.consume_back(".q");
  return key.str();
}

std::string mlir::lowbit::getOpIdentifier(Operation *op) {
  std::string name = getLocationName(op->getLoc());
  if (!name.empty())
    return name;
  Value weight;
  if (auto dequantMatmul = dyn_cast<DequantMatmulOp>(op))
    weight = dequantMatmul.getWeight();
  else if (auto matmul = dyn_cast<MatmulOp>(op))
    weight = matmul.getRhs();
  name = getWeightStem(weight);
  if (!name.empty())
    return name;

  Operation *scope = SymbolTable::getNearestSymbolTable(op);
  int64_t index = 0;
  bool found = false;
  if (scope)
    scope->walk([&](Operation *other) {
      if (other == op) {
        found = true;
        return WalkResult::interrupt();
      }
      if (other->getName() == op->getName())
        ++index;
      return WalkResult::advance();
    });
  return (op->getName().getStringRef() + "#" + Twine(found ? index : 0)).str();
}

std::string mlir::lowbit::getStatisticsKey(Operation *op, Attribute floatWeight,
                                           bool *stable) {
  if (stable)
    *stable = true;
  std::string name = getLocationName(op->getLoc());
  if (!name.empty())
    return name;
  if (auto resource =
          dyn_cast_if_present<DenseResourceElementsAttr>(floatWeight))
    return resource.getRawHandle().getKey().str();
  if (stable)
    *stable = isa<DequantMatmulOp, MatmulOp>(op);
  return getOpIdentifier(op);
}
