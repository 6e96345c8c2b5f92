//===- Pipelines.h - lowbit's named pipelines -------------------*- C++ -*-===//
//
// Named pass pipelines with options (lowbit-w8a16, lowbit-w4a16, ...).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_PIPELINES_PIPELINES_H
#define LOWBIT_PIPELINES_PIPELINES_H

namespace mlir::lowbit {

/// Registers lowbit's named pipelines with the global pass registry.
void registerLowbitPipelines();

} // namespace mlir::lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
