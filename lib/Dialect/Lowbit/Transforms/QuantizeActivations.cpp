//===- QuantizeActivations.cpp - W8A8: quantize matmul activations --------===//
//
// Turns a weight-only dequant_matmul into a quantized matmul whose codes
// multiply exactly (i32 accumulation for integers, f32 for FP8):
//
//   %y = lowbit.dequant_matmul %x, %w as #w_scheme scales(s_w) ...
// ->
//   %s, %z = <scales of %x: per token / per tensor, dynamic or static>
//   %q = lowbit.quantize %x as #x_scheme scales(%s) [zero_points(%z)]
//   %y = lowbit.matmul %q, %w lhs(as #x_scheme scales(%s) ...)
//                             rhs(as #w_scheme scales(s_w) ...)
//                             [col_sums(Σ_k w[n, k])]
//
// so that y = s_x s_w (Σ_k q_x w - z_x Σ_k w - z_w Σ_k q_x + K z_x z_w).
//
//===----------------------------------------------------------------------===//

#include "ActivationStats.h"
#include "DynamicScales.h"
#include "OpIdentity.h"
#include "SchemeOptions.h"
#include "WeightConstants.h"

#include "lowbit/Calibration/Calibrators.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Quant/Packing.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace mlir::lowbit {
#define GEN_PASS_DEF_QUANTIZEACTIVATIONSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

/// FP8 activation formats.
static bool isFp8(StorageFormat format) {
  return format == StorageFormat::F8E4M3FN || format == StorageFormat::F8E5M2;
}

/// Σ_k w[..., n, k] of constant integer weight codes over each scale block
/// (all of K, or each group), as a dense_resource i32 tensor shaped
/// [.., N] or [.., N, K/G]; null when the weight is not a readable constant.
static ElementsAttr computeColumnSums(Value weight, SchemeAttr scheme) {
  DenseResourceElementsAttr codes;
  if (!matchPattern(weight, m_Constant(&codes)))
    return {};
  ArrayRef<char> data = codes.getData();
  ShapedType type = codes.getType();
  int64_t count = type.getNumElements();
  numerics::Scheme numericScheme = toNumericsScheme(scheme);
  if (data.size() != numerics::packedByteCount(count, numericScheme.format))
    return {};
  std::vector<int32_t> values =
      numerics::unpackCodes(reinterpret_cast<const uint8_t *>(data.data()),
                            count, numericScheme.format);
  int64_t k = type.getShape().back();
  bool grouped = scheme.getGranularity() == Granularity::Group;
  int64_t block = grouped ? scheme.getGroupSize() : k;
  std::vector<int32_t> sums(count / block, 0);
  for (int64_t i = 0; i < count; ++i)
    sums[i / block] += values[i];
  SmallVector<int64_t> shape(type.getShape().drop_back());
  if (grouped)
    shape = scheme.getScaleShape(type.getShape());
  std::vector<uint8_t> bytes(sums.size() * 4);
  std::memcpy(bytes.data(), sums.data(), bytes.size());
  auto sumsType =
      RankedTensorType::get(shape, IntegerType::get(weight.getContext(), 32));
  return makeResourceAttr(
      sumsType, codes.getRawHandle().getKey().str() + ".colsums", bytes);
}

/// Scale and zero-point of a static per-tensor scheme from an observed range
/// (the same formulas as the dynamic computation, evaluated now).
static std::pair<Attribute, Attribute>
getStaticParams(MLIRContext *ctx, SchemeAttr scheme,
                const ActivationRange &range) {
  double tiny = std::numeric_limits<float>::min();
  Type f32 = Float32Type::get(ctx);
  if (scheme.getSymmetric()) {
    double qmax = getSymmetricCodeMax(scheme.getFormat());
    double absMax = std::max(std::fabs(range.min), std::fabs(range.max));
    float scale = static_cast<float>(std::max(absMax, tiny * qmax) / qmax);
    return {FloatAttr::get(f32, scale), Attribute()};
  }
  double qmin = double(scheme.getCodeMin()), qmax = double(scheme.getCodeMax());
  double lo = std::min(range.min, 0.0), hi = std::max(range.max, 0.0);
  float scale = static_cast<float>(std::max(hi - lo, tiny * (qmax - qmin)) /
                                   (qmax - qmin));
  double zeroPoint =
      std::clamp(std::nearbyint(qmin - lo / double(scale)), qmin, qmax);
  return {FloatAttr::get(f32, scale),
          IntegerAttr::get(IntegerType::get(ctx, 32),
                           static_cast<int64_t>(zeroPoint))};
}

