//===- LowbitOps.cpp - lowbit operations ----------------------------------===//
//
// Custom assembly directives and verifiers of the lowbit operations.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/IR/QuantParams.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallSet.h"

#include <cstdlib>
#include <limits>

using namespace mlir;
using namespace mlir::lowbit;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Parses `KEYWORD ( attribute )` or `KEYWORD ( %operand : type )`.
static ParseResult
parseParamSource(OpAsmParser &parser, Attribute &attr,
                 std::optional<OpAsmParser::UnresolvedOperand> *operand,
                 Type *operandType) {
  if (parser.parseLParen())
    return failure();
  if (operand) {
    OpAsmParser::UnresolvedOperand value;
    OptionalParseResult result = parser.parseOptionalOperand(value);
    if (result.has_value()) {
      if (failed(*result) || parser.parseColonType(*operandType))
        return failure();
      *operand = value;
      return parser.parseRParen();
    }
  }
  if (parser.parseAttribute(attr))
    return failure();
  return parser.parseRParen();
}

static void printParamSource(OpAsmPrinter &printer, StringRef keyword,
                             Attribute attr, Value operand) {
  printer << keyword << "(";
  if (operand)
    printer << operand << " : " << operand.getType();
  else
    printer.printAttribute(attr);
  printer << ")";
}

/// `scales(...) [zero_points(...)]`, each an attribute or a typed operand.
static ParseResult parseQuantParams(
    OpAsmParser &parser, Attribute &scales,
    std::optional<OpAsmParser::UnresolvedOperand> &dynamicScales,
    Type &dynamicScalesType, Attribute &zeroPoints,
    std::optional<OpAsmParser::UnresolvedOperand> &dynamicZeroPoints,
    Type &dynamicZeroPointsType) {
  if (parser.parseKeyword("scales") ||
      parseParamSource(parser, scales, &dynamicScales, &dynamicScalesType))
    return failure();
  if (succeeded(parser.parseOptionalKeyword("zero_points")))
    return parseParamSource(parser, zeroPoints, &dynamicZeroPoints,
                            &dynamicZeroPointsType);
  return success();
}

static void printQuantParams(OpAsmPrinter &printer, Operation *,
                             Attribute scales, Value dynamicScales, Type,
                             Attribute zeroPoints, Value dynamicZeroPoints,
                             Type) {
  printParamSource(printer, "scales", scales, dynamicScales);
  if (zeroPoints || dynamicZeroPoints) {
    printer << " ";
    printParamSource(printer, "zero_points", zeroPoints, dynamicZeroPoints);
  }
}

/// `scales(attr) [zero_points(attr)]`: compile-time parameters only.
static ParseResult parseStaticQuantParams(OpAsmParser &parser,
                                          Attribute &scales,
                                          Attribute &zeroPoints) {
  if (parser.parseKeyword("scales") ||
      parseParamSource(parser, scales, nullptr, nullptr))
    return failure();
  if (succeeded(parser.parseOptionalKeyword("zero_points")))
    return parseParamSource(parser, zeroPoints, nullptr, nullptr);
  return success();
}

static void printStaticQuantParams(OpAsmPrinter &printer, Operation *,
                                   Attribute scales, Attribute zeroPoints) {
  printParamSource(printer, "scales", scales, Value());
  if (zeroPoints) {
    printer << " ";
    printParamSource(printer, "zero_points", zeroPoints, Value());
  }
}

/// `[kind, kind, ...]` of observer statistic kinds, stored as strings so the
/// generic form stays readable.
static ParseResult parseStatisticList(OpAsmParser &parser, ArrayAttr &stats) {
  SmallVector<Attribute> kinds;
  auto parseOne = [&]() -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name))
      return failure();
    if (!symbolizeStatisticKind(name))
      return parser.emitError(loc)
             << "unknown statistic '" << name
             << "'; expected min_max, moving_average_min_max, histogram, "
                "channel_abs_max or gram";
    kinds.push_back(parser.getBuilder().getStringAttr(name));
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseOne))
    return failure();
  stats = parser.getBuilder().getArrayAttr(kinds);
  return success();
}

