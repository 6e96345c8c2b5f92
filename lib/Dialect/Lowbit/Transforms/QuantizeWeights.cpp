//===- QuantizeWeights.cpp - constant matmul weights to lowbit ------------===//
//
// Round-to-nearest weight-only quantization:
//
//   y = x · W            (W constant, stored [K, N] or [N, K])
//     ->  Wt = W laid out [N, K]
//         per block b of Wt (tensor / output channel / group of G along K):
//           s_b = range_b / qrange,   q = clamp(round(Wt / s_b) + z_b)
//         y = lowbit.dequant_matmul(x, q) scales(s) [zero_points(z)]
//
// The codes, scales and zero-points become dense_resource constants; the
// float weight is erased once nothing else reads it. A non-zero accumulator
// of the original op is added back: y = acc + dequant_matmul(x, q).
//
// method=gptq and method=awq choose the codes with the Gram matrix
// H = X^T X of the matmul's input from the statistics file (lowbit::quant
// quantizeGPTQ / quantizeAWQ, docs/passes/gptq-awq.md). AWQ quantizes
// W diag(s) instead of W, so the input is divided by s first:
//
//   y = dequant_matmul(x * (1/s), Q(W diag(s)))     (1/s broadcast along K)
//
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "ContractionMatch.h"
#include "OpIdentity.h"
#include "PrecisionPolicy.h"
#include "SchemeOptions.h"
#include "WeightConstants.h"
#include "WeightReport.h"

#include "JsonFile.h"

#include "lowbit/Calibration/GramFile.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Quant/DoubleQuant.h"
#include "lowbit/Quant/ErrorMetrics.h"
#include "lowbit/Quant/GPTQ.h"
#include "lowbit/Quant/Packing.h"
#include "lowbit/Quant/Quantizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <map>
#include <tuple>

namespace mlir::lowbit {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

namespace {

struct QuantizeWeightsPass
    : public mlir::lowbit::impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  using QuantizeWeightsPassBase::QuantizeWeightsPassBase;

  void runOnOperation() override;

private:
  /// A weight quantized once, shared by every matmul that reads it.
  struct QuantizedWeight {
    Value codes;
    SchemeAttr scheme;
    Attribute scales;
    Attribute zeroPoints;
    /// AWQ only: the per-input-channel scales s (the input is divided by
    /// them); empty otherwise.
    std::vector<float> inputScales;
    /// Double quantization: `scales` holds i8 codes, these the per-256
    /// block scales and the offset.
    ElementsAttr scaleBlockScales;
    FloatAttr scaleOffset;
  };

  /// Replaces one matmul; emits an error at it and fails when the requested
  /// scheme cannot apply to its weight.
  LogicalResult quantizeMatmul(const ConstantWeightMatmul &match,
                               const WeightSchemeRequest &request,
                               StringRef statsId);

  /// Quantizes the weight of `match` (or returns it from the cache).
  FailureOr<QuantizedWeight>
  getQuantizedWeight(const ConstantWeightMatmul &match,
                     const WeightSchemeRequest &request, StringRef statsId);

  /// Reads the statistics file and indexes its Gram file (gptq, awq).
  LogicalResult loadStatistics();

  /// The Gram matrix of the input of the matmul `statsId` and its row
  /// count; emits an error at `op` naming the matmul when there is none.
  LogicalResult getGram(Operation *op, StringRef statsId, int64_t k,
                        std::vector<double> &gram, int64_t &rows);

  /// The `activations` object of the statistics file.
  llvm::json::Value statistics = nullptr;
  /// The Gram file next to it, indexed on first use.
  std::optional<::lowbit::calib::GramFile> gramFile;

  /// Keyed by the float weight value, whether it was stored [K, N], the
  /// scheme asked for (a policy may give one weight two schemes) and, for
  /// gptq and awq, the matmul (each has its own input statistics).
  std::map<std::tuple<void *, bool, std::string>, QuantizedWeight> cache;

  /// Builds the policy from the `policy` and `preset` options.
  LogicalResult loadPolicy(PrecisionPolicy &result);

  /// Filled only when the `report` option names a file.
  std::vector<WeightReportEntry> reportEntries;
};

} // namespace

