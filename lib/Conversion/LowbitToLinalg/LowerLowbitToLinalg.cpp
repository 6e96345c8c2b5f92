//===- LowerLowbitToLinalg.cpp - lowbit ops to linalg ---------------------===//
//
// Replaces every lowbit op with linalg.generic on tensors (see Lowerings.h
// and the files implementing each op's lowering). Ops are lowered one by one
// in program order; an op that cannot be lowered is reported at its
// location and the pass fails.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_LOWERLOWBITTOLINALGPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

struct LowerLowbitToLinalgPass
    : public mlir::lowbit::impl::LowerLowbitToLinalgPassBase<
          LowerLowbitToLinalgPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    LowerLowbitToLinalgPassBase::getDependentDialects(registry);
    registry.insert<affine::AffineDialect>();
  }

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<QuantizeOp, DequantizeOp, DequantMatmulOp, MatmulOp, ObserveOp>(
              op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    bool failed = false;
    for (Operation *op : ops) {
      LogicalResult result =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](QuantizeOp q) { return lowerQuantize(rewriter, q); })
              .Case([&](DequantizeOp d) {
                return lowerDequantize(rewriter, d);
              })
              .Case([&](DequantMatmulOp m) {
                return lowerDequantMatmul(rewriter, m);
              })
              .Case([&](MatmulOp m) { return lowerMatmul(rewriter, m); })
              .Case([&](ObserveOp o) {
                // Statistics are gathered by the calibration runtime; in an
                // ordinary run an observer is the identity.
                rewriter.replaceOp(o, o.getInput());
                return success();
              })
              .Default([](Operation *) { return failure(); });
      failed |= mlir::failed(result);
    }
    if (failed)
      signalPassFailure();
  }
};

} // namespace