static void printStatisticList(OpAsmPrinter &printer, Operation *,
                               ArrayAttr stats) {
  printer << "[";
  llvm::interleaveComma(stats, printer, [&](Attribute kind) {
    if (auto name = dyn_cast<StringAttr>(kind))
      printer << name.getValue();
    else
      printer.printAttribute(kind);
  });
  printer << "]";
}

//===----------------------------------------------------------------------===//
// Shared matmul checks
//===----------------------------------------------------------------------===//

/// Checks `lhs : [..., M, K]` x `rhs : [N, K]` (or `[B, N, K]` with
/// `lhs : [B, M, K]`) -> `result : [..., M, N]`.
static LogicalResult verifyMatmulShapes(Operation *op, StringRef lhsName,
                                        StringRef rhsName, RankedTensorType lhs,
                                        RankedTensorType rhs,
                                        RankedTensorType result) {
  if (lhs.getRank() < 2)
    return op->emitOpError()
           << lhsName << " must have rank 2 or more ([..., M, "
           << "K]), got rank " << lhs.getRank();
  if (rhs.getRank() != 2 && rhs.getRank() != 3)
    return op->emitOpError() << rhsName << " must be [N, K] or [B, N, K], got "
                             << "rank " << rhs.getRank();
  if (rhs.getRank() == 3 && lhs.getRank() != 3)
    return op->emitOpError()
           << "a batched " << rhsName << " [B, N, K] needs a " << lhsName
           << " of rank 3 [B, M, K], got rank " << lhs.getRank();
  auto mismatch = [](int64_t a, int64_t b) {
    return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
  };
  int64_t k = lhs.getShape().back();
  if (mismatch(k, rhs.getShape().back()))
    return op->emitOpError()
           << "reduction size mismatch: " << lhsName << " has K = " << k << ", "
           << rhsName << " has K = " << rhs.getShape().back();
  if (rhs.getRank() == 3 && mismatch(lhs.getDimSize(0), rhs.getDimSize(0)))
    return op->emitOpError()
           << "batch size mismatch: " << lhsName << " has " << lhs.getDimSize(0)
           << ", " << rhsName << " has " << rhs.getDimSize(0);

  SmallVector<int64_t> expected(lhs.getShape().drop_back());
  expected.push_back(rhs.getShape()[rhs.getRank() - 2]);
  if (failed(verifyCompatibleShape(result.getShape(), expected)))
    return op->emitOpError()
           << "result shape must be " << lhsName << "'s leading dimensions "
           << "followed by N: expected "
           << RankedTensorType::get(expected, result.getElementType())
           << ", got " << result;
  return success();
}

/// Weights are `[.., N, K]`: a per-axis scheme must run along N (one scale
/// per output channel) and a group-wise one along K.
static LogicalResult verifyWeightSchemeAxes(Operation *op, StringRef name,
                                            SchemeAttr scheme, int64_t rank) {
  if (scheme.getGranularity() == Granularity::Axis &&
      scheme.getAxis() != rank - 2)
    return op->emitOpError()
           << name
           << " per-axis scales must be per output channel (axis = " << rank - 2
           << ", the N dimension), got axis = " << scheme.getAxis();
  if (scheme.getGranularity() == Granularity::Group &&
      scheme.getAxis() != rank - 1)
    return op->emitOpError()
           << name << " groups must run along the reduction dimension (axis = "
           << rank - 1 << ", K), got axis = " << scheme.getAxis();
  return success();
}

/// Bias is `[N]` of the result's real type (f32 when the result is
/// requantized).
static LogicalResult verifyBias(Operation *op, Value bias, int64_t n,
                                Type elementType) {
  if (!bias)
    return success();
  auto type = cast<RankedTensorType>(bias.getType());
  if (type.getRank() != 1 ||
      (!ShapedType::isDynamic(type.getDimSize(0)) &&
       !ShapedType::isDynamic(n) && type.getDimSize(0) != n))
    return op->emitOpError()
           << "bias must have shape [" << n << "], got " << type;
  if (type.getElementType() != elementType)
    return op->emitOpError() << "bias element type must be " << elementType
                             << ", got " << type.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(verifyCompatibleShape(getInput().getType(), getType())))
    return emitOpError() << "input shape " << getInput().getType()
                         << " and result shape " << getType() << " differ";
  return verifyQuantParams(*this, {"", getScheme(), getType(), getScalesAttr(),
                                   getDynamicScales(), getZeroPointsAttr(),
                                   getDynamicZeroPoints()});
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyCompatibleShape(getInput().getType(), getType())))
    return emitOpError() << "input shape " << getInput().getType()
                         << " and result shape " << getType() << " differ";
  return verifyQuantParams(
      *this, {"", getScheme(), getInput().getType(), getScalesAttr(),
              getDynamicScales(), getZeroPointsAttr(), getDynamicZeroPoints()});
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