FailureOr<QuantizeWeightsPass::QuantizedWeight>
QuantizeWeightsPass::getQuantizedWeight(const ConstantWeightMatmul &match,
                                        const WeightSchemeRequest &request,
                                        StringRef statsId) {
  std::string schemeKey;
  {
    llvm::raw_string_ostream os(schemeKey);
    os << stringifyStorageFormat(request.format) << "/"
       << stringifyGranularity(request.granularity) << "/" << request.groupSize
       << "/" << request.symmetric << "/" << request.scaleType;
    if (method != "rtn")
      os << "/" << method << "/" << statsId;
  }
  auto key = std::make_tuple(match.weightValue.getAsOpaquePointer(),
                             match.weightIsKN, schemeKey);
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;

  Operation *op = match.op;
  MLIRContext *ctx = op->getContext();
  ShapedType storedType = match.weight.getShapedType();
  SmallVector<int64_t> shape(storedType.getShape());
  int64_t rank = shape.size();
  if (match.weightIsKN)
    std::swap(shape[rank - 2], shape[rank - 1]);
  int64_t k = shape[rank - 1];

  if (request.granularity == Granularity::Group && k % request.groupSize != 0)
    return op->emitError() << "lowbit-quantize-weights: group size "
                           << request.groupSize
                           << " does not divide the reduction size K = " << k
                           << " of this matmul; choose a group size that "
                              "divides K or granularity=channel";

  std::string error;
  FailureOr<std::vector<float>> stored = readFloatElements(match.weight, error);
  if (failed(stored))
    return op->emitError() << "lowbit-quantize-weights: cannot read the "
                              "weight: "
                           << error;
  std::vector<float> weight =
      match.weightIsKN ? transposeLastTwo(*stored, storedType.getShape())
                       : std::move(*stored);

  SchemeAttr scheme = getWeightScheme(ctx, request, shape);
  numerics::Scheme numerics = toNumericsScheme(scheme);
  numerics::QuantizedTensor quantized;
  std::vector<int64_t> numericsShape(shape.begin(), shape.end());
  std::vector<float> inputScales;
  bool ok;
  if (method == "rtn") {
    ok = clipSearch
             ? numerics::quantizeWithClipSearch(weight.data(), numericsShape,
                                                numerics, quantized, error)
             : numerics::quantize(weight.data(), numericsShape, numerics,
                                  quantized, error);
  } else {
    if (rank != 2)
      return op->emitError()
             << "lowbit-quantize-weights: method=" << method
             << " needs a 2-D weight, this matmul's is rank " << rank;
    std::vector<double> gram;
    int64_t rows = 0;
    if (failed(getGram(op, statsId, k, gram, rows)))
      return failure();
    if (method == "gptq") {
      numerics::GPTQOptions options;
      options.dampPercent = dampPercent;
      options.blockSize = blockSize;
      options.actOrder = actOrder;
      options.staticGroups = staticGroups;
      numerics::GPTQReport gptqReport;
      ok = numerics::quantizeGPTQ(weight.data(), numericsShape, numerics,
                                  gram.data(), options, quantized, error,
                                  &gptqReport);
      if (ok && gptqReport.dampingRetries > 0)
        op->emitWarning() << "lowbit-quantize-weights: the Gram matrix of '"
                          << statsId << "' needed damping "
                          << gptqReport.damping << " ("
                          << gptqReport.dampingRetries
                          << " Cholesky failures); its input may be "
                             "rank-deficient";
    } else {
      numerics::AWQOptions options;
      options.rows = std::max<int64_t>(rows, 1);
      options.clipSearch = clipSearch;
      ok = numerics::quantizeAWQ(weight.data(), numericsShape, numerics,
                                 gram.data(), options, quantized, inputScales,
                                 error);
    }
  }
  if (!ok)
    return op->emitError() << "lowbit-quantize-weights: cannot quantize the "
                              "weight: "
                           << error;

  // Materialise the codes where the float weight is defined, so they
  // dominate every matmul that shares it.
  std::string name = getResourceNameHint(match.weight, "weight");
  OpBuilder builder(ctx);
  if (Operation *weightOp = match.weightValue.getDefiningOp())
    builder.setInsertionPoint(weightOp);
  else
    builder.setInsertionPoint(op);
  auto codesType = RankedTensorType::get(shape, scheme.getStorageType());
  std::vector<uint8_t> bytes = numerics::packCodes(quantized, numerics.format);
  QuantizedWeight result;
  result.scheme = scheme;
  result.inputScales = std::move(inputScales);
  result.codes = arith::ConstantOp::create(
      builder, match.weightValue.getLoc(), codesType,
      makeResourceAttr(codesType, name + ".q", bytes));
  if (doubleQuant) {
    // The scales become int8 codes; the dequantized weight (and the report)
    // then use the reconstructed scales, as the kernels will.
    numerics::DoubleQuantizedScales dq =
        numerics::doubleQuantizeScales(quantized.scales);
    for (size_t i = 0; i < quantized.scales.size(); ++i)
      quantized.scales[i] = dq.scale(i);
    std::vector<uint8_t> codeBytes(dq.codes.begin(), dq.codes.end());
    result.scales = makeResourceAttr(
        RankedTensorType::get(quantized.scaleShape, IntegerType::get(ctx, 8)),
        name + ".scales.q", codeBytes);
    std::vector<uint8_t> blockBytes(dq.blockScales.size() * 4);
    std::memcpy(blockBytes.data(), dq.blockScales.data(), blockBytes.size());
    result.scaleBlockScales =
        makeResourceAttr(RankedTensorType::get({int64_t(dq.blockScales.size())},
                                               Float32Type::get(ctx)),
                         name + ".scales.blocks", blockBytes);
    result.scaleOffset = FloatAttr::get(Float32Type::get(ctx), dq.offset);
  } else {
    result.scales = makeScalesAttr(scheme.getScaleType(), quantized.scaleShape,
                                   quantized.scales, name + ".scales");
  }
  if (!scheme.getSymmetric())
    result.zeroPoints = makeZeroPointsAttr(ctx, quantized.scaleShape,
                                           quantized.zeroPoints, name + ".zp");
  cache[key] = result;

  if (!report.empty()) {
    WeightReportEntry entry;
    // Prefer names a user can find: the float weight's resource, the op's
    // location name, else the (unique) key of the codes' resource.
    entry.name = getResourceNameHint(match.weight, "");
    if (entry.name.empty())
      entry.name = getLocationName(op->getLoc());
    if (entry.name.empty())
      entry.name =
          cast<DenseResourceElementsAttr>(
              cast<arith::ConstantOp>(result.codes.getDefiningOp()).getValue())
              .getRawHandle()
              .getKey()
              .str();
    entry.location = formatLocation(op->getLoc());
    entry.shape = numericsShape;
    llvm::raw_string_ostream schemeStream(entry.scheme);
    schemeStream << scheme;
    entry.floatBytes = static_cast<int64_t>(weight.size()) *
                       storedType.getElementTypeBitWidth() / 8;
    int64_t numScales = static_cast<int64_t>(quantized.scales.size());
    int64_t scaleBytes =
        doubleQuant
            ? numScales +
                  4 * ((numScales + numerics::kScaleBlockSize - 1) /
                       numerics::kScaleBlockSize) +
                  4
            : numScales * scheme.getScaleType().getIntOrFloatBitWidth() / 8;
    entry.quantizedBytes =
        static_cast<int64_t>(bytes.size()) + scaleBytes +
        4 * static_cast<int64_t>(quantized.zeroPoints.size());
    std::vector<float> dequantized(weight.size());
    numerics::dequantize(quantized, numericsShape, numerics,
                         dequantized.data());
    entry.error = numerics::computeErrorMetrics(
        weight.data(), dequantized.data(), weight.size());
    reportEntries.push_back(std::move(entry));
  }
  return result;
}

