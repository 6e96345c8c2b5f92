//===- FuseDequantMatmul.cpp - lowbit-fuse-dequant-matmul (in progress) ---------------------------===//
//
// PLACEHOLDER: being implemented; fails loudly until then.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_FUSEDEQUANTMATMULPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {
struct FuseDequantMatmulPass
    : public mlir::lowbit::impl::FuseDequantMatmulPassBase<FuseDequantMatmulPass> {
  using FuseDequantMatmulPassBase::FuseDequantMatmulPassBase;
  void runOnOperation() override {
    getOperation()->emitError() << "lowbit-fuse-dequant-matmul is not implemented yet";
    signalPassFailure();
  }
};
} // namespace
