//===- FuseDequantMatmul.cpp - dequantize + matmul into lowbit ops --------===//
//
// Folds the dequantization of a matmul's weight into the matmul, and that of
// both operands into an integer matmul:
//
//   y = x · dequant(Q)                -> lowbit.dequant_matmul(x, Q)
//   y = dequant(A) · dequant(Q)       -> lowbit.matmul(A, Q), real result
//
// with the scales and zero-points carried over unchanged, only re-laid out
// from the weight's [.., K, N] to lowbit's [.., N, K]. For example
//
//   %w = lowbit.dequantize %q                      // %q: [K, N] = [128, 64]
//       as #lowbit.scheme<i4, group = 32, axis = 0>
//       scales(dense_resource<s> : tensor<4x64xf32>)
//       : tensor<128x64xi4> -> tensor<128x64xf32>
//   %y = linalg.matmul ins(%x, %w : tensor<8x128xf32>, tensor<128x64xf32>)
//                      outs(%zero : tensor<8x64xf32>) -> tensor<8x64xf32>
//
// becomes (the codes transposed at compile time when they are a constant,
// by a linalg.transpose otherwise)
//
//   %qt = arith.constant dense_resource<q.nk> : tensor<64x128xi4>
//   %y = lowbit.dequant_matmul %x, %qt
//       as #lowbit.scheme<i4, group = 32, axis = 1>
//       scales(dense_resource<s.nk> : tensor<64x4xf32>)
//       : tensor<8x128xf32>, tensor<64x128xi4> -> tensor<8x64xf32>
//
// and with %x = lowbit.dequantize %a as #lowbit.scheme<i8> scales(%sa ...)
// and an 8-bit integer weight,
//
//   %y = lowbit.matmul %a, %qt lhs(as #lowbit.scheme<i8> scales(%sa ...))
//                              rhs(as ... scales(...))
//       : tensor<8x128xi8>, tensor<64x128xi8> -> tensor<8x64xf32>
//
// A non-zero accumulator of the matmul is added back with arith.addf. See
// DequantPattern.cpp for the dequantizations recognised and
// ContractionMatch.cpp for the matmuls.
//
//===----------------------------------------------------------------------===//

#include "ConstantTranspose.h"
#include "ContractionMatch.h"
#include "DequantPattern.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_FUSEDEQUANTMATMULPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Constants already moved to [.., N, K] during this run, so that a weight
/// read by several matmuls is transposed and stored once.
using TransposeCache = llvm::DenseMap<Attribute, ElementsAttr>;

/// A dequantized weight ready for lowbit's [.., N, K] layout.
struct PreparedWeight {
  /// The codes as the producer holds them.
  Value codes;
  /// Set when the codes are stored [.., K, N].
  bool transpose = false;
  /// The transposed codes, when they are a constant.
  ElementsAttr transposedCodes;
  /// Scheme and parameters for the [.., N, K] codes.
  SchemeAttr scheme;
  Attribute scales;
  Attribute zeroPoints;
};

} // namespace

/// `attr` with its last two dimensions swapped, from the cache if possible.
static FailureOr<ElementsAttr> transposeCached(PatternRewriter &rewriter,
                                               Operation *anchor,
                                               Attribute attr,
                                               TransposeCache &cache) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return rewriter.notifyMatchFailure(
        anchor, "group-wise parameters are not an elements attribute");
  auto it = cache.find(attr);
  if (it != cache.end())
    return it->second;
  std::string error;
  FailureOr<ElementsAttr> transposed =
      transposeLastTwoDims(elements, ".nk", error);
  if (failed(transposed))
    return rewriter.notifyMatchFailure(
        anchor, "cannot transpose a constant to [N, K]: " + error);
  cache[attr] = *transposed;
  return *transposed;
}

