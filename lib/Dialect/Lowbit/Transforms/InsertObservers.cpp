//===- InsertObservers.cpp - instrument activations for calibration -------===//
//
// Puts a lowbit.observe on the activation of every quantizable matmul:
//
//   %y = linalg.matmul ins(%x, %w) outs(%acc)            loc("fc1")
// ->
//   %o = lowbit.observe %x id "fc1" stats [min_max, histogram] {bins = 2048}
//   %y = linalg.matmul ins(%o, %w) outs(%acc)            loc("fc1")
//
// The id is the key under which lowbit-quantize-activations (mode=static)
// looks the range up once lowbit-quantize-weights has turned the matmul into
// a lowbit.dequant_matmul, so the statistics file written by
// `lowbit-run --calibrate` feeds static quantization unchanged.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "OpIdentity.h"
#include "WeightConstants.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_INSERTOBSERVERSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

struct InsertObserversPass
    : public mlir::lowbit::impl::InsertObserversPassBase<InsertObserversPass> {
  using InsertObserversPassBase::InsertObserversPassBase;

  /// Parses the `stats` option into an array of statistic names.
  FailureOr<ArrayAttr> parseStats() {
    MLIRContext *ctx = &getContext();
    SmallVector<Attribute> names;
    llvm::StringSet<> seen;
    SmallVector<StringRef> parts;
    StringRef(stats).split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (StringRef part : parts) {
      part = part.trim();
      if (!symbolizeStatisticKind(part)) {
        emitError(UnknownLoc::get(ctx))
            << "lowbit-insert-observers: unknown statistic '" << part
            << "' in option 'stats'; expected min_max, "
               "moving_average_min_max, histogram, channel_abs_max or gram";
        return failure();
      }
      if (!seen.insert(part).second) {
        emitError(UnknownLoc::get(ctx))
            << "lowbit-insert-observers: statistic '" << part
            << "' listed twice in option 'stats'";
        return failure();
      }
      names.push_back(StringAttr::get(ctx, part));
    }
    if (names.empty()) {
      emitError(UnknownLoc::get(ctx))
          << "lowbit-insert-observers: option 'stats' names no statistic";
      return failure();
    }
    return ArrayAttr::get(ctx, names);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    FailureOr<ArrayAttr> statList = parseStats();
    if (failed(statList))
      return signalPassFailure();
    bool histogram = llvm::any_of(*statList, [](Attribute a) {
      return cast<StringAttr>(a).getValue() ==
             stringifyStatisticKind(StatisticKind::Histogram);
    });
    if (histogram && (bins < 2 || bins > (int64_t(1) << 20))) {
      emitError(module.getLoc())
          << "lowbit-insert-observers: option 'bins' must be in [2, "
             "1048576], got "
          << int64_t(bins);
      return signalPassFailure();
    }
    IntegerAttr binsAttr =
        histogram ? IntegerAttr::get(IntegerType::get(ctx, 64), bins)
                  : IntegerAttr();

    // Ids already used by observers in the module (a second run of the pass
    // or hand-written observers) are taken.
    llvm::StringMap<unsigned> used;
    module.walk([&](ObserveOp observe) { ++used[observe.getId()]; });

    struct Site {
      Operation *op;
      std::optional<ConstantWeightMatmul> match;
    };
    SmallVector<Site> sites;
    module.walk([&](Operation *op) {
      if (isa<DequantMatmulOp>(op)) {
        sites.push_back({op, std::nullopt});
        return;
      }
      if (std::optional<ConstantWeightMatmul> match =
              matchConstantWeightMatmul(op))
        sites.push_back({op, *match});
    });

    // Ids are computed before any op is inserted, so positional ids count
    // the ops of the original module.
    SmallVector<std::string> ids;
    for (Site &site : sites) {
      bool stable = true;
      ids.push_back(getStatisticsKey(
          site.op, site.match ? Attribute(site.match->weight) : Attribute(),
          &stable));
      if (!stable)
        site.op->emitWarning()
            << "lowbit-insert-observers: matmul has no location name and no "
               "named weight; its observer id '"
            << ids.back()
            << "' is positional and may not match the quantized model (give "
               "the op a name location, e.g. loc(\"fc1\"))";
    }

    /// A unique id derived from `id`, warning at `op` when it had to change.
    auto makeUnique = [&](Operation *op, const std::string &id) {
      unsigned &count = used[id];
      if (count++ == 0)
        return id;
      std::string unique;
      do
        unique = id + "#" + std::to_string(count++);
      while (used.count(unique));
      ++used[unique];
      op->emitWarning() << "lowbit-insert-observers: observer id '" << id
                        << "' is already used; this one is '" << unique
                        << "' (static quantization will not find it under '"
                        << id << "')";
      return unique;
    };

    OpBuilder builder(ctx);
    auto observe = [&](Location loc, Value value,
                       const std::string &id) -> ObserveOp {
      return ObserveOp::create(builder, loc, value.getType(), value,
                               builder.getStringAttr(id), *statList, binsAttr,
                               IntegerAttr());
    };
    /// Observable: a ranked float tensor (what lowbit.observe accepts).
    auto observable = [](Value value) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      return type && isa<FloatType>(type.getElementType());
    };

    // Inputs first, so that a matmul reading another's observed output
    // still finds its own activation operand.
    SmallVector<std::pair<Operation *, std::string>> observed;
    for (auto [site, id] : llvm::zip(sites, ids)) {
      Operation *op = site.op;
      Value input =
          site.match ? site.match->input : cast<DequantMatmulOp>(op).getInput();
      OpOperand *operand = nullptr;
      for (OpOperand &candidate : op->getOpOperands())
        if (candidate.get() == input) {
          operand = &candidate;
          break;
        }
      if (!operand || !observable(input)) {
        op->emitWarning() << "lowbit-insert-observers: the activation of "
                             "this matmul is not a ranked float tensor "
                             "operand; not observed";
        continue;
      }
      auto existing = dyn_cast_or_null<ObserveOp>(input.getDefiningOp());
      if (existing && existing.getId() == id)
        continue; // Already instrumented.
      builder.setInsertionPoint(op);
      std::string unique = makeUnique(op, id);
      operand->set(observe(op->getLoc(), input, unique));
      observed.emplace_back(op, unique);
    }

    if (!outputs)
      return;
    for (auto &[op, unique] : observed) {
      if (op->getNumResults() != 1 || !observable(op->getResult(0)))
        continue;
      Value result = op->getResult(0);
      std::string outputId = unique + ".output";
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            auto other = dyn_cast<ObserveOp>(user);
            return other && other.getId() == outputId;
          }))
        continue; // Already instrumented.
      builder.setInsertionPointAfter(op);
      ObserveOp out = observe(op->getLoc(), result, makeUnique(op, outputId));
      result.replaceAllUsesExcept(out.getResult(), out);
    }
  }
};

} // namespace
