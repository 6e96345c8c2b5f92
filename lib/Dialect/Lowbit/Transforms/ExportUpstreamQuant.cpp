//===- ExportUpstreamQuant.cpp - lowbit-export-quant (in progress) ---------------------------===//
//
// PLACEHOLDER: being implemented; fails loudly until then.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_EXPORTUPSTREAMQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {
struct ExportUpstreamQuantPass
    : public mlir::lowbit::impl::ExportUpstreamQuantPassBase<ExportUpstreamQuantPass> {
  using ExportUpstreamQuantPassBase::ExportUpstreamQuantPassBase;
  void runOnOperation() override {
    getOperation()->emitError() << "lowbit-export-quant is not implemented yet";
    signalPassFailure();
  }
};
} // namespace
