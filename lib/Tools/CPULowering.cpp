//===- CPULowering.cpp - what lowbit's CPU tools share --------------------===//

#include "lowbit/Tools/CPULowering.h"

#include "lowbit/InitAll.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

using namespace mlir;

void mlir::lowbit::registerCPUToolDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllLowbitDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

std::string mlir::lowbit::listFunctions(ModuleOp module) {
  std::string names;
  auto add = [&](StringRef name) {
    names += (names.empty() ? "@" : ", @") + name.str();
  };
  for (auto func : module.getOps<func::FuncOp>())
    add(func.getSymName());
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      add(func.getSymName());
  return names.empty() ? std::string("none") : names;
}

void mlir::lowbit::prepareEntryFunction(ModuleOp module, func::FuncOp entry) {
  MLIRContext *ctx = module.getContext();
  entry->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                 UnitAttr::get(ctx));
  // A private function could be dropped or made internal by the lowering.
  SymbolTable::setSymbolVisibility(entry, SymbolTable::Visibility::Public);
  // A result written in place into an argument would come back as a
  // bufferization.clone of it; read-only arguments avoid that.
  auto writable = StringAttr::get(ctx, "bufferization.writable");
  auto no = BoolAttr::get(ctx, false);
  for (auto f : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
      if (!f.isExternal() && isa<TensorType>(f.getArgument(i).getType()) &&
          !f.getArgAttr(i, writable))
        f.setArgAttr(i, writable, no);
}

std::string mlir::lowbit::lowerEntryModuleToCPU(ModuleOp module,
                                                func::FuncOp entry,
                                                bool calibrate) {
  prepareEntryFunction(module, entry);
  MLIRContext *ctx = module.getContext();
  std::string pipelineError;
  llvm::raw_string_ostream pipelineErrorStream(pipelineError);
  FailureOr<OpPassManager> parsed = parsePassPipeline(
      calibrate ? "builtin.module(lowbit-lower-to-cpu{calibrate=true})"
                : "builtin.module(lowbit-lower-to-cpu)",
      pipelineErrorStream);
  if (failed(parsed))
    return "cannot build the lowbit-lower-to-cpu pipeline: " + pipelineError;
  PassManager pm(ctx, ModuleOp::getOperationName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(applyPassManagerCLOptions(pm)))
    return "invalid pass manager options";
  if (failed(pm.run(module)))
    return "lowbit-lower-to-cpu failed (diagnostics above)";
  return "";
}

Operation *mlir::lowbit::findUntranslatableOp(ModuleOp module) {
  Operation *leftover = nullptr;
  module.walk([&](Operation *op) {
    if (op == module.getOperation() || isa<LLVM::LLVMDialect>(op->getDialect()))
      return WalkResult::advance();
    bool isCast = isa<UnrealizedConversionCastOp>(op);
    if (!leftover || !isCast)
      leftover = op;
    return isCast ? WalkResult::advance() : WalkResult::interrupt();
  });
  return leftover;
}