bool ObserveOp::gathers(StatisticKind kind) {
  StringRef name = stringifyStatisticKind(kind);
  return llvm::any_of(getStats(), [&](Attribute attr) {
    auto str = dyn_cast<StringAttr>(attr);
    return str && str.getValue() == name;
  });
}

int64_t ObserveOp::getNumBins() { return getBins().value_or(2048); }

int64_t ObserveOp::getChannelAxisOrDefault() {
  return getChannelAxis().value_or(getInput().getType().getRank() - 1);
}

LogicalResult ObserveOp::verify() {
  if (getId().empty())
    return emitOpError() << "needs a non-empty id";
  if (getStats().empty())
    return emitOpError() << "gathers no statistic; list at least one";
  llvm::SmallSet<StringRef, 8> seen;
  for (Attribute attr : getStats()) {
    auto name = dyn_cast<StringAttr>(attr);
    if (!name || !symbolizeStatisticKind(name.getValue()))
      return emitOpError()
             << "unknown statistic " << attr
             << "; expected min_max, moving_average_min_max, histogram, "
                "channel_abs_max or gram";
    if (!seen.insert(name.getValue()).second)
      return emitOpError() << "statistic '" << name.getValue()
                           << "' listed twice";
  }
  if (std::optional<int64_t> bins = getBins()) {
    if (!gathers(StatisticKind::Histogram))
      return emitOpError() << "'bins' given without the histogram statistic";
    if (*bins < 2 || *bins > (int64_t(1) << 20))
      return emitOpError() << "bins must be in [2, 1048576], got " << *bins;
  }
  if (std::optional<int64_t> axis = getChannelAxis()) {
    if (!gathers(StatisticKind::ChannelAbsMax) && !gathers(StatisticKind::Gram))
      return emitOpError() << "'channel_axis' given without channel_abs_max "
                              "or gram";
    int64_t rank = getInput().getType().getRank();
    if (*axis < 0 || *axis >= rank)
      return emitOpError() << "channel_axis " << *axis
                           << " is out of range for an input of rank " << rank;
  }
  if ((gathers(StatisticKind::ChannelAbsMax) || gathers(StatisticKind::Gram)) &&
      getInput().getType().getRank() == 0)
    return emitOpError() << "per-channel statistics need an input of rank 1 "
                            "or more";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

bool MatmulOp::hasScalesConstantAlongK(SchemeAttr scheme,
                                       RankedTensorType type) {
  int64_t rank = type.getRank();
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    return true;
  case Granularity::Axis:
    return scheme.getAxis() == rank - 2;
  case Granularity::Group:
    return scheme.getAxis() == rank - 1 &&
           scheme.getGroupSize() == type.getShape().back();
  }
  llvm_unreachable("unknown granularity");
}

