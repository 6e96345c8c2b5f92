//===- SmoothQuant.cpp - migrate activation outliers into weights ---------===//
//
// SmoothQuant (Xiao et al., 2023). For a matmul Y = X W with X [.., M, K] and
// a constant W [K, N] (or stored [N, K]), and per input channel j
//
//   a_j = max |X_j|   (channel_abs_max from calibration of the float model)
//   w_j = max_n |W_jn|
//   s_j = a_j^alpha / w_j^(1 - alpha)      (s_j = 1 when a_j = 0 or w_j = 0)
//
// the pass rewrites
//
//   Y = X W  ->  Y = (X diag(1/s)) (diag(s) W)
//
// which is the same function in exact arithmetic, with the activation's
// outlier channels flattened (easier to quantize per tensor) and the weight
// rows grown by the same factors (per-output-channel weight scales absorb
// that well). diag(s) W becomes a new constant; X diag(1/s) is folded into
// the producer of X where one can absorb it:
//
//   (a) an elementwise linalg.generic whose body ends in `mulf %v, %gamma`
//       with %gamma a constant read along the last dimension (a LayerNorm /
//       RMSNorm scale): gamma <- gamma / s;
//   (b) a matmul with a constant weight: its output columns W' <- W' diag(1/s)
//       and its constant bias b <- b / s;
//   (c) otherwise a new `linalg.generic` computing X * (1/s), shared by the
//       matmuls that read X with the same s.
//
// (a) and (b) need every reader of X to be a smoothed matmul with the same s;
// otherwise the scale would leak into other readers. All s are computed from
// the original weights before any is rewritten, so a matmul that is both
// smoothed and a producer (b) gets rows and columns scaled independently.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "JsonFile.h"
#include "OpIdentity.h"
#include "WeightConstants.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

