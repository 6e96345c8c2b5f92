//===- LowerLowbitToLinalg.cpp - lowbit ops to linalg ---------------------===//
//
// Replaces every lowbit op with linalg.generic on tensors (see Lowerings.h
// and the files implementing each op's lowering). Ops are lowered one by one
// in program order; an op that cannot be lowered is reported at its
// location and the pass fails.
//
// With calibrate=true an observer becomes a call into the calibration
// runtime (lib/Runtime/Observers.cpp), numbered by its position among the
// module's distinct observer ids:
//
//   %y = lowbit.observe %x id "fc1" stats [min_max] : tensor<8x64xf16>
// ->
//   %f = arith.extf %x : tensor<8x64xf16> to tensor<8x64xf32>
//   %m = bufferization.to_buffer %f read_only
//       : tensor<8x64xf32> to memref<8x64xf32, strided<[?, ?], offset: ?>>
//   %u = memref.cast %m : ... to memref<*xf32>
//   func.call @lowbit_observe_f32(%c0_i64, %u) : (i64, memref<*xf32>) -> ()
//   (uses of %y now use %x)
//
// and the module records what each index gathers in `lowbit.observers`.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_LOWERLOWBITTOLINALGPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

/// The runtime entry point an observer calls.
static constexpr llvm::StringLiteral kObserveFn = "lowbit_observe_f32";

/// The attribute listing the observers of a calibrating module by index.
static constexpr llvm::StringLiteral kObserversAttr = "lowbit.observers";

/// What the runtime must know about one observer index.
static DictionaryAttr describeObserver(ObserveOp op) {
  Builder b(op.getContext());
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("id", op.getIdAttr()),
      b.getNamedAttr("stats", op.getStats()),
      b.getNamedAttr("bins", b.getI64IntegerAttr(op.getNumBins())),
      b.getNamedAttr("channel_axis",
                     b.getI64IntegerAttr(op.getChannelAxisOrDefault()))};
  return b.getDictionaryAttr(fields);
}

/// Declares `func.func private @lowbit_observe_f32(i64, memref<*xf32>)` in
/// `module` unless it is there; fails if a different function has the name.
static FailureOr<func::FuncOp> declareObserveFn(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto type = FunctionType::get(
      ctx,
      {IntegerType::get(ctx, 64),
       UnrankedMemRefType::get(Float32Type::get(ctx), /*memorySpace=*/0)},
      {});
  if (auto existing = module.lookupSymbol<func::FuncOp>(kObserveFn)) {
    if (existing.getFunctionType() != type) {
      existing.emitError() << "lowbit-lower-to-linalg: @" << kObserveFn
                           << " exists with type " << existing.getFunctionType()
                           << ", expected " << type;
      return failure();
    }
    return existing;
  }
  if (module.lookupSymbol(kObserveFn)) {
    module.emitError() << "lowbit-lower-to-linalg: symbol @" << kObserveFn
                       << " is taken by something that is not a function";
    return failure();
  }
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto fn = func::FuncOp::create(builder, module.getLoc(), kObserveFn, type);
  fn.setPrivate();
  return fn;
}

/// Replaces `op` by its input after passing the input to the runtime as
/// observer `index`.
static void lowerObserveToCall(RewriterBase &rewriter, ObserveOp op,
                               int64_t index) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = op.getInput();
  auto type = cast<RankedTensorType>(input.getType());
  auto f32 = rewriter.getF32Type();
  Value values = input;
  if (!type.getElementType().isF32())
    values = arith::ExtFOp::create(rewriter, loc, type.clone(f32), input);
  // A fully dynamic layout accepts whatever buffer bufferization picks.
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(rewriter.getContext(),
                                       ShapedType::kDynamic, strides);
  auto memrefType = MemRefType::get(type.getShape(), f32, layout);
  Value buffer = bufferization::ToBufferOp::create(rewriter, loc, memrefType,
                                                   values, /*read_only=*/true);
  Value unranked = memref::CastOp::create(
      rewriter, loc, UnrankedMemRefType::get(f32, /*memorySpace=*/0), buffer);
  Value id = arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getI64IntegerAttr(index));
  func::CallOp::create(rewriter, loc, kObserveFn, TypeRange(),
                       ValueRange{id, unranked});
  rewriter.replaceOp(op, input);
}

namespace {

struct LowerLowbitToLinalgPass
    : public mlir::lowbit::impl::LowerLowbitToLinalgPassBase<
          LowerLowbitToLinalgPass> {
  using LowerLowbitToLinalgPassBase::LowerLowbitToLinalgPassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    LowerLowbitToLinalgPassBase::getDependentDialects(registry);
    registry.insert<affine::AffineDialect, bufferization::BufferizationDialect,
                    func::FuncDialect, memref::MemRefDialect>();
  }

  /// Numbers the observers by id in walk order, records them on the module
  /// and declares the runtime function. Observers sharing an id share an
  /// index and must gather the same statistics.
  LogicalResult prepareCalibration(llvm::StringMap<int64_t> &indices) {
    auto module = dyn_cast<ModuleOp>(getOperation());
    if (!module) {
      bool any = false;
      getOperation()->walk([&](ObserveOp) { any = true; });
      if (!any)
        return success();
      return getOperation()->emitError()
             << "lowbit-lower-to-linalg: calibrate=true must run on a "
                "builtin.module (it declares @"
             << kObserveFn << " and records " << kObserversAttr << ")";
    }
    SmallVector<Attribute> observers;
    bool ok = true;
    module.walk([&](ObserveOp op) {
      DictionaryAttr description = describeObserver(op);
      auto [it, inserted] =
          indices.try_emplace(op.getId(), int64_t(observers.size()));
      if (inserted) {
        observers.push_back(description);
      } else if (observers[it->second] != description) {
        op.emitOpError() << "shares id '" << op.getId()
                         << "' with an observer gathering "
                         << observers[it->second]
                         << "; one id must gather one set of statistics";
        ok = false;
      }
    });
    if (!ok)
      return failure();
    if (observers.empty())
      return success();
    if (failed(declareObserveFn(module)))
      return failure();
    module->setAttr(kObserversAttr,
                    ArrayAttr::get(module.getContext(), observers));
    return success();
  }

  void runOnOperation() override {
    llvm::StringMap<int64_t> observerIndices;
    if (calibrate && failed(prepareCalibration(observerIndices)))
      return signalPassFailure();
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
              .Case(
                  [&](DequantizeOp d) { return lowerDequantize(rewriter, d); })
              .Case([&](DequantMatmulOp m) {
                return lowerDequantMatmul(rewriter, m);
              })
              .Case([&](MatmulOp m) { return lowerMatmul(rewriter, m); })
              .Case([&](ObserveOp o) {
                // Outside calibration an observer is the identity.
                if (calibrate)
                  lowerObserveToCall(rewriter, o,
                                     observerIndices.lookup(o.getId()));
                else
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