LogicalResult MatmulOp::verify() {
  RankedTensorType lhsType = getLhs().getType(), rhsType = getRhs().getType();
  RankedTensorType resultType = getType();
  if (failed(verifyMatmulShapes(*this, "lhs", "rhs", lhsType, rhsType,
                                resultType)))
    return failure();

  SchemeAttr lhsScheme = getLhsScheme(), rhsScheme = getRhsScheme();
  for (auto [name, scheme] : {std::pair{"lhs", lhsScheme}, {"rhs", rhsScheme}})
    if (!scheme.isIntegerFormat() && !scheme.isFp8Format())
      return emitOpError() << name << " format "
                           << stringifyStorageFormat(scheme.getFormat())
                           << " has no exact product arithmetic; use "
                              "lowbit.dequant_matmul for it";
  if (!lhsScheme.multipliesExactlyWith(rhsScheme))
    return emitOpError() << "lhs format "
                         << stringifyStorageFormat(lhsScheme.getFormat())
                         << " and rhs format "
                         << stringifyStorageFormat(rhsScheme.getFormat())
                         << " must both be integer or both FP8";

  // Activation scales must be constant along K to factor out of the sum.
  if (!hasScalesConstantAlongK(lhsScheme, lhsType))
    return emitOpError()
           << "lhs scales must be per tensor or per row (axis = "
           << lhsType.getRank() - 2
           << ", the M dimension); scales that vary along K cannot be "
              "factored out of the accumulation";
  if (failed(
          verifyWeightSchemeAxes(*this, "rhs", rhsScheme, rhsType.getRank())))
    return failure();

  if (failed(verifyQuantParams(*this,
                               {"lhs ", lhsScheme, lhsType, getLhsScalesAttr(),
                                getLhsDynamicScales(), getLhsZeroPointsAttr(),
                                getLhsDynamicZeroPoints()})) ||
      failed(verifyQuantParams(*this,
                               {"rhs ", rhsScheme, rhsType, getRhsScalesAttr(),
                                Value(), getRhsZeroPointsAttr(), Value()})))
    return failure();

  // Integer products are summed exactly in i32 per weight scale block: the
  // block must be short enough that no sum can overflow.
  if (lhsScheme.isIntegerFormat()) {
    auto magnitude = [](SchemeAttr scheme) -> int64_t {
      if (!scheme.getSymmetric())
        return scheme.getCodeMax() - scheme.getCodeMin();
      return std::max(std::abs(scheme.getCodeMin()),
                      std::abs(scheme.getCodeMax()));
    };
    int64_t block = rhsScheme.getGranularity() == Granularity::Group
                        ? rhsScheme.getGroupSize()
                        : lhsType.getShape().back();
    int64_t bound = magnitude(lhsScheme) * magnitude(rhsScheme);
    if (!ShapedType::isDynamic(block) &&
        block > std::numeric_limits<int32_t>::max() / bound)
      return emitOpError()
             << "sums of " << block << " products of codes up to "
             << magnitude(lhsScheme) << " x " << magnitude(rhsScheme)
             << " can overflow the i32 accumulator; the longest safe block "
                "of K is "
             << std::numeric_limits<int32_t>::max() / bound
             << " (use group-wise weights)";
  }

  if (ElementsAttr colSums = getColSumsAttr()) {
    if (!rhsScheme.isIntegerFormat())
      return emitOpError() << "col_sums only apply to integer weights";
    // One sum per weight scale block: [.., N], or [.., N, K/G] for groups.
    ShapedType type = colSums.getShapedType();
    SmallVector<int64_t> expected(rhsType.getShape().drop_back());
    if (rhsScheme.getGranularity() == Granularity::Group)
      expected = rhsScheme.getScaleShape(rhsType.getShape());
    if (!type.getElementType().isInteger(32) ||
        failed(verifyCompatibleShape(type.getShape(), expected)))
      return emitOpError() << "col_sums must be i32 with one sum per weight "
                              "scale block, "
                           << RankedTensorType::get(
                                  expected, IntegerType::get(getContext(), 32))
                           << ", got " << type;
  }

  // Epilogue.
  Type resultElement = resultType.getElementType();
  SchemeAttr resultScheme = getResultSchemeAttr();
  if (isa<FloatType>(resultElement)) {
    if (resultScheme || getResultScalesAttr() || getResultZeroPointsAttr())
      return emitOpError() << "a real result (" << resultElement
                           << ") takes no requantize(...) epilogue; use an "
                              "integer result type to requantize";
  } else {
    if (!resultScheme)
      return emitOpError() << "an integer result (" << resultElement
                           << ") needs a requantize(...) epilogue";
    if (resultScheme.getGranularity() == Granularity::Group ||
        (resultScheme.getGranularity() == Granularity::Axis &&
         resultScheme.getAxis() != resultType.getRank() - 1))
      return emitOpError() << "result scales must be per tensor or per output "
                              "channel (axis = "
                           << resultType.getRank() - 1 << ")";
    if (failed(verifyQuantParams(*this, {"result ", resultScheme, resultType,
                                         getResultScalesAttr(), Value(),
                                         getResultZeroPointsAttr(), Value()})))
      return failure();
  }
  Type biasElement = isa<FloatType>(resultElement)
                         ? resultElement
                         : Float32Type::get(getContext());
  return verifyBias(*this, getBias(), resultType.getShape().back(),
                    biasElement);
}