/// Checks that the weight's scheme has an [.., N, K] form (per tensor, per
/// output channel, or groups along K), that its parameters are attributes,
/// and computes what a transposition needs at compile time.
static FailureOr<PreparedWeight> prepareWeight(PatternRewriter &rewriter,
                                               const MatmulContraction &matmul,
                                               const Dequantization &weight,
                                               TransposeCache &cache) {
  Operation *anchor = matmul.op;
  if (!weight.hasStaticParams())
    return rewriter.notifyMatchFailure(
        anchor, "weight scales or zero-points are run-time operands; "
                "lowbit's matmuls take compile-time weight parameters");
  auto codesType = cast<RankedTensorType>(weight.codes.getType());
  int64_t rank = codesType.getRank();
  int64_t nDim = matmul.rhsIsKN ? rank - 1 : rank - 2;
  int64_t kDim = matmul.rhsIsKN ? rank - 2 : rank - 1;

  SchemeAttr scheme = weight.scheme;
  int64_t axis = -1;
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (scheme.getAxis() != nDim)
      return rewriter.notifyMatchFailure(anchor, [&](Diagnostic &diag) {
        diag << "weight scales are per index of dimension " << scheme.getAxis()
             << ", not of the output channel dimension " << nDim << " (N)";
      });
    axis = rank - 2;
    break;
  case Granularity::Group:
    if (scheme.getAxis() != kDim)
      return rewriter.notifyMatchFailure(anchor, [&](Diagnostic &diag) {
        diag << "weight groups run along dimension " << scheme.getAxis()
             << ", not along the reduction dimension " << kDim << " (K)";
      });
    axis = rank - 1;
    break;
  }

  PreparedWeight prepared;
  prepared.codes = weight.codes;
  prepared.scheme = SchemeAttr::get(
      rewriter.getContext(), scheme.getFormat(), scheme.getGranularity(), axis,
      scheme.getGroupSize(), scheme.getSymmetric(), scheme.getScaleType());
  prepared.scales = weight.scales;
  prepared.zeroPoints = weight.zeroPoints;
  if (!matmul.rhsIsKN)
    return prepared;

  prepared.transpose = true;
  // Per-tensor and per-channel parameters have no K dimension to move.
  if (scheme.getGranularity() == Granularity::Group) {
    FailureOr<ElementsAttr> scales =
        transposeCached(rewriter, anchor, weight.scales, cache);
    if (failed(scales))
      return failure();
    prepared.scales = *scales;
    if (weight.zeroPoints) {
      FailureOr<ElementsAttr> zeroPoints =
          transposeCached(rewriter, anchor, weight.zeroPoints, cache);
      if (failed(zeroPoints))
        return failure();
      prepared.zeroPoints = *zeroPoints;
    }
  }
  Attribute codes;
  if (matchPattern(weight.codes, m_Constant(&codes))) {
    FailureOr<ElementsAttr> transposed =
        transposeCached(rewriter, anchor, codes, cache);
    if (failed(transposed))
      return failure();
    prepared.transposedCodes = *transposed;
  }
  return prepared;
}

/// The [.., N, K] codes of `weight`: as they are, a new constant, or a
/// linalg.transpose of the stored codes.
static Value materializeCodes(PatternRewriter &rewriter, Location loc,
                              const PreparedWeight &weight) {
  if (!weight.transpose)
    return weight.codes;
  if (weight.transposedCodes)
    return arith::ConstantOp::create(rewriter, weight.codes.getLoc(),
                                     cast<TypedAttr>(weight.transposedCodes));
  auto type = cast<RankedTensorType>(weight.codes.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> permutation = llvm::to_vector(llvm::seq<int64_t>(rank));
  std::swap(permutation[rank - 2], permutation[rank - 1]);
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, weight.codes);
  std::swap(sizes[rank - 2], sizes[rank - 1]);
  Value init =
      tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, weight.codes, init,
                                     permutation)
      ->getResult(0);
}

/// Replaces `matmul` by `product`, adding back its accumulator.
static void replaceMatmul(PatternRewriter &rewriter,
                          const MatmulContraction &matmul, Value product) {
  if (matmul.accumulator)
    product = arith::AddFOp::create(rewriter, matmul.op->getLoc(), product,
                                    matmul.accumulator);
  rewriter.replaceOp(matmul.op, product);
}

/// The codes dimension that holds N in the weight as the matmul reads it.
static int64_t getWeightChannelDim(const MatmulContraction &matmul) {
  int64_t rank = cast<RankedTensorType>(matmul.rhs.getType()).getRank();
  return matmul.rhsIsKN ? rank - 1 : rank - 2;
}

