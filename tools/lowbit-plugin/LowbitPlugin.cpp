//===- LowbitPlugin.cpp - lowbit as an mlir-opt plugin --------------------===//
//
// Exports both plugin entry points, so one LowbitPlugin.so serves
//   mlir-opt --load-dialect-plugin=LowbitPlugin.so \
//            --load-pass-plugin=LowbitPlugin.so
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Lowbit", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::lowbit::registerAllLowbitDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Lowbit", LLVM_VERSION_STRING,
          []() { mlir::lowbit::registerAllLowbitPasses(); }};
}
