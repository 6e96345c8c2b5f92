//===- DequantPattern.cpp - recognising dequantizations -------------------===//
//
// The body of an elementwise linalg.generic is read as arithmetic on one
// element and accepted when it computes, exactly,
//
//   result   = mulf(centered, s) | mulf(s, centered)
//   centered = subf(real(q), z)                    float zero-point
//            | extf*(sitofp(subi(int(q), z)))       integer zero-point,
//                                                   codes widened first
//            | real(q)                              no zero-point
//   real(q)  = extf*(sitofp(int(q)) | uitofp(int(q)))   integer codes
//            | extf+(q)                             FP8 / FP4 codes
//   int(q)   = (extsi | extui)*(q)
//
// where q is the element of a code input (i8/i4, or f8E4M3FN/f8E5M2/
// f4E2M1FN) indexed like the result, and s and z are constants: elements of
// a constant input read through a broadcasting indexing map, captured scalar
// constants, or constants inside the body.
//
// Why each rule:
// - The codes are signed (i8/i4) or unsigned (u8/u4) according to the first
//   conversion that reads them (extsi/sitofp: signed; extui/uitofp:
//   unsigned). A conversion that reads them the other way afterwards (extsi
//   then uitofp, extui of sign-extended codes) turns negative codes into
//   large positive numbers, which no scheme describes.
// - sitofp/uitofp must produce f16, bf16 or f32, which hold every 8-bit code
//   and every difference of two 8-bit codes exactly.
// - An integer zero-point is subtracted after widening by at least one bit,
//   so `q - z` cannot wrap.
// - A zero-point must be an integer inside the format's code range (that is
//   how schemes store it); one that is 0 everywhere is dropped (symmetric).
// - The scale must be positive and finite, as lowbit's verifiers demand.
// - Scales and zero-points may be one value for the tensor or vary along a
//   single codes dimension, the one the caller names: that gives per-tensor
//   and per-axis schemes. Group-wise scales cannot be read from an
//   elementwise op on the codes' own shape (they need a reshaped code
//   tensor), so they are not recognised here.
//
//===----------------------------------------------------------------------===//

#include "DequantPattern.h"
#include "WeightConstants.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>
#include <optional>

using namespace mlir;
using namespace mlir::lowbit;

/// `value` as printf's %g writes it, for messages.
static std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value);
  return text;
}

/// True for the float types a code is converted to exactly.
static bool holdsCodesExactly(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

static StorageFormat getIntegerFormat(unsigned bits, bool isSigned) {
  if (bits == 8)
    return isSigned ? StorageFormat::I8 : StorageFormat::U8;
  return isSigned ? StorageFormat::I4 : StorageFormat::U4;
}

static std::optional<StorageFormat> getFloatFormat(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return StorageFormat::F8E4M3FN;
  if (isa<Float8E5M2Type>(type))
    return StorageFormat::F8E5M2;
  if (isa<Float4E2M1FNType>(type))
    return StorageFormat::F4E2M1FN;
  return std::nullopt;
}

/// Reads the elements of an integer constant (dense or dense_resource with
/// whole-byte little-endian elements) as signed values.
static FailureOr<std::vector<double>> readIntegerElements(ElementsAttr attr,
                                                          std::string &error) {
  ShapedType type = attr.getShapedType();
  auto intType = dyn_cast<IntegerType>(type.getElementType());
  if (!intType) {
    error = "not an integer constant";
    return failure();
  }
  std::vector<double> out;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &value : dense.getValues<APInt>())
      out.push_back(static_cast<double>(value.getSExtValue()));
    return out;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  unsigned bits = intType.getWidth();
  if (!resource || bits % 8 != 0 || bits > 64) {
    error = "unsupported kind of integer constant";
    return failure();
  }
  ArrayRef<char> data = resource.getData();
  size_t width = bits / 8, count = type.getNumElements();
  if (data.size() != count * width) {
    error = "resource '" + getResourceNameHint(resource, "") + "' holds " +
            std::to_string(data.size()) + " bytes, expected " +
            std::to_string(count * width);
    return failure();
  }
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, data.data() + i * width, width);
    out.push_back(static_cast<double>(llvm::SignExtend64(raw, bits)));
  }
  return out;
}

