//===- GPULowering.h - what lowbit's GPU tools share ------------*- C++ -*-===//
//
// lowbit-run --device=cuda lowers the entry module with lowbit-lower-to-nvvm
// instead of lowbit-lower-to-cpu and JIT-compiles host code that launches
// kernels embedded as PTX; this is the compile-time part of that.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_GPULOWERING_H
#define LOWBIT_TOOLS_GPULOWERING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;

namespace lowbit {

/// Registers the translations to LLVM IR that the output of
/// lowbit-lower-to-nvvm needs: the GPU dialect's (gpu.binary becomes an
/// embedded blob and module load/unload constructors, gpu.launch_func
/// becomes mgpu* calls) and the NVVM dialect's (for gpu-module-to-binary).
void registerGPUToolTranslations(DialectRegistry &registry);

/// Prepares `entry` as lowerEntryModuleToCPU does (C interface, public,
/// read-only tensor arguments) and lowers `module` with
/// lowbit-lower-to-nvvm{chip=<chip> format=isa}. Returns an empty string on
/// success, else what failed; pass diagnostics go to the context's handler.
std::string lowerEntryModuleToNVVM(ModuleOp module, func::FuncOp entry,
                                   llvm::StringRef chip);

} // namespace lowbit
} // namespace mlir

#endif // LOWBIT_TOOLS_GPULOWERING_H