/// x * c with c ([K], one value per input channel) broadcast along the last
/// dimension of x, as a linalg.generic in x's element type.
static FailureOr<Value> scaleInputChannels(OpBuilder &b, Location loc, Value x,
                                           ArrayRef<float> factors) {
  auto type = dyn_cast<RankedTensorType>(x.getType());
  if (!type || type.getRank() < 1 || !isa<FloatType>(type.getElementType()) ||
      type.getShape().back() != int64_t(factors.size()))
    return failure();
  auto element = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> values;
  for (float f : factors) {
    APFloat v(f);
    bool lost = false;
    v.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v);
  }
  auto factorType = RankedTensorType::get({int64_t(factors.size())}, element);
  Value constant = arith::ConstantOp::create(
      b, loc, factorType, DenseElementsAttr::get(factorType, values));
  int64_t rank = type.getRank();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, x, d));
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), element, dynamicSizes);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx)),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{x, constant}, ValueRange{init}, maps,
      iterators, [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(
            nb, nl,
            arith::MulFOp::create(nb, nl, args[0], args[1]).getResult());
      });
  return generic.getResult(0);
}

LogicalResult
QuantizeWeightsPass::quantizeMatmul(const ConstantWeightMatmul &match,
                                    const WeightSchemeRequest &request,
                                    StringRef statsId) {
  FailureOr<QuantizedWeight> weight =
      getQuantizedWeight(match, request, statsId);
  if (failed(weight))
    return failure();

  Operation *op = match.op;
  OpBuilder builder(op);
  Location loc = op->getLoc();
  Type resultType = op->getResult(0).getType();
  Value input = match.input;
  if (!weight->inputScales.empty()) {
    // AWQ: the codes are those of W diag(s); the input carries 1/s.
    std::vector<float> inverse;
    for (float s : weight->inputScales)
      inverse.push_back(1.0f / s);
    FailureOr<Value> scaled = scaleInputChannels(builder, loc, input, inverse);
    if (failed(scaled))
      return op->emitError() << "lowbit-quantize-weights: method=awq cannot "
                                "scale this matmul's input "
                             << input.getType()
                             << " per channel (expected a ranked float "
                                "tensor with K = "
                             << inverse.size() << " last)";
    input = *scaled;
    if (auto module = op->getParentOfType<ModuleOp>())
      module->setAttr(kActivationRescaledAttr, UnitAttr::get(op->getContext()));
  }
  Value result = DequantMatmulOp::create(
      builder, loc, resultType, input, weight->codes, /*bias=*/Value(),
      weight->scheme, weight->scales, weight->zeroPoints,
      weight->scaleBlockScales, weight->scaleOffset);
  if (match.accumulator)
    result = arith::AddFOp::create(builder, loc, result, match.accumulator);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

LogicalResult QuantizeWeightsPass::loadStatistics() {
  Operation *root = getOperation();
  std::string error;
  FailureOr<llvm::json::Value> json =
      readVersionedJsonFile(stats, "statistics", error);
  if (failed(json))
    return root->emitError() << "lowbit-quantize-weights: " << error;
  llvm::json::Object *activations =
      json->getAsObject()->getObject("activations");
  if (!activations)
    return root->emitError() << "lowbit-quantize-weights: statistics file '"
                             << stats << "' has no 'activations' object";
  statistics = llvm::json::Value(std::move(*activations));
  return success();
}

LogicalResult QuantizeWeightsPass::getGram(Operation *op, StringRef statsId,
                                           int64_t k, std::vector<double> &gram,
                                           int64_t &rows) {
  auto prefix = [&]() -> InFlightDiagnostic {
    return op->emitError() << "lowbit-quantize-weights: statistics file '"
                           << stats << "' ";
  };
  const llvm::json::Object *entry =
      statistics.getAsObject()->getObject(statsId);
  if (!entry)
    return prefix() << "has no entry for matmul '" << statsId
                    << "'; method=" << method
                    << " needs its Gram matrix (calibrate the model with "
                       "lowbit-insert-observers=\"stats=gram\")";
  const llvm::json::Object *info = entry->getObject("gram");
  if (!info)
    return prefix() << "has no Gram matrix for the input of '" << statsId
                    << "'; method=" << method
                    << " needs one (calibrate with the gram statistic)";
  std::optional<llvm::StringRef> file = info->getString("file");
  std::optional<int64_t> index = info->getInteger("index");
  std::optional<int64_t> channels = info->getInteger("channels");
  if (!file || !index || !channels || *index < 0)
    return prefix() << "has a malformed 'gram' entry for '" << statsId
                    << "' (needs file, index and channels)";
  if (*channels != k)
    return prefix() << "has a " << *channels << "x" << *channels
                    << " Gram matrix for '" << statsId
                    << "', but its weight has K = " << k;
  std::string error;
  if (!gramFile) {
    SmallString<256> path(llvm::sys::path::parent_path(stats));
    llvm::sys::path::append(path, *file);
    ::lowbit::calib::GramFile indexed;
    if (!::lowbit::calib::readGramFile(std::string(path), indexed, error))
      return op->emitError() << "lowbit-quantize-weights: " << error;
    gramFile = std::move(indexed);
  }
  if (size_t(*index) >= gramFile->entries.size() ||
      gramFile->entries[*index].id != statsId ||
      int64_t(gramFile->entries[*index].channels) != k)
    return op->emitError() << "lowbit-quantize-weights: Gram file '"
                           << gramFile->path
                           << "' does not match the statistics: matrix "
                           << *index << " is not the " << k << "x" << k
                           << " matrix of '" << statsId
                           << "' (were the files written by different runs?)";
  if (!::lowbit::calib::loadGramMatrix(*gramFile, *index, gram, error))
    return op->emitError() << "lowbit-quantize-weights: " << error;
  rows = int64_t(gramFile->entries[*index].rows);
  return success();
}

LogicalResult QuantizeWeightsPass::loadPolicy(PrecisionPolicy &result) {
  Operation *root = getOperation();
  if (!policy.empty()) {
    std::string error;
    FailureOr<PrecisionPolicy> read = readPrecisionPolicy(policy, error);
    if (failed(read))
      return root->emitError()
             << "lowbit-quantize-weights: option 'policy': " << error;
    result = std::move(*read);
  }
  if (preset != "none") {
    FailureOr<PrecisionPolicy> builtin = getPresetPolicy(preset);
    if (failed(builtin))
      return root->emitError()
             << "lowbit-quantize-weights: option 'preset': unknown preset '"
             << preset << "'; expected none, llm or llm-int8-head";
    for (PolicyRule &rule : builtin->rules)
      result.rules.push_back(std::move(rule));
  }
  return success();
}

void QuantizeWeightsPass::runOnOperation() {
  Operation *root = getOperation();
  std::string error;
  FailureOr<WeightSchemeRequest> request =
      parseWeightSchemeRequest(&getContext(), format, granularity, groupSize,
                               symmetric, scaleType, error);
  if (failed(request)) {
    root->emitError() << "lowbit-quantize-weights: " << error;
    return signalPassFailure();
  }

  if (doubleQuant && (request->granularity != Granularity::Group ||
                      !request->scaleType.isF32())) {
    root->emitError() << "lowbit-quantize-weights: option 'double-quant' "
                         "needs granularity=group and scale-type=f32";
    return signalPassFailure();
  }

  // One report per run: with the pass nested on functions, every function
  // would overwrite the others' report.
  if (!report.empty() && !isa<ModuleOp>(root)) {
    root->emitError() << "lowbit-quantize-weights: option 'report' needs the "
                         "pass to run on the module, not nested on '"
                      << root->getName() << "'";
    return signalPassFailure();
  }

  if (method != "rtn" && method != "gptq" && method != "awq") {
    root->emitError() << "lowbit-quantize-weights: option 'method': unknown "
                         "method '"
                      << method << "'; expected rtn, gptq or awq";
    return signalPassFailure();
  }
  if (method != "rtn" && stats.empty()) {
    root->emitError() << "lowbit-quantize-weights: method=" << method
                      << " needs the statistics file of lowbit-run "
                         "--calibrate with Gram matrices (option 'stats')";
    return signalPassFailure();
  }
  if (method == "gptq" && clipSearch) {
    root->emitError() << "lowbit-quantize-weights: clip-search applies to "
                         "method=rtn and method=awq, not gptq";
    return signalPassFailure();
  }
  if (method != "rtn" && failed(loadStatistics()))
    return signalPassFailure();

  // Collect candidate ops first and match each one only when it is
  // rewritten: rewriting a matmul replaces its result, which may be the
  // activation of a later matmul, so a match taken earlier would be stale.
  SmallVector<Operation *> candidates;
  // The statistics key of each candidate, as lowbit-insert-observers names
  // its observer, computed before any rewrite.
  SmallVector<std::string> statsIds;
  root->walk([&](Operation *op) {
    if (std::optional<ConstantWeightMatmul> match =
            matchConstantWeightMatmul(op)) {
      candidates.push_back(op);
      statsIds.push_back(getStatisticsKey(op, match->weight));
    }
  });

  PrecisionPolicy precisionPolicy;
  if (failed(loadPolicy(precisionPolicy)))
    return signalPassFailure();
  std::vector<bool> ruleUsed(precisionPolicy.rules.size(), false);

  bool failed = false;
  int64_t count = candidates.size();
  for (int64_t position = 0; position < count; ++position) {
    Operation *op = candidates[position];
    std::optional<ConstantWeightMatmul> match = matchConstantWeightMatmul(op);
    if (!match || match->weight.getShapedType().getNumElements() < minElements)
      continue;

    WeightSchemeRequest opRequest = *request;
    std::string weightName = getResourceNameHint(match->weight, "");
    if (std::optional<size_t> ruleIndex = precisionPolicy.match(
            getLocationName(op->getLoc()), weightName, position, count)) {
      const PolicyRule &rule = precisionPolicy.rules[*ruleIndex];
      ruleUsed[*ruleIndex] = true;
      if (rule.exclude)
        continue;
      std::string error;
      FailureOr<WeightSchemeRequest> ruled =
          applySchemeFields(&getContext(), *request, rule.scheme, error);
      if (mlir::failed(ruled)) {
        op->emitError() << "lowbit-quantize-weights: " << rule.description
                        << ": " << error;
        failed = true;
        continue;
      }
      opRequest = *ruled;
    }
    failed |=
        mlir::failed(quantizeMatmul(*match, opRequest, statsIds[position]));
  }
  // A rule that selects no quantizable matmul: say so, and point at the
  // matmuls it names whose weight is not a constant (weight-only schemes
  // need one), which is the usual reason.
  SmallVector<Operation *> nonConstantWeight;
  root->walk([&](Operation *op) {
    if (matchMatmulContraction(op) && !matchConstantWeightMatmul(op))
      nonConstantWeight.push_back(op);
  });
  for (size_t i = 0; i < ruleUsed.size(); ++i) {
    if (ruleUsed[i])
      continue;
    const PolicyRule &rule = precisionPolicy.rules[i];
    bool explained = false;
    for (Operation *op : nonConstantWeight) {
      if (!rule.name && !rule.regex)
        break;
      if (!precisionPolicy.matchesRule(rule, getLocationName(op->getLoc()), "",
                                       0, 0, /*ignorePosition=*/true))
        continue;
      op->emitWarning() << "lowbit-quantize-weights: policy "
                        << rule.description
                        << " selects this matmul, but its weight is not a "
                           "constant; weight-only quantization leaves it in "
                           "float";
      explained = true;
    }
    if (!explained)
      root->emitWarning() << "lowbit-quantize-weights: policy "
                          << rule.description << " matches no matmul";
  }

  // Float weights that no longer feed anything are dropped now rather than
  // left for a canonicalizer: they are the bulk of a model's memory.
  llvm::SetVector<Operation *> floatWeights;
  for (auto &entry : cache)
    if (Operation *weightOp =
            Value::getFromOpaquePointer(std::get<0>(entry.first))
                .getDefiningOp())
      floatWeights.insert(weightOp);
  for (Operation *weightOp : floatWeights)
    if (weightOp->use_empty())
      weightOp->erase();
  cache.clear();
  gramFile.reset();
  if (failed)
    return signalPassFailure();

  if (!report.empty()) {
    std::string writeError =
        writeWeightReport(report, "lowbit-quantize-weights", reportEntries);
    reportEntries.clear();
    if (!writeError.empty()) {
      root->emitError() << "lowbit-quantize-weights: option 'report': "
                        << writeError;
      return signalPassFailure();
    }
  }
}