namespace {

/// How the bits of integer codes are read.
enum class Signedness { Unknown, Signed, Unsigned };

/// Integer codes on their way to a float: the input holding them, the width
/// of the integer now carrying them and how its bits are read.
struct IntegerCodes {
  unsigned input = 0;
  unsigned codeBits = 0;
  unsigned width = 0;
  Signedness signedness = Signedness::Unknown;
};

/// The codes as they reach the float arithmetic.
struct RealCodes {
  unsigned input = 0;
  StorageFormat format = StorageFormat::I8;
};

/// A constant the generic reads, seen from the codes.
struct BroadcastConstant {
  /// Row-major values (one for a scalar).
  std::vector<double> values;
  SmallVector<int64_t> shape;
  /// For each dimension of the constant, the codes dimension whose index it
  /// follows, or -1 where it reads the fixed index in `fixedIndex`.
  SmallVector<int64_t> codesDims;
  SmallVector<int64_t> fixedIndex;
  /// The constant itself, when it is a tensor.
  ElementsAttr elements;

  bool variesAlong(int64_t dim) const {
    return llvm::is_contained(codesDims, dim);
  }

  /// The number of values along codes dimension `dim` (1 when constant
  /// along it).
  int64_t extentAlong(int64_t dim) const {
    for (auto [size, codesDim] : llvm::zip_equal(shape, codesDims))
      if (codesDim == dim)
        return size;
    return 1;
  }

  /// The value read at `index` of codes dimension `dim`, where the constant
  /// varies along `dim` at most.
  double valueAt(int64_t dim, int64_t index) const {
    int64_t flat = 0;
    for (size_t r = 0; r < shape.size(); ++r)
      flat = flat * shape[r] + (codesDims[r] < 0      ? fixedIndex[r]
                                : codesDims[r] == dim ? index
                                                      : 0);
    return values[flat];
  }

  /// A resource name for parameters derived from this constant.
  std::string nameHint(StringRef fallback) const {
    return elements ? getResourceNameHint(elements, fallback) : fallback.str();
  }
};

/// What the body of a dequantizing generic computes.
struct DequantBody {
  RealCodes codes;
  BroadcastConstant scale;
  std::optional<BroadcastConstant> zeroPoint;
};

/// Reads the body of one elementwise linalg.generic.
class GenericDequantMatcher {
public:
  explicit GenericDequantMatcher(linalg::GenericOp op)
      : op(op), body(op.getBody()) {}

  /// Checks the structure of the op and reads its body.
  FailureOr<DequantBody> match();

  /// The dequantization `body` describes, per tensor or per axis along
  /// codes dimension `channelDim`.
  FailureOr<Dequantization> build(const DequantBody &body, int64_t channelDim);

  /// Why the last step failed.
  std::string reason;

private:
  LogicalResult fail(const Twine &message) {
    reason = message.str();
    return failure();
  }

  /// The op defining `value` when it is an `OpTy` inside the body.
  template <typename OpTy> OpTy getBodyOp(Value value) const {
    auto def = value.getDefiningOp<OpTy>();
    return def && def->getBlock() == body ? def : OpTy();
  }

  FailureOr<unsigned> matchCodesInput(Value value);
  FailureOr<IntegerCodes> matchIntegerCodes(Value value);
  FailureOr<RealCodes> matchRealCodes(Value value);
  FailureOr<std::pair<RealCodes, std::optional<BroadcastConstant>>>
  matchCentered(Value value);
  FailureOr<BroadcastConstant> matchConstant(Value value);
  FailureOr<BroadcastConstant> readBroadcast(ElementsAttr elements,
                                             AffineMap map);

  linalg::GenericOp op;
  Block *body;
  AffineMap resultMap;
  /// For each loop, the codes (= result) dimension it indexes.
  SmallVector<int64_t> loopToCodesDim;
};

} // namespace

