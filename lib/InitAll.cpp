//===- InitAll.cpp - register everything lowbit provides ------------------===//

#include "lowbit/InitAll.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::lowbit::registerAllLowbitDialects(DialectRegistry &registry) {
  registry.insert<LowbitDialect>();
}

void mlir::lowbit::registerAllLowbitPasses() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerLowbitPasses();
  registerLowbitConversionPasses();
  registerLowbitPipelines();
}
