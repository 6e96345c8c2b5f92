//===- InitAll.h - register everything lowbit provides ----------*- C++ -*-===//
//
// One place that registers lowbit's dialect, passes and pipelines, called by
// lowbit-opt and by the mlir-opt plugin alike.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_INITALL_H
#define LOWBIT_INITALL_H

namespace mlir {
class DialectRegistry;

namespace lowbit {

/// Adds the lowbit dialect (and the dialects its passes create ops of) to
/// `registry`.
void registerAllLowbitDialects(DialectRegistry &registry);

/// Registers every lowbit pass and named pipeline with the global pass
/// registry. Safe to call more than once.
void registerAllLowbitPasses();

} // namespace lowbit
} // namespace mlir

#endif // LOWBIT_INITALL_H