FailureOr<DequantBody> GenericDequantMatcher::match() {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1)
    return fail("not a single-result op on tensors");
  if (op.getNumParallelLoops() != op.getNumLoops())
    return fail("not elementwise (has non-parallel loops)");
  resultMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!resultMap.isPermutation())
    return fail("the result's indexing map is not a permutation");
  loopToCodesDim.assign(op.getNumLoops(), -1);
  for (unsigned i = 0; i < resultMap.getNumResults(); ++i)
    loopToCodesDim[resultMap.getDimPosition(i)] = i;

  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto mul = getBodyOp<arith::MulFOp>(yield.getValues()[0]);
  if (!mul)
    return fail("the result is not a product with the scale");

  // The scale may be either factor; report the first order's failure.
  std::string firstReason;
  for (auto [centeredValue, scaleValue] :
       {std::pair{mul.getLhs(), mul.getRhs()}, {mul.getRhs(), mul.getLhs()}}) {
    auto centered = matchCentered(centeredValue);
    if (succeeded(centered)) {
      FailureOr<BroadcastConstant> scale = matchConstant(scaleValue);
      if (failed(scale))
        return fail("scale: " + reason);
      return DequantBody{centered->first, std::move(*scale),
                         std::move(centered->second)};
    }
    if (firstReason.empty())
      firstReason = reason;
  }
  return fail(firstReason);
}

FailureOr<unsigned> GenericDequantMatcher::matchCodesInput(Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != body)
    return fail("the converted value is not an element of an input");
  unsigned index = arg.getArgNumber();
  if (index >= op.getNumDpsInputs())
    return fail("the converted value is the output's element");
  OpOperand *operand = op.getDpsInputOperand(index);
  if (!isa<RankedTensorType>(operand->get().getType()))
    return fail("the codes are a scalar, not a tensor");
  if (op.getMatchingIndexingMap(operand) != resultMap)
    return fail("the codes are not indexed like the result");
  return index;
}

FailureOr<IntegerCodes> GenericDequantMatcher::matchIntegerCodes(Value value) {
  if (auto ext = getBodyOp<arith::ExtSIOp>(value)) {
    FailureOr<IntegerCodes> codes = matchIntegerCodes(ext.getIn());
    if (failed(codes))
      return failure();
    // Codes zero-extended before stay non-negative: their sign bit is 0.
    if (codes->signedness == Signedness::Unknown)
      codes->signedness = Signedness::Signed;
    codes->width = ext.getType().getIntOrFloatBitWidth();
    return codes;
  }
  if (auto ext = getBodyOp<arith::ExtUIOp>(value)) {
    FailureOr<IntegerCodes> codes = matchIntegerCodes(ext.getIn());
    if (failed(codes))
      return failure();
    if (codes->signedness == Signedness::Signed)
      return fail("arith.extui of sign-extended codes");
    codes->signedness = Signedness::Unsigned;
    codes->width = ext.getType().getIntOrFloatBitWidth();
    return codes;
  }
  FailureOr<unsigned> input = matchCodesInput(value);
  if (failed(input))
    return failure();
  auto type = dyn_cast<IntegerType>(value.getType());
  if (!type)
    return fail("the codes are not integers");
  if (type.getWidth() != 8 && type.getWidth() != 4)
    return fail("codes of type " + Twine("i") + Twine(type.getWidth()) +
                "; lowbit stores 8-bit and 4-bit codes");
  IntegerCodes codes;
  codes.input = *input;
  codes.codeBits = codes.width = type.getWidth();
  return codes;
}