namespace {

struct QuantizeActivationsPass
    : public mlir::lowbit::impl::QuantizeActivationsPassBase<
          QuantizeActivationsPass> {
  using QuantizeActivationsPassBase::QuantizeActivationsPassBase;

  void runOnOperation() override;

private:
  /// Checks and decodes the options; emits an error naming the option.
  LogicalResult parseOptions();

  LogicalResult rewrite(DequantMatmulOp op);

  /// The range static mode quantizes `id`'s input over, from its entry in
  /// the statistics file and the chosen calibrator.
  FailureOr<ActivationRange> calibrate(Operation *op, const std::string &id,
                                       const ActivationRange &stats,
                                       SchemeAttr scheme);

  StorageFormat activationFormat = StorageFormat::I8;
  bool perToken = true;
  bool isStatic = false;
  llvm::StringMap<ActivationRange> ranges;
};

} // namespace

LogicalResult QuantizeActivationsPass::parseOptions() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    module.emitError() << "lowbit-quantize-activations: " << message;
    return failure();
  };
  std::optional<StorageFormat> parsed = symbolizeStorageFormat(format);
  if (!parsed || !(*parsed == StorageFormat::I8 ||
                   *parsed == StorageFormat::U8 || isFp8(*parsed)))
    return fail("option 'format': unsupported activation format '" + format +
                "'; expected i8, u8, f8E4M3FN or f8E5M2");
  activationFormat = *parsed;
  if (activationFormat == StorageFormat::U8 && symmetric)
    return fail("option 'format=u8' needs 'symmetric=false' (u8 holds no "
                "negative values without a zero-point)");
  if (isFp8(activationFormat) && !symmetric)
    return fail("option 'symmetric=false': FP8 activations are symmetric "
                "only");

  if (granularity != "tensor" && granularity != "token")
    return fail("option 'granularity': unknown granularity '" + granularity +
                "'; expected tensor or token");
  perToken = granularity == "token";

  if (mode != "dynamic" && mode != "static")
    return fail("option 'mode': unknown mode '" + mode +
                "'; expected dynamic or static");
  isStatic = mode == "static";
  if (isStatic) {
    if (perToken)
      return fail("option 'granularity=token' needs 'mode=dynamic': a "
                  "per-token scale depends on the token, so it cannot be "
                  "fixed ahead of time");
    if (stats.empty())
      return fail("option 'mode=static' needs a statistics file "
                  "('stats=FILE')");
    std::string error;
    FailureOr<llvm::StringMap<ActivationRange>> read =
        readActivationStats(stats, error);
    if (failed(read))
      return fail(error);
    ranges = std::move(*read);
  } else if (!stats.empty()) {
    return fail("option 'stats' is only read with 'mode=static'");
  }
  if (calibrator != "minmax" && calibrator != "percentile" &&
      calibrator != "entropy" && calibrator != "mse")
    return fail("option 'calibrator': unknown calibrator '" + calibrator +
                "'; expected minmax, percentile, entropy or mse");
  if (calibrator != "minmax" && !isStatic)
    return fail("option 'calibrator' is only used with 'mode=static'");
  if (!(percentile > 0.0 && percentile <= 100.0))
    return fail("option 'percentile': must be in (0, 100], got " +
                std::to_string(percentile));
  if ((calibrator == "entropy" || calibrator == "mse") &&
      isFp8(activationFormat))
    return fail("option 'calibrator=" + calibrator +
                "' assumes a uniform integer grid; FP8 activations take "
                "minmax or percentile");
  return success();
}

