//===- LowbitOps.h - lowbit operations --------------------------*- C++ -*-===//
//
// Declares the lowbit operations.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_H
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_H

#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h.inc"

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_H