FailureOr<RealCodes> GenericDequantMatcher::matchRealCodes(Value value) {
  if (auto ext = getBodyOp<arith::ExtFOp>(value)) {
    Value in = ext.getIn();
    if (!isa<BlockArgument>(in))
      return matchRealCodes(in);
    FailureOr<unsigned> input = matchCodesInput(in);
    if (failed(input))
      return failure();
    std::optional<StorageFormat> format = getFloatFormat(in.getType());
    if (!format)
      return fail("arith.extf of a value that is not FP8 or FP4 codes");
    return RealCodes{*input, *format};
  }
  if (auto toFloat = getBodyOp<arith::SIToFPOp>(value)) {
    if (!holdsCodesExactly(toFloat.getType()))
      return fail("arith.sitofp to a type that does not hold the codes "
                  "exactly");
    FailureOr<IntegerCodes> codes = matchIntegerCodes(toFloat.getIn());
    if (failed(codes))
      return failure();
    return RealCodes{codes->input, getIntegerFormat(codes->codeBits,
                                                    codes->signedness !=
                                                        Signedness::Unsigned)};
  }
  if (auto toFloat = getBodyOp<arith::UIToFPOp>(value)) {
    if (!holdsCodesExactly(toFloat.getType()))
      return fail("arith.uitofp to a type that does not hold the codes "
                  "exactly");
    FailureOr<IntegerCodes> codes = matchIntegerCodes(toFloat.getIn());
    if (failed(codes))
      return failure();
    if (codes->signedness == Signedness::Signed)
      return fail("arith.uitofp of sign-extended codes");
    return RealCodes{codes->input,
                     getIntegerFormat(codes->codeBits, /*isSigned=*/false)};
  }
  return fail("the value multiplied by the scale is not a conversion of "
              "codes to float, with an optional zero-point subtracted");
}

FailureOr<std::pair<RealCodes, std::optional<BroadcastConstant>>>
GenericDequantMatcher::matchCentered(Value value) {
  if (auto sub = getBodyOp<arith::SubFOp>(value)) {
    FailureOr<RealCodes> codes = matchRealCodes(sub.getLhs());
    if (failed(codes))
      return failure();
    FailureOr<BroadcastConstant> zeroPoint = matchConstant(sub.getRhs());
    if (failed(zeroPoint))
      return fail("zero-point: " + reason);
    return std::pair{*codes, std::optional(std::move(*zeroPoint))};
  }

  Value stripped = value;
  while (auto ext = getBodyOp<arith::ExtFOp>(stripped))
    stripped = ext.getIn();
  if (auto toFloat = getBodyOp<arith::SIToFPOp>(stripped)) {
    if (auto sub = getBodyOp<arith::SubIOp>(toFloat.getIn())) {
      if (!holdsCodesExactly(toFloat.getType()))
        return fail("arith.sitofp to a type that does not hold the codes "
                    "exactly");
      FailureOr<IntegerCodes> codes = matchIntegerCodes(sub.getLhs());
      if (failed(codes))
        return failure();
      if (codes->signedness == Signedness::Unknown ||
          codes->width <= codes->codeBits)
        return fail("the zero-point is subtracted from codes that were not "
                    "widened first, so the difference can wrap");
      FailureOr<BroadcastConstant> zeroPoint = matchConstant(sub.getRhs());
      if (failed(zeroPoint))
        return fail("zero-point: " + reason);
      RealCodes real{codes->input,
                     getIntegerFormat(codes->codeBits,
                                      codes->signedness == Signedness::Signed)};
      return std::pair{real, std::optional(std::move(*zeroPoint))};
    }
  }

  FailureOr<RealCodes> codes = matchRealCodes(value);
  if (failed(codes))
    return failure();
  return std::pair{*codes, std::optional<BroadcastConstant>()};
}

FailureOr<BroadcastConstant> GenericDequantMatcher::matchConstant(Value value) {
  Attribute attr;
  auto arg = dyn_cast<BlockArgument>(value);
  if (arg && arg.getOwner() == body) {
    unsigned index = arg.getArgNumber();
    if (index >= op.getNumDpsInputs())
      return fail("reads the output's element");
    OpOperand *operand = op.getDpsInputOperand(index);
    if (!matchPattern(operand->get(), m_Constant(&attr)))
      return fail("input #" + Twine(index) + " is not a constant");
    if (auto elements = dyn_cast<ElementsAttr>(attr))
      return readBroadcast(elements, op.getMatchingIndexingMap(operand));
  } else if (!matchPattern(value, m_Constant(&attr))) {
    return fail("not a constant");
  }
  BroadcastConstant scalar;
  if (auto floatAttr = dyn_cast<FloatAttr>(attr))
    scalar.values = {floatAttr.getValueAsDouble()};
  else if (auto intAttr = dyn_cast<IntegerAttr>(attr))
    scalar.values = {static_cast<double>(intAttr.getValue().getSExtValue())};
  else
    return fail("not a scalar constant");
  return scalar;
}