namespace {

/// matmul(dequantize(a), dequantize(q)) -> lowbit.matmul(a, q') with a real
/// result, when the formats multiply exactly and the activation's scales are
/// constant along K. Tried before FuseDequantizedWeight.
struct FuseDequantizedOperands : public RewritePattern {
  FuseDequantizedOperands(MLIRContext *ctx, TransposeCache &cache)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, ctx), cache(cache) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    std::optional<MatmulContraction> matmul = matchMatmulContraction(op);
    if (!matmul)
      return failure();
    auto lhsType = cast<RankedTensorType>(matmul->lhs.getType());
    int64_t lhsRank = lhsType.getRank();
    FailureOr<Dequantization> lhs =
        matchDequantization(rewriter, op, matmul->lhs, lhsRank - 2);
    if (failed(lhs))
      return failure();
    FailureOr<Dequantization> rhs = matchDequantization(
        rewriter, op, matmul->rhs, getWeightChannelDim(*matmul));
    if (failed(rhs))
      return failure();

    SchemeAttr lhsScheme = lhs->scheme, rhsScheme = rhs->scheme;
    if (!lhsScheme.multipliesExactlyWith(rhsScheme))
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "formats " << stringifyStorageFormat(lhsScheme.getFormat())
             << " and " << stringifyStorageFormat(rhsScheme.getFormat())
             << " are not both integer or both FP8";
      });
    // The activation's scale must factor out of the sum over K.
    if (!MatmulOp::hasScalesConstantAlongK(lhsScheme, lhsType))
      return rewriter.notifyMatchFailure(
          op, "activation scales vary along K, so they cannot be factored "
              "out of an integer accumulation");

    FailureOr<PreparedWeight> weight =
        prepareWeight(rewriter, *matmul, *rhs, cache);
    if (failed(weight))
      return failure();

    Value codes = materializeCodes(rewriter, op->getLoc(), *weight);
    Value product = MatmulOp::create(
        rewriter, op->getLoc(), op->getResult(0).getType(), lhs->codes, codes,
        lhs->dynamicScales, lhs->dynamicZeroPoints, /*bias=*/Value(), lhsScheme,
        lhs->scales, lhs->zeroPoints, weight->scheme, weight->scales,
        weight->zeroPoints, /*col_sums=*/nullptr,
        /*result_scheme=*/nullptr, /*result_scales=*/nullptr,
        /*result_zero_points=*/nullptr);
    replaceMatmul(rewriter, *matmul, product);
    return success();
  }

  TransposeCache &cache;
};

/// matmul(x, dequantize(q)) -> lowbit.dequant_matmul(x, q').
struct FuseDequantizedWeight : public RewritePattern {
  FuseDequantizedWeight(MLIRContext *ctx, TransposeCache &cache)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx), cache(cache) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    std::optional<MatmulContraction> matmul = matchMatmulContraction(op);
    if (!matmul)
      return failure();
    FailureOr<Dequantization> rhs = matchDequantization(
        rewriter, op, matmul->rhs, getWeightChannelDim(*matmul));
    if (failed(rhs))
      return failure();
    FailureOr<PreparedWeight> weight =
        prepareWeight(rewriter, *matmul, *rhs, cache);
    if (failed(weight))
      return failure();

    Value codes = materializeCodes(rewriter, op->getLoc(), *weight);
    Value product = DequantMatmulOp::create(
        rewriter, op->getLoc(), op->getResult(0).getType(), matmul->lhs, codes,
        /*bias=*/Value(), weight->scheme, weight->scales, weight->zeroPoints,
        /*scale_block_scales=*/ElementsAttr(), /*scale_offset=*/FloatAttr());
    replaceMatmul(rewriter, *matmul, product);
    return success();
  }

  TransposeCache &cache;
};

struct FuseDequantMatmulPass
    : public mlir::lowbit::impl::FuseDequantMatmulPassBase<
          FuseDequantMatmulPass> {
  using FuseDequantMatmulPassBase::FuseDequantMatmulPassBase;

  void runOnOperation() override {
    TransposeCache cache;
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDequantizedOperands, FuseDequantizedWeight>(&getContext(),
                                                                 cache);
    // Leave the IR that is not fused as it was: no folding, no hoisting or
    // merging of constants, no region simplification. (Producers left
    // without users are still erased.)
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config))) {
      getOperation()->emitError()
          << "lowbit-fuse-dequant-matmul: the rewrite did not converge";
      signalPassFailure();
    }
  }
};

} // namespace
