//===- Passes.h - lowbit lowering passes ------------------------*- C++ -*-===//
//
// Declares the lowering passes (generated from Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PASSES_H
#define LOWBIT_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::lowbit {

#define GEN_PASS_DECL
#include "lowbit/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Conversion/Passes.h.inc"

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_PASSES_H
