//===- GPULowering.cpp - what lowbit's GPU tools share --------------------===//

#include "lowbit/Tools/GPULowering.h"

#include "lowbit/Tools/CPULowering.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;

void mlir::lowbit::registerGPUToolTranslations(DialectRegistry &registry) {
  registerAllGPUToLLVMIRTranslations(registry);
}

std::string mlir::lowbit::lowerEntryModuleToNVVM(ModuleOp module,
                                                 func::FuncOp entry,
                                                 llvm::StringRef chip) {
  prepareEntryFunction(module, entry);
  std::string pipeline =
      "builtin.module(lowbit-lower-to-nvvm{chip=" + chip.str() +
      " format=isa})";
  std::string pipelineError;
  llvm::raw_string_ostream pipelineErrorStream(pipelineError);
  FailureOr<OpPassManager> parsed =
      parsePassPipeline(pipeline, pipelineErrorStream);
  if (failed(parsed))
    return "cannot build the lowbit-lower-to-nvvm pipeline: " + pipelineError;
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(applyPassManagerCLOptions(pm)))
    return "invalid pass manager options";
  if (failed(pm.run(module)))
    return "lowbit-lower-to-nvvm failed (diagnostics above)";
  return "";
}