//===----------------------------------------------------------------------===//
// DequantMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult DequantMatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeight().getType();
  RankedTensorType resultType = getType();
  if (failed(verifyMatmulShapes(*this, "input", "weight", inputType, weightType,
                                resultType)))
    return failure();
  if (resultType.getElementType() != inputType.getElementType())
    return emitOpError() << "result element type "
                         << resultType.getElementType()
                         << " must match the input's "
                         << inputType.getElementType();
  // Double-quantized scales: i8 codes, one f32 scale per 256 of them and
  // an offset.
  ElementsAttr blockScales = getScaleBlockScalesAttr();
  if (bool(blockScales) != bool(getScaleOffsetAttr()))
    return emitOpError() << "scale_quant needs both the block scales and the "
                            "offset";
  if (blockScales) {
    if (getScheme().getGranularity() == Granularity::Tensor)
      return emitOpError() << "a per-tensor scale cannot be double-quantized";
    int64_t numScales = 1;
    for (int64_t dim : getScheme().getScaleShape(weightType.getShape()))
      numScales *= dim;
    int64_t numBlocks = (numScales + 255) / 256;
    ShapedType type = blockScales.getShapedType();
    if (!type.getElementType().isF32() || type.getRank() != 1 ||
        type.getDimSize(0) != numBlocks)
      return emitOpError() << "scale_quant blocks must be f32 of shape ["
                           << numBlocks << "] (one per 256 of the " << numScales
                           << " scales), got " << type;
  }
  QuantParams params{"weight ",       getScheme(), weightType,
                     getScalesAttr(), Value(),     getZeroPointsAttr(),
                     Value()};
  params.scalesAreCodes = bool(blockScales);
  if (failed(verifyWeightSchemeAxes(*this, "weight", getScheme(),
                                    weightType.getRank())) ||
      failed(verifyQuantParams(*this, params)))
    return failure();
  return verifyBias(*this, getBias(), resultType.getShape().back(),
                    resultType.getElementType());
}

//===----------------------------------------------------------------------===//
// StagedDequantMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult StagedDequantMatmulOp::verify() {
  MemRefType x = getInput().getType(), y = getResult().getType();
  MemRefType codes = getCodes().getType();
  if (x.getRank() != 2 || y.getRank() != 2 || !x.hasStaticShape() ||
      !y.hasStaticShape())
    return emitOpError("expects static rank-2 input and result buffers");
  if (x.getDimSize(0) != y.getDimSize(0))
    return emitOpError("has ") << x.getDimSize(0) << " input rows but "
                               << y.getDimSize(0) << " result rows";
  if (x.getElementType() != y.getElementType())
    return emitOpError("result element type ")
           << y.getElementType() << " differs from the input's "
           << x.getElementType();
  int64_t n = y.getDimSize(1), k = x.getDimSize(1);
  int64_t bytes = getScheme().isSubByte() ? n * k / 2 : n * k;
  if (codes.getRank() != 1 || codes.getShape()[0] != bytes)
    return emitOpError("expects the ")
           << n << " x " << k << " weight codes as " << bytes
           << " bytes in a flat buffer, got " << codes;
  if (getBias()) {
    auto bias = cast<MemRefType>(getBias().getType());
    if (bias.getRank() != 1 || bias.getShape()[0] != n)
      return emitOpError("expects a bias of ") << n << " values, got " << bias;
  }
  if (getScheme().getSymmetric() == bool(getZeroPoints()))
    return emitOpError(getScheme().getSymmetric()
                           ? "takes no zero_points with a symmetric scheme"
                           : "needs zero_points with an affine scheme");
  return success();
}

/// The effects of a staged matmul: every buffer operand is read except
/// `result`, which is written; scalar scales and zero-points have none.
static void getStagedMatmulEffects(
    Operation *op, Value result,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (operand.get() == result)
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

void StagedDequantMatmulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getStagedMatmulEffects(getOperation(), getResult(), effects);
}

