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
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "ContractionMatch.h"
#include "OpIdentity.h"
#include "PrecisionPolicy.h"
#include "SchemeOptions.h"
#include "WeightConstants.h"
#include "WeightReport.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Quant/ErrorMetrics.h"
#include "lowbit/Quant/Packing.h"
#include "lowbit/Quant/Quantizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SetVector.h"

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
  };

  /// Replaces one matmul; emits an error at it and fails when the requested
  /// scheme cannot apply to its weight.
  LogicalResult quantizeMatmul(const ConstantWeightMatmul &match,
                               const WeightSchemeRequest &request);

  /// Quantizes the weight of `match` (or returns it from the cache).
  FailureOr<QuantizedWeight> getQuantizedWeight(const ConstantWeightMatmul &match,
                                                const WeightSchemeRequest &request);

  /// Keyed by the float weight value, whether it was stored [K, N], and
  /// the scheme asked for (a policy may give one weight two schemes).
  std::map<std::tuple<void *, bool, std::string>, QuantizedWeight> cache;

  /// Builds the policy from the `policy` and `preset` options.
  LogicalResult loadPolicy(PrecisionPolicy &result);

  /// Filled only when the `report` option names a file.
  std::vector<WeightReportEntry> reportEntries;
};

} // namespace

FailureOr<QuantizeWeightsPass::QuantizedWeight>
QuantizeWeightsPass::getQuantizedWeight(const ConstantWeightMatmul &match,
                                        const WeightSchemeRequest &request) {
  std::string schemeKey;
  {
    llvm::raw_string_ostream os(schemeKey);
    os << stringifyStorageFormat(request.format) << "/"
       << stringifyGranularity(request.granularity) << "/"
       << request.groupSize << "/" << request.symmetric << "/"
       << request.scaleType;
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
  FailureOr<std::vector<float>> stored =
      readFloatElements(match.weight, error);
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
  bool ok = clipSearch ? numerics::quantizeWithClipSearch(
                             weight.data(), numericsShape, numerics,
                             quantized, error)
                       : numerics::quantize(weight.data(), numericsShape,
                                         numerics, quantized, error);
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
  result.codes = arith::ConstantOp::create(
      builder, match.weightValue.getLoc(), codesType,
      makeResourceAttr(codesType, name + ".q", bytes));
  result.scales = makeScalesAttr(scheme.getScaleType(), quantized.scaleShape,
                                 quantized.scales, name + ".scales");
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
      entry.name = cast<DenseResourceElementsAttr>(
                       cast<arith::ConstantOp>(result.codes.getDefiningOp())
                           .getValue())
                       .getRawHandle()
                       .getKey()
                       .str();
    entry.location = formatLocation(op->getLoc());
    entry.shape = numericsShape;
    llvm::raw_string_ostream schemeStream(entry.scheme);
    schemeStream << scheme;
    entry.floatBytes = static_cast<int64_t>(weight.size()) *
                       storedType.getElementTypeBitWidth() / 8;
    int64_t scaleBytes = static_cast<int64_t>(quantized.scales.size()) *
                         scheme.getScaleType().getIntOrFloatBitWidth() / 8;
    entry.quantizedBytes = static_cast<int64_t>(bytes.size()) + scaleBytes +
                           4 * static_cast<int64_t>(quantized.zeroPoints.size());
    std::vector<float> dequantized(weight.size());
    numerics::dequantize(quantized, numericsShape, numerics, dequantized.data());
    entry.error = numerics::computeErrorMetrics(weight.data(), dequantized.data(),
                                             weight.size());
    reportEntries.push_back(std::move(entry));
  }
  return result;
}

LogicalResult
QuantizeWeightsPass::quantizeMatmul(const ConstantWeightMatmul &match,
                                    const WeightSchemeRequest &request) {
  FailureOr<QuantizedWeight> weight = getQuantizedWeight(match, request);
  if (failed(weight))
    return failure();

  Operation *op = match.op;
  OpBuilder builder(op);
  Location loc = op->getLoc();
  Type resultType = op->getResult(0).getType();
  Value result = DequantMatmulOp::create(
      builder, loc, resultType, match.input, weight->codes, /*bias=*/Value(),
      weight->scheme, weight->scales, weight->zeroPoints);
  if (match.accumulator)
    result = arith::AddFOp::create(builder, loc, result, match.accumulator);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

LogicalResult QuantizeWeightsPass::loadPolicy(PrecisionPolicy &result) {
  Operation *root = getOperation();
  if (!policy.empty()) {
    std::string error;
    FailureOr<PrecisionPolicy> read = readPrecisionPolicy(policy, error);
    if (failed(read))
      return root->emitError() << "lowbit-quantize-weights: option 'policy': "
                               << error;
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

  // One report per run: with the pass nested on functions, every function
  // would overwrite the others' report.
  if (!report.empty() && !isa<ModuleOp>(root)) {
    root->emitError() << "lowbit-quantize-weights: option 'report' needs the "
                         "pass to run on the module, not nested on '"
                      << root->getName() << "'";
    return signalPassFailure();
  }

  // Collect candidate ops first and match each one only when it is
  // rewritten: rewriting a matmul replaces its result, which may be the
  // activation of a later matmul, so a match taken earlier would be stale.
  SmallVector<Operation *> candidates;
  root->walk([&](Operation *op) {
    if (matchConstantWeightMatmul(op))
      candidates.push_back(op);
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
    if (!match ||
        match->weight.getShapedType().getNumElements() < minElements)
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
    failed |= mlir::failed(quantizeMatmul(*match, opRequest));
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
      if (!precisionPolicy.matchesRule(rule, getLocationName(op->getLoc()),
                                       "", 0, 0, /*ignorePosition=*/true))
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
  if (failed)
    return signalPassFailure();

  if (!report.empty()) {
    std::string writeError = writeWeightReport(
        report, "lowbit-quantize-weights", reportEntries);
    reportEntries.clear();
    if (!writeError.empty()) {
      root->emitError() << "lowbit-quantize-weights: option 'report': "
                        << writeError;
      return signalPassFailure();
    }
  }
}
