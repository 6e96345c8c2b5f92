//===- QuantizeActivations.cpp - lowbit-quantize-activations (in progress) ---------------------------===//
//
// PLACEHOLDER: being implemented; fails loudly until then.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_QUANTIZEACTIVATIONSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {
struct QuantizeActivationsPass
    : public mlir::lowbit::impl::QuantizeActivationsPassBase<QuantizeActivationsPass> {
  using QuantizeActivationsPassBase::QuantizeActivationsPassBase;
  void runOnOperation() override {
    getOperation()->emitError() << "lowbit-quantize-activations is not implemented yet";
    signalPassFailure();
  }
};
} // namespace
