//===- CPULowering.h - what lowbit's CPU tools share ------------*- C++ -*-===//
//
// lowbit-run (JIT) and lowbit-compile (AOT) load a module, prepare its entry
// function and lower it with lowbit-lower-to-cpu in the same way; this is
// that shared part.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_CPULOWERING_H
#define LOWBIT_TOOLS_CPULOWERING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir {
class DialectRegistry;

namespace lowbit {

/// Registers what the tools parse and translate: every upstream dialect and
/// extension, lowbit, and the builtin and LLVM dialect translations to
/// LLVM IR.
void registerCPUToolDialects(DialectRegistry &registry);

/// "@a, @b" (or "none"): the functions of `module`, for a "no such entry"
/// message; defined llvm.func ops are listed too.
std::string listFunctions(ModuleOp module);

/// Gives `entry` a C interface (`_mlir_ciface_<entry>`) and public
/// visibility and makes every tensor argument of every function read-only
/// (see lowerEntryModuleToCPU); shared by the CPU and GPU lowerings.
void prepareEntryFunction(ModuleOp module, func::FuncOp entry);

/// Gives `entry` a C interface (`_mlir_ciface_<entry>`) and public
/// visibility, makes every tensor argument of every function read-only
/// (results are then always fresh allocations, never an argument written in
/// place, and inputs survive repeated calls; an explicit
/// `bufferization.writable` is kept), and lowers `module` with
/// lowbit-lower-to-cpu (`calibrate` lowers observers to runtime calls).
/// Returns an empty string on success, else what failed; pass diagnostics
/// go to the context's handler.
std::string lowerEntryModuleToCPU(ModuleOp module, func::FuncOp entry,
                                  bool calibrate);

/// The op that keeps `module` from being translated to LLVM IR: the first
/// op outside the LLVM dialect, preferring a real op over the conversion
/// casts left around it; null when everything is LLVM.
Operation *findUntranslatableOp(ModuleOp module);

} // namespace lowbit
} // namespace mlir

#endif // LOWBIT_TOOLS_CPULOWERING_H