namespace mlir::lowbit {
#define GEN_PASS_DEF_SMOOTHQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

//===----------------------------------------------------------------------===//
// Statistics and scales
//===----------------------------------------------------------------------===//

/// Reads `channel_abs_max` of every activation in the statistics file that
/// has one. Entries without it are left out (the matmul is then "missing").
static FailureOr<llvm::StringMap<std::vector<double>>>
readChannelAbsMax(StringRef path, std::string &error) {
  auto fail = [&](const Twine &message) {
    error = ("statistics file '" + path + "': " + message).str();
    return failure();
  };
  FailureOr<llvm::json::Value> json =
      readVersionedJsonFile(path, "statistics", error);
  if (failed(json))
    return failure();
  const llvm::json::Object *activations =
      json->getAsObject()->getObject("activations");
  if (!activations)
    return fail("expected an \"activations\" object");
  llvm::StringMap<std::vector<double>> result;
  for (const auto &[key, value] : *activations) {
    const llvm::json::Object *entry = value.getAsObject();
    const llvm::json::Array *array =
        entry ? entry->getArray("channel_abs_max") : nullptr;
    if (!array)
      continue;
    std::vector<double> maxima;
    for (const llvm::json::Value &element : *array) {
      std::optional<double> number = element.getAsNumber();
      if (!number || !std::isfinite(*number) || *number < 0)
        return fail("activation '" + key.str() +
                    "': \"channel_abs_max\" must hold finite non-negative "
                    "numbers");
      maxima.push_back(*number);
    }
    result[key.str()] = std::move(maxima);
  }
  return result;
}

/// s_j = a_j^alpha / w_j^(1 - alpha), with s_j = 1 where either maximum is
/// zero or where s_j or 1/s_j would not be a finite, non-zero f32.
static std::vector<float> computeSmoothingScales(ArrayRef<double> actMax,
                                                 ArrayRef<double> weightMax,
                                                 double alpha) {
  std::vector<float> scales(actMax.size(), 1.0f);
  for (size_t j = 0; j < actMax.size(); ++j) {
    if (actMax[j] == 0.0 || weightMax[j] == 0.0)
      continue;
    double s = std::pow(actMax[j], alpha) / std::pow(weightMax[j], 1.0 - alpha);
    float f = static_cast<float>(s);
    if (!std::isfinite(f) || !std::isnormal(f) || !std::isfinite(1.0f / f))
      continue;
    scales[j] = f;
  }
  return scales;
}

/// The key lowbit-insert-observers gives the matmul's input.
static std::string getStatisticsId(const ConstantWeightMatmul &match) {
  return getStatisticsKey(match.op, match.weight);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// A dense constant of `type` (any float element type) holding `values`.
static DenseElementsAttr makeDenseFloat(RankedTensorType type,
                                        ArrayRef<float> values) {
  auto elementType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> elements;
  elements.reserve(values.size());
  for (float value : values) {
    APFloat element(value);
    bool lost;
    element.convert(elementType.getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &lost);
    elements.push_back(element);
  }
  return DenseElementsAttr::get(type, elements);
}

/// Multiplies a row-major tensor of `shape` along its last dimension:
/// x[.., j] *= factors[j].
static void scaleLastDim(std::vector<float> &data, ArrayRef<int64_t> shape,
                         ArrayRef<float> factors) {
  size_t inner = shape.empty() ? 1 : shape.back();
  for (size_t i = 0; i < data.size(); ++i)
    data[i] *= factors[i % inner];
}

/// The values of a float weight being rewritten, in its stored layout.
struct WeightEdit {
  ConstantWeightMatmul match;
  std::vector<float> data;
  SmallVector<int64_t> shape;

  int64_t rows() const { return shape[shape.size() - 2]; }
  int64_t cols() const { return shape.back(); }

  /// Multiplies W[.., k, :] by `factors[k]` (K = rows when stored [K, N]).
  void scaleK(ArrayRef<float> factors) { scaleAxis(factors, match.weightIsKN); }
  /// Multiplies W[.., :, n] by `factors[n]`.
  void scaleN(ArrayRef<float> factors) {
    scaleAxis(factors, !match.weightIsKN);
  }

private:
  void scaleAxis(ArrayRef<float> factors, bool alongRows) {
    int64_t r = rows(), c = cols();
    for (size_t i = 0; i < data.size(); ++i) {
      int64_t within = i % (r * c);
      data[i] *= factors[alongRows ? within / c : within % c];
    }
  }
};

/// max |W_j| over the K index j of a weight.
static std::vector<double> weightAbsMaxPerK(const WeightEdit &edit) {
  int64_t r = edit.rows(), c = edit.cols();
  int64_t k = edit.match.weightIsKN ? r : c;
  std::vector<double> maxima(k, 0.0);
  for (size_t i = 0; i < edit.data.size(); ++i) {
    int64_t within = i % (r * c);
    int64_t j = edit.match.weightIsKN ? within / c : within % c;
    maxima[j] = std::max(maxima[j], std::fabs(double(edit.data[i])));
  }
  return maxima;
}

/// Erases `value`'s defining op when a rewrite left it without uses.
static void eraseIfDead(Value value) {
  Operation *op = value ? value.getDefiningOp() : nullptr;
  if (op && op->use_empty() && isMemoryEffectFree(op))
    op->erase();
}

//===----------------------------------------------------------------------===//
// Producers that can absorb 1/s
//===----------------------------------------------------------------------===//

/// Where a LayerNorm/RMSNorm-like generic multiplies by its gamma.
struct GammaFold {
  linalg::GenericOp op;
  OpOperand *operand;
  ElementsAttr gamma;
};

/// Matches (a): an elementwise generic producing `value` whose yielded value
/// is `mulf(%v, %g)` with %g a block argument used only there, bound to a
/// constant indexed by the last loop dimension only (leading unit
/// dimensions indexed by 0), of `channels` elements.
static std::optional<GammaFold> matchGammaGeneric(Value value,
                                                  int64_t channels) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic->getNumResults() != 1 ||
      !generic.hasPureTensorSemantics() || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return std::nullopt;
  unsigned loops = generic.getNumLoops();
  if (loops == 0 ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto mul = yield.getOperand(0).getDefiningOp<arith::MulFOp>();
  if (!mul || mul->getBlock() != &body)
    return std::nullopt;
  for (Value factor : {mul.getLhs(), mul.getRhs()}) {
    auto arg = dyn_cast<BlockArgument>(factor);
    if (!arg || arg.getOwner() != &body ||
        arg.getArgNumber() >= generic.getNumDpsInputs() || !arg.hasOneUse() ||
        mul.getLhs() == mul.getRhs())
      continue;
    OpOperand *operand = generic.getDpsInputOperand(arg.getArgNumber());
    ElementsAttr gamma;
    if (!matchPattern(operand->get(), m_Constant(&gamma)))
      continue;
    ShapedType type = gamma.getShapedType();
    AffineMap map = generic.getMatchingIndexingMap(operand);
    if (!type.hasRank() || type.getRank() == 0 ||
        map.getNumResults() != type.getRank() ||
        type.getShape().back() != channels ||
        map.getResults().back() !=
            getAffineDimExpr(loops - 1, generic.getContext()))
      continue;
    bool leadingUnit = true;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d) {
      auto zero = dyn_cast<AffineConstantExpr>(map.getResult(d));
      leadingUnit &= zero && zero.getValue() == 0 && type.getDimSize(d) == 1;
    }
    if (leadingUnit)
      return GammaFold{generic, operand, gamma};
  }
  return std::nullopt;
}

/// How (b) rewrites a producer matmul's bias: a constant accumulator, or a
/// linalg.broadcast of one that keeps the last dimension.
struct BiasFold {
  OpOperand *init = nullptr;
  linalg::BroadcastOp broadcast;
  ElementsAttr bias;
};

/// The bias of producer matmul `match` when it can be scaled per output
/// channel (none: `init == nullptr` and success).
static FailureOr<BiasFold> matchFoldableBias(const ConstantWeightMatmul &match,
                                             int64_t channels) {
  BiasFold fold;
  if (!match.accumulator)
    return fold;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(match.op);
  if (!linalgOp || linalgOp.getNumDpsInits() != 1)
    return failure();
  fold.init = linalgOp.getDpsInitOperand(0);
  Value source = match.accumulator;
  if (auto broadcast = source.getDefiningOp<linalg::BroadcastOp>()) {
    int64_t last = broadcast.getInit().getType().getRank() - 1;
    if (llvm::is_contained(broadcast.getDimensions(), last))
      return failure();
    fold.broadcast = broadcast;
    source = broadcast.getInput();
  }
  if (!matchPattern(source, m_Constant(&fold.bias)))
    return failure();
  ShapedType type = fold.bias.getShapedType();
  if (!type.hasRank() || type.getRank() == 0 ||
      type.getShape().back() != channels ||
      !isa<FloatType>(type.getElementType()))
    return failure();
  return fold;
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

/// One matmul being smoothed.
struct Site {
  ConstantWeightMatmul match;
  std::string id;
  std::vector<float> scales;
  std::vector<float> inverse;
};

struct SmoothQuantPass
    : public mlir::lowbit::impl::SmoothQuantPassBase<SmoothQuantPass> {
  using SmoothQuantPassBase::SmoothQuantPassBase;

  /// The weight values of `match.op`, read on first use.
  FailureOr<WeightEdit *> getEdit(const ConstantWeightMatmul &match,
                                  bool report = true) {
    auto [it, inserted] = edits.try_emplace(match.op);
    if (!inserted)
      return it->second.get();
    std::string error;
    FailureOr<std::vector<float>> data = readFloatElements(match.weight, error);
    if (failed(data)) {
      if (report)
        match.op->emitError() << "lowbit-smooth-quant: " << error;
      edits.erase(match.op);
      return failure();
    }
    it->second = std::make_shared<WeightEdit>();
    WeightEdit &edit = *it->second;
    edit.match = match;
    edit.data = std::move(*data);
    edit.shape.assign(match.weight.getShapedType().getShape().begin(),
                      match.weight.getShapedType().getShape().end());
    return &edit;
  }

  /// Finds the matmuls to smooth and their scales, without changing the IR.
  LogicalResult
  collectSites(ModuleOp module,
               const llvm::StringMap<std::vector<double>> &channelMax,
               SmallVectorImpl<Site> &sites) {
    // Ids as lowbit-insert-observers gives them: in walk order over every
    // observed matmul, colliding ids suffixed `#<n>`.
    llvm::StringMap<unsigned> used;
    auto makeUnique = [&](const std::string &id) {
      unsigned &count = used[id];
      if (count++ == 0)
        return id;
      std::string unique;
      do
        unique = id + "#" + std::to_string(count++);
      while (used.count(unique));
      ++used[unique];
      return unique;
    };
    SmallVector<std::string> missing;
    WalkResult walk = module.walk([&](Operation *op) {
      if (isa<DequantMatmulOp>(op)) {
        makeUnique(getOpIdentifier(op));
        return WalkResult::advance();
      }
      std::optional<ConstantWeightMatmul> match = matchConstantWeightMatmul(op);
      if (!match)
        return WalkResult::advance();
      std::string id = makeUnique(getStatisticsId(*match));
      auto it = channelMax.find(id);
      if (it == channelMax.end()) {
        if (requireAll) {
          op->emitError() << "lowbit-smooth-quant: statistics file '" << stats
                          << "' has no channel_abs_max for the input of '" << id
                          << "' (calibrate with lowbit-insert-observers="
                             "\"stats=min_max,channel_abs_max\")";
          return WalkResult::interrupt();
        }
        missing.push_back(id);
        return WalkResult::advance();
      }
      FailureOr<WeightEdit *> edit = getEdit(*match);
      if (failed(edit))
        return WalkResult::interrupt();
      std::vector<double> weightMax = weightAbsMaxPerK(**edit);
      if (it->second.size() != weightMax.size()) {
        op->emitError() << "lowbit-smooth-quant: statistics for '" << id
                        << "' have " << it->second.size()
                        << " channels, expected " << weightMax.size()
                        << " (the weight's K dimension)";
        return WalkResult::interrupt();
      }
      Site site{
          *match, id, computeSmoothingScales(it->second, weightMax, alpha), {}};
      for (float s : site.scales)
        site.inverse.push_back(1.0f / s);
      sites.push_back(std::move(site));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (!missing.empty()) {
      InFlightDiagnostic remark = emitRemark(module.getLoc())
                                  << "lowbit-smooth-quant: " << missing.size()
                                  << " matmul(s) without channel_abs_max in '"
                                  << stats << "' left unsmoothed: ";
      llvm::interleaveComma(missing, remark);
    }
    return success();
  }

  /// Folds X diag(1/s) into the producer of `input`, read by `group` (all
  /// its readers, all with the same s). Returns false when no producer can
  /// absorb it.
  bool foldIntoProducer(Value input, ArrayRef<Site *> group) {
    ArrayRef<float> inverse = group.front()->inverse;
    auto channels = static_cast<int64_t>(inverse.size());
    OpBuilder builder(&getContext());
    if (std::optional<GammaFold> fold = matchGammaGeneric(input, channels)) {
      std::string error;
      FailureOr<std::vector<float>> gamma =
          readFloatElements(fold->gamma, error);
      if (failed(gamma))
        return false;
      scaleLastDim(*gamma, fold->gamma.getShapedType().getShape(), inverse);
      builder.setInsertionPoint(fold->op);
      auto type = cast<RankedTensorType>(fold->gamma.getShapedType());
      Value old = fold->operand->get();
      fold->operand->set(arith::ConstantOp::create(
          builder, fold->op.getLoc(), makeDenseFloat(type, *gamma)));
      eraseIfDead(old);
      return true;
    }
    Operation *producer = input.getDefiningOp();
    std::optional<ConstantWeightMatmul> match =
        producer ? matchConstantWeightMatmul(producer) : std::nullopt;
    if (!match || producer->getNumResults() != 1)
      return false;
    FailureOr<BiasFold> bias = matchFoldableBias(*match, channels);
    if (failed(bias))
      return false;
    std::vector<float> biasValues;
    if (bias->init) {
      std::string error;
      FailureOr<std::vector<float>> values =
          readFloatElements(bias->bias, error);
      if (failed(values))
        return false;
      biasValues = std::move(*values);
    }
    FailureOr<WeightEdit *> edit = getEdit(*match, /*report=*/false);
    if (failed(edit))
      return false;
    (*edit)->scaleN(inverse);
    if (bias->init) {
      std::vector<float> *values = &biasValues;
      scaleLastDim(*values, bias->bias.getShapedType().getShape(), inverse);
      builder.setInsertionPoint(producer);
      Value scaled = arith::ConstantOp::create(
          builder, producer->getLoc(),
          makeDenseFloat(cast<RankedTensorType>(bias->bias.getShapedType()),
                         *values));
      if (bias->broadcast) {
        auto clone = cast<linalg::BroadcastOp>(
            builder.clone(*bias->broadcast.getOperation()));
        clone.getInputMutable().assign(scaled);
        scaled = clone->getResult(0);
      }
      Value old = bias->init->get();
      Value oldSource = bias->broadcast ? bias->broadcast.getInput() : Value();
      bias->init->set(scaled);
      eraseIfDead(old);
      eraseIfDead(oldSource);
    }
    return true;
  }

  /// (c): `input * inverse` along the last dimension, right after `input`
  /// is defined.
  Value insertMultiply(Value input, ArrayRef<float> inverse, Location loc) {
    OpBuilder builder(&getContext());
    if (Operation *producer = input.getDefiningOp())
      builder.setInsertionPointAfter(producer);
    else
      builder.setInsertionPointToStart(cast<BlockArgument>(input).getOwner());
    auto type = cast<RankedTensorType>(input.getType());
    auto scaleType = RankedTensorType::get(
        {static_cast<int64_t>(inverse.size())}, type.getElementType());
    Value scale = arith::ConstantOp::create(builder, loc,
                                            makeDenseFloat(scaleType, inverse));
    Value empty = tensor::EmptyOp::create(
        builder, loc, tensor::getMixedSizes(builder, loc, input),
        type.getElementType());
    MLIRContext *ctx = &getContext();
    unsigned rank = type.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap channel =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        builder, loc, TypeRange{type}, ValueRange{input, scale},
        ValueRange{empty}, ArrayRef<AffineMap>{identity, channel, identity},
        iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, product);
        });
    return generic->getResult(0);
  }

  /// Replaces each edited weight by a dense_resource constant in the same
  /// layout, keeping the matmul's statistics id.
  void materializeWeights(ArrayRef<Site> sites) {
    llvm::DenseMap<Operation *, std::string> ids;
    for (const Site &site : sites)
      ids[site.match.op] = site.id;
    OpBuilder builder(&getContext());
    for (auto &[op, edit] : edits) {
      ConstantWeightMatmul &match = edit->match;
      auto type = cast<RankedTensorType>(match.weight.getShapedType());
      std::string id = ids.count(op) ? ids[op] : getStatisticsId(match);
      // The resource manager may rename a colliding key; a name location
      // keeps the id lowbit-quantize-activations will look up.
      if (getLocationName(op->getLoc()).empty())
        op->setLoc(
            NameLoc::get(StringAttr::get(&getContext(), id), op->getLoc()));
      std::string name = getResourceNameHint(match.weight, id);
      Attribute attr = makeScalesAttr(type.getElementType(), type.getShape(),
                                      edit->data, name);
      Operation *old = match.weightValue.getDefiningOp();
      builder.setInsertionPoint(old ? old : op);
      Value weight =
          arith::ConstantOp::create(builder, old ? old->getLoc() : op->getLoc(),
                                    type, cast<TypedAttr>(attr));
      OpOperand &operand = op->getOpOperand(1);
      assert(operand.get() == match.weightValue && "weight is operand #1");
      operand.set(weight);
      if (old && old->use_empty())
        old->erase();
    }
  }

  /// Writes `statsFile` with the ranges of the smoothed inputs: each
  /// smoothed id's channel_abs_max divided by s and min/max = -/+ their
  /// maximum (exact for the absolute maximum); statistics that cannot be
  /// derived from channel_abs_max (histograms, Gram matrices) are dropped.
  LogicalResult writeSmoothedStats(ModuleOp module, ArrayRef<Site> sites) {
    std::string error;
    FailureOr<llvm::json::Value> json =
        readVersionedJsonFile(stats, "statistics", error);
    if (failed(json))
      return emitError(module.getLoc()) << "lowbit-smooth-quant: " << error;
    llvm::json::Object *activations =
        json->getAsObject()->getObject("activations");
    for (const Site &site : sites) {
      llvm::json::Object *entry = activations->getObject(site.id);
      const llvm::json::Array *old = entry->getArray("channel_abs_max");
      llvm::json::Array scaled;
      double max = 0.0;
      for (auto [value, inverse] : llvm::zip(*old, site.inverse)) {
        double v = *value.getAsNumber() * double(inverse);
        scaled.push_back(v);
        max = std::max(max, v);
      }
      (*entry)["channel_abs_max"] = std::move(scaled);
      (*entry)["min"] = -max;
      (*entry)["max"] = max;
      for (StringRef key : {"histogram", "moving_average_min_max", "gram"})
        entry->erase(key);
      (*entry)["smoothed"] = true;
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(smoothedStats, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return emitError(module.getLoc())
             << "lowbit-smooth-quant: cannot write '" << smoothedStats
             << "': " << ec.message();
    os << llvm::formatv("{0:2}", *json) << "\n";
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    edits.clear();
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      emitError(module.getLoc())
          << "lowbit-smooth-quant: option 'alpha' must be in [0, 1], got "
          << double(alpha);
      return signalPassFailure();
    }
    if (stats.empty()) {
      emitError(module.getLoc())
          << "lowbit-smooth-quant: option 'stats' (a statistics file with "
             "channel_abs_max) is required";
      return signalPassFailure();
    }
    std::string error;
    FailureOr<llvm::StringMap<std::vector<double>>> channelMax =
        readChannelAbsMax(stats, error);
    if (failed(channelMax)) {
      emitError(module.getLoc()) << "lowbit-smooth-quant: " << error;
      return signalPassFailure();
    }
    SmallVector<Site> sites;
    if (failed(collectSites(module, *channelMax, sites)))
      return signalPassFailure();

    // Weights edited to date hold only the original values; the weights
    // were read in collectSites so that every s comes from them.
    for (Site &site : sites)
      edits[site.match.op]->scaleK(site.scales);

    // Group the sites by activation, in program order.
    llvm::MapVector<Value, SmallVector<Site *>> byInput;
    for (Site &site : sites)
      byInput[site.match.input].push_back(&site);
    for (auto &entry : byInput) {
      Value input = entry.first;
      ArrayRef<Site *> group = entry.second;
      bool sameScales = llvm::all_of(group, [&](Site *site) {
        return site->scales == group.front()->scales;
      });
      bool onlyGroupReads = llvm::all_of(input.getUses(), [&](OpOperand &use) {
        return use.getOperandNumber() == 0 &&
               llvm::any_of(group, [&](Site *site) {
                 return site->match.op == use.getOwner();
               });
      });
      if (sameScales && onlyGroupReads && foldIntoProducer(input, group))
        continue;
      // (c): one multiply per distinct s.
      SmallVector<std::pair<Site *, Value>> multiplies;
      for (Site *site : group) {
        Value scaled;
        for (auto &[other, value] : multiplies)
          if (other->scales == site->scales)
            scaled = value;
        if (!scaled) {
          scaled =
              insertMultiply(input, site->inverse, site->match.op->getLoc());
          multiplies.emplace_back(site, scaled);
        }
        site->match.op->getOpOperand(0).set(scaled);
      }
    }
    materializeWeights(sites);
    // The activations no longer match the source model's (see
    // kActivationRescaledAttr).
    if (!sites.empty())
      module->setAttr(kActivationRescaledAttr, UnitAttr::get(&getContext()));
    if (!smoothedStats.empty() && failed(writeSmoothedStats(module, sites)))
      return signalPassFailure();
  }

private:
  /// Weight values being rewritten, per matmul.
  llvm::MapVector<Operation *, std::shared_ptr<WeightEdit>> edits;
};

} // namespace
