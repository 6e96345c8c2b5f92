//===- ImportUpstreamQuant.cpp - lowbit-import-quant (in progress) ---------------------------===//
//
// PLACEHOLDER: being implemented; fails loudly until then.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_IMPORTUPSTREAMQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {
struct ImportUpstreamQuantPass
    : public mlir::lowbit::impl::ImportUpstreamQuantPassBase<ImportUpstreamQuantPass> {
  using ImportUpstreamQuantPassBase::ImportUpstreamQuantPassBase;
  void runOnOperation() override {
    getOperation()->emitError() << "lowbit-import-quant is not implemented yet";
    signalPassFailure();
  }
};
} // namespace