FailureOr<BroadcastConstant>
GenericDequantMatcher::readBroadcast(ElementsAttr elements, AffineMap map) {
  ShapedType type = elements.getShapedType();
  if (!type.hasStaticShape() ||
      map.getNumResults() != static_cast<unsigned>(type.getRank()))
    return fail("a constant of dynamic shape");
  BroadcastConstant constant;
  constant.elements = elements;
  constant.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t numVarying = 0;
  for (auto [size, expr] : llvm::zip_equal(constant.shape, map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      int64_t codesDim = loopToCodesDim[dim.getPosition()];
      if (size == 1) {
        constant.codesDims.push_back(-1);
        constant.fixedIndex.push_back(0);
        continue;
      }
      if (constant.variesAlong(codesDim))
        return fail("the constant reads one dimension twice");
      constant.codesDims.push_back(codesDim);
      constant.fixedIndex.push_back(0);
      ++numVarying;
    } else if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
      if (cst.getValue() < 0 || cst.getValue() >= size)
        return fail("the constant is read out of bounds");
      constant.codesDims.push_back(-1);
      constant.fixedIndex.push_back(cst.getValue());
    } else {
      return fail("the constant's indexing map is not a broadcast");
    }
  }
  // Per-tensor and per-channel parameters vary along one dimension at most;
  // do not read a large constant only to reject it.
  if (numVarying > 1)
    return fail("the constant varies along more than one dimension of the "
                "codes");

  std::string error;
  FailureOr<std::vector<double>> values = failure();
  if (isa<FloatType>(type.getElementType())) {
    FailureOr<std::vector<float>> floats = readFloatElements(elements, error);
    if (succeeded(floats))
      values = std::vector<double>(floats->begin(), floats->end());
  } else {
    values = readIntegerElements(elements, error);
  }
  if (failed(values))
    return fail("cannot read the constant: " + error);
  constant.values = std::move(*values);
  return constant;
}