FailureOr<ActivationRange>
QuantizeActivationsPass::calibrate(Operation *op, const std::string &id,
                                   const ActivationRange &entry,
                                   SchemeAttr scheme) {
  if (calibrator == "minmax")
    return entry;
  if (!entry.histogram)
    return op->emitError()
           << "lowbit-quantize-activations: statistics file '" << stats
           << "' has no histogram for the input of '" << id
           << "'; calibrator=" << calibrator
           << " needs one (calibrate with the histogram statistic)";
  namespace calib = ::lowbit::calib;
  bool symmetricRange = scheme.getSymmetric();
  // Levels of the uniform grid: symmetric int8 spends 128 on |x|, affine
  // 8-bit formats 256 on [lo, hi].
  int levels = symmetricRange
                   ? int(scheme.getCodeMax()) + 1
                   : int(scheme.getCodeMax() - scheme.getCodeMin()) + 1;
  calib::ClipRange range;
  if (calibrator == "percentile")
    range = calib::calibratePercentile(*entry.histogram, percentile,
                                       symmetricRange);
  else if (calibrator == "entropy")
    range = calib::calibrateEntropy(*entry.histogram, levels, symmetricRange);
  else
    range = calib::calibrateMSE(*entry.histogram, levels, symmetricRange);
  return ActivationRange{range.lo, range.hi, std::nullopt};
}

LogicalResult QuantizeActivationsPass::rewrite(DequantMatmulOp op) {
  SchemeAttr weightScheme = op.getScheme();
  MLIRContext *ctx = op.getContext();
  RankedTensorType xType = op.getInput().getType();
  SchemeAttr xScheme =
      getActivationScheme(ctx, activationFormat, perToken, symmetric, xType);
  if (!xScheme)
    return op.emitError() << "lowbit-quantize-activations: per-token scales "
                             "need a static reduction dimension, got "
                          << xType;

  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value dynamicScales, dynamicZeroPoints;
  Attribute staticScales, staticZeroPoints;
  if (isStatic) {
    std::string id = getOpIdentifier(op);
    auto it = ranges.find(id);
    if (it == ranges.end())
      return op.emitError() << "lowbit-quantize-activations: statistics file '"
                            << stats << "' has no range for the input of '"
                            << id << "' (is it from another model?)";
    FailureOr<ActivationRange> range = calibrate(op, id, it->second, xScheme);
    if (failed(range))
      return failure();
    std::tie(staticScales, staticZeroPoints) =
        getStaticParams(ctx, xScheme, *range);
  } else {
    DynamicQuantParams params =
        buildDynamicQuantParams(builder, loc, op.getInput(), xScheme);
    dynamicScales = params.scales;
    dynamicZeroPoints = params.zeroPoints;
  }

  auto codesType = xType.clone(xScheme.getStorageType());
  Value codes = QuantizeOp::create(builder, loc, codesType, op.getInput(),
                                   dynamicScales, dynamicZeroPoints, xScheme,
                                   staticScales, staticZeroPoints);
  ElementsAttr colSums;
  if (!xScheme.getSymmetric() && weightScheme.isIntegerFormat())
    colSums = computeColumnSums(op.getWeight(), weightScheme);
  Value result = MatmulOp::create(
      builder, loc, op.getType(), codes, op.getWeight(), dynamicScales,
      dynamicZeroPoints, op.getBias(), xScheme, staticScales, staticZeroPoints,
      weightScheme, op.getScales(), op.getZeroPointsAttr(), colSums,
      /*result_scheme=*/SchemeAttr(), /*result_scales=*/Attribute(),
      /*result_zero_points=*/Attribute());
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

void QuantizeActivationsPass::runOnOperation() {
  if (failed(parseOptions()))
    return signalPassFailure();

  // The weight's format decides whether its products can be exact: integer
  // weights with integer activations, FP8 weights with FP8 activations.
  SchemeAttr activationKind = SchemeAttr::get(&getContext(), activationFormat);
  SmallVector<DequantMatmulOp> candidates;
  getOperation().walk([&](DequantMatmulOp op) {
    // lowbit.matmul has no double-quantized scales: those stay weight-only.
    if (op.getScheme().multipliesExactlyWith(activationKind) &&
        !op.getScaleBlockScalesAttr())
      candidates.push_back(op);
  });
  bool failed = false;
  for (DequantMatmulOp op : candidates)
    failed |= mlir::failed(rewrite(op));
  if (failed)
    signalPassFailure();
}
