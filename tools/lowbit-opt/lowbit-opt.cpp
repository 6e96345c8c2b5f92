//===- lowbit-opt.cpp - the lowbit optimizer driver -----------------------===//
//
// mlir-opt with every upstream dialect, extension and pass, plus lowbit's
// dialect, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::lowbit::registerAllLowbitPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary (lowbit-lower-to-nvvm) serializes through LLVM IR.
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  mlir::lowbit::registerAllLowbitDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "lowbit optimizer driver\n", registry));
}