FailureOr<Dequantization> GenericDequantMatcher::build(const DequantBody &match,
                                                       int64_t channelDim) {
  MLIRContext *ctx = op.getContext();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type realType = resultType.getElementType();
  if (!holdsCodesExactly(realType))
    return fail("computes in a type other than f32, f16 or bf16");

  for (double scale : match.scale.values)
    if (!std::isfinite(scale) || scale <= 0.0)
      return fail("scale " + formatNumber(scale) +
                  " is not positive and finite");

  StorageFormat format = match.codes.format;
  SchemeAttr rangeScheme = SchemeAttr::get(ctx, format);
  bool hasZeroPoint = false;
  if (match.zeroPoint) {
    for (double zp : match.zeroPoint->values) {
      if (!std::isfinite(zp) || zp != std::nearbyint(zp))
        return fail("zero-point " + formatNumber(zp) + " is not an integer");
      if (zp < rangeScheme.getCodeMin() || zp > rangeScheme.getCodeMax())
        return fail("zero-point " + formatNumber(zp) +
                    " is outside the code range [" +
                    Twine(rangeScheme.getCodeMin()) + ", " +
                    Twine(rangeScheme.getCodeMax()) + "]");
      hasZeroPoint |= zp != 0.0;
    }
    if (hasZeroPoint && !rangeScheme.isIntegerFormat())
      return fail("a zero-point on FP8/FP4 codes");
  }

  const BroadcastConstant *zeroPoint =
      hasZeroPoint ? &*match.zeroPoint : nullptr;
  for (const BroadcastConstant *param : {&match.scale, zeroPoint}) {
    if (!param)
      continue;
    for (int64_t dim : param->codesDims)
      if (dim >= 0 && dim != channelDim)
        return fail("scales or zero-points vary along codes dimension " +
                    Twine(dim) +
                    "; only one value per tensor or per index "
                    "of dimension " +
                    Twine(channelDim) + " is expressible");
  }
  bool perAxis = match.scale.variesAlong(channelDim) ||
                 (zeroPoint && zeroPoint->variesAlong(channelDim));

  Dequantization result;
  result.op = op;
  result.codes = op.getDpsInputOperand(match.codes.input)->get();
  result.scheme = SchemeAttr::get(
      ctx, format, perAxis ? Granularity::Axis : Granularity::Tensor,
      perAxis ? channelDim : -1, /*groupSize=*/0,
      /*symmetric=*/!hasZeroPoint, realType);
  Type i32 = IntegerType::get(ctx, 32);
  if (!perAxis) {
    result.scales = FloatAttr::get(realType, match.scale.valueAt(-1, 0));
    if (zeroPoint)
      result.zeroPoints = IntegerAttr::get(
          i32, static_cast<int64_t>(zeroPoint->valueAt(-1, 0)));
    return result;
  }

  int64_t n = std::max(match.scale.extentAlong(channelDim),
                       zeroPoint ? zeroPoint->extentAlong(channelDim) : 1);
  int64_t codesExtent = resultType.getDimSize(channelDim);
  if (!ShapedType::isDynamic(codesExtent) && codesExtent != n)
    return fail("the scales have " + Twine(n) + " values along dimension " +
                Twine(channelDim) + " of size " + Twine(codesExtent));
  // A constant already shaped [N] of the right type is used as it is, so
  // its blob is not copied.
  auto isVector = [&](const BroadcastConstant &param, Type elementType) {
    return param.elements && param.shape.size() == 1 &&
           param.codesDims[0] == channelDim &&
           param.elements.getShapedType().getElementType() == elementType;
  };
  if (isVector(match.scale, realType)) {
    result.scales = match.scale.elements;
  } else {
    std::vector<float> scales(n);
    for (int64_t i = 0; i < n; ++i)
      scales[i] = static_cast<float>(match.scale.valueAt(channelDim, i));
    result.scales =
        makeScalesAttr(realType, {n}, scales, match.scale.nameHint("scales"));
  }
  if (zeroPoint) {
    // lowbit keeps zero-points as i32; reuse the constant only if it is one.
    if (zeroPoint->elements &&
        zeroPoint->elements.getShapedType().getElementType().isSignlessInteger(
            32) &&
        isVector(*zeroPoint, IntegerType::get(ctx, 32))) {
      result.zeroPoints = zeroPoint->elements;
    } else {
      std::vector<int32_t> zeroPoints(n);
      for (int64_t i = 0; i < n; ++i)
        zeroPoints[i] = static_cast<int32_t>(zeroPoint->valueAt(channelDim, i));
      result.zeroPoints = makeZeroPointsAttr(
          ctx, {n}, zeroPoints, zeroPoint->nameHint("zero_points"));
    }
  }
  return result;
}

FailureOr<Dequantization>
mlir::lowbit::matchDequantization(RewriterBase &rewriter, Operation *anchor,
                                  Value value, int64_t channelDim) {
  if (auto dequantize = value.getDefiningOp<DequantizeOp>()) {
    Dequantization result;
    result.op = dequantize;
    result.codes = dequantize.getInput();
    result.scheme = dequantize.getScheme();
    result.scales = dequantize.getScalesAttr();
    result.zeroPoints = dequantize.getZeroPointsAttr();
    result.dynamicScales = dequantize.getDynamicScales();
    result.dynamicZeroPoints = dequantize.getDynamicZeroPoints();
    return result;
  }
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic)
    return rewriter.notifyMatchFailure(
        anchor, "operand is produced neither by lowbit.dequantize nor by a "
                "linalg.generic");
  GenericDequantMatcher matcher(generic);
  FailureOr<DequantBody> body = matcher.match();
  if (failed(body))
    return rewriter.notifyMatchFailure(
        anchor,
        "operand's linalg.generic is not a dequantization: " + matcher.reason);
  FailureOr<Dequantization> result = matcher.build(*body, channelDim);
  if (failed(result))
    return rewriter.notifyMatchFailure(
        anchor, "operand's linalg.generic is not an expressible "
                "dequantization: " +
                    matcher.reason);
  return result;
}