//===----------------------------------------------------------------------===//
// StagedMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult StagedMatmulOp::verify() {
  MemRefType lhs = getLhs().getType(), rhs = getRhs().getType();
  MemRefType y = getResult().getType();
  if (lhs.getRank() != 2 || rhs.getRank() != 2 || y.getRank() != 2 ||
      !lhs.hasStaticShape() || !rhs.hasStaticShape() || !y.hasStaticShape())
    return emitOpError("expects static rank-2 lhs, rhs and result buffers");
  if (lhs.getDimSize(1) != rhs.getDimSize(1) ||
      y.getDimSize(0) != lhs.getDimSize(0) ||
      y.getDimSize(1) != rhs.getDimSize(0))
    return emitOpError("expects [M, K] x [N, K] -> [M, N] buffers, got ")
           << lhs << ", " << rhs << ", " << y;
  if (lhs.getElementTypeBitWidth() != 8 || rhs.getElementTypeBitWidth() != 8)
    return emitOpError("expects 8-bit codes");
  if (!getRhsScheme().getSymmetric())
    return emitOpError("expects symmetric weights (no weight zero-points)");
  // One weight-scale block: scales constant along K on both sides.
  for (SchemeAttr scheme : {getLhsScheme(), getRhsScheme()})
    if (scheme.getGranularity() == Granularity::Group ||
        (scheme.getGranularity() == Granularity::Axis && scheme.getAxis() != 0))
      return emitOpError("expects per-tensor or per-row scales, got ")
             << scheme;
  if (getLhsScheme().getSymmetric() == bool(getLhsZeroPoints()))
    return emitOpError(getLhsScheme().getSymmetric()
                           ? "takes no lhs zero_points with a symmetric scheme"
                           : "needs lhs zero_points with an affine scheme");
  if (getLhsZeroPoints() && !getColSums())
    return emitOpError("needs col_sums when lhs has zero_points");
  if (bool(getResultSchemeAttr()) != bool(getResultScales()))
    return emitOpError("needs requantize scales exactly with a result scheme");
  if (getBias()) {
    auto bias = cast<MemRefType>(getBias().getType());
    if (bias.getRank() != 1 || bias.getShape()[0] != y.getDimSize(1))
      return emitOpError("expects a bias of ")
             << y.getDimSize(1) << " values, got " << bias;
  }
  return success();
}

void StagedMatmulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getStagedMatmulEffects(getOperation(), getResult(), effects);
}

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"

//===----------------------------------------------------------------------===//
// DotBF16Op, DotI16Op, DotU8S8Op
//===----------------------------------------------------------------------===//

/// The operand shape of an x86 dot-product instruction: `perLane` `values`
/// per accumulator lane (`lanes` of `laneType`), and 4, 8 or 16 lanes.
static LogicalResult verifyDotShape(Operation *op, int64_t lanes,
                                    int64_t values, int64_t perLane,
                                    StringRef valueName, StringRef pluralName,
                                    StringRef laneType, StringRef instruction) {
  if (values != perLane * lanes)
    return op->emitOpError()
           << "needs " << perLane << " " << valueName << " per " << laneType
           << " lane: " << lanes << " lanes take " << perLane * lanes << " "
           << pluralName << ", got " << values;
  if (lanes != 4 && lanes != 8 && lanes != 16)
    return op->emitOpError()
           << "has " << lanes << " lanes; " << instruction << " has 4, 8 or 16";
  return success();
}

LogicalResult DotBF16Op::verify() {
  return verifyDotShape(*this, getAcc().getType().getNumElements(),
                        getLhs().getType().getNumElements(), 2, "bf16 values",
                        "values", "f32", "vdpbf16ps");
}

LogicalResult DotI16Op::verify() {
  return verifyDotShape(*this, getAcc().getType().getNumElements(),
                        getLhs().getType().getNumElements(), 2, "i16 values",
                        "values", "i32", "pmaddwd");
}

LogicalResult DotU8S8Op::verify() {
  return verifyDotShape(*this, getAcc().getType().getNumElements(),
                        getLhs().getType().getNumElements(), 4, "bytes",
                        "bytes", "i32", "vpdpbusd");
}
