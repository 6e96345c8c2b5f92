//===- ContractionMatch.cpp - matmul-shaped contractions ------------------===//
//
// A linalg contraction is accepted when its indexing maps read
//   lhs: (b?, m..., k)    rhs: (b?, k, n) or (b?, n, k)    out: (b?, m..., n)
// with exactly one k and one n loop and at most one batch loop (a batch needs
// exactly one m loop), and its body is a multiply-accumulate (linalg's
// ContractionOpInterface check). tosa.matmul is `[B, M, K] x [B, K, N]` with
// zero-points of zero. These are the layouts of ConstantWeightMatmul.
//
//===----------------------------------------------------------------------===//

#include "ContractionMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::lowbit;

/// True when `value` is known to be all zeros (a zero splat constant or a
/// linalg.fill with zero).
static bool isKnownZero(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(value, m_AnyZeroFloat());
}

/// The dimension positions of a map made only of dims, or nullopt.
static std::optional<SmallVector<unsigned>> getDimPositions(AffineMap map) {
  SmallVector<unsigned> positions;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    positions.push_back(dim.getPosition());
  }
  return positions;
}

static Type getElementTypeOrNull(Value value) {
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    return type.getElementType();
  return {};
}

/// True when a generic's body is exactly `yield acc + a * b` over its block
/// arguments (either operand order). linalg's contraction check alone also
/// accepts bodies with unary ops around the operands (`acc + exp(a) * -b`),
/// which are not matmuls of `a` and `b`.
static bool isPlainMultiplyAccumulate(Block &body) {
  if (body.getNumArguments() != 3 || body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto add = dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  auto yield = dyn_cast<linalg::YieldOp>(body.back());
  if (!mul || !add || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        acc = body.getArgument(2);
  bool mulOperands = (mul.getLhs() == a && mul.getRhs() == b) ||
                     (mul.getLhs() == b && mul.getRhs() == a);
  bool addOperands = (add.getLhs() == acc && add.getRhs() == mul) ||
                     (add.getLhs() == mul && add.getRhs() == acc);
  return mulOperands && addOperands;
}

static std::optional<MatmulContraction>
matchLinalgContraction(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  // Named matmuls have a fixed body; a generic must be exactly a
  // multiply-accumulate of its operands.
  if (isa<linalg::GenericOp>(op) &&
      !isPlainMultiplyAccumulate(op->getRegion(0).front()))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1 || dims->n.size() != 1 ||
      dims->batch.size() > 1 || dims->m.empty())
    return std::nullopt;
  if (!dims->batch.empty() && dims->m.size() != 1)
    return std::nullopt;

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto lhs = getDimPositions(maps[0]);
  auto rhs = getDimPositions(maps[1]);
  auto out = getDimPositions(maps[2]);
  if (!lhs || !rhs || !out)
    return std::nullopt;

  SmallVector<unsigned> prefix(dims->batch.begin(), dims->batch.end());
  SmallVector<unsigned> expectedLhs(prefix), expectedOut(prefix);
  llvm::append_range(expectedLhs, dims->m);
  expectedLhs.push_back(dims->k[0]);
  llvm::append_range(expectedOut, dims->m);
  expectedOut.push_back(dims->n[0]);
  SmallVector<unsigned> kn(prefix), nk(prefix);
  kn.append({dims->k[0], dims->n[0]});
  nk.append({dims->n[0], dims->k[0]});
  if (*lhs != expectedLhs || *out != expectedOut || (*rhs != kn && *rhs != nk))
    return std::nullopt;

  MatmulContraction match;
  match.op = op;
  match.lhs = op.getDpsInputOperand(0)->get();
  match.rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  // Mixed-precision contractions (e.g. f16 x f16 -> f32) convert inside the
  // body; lowbit's matmuls have no such conversion.
  match.elementType = getElementTypeOrNull(match.lhs);
  if (!match.elementType ||
      getElementTypeOrNull(match.rhs) != match.elementType ||
      getElementTypeOrNull(init) != match.elementType)
    return std::nullopt;
  match.rhsIsKN = *rhs == kn;
  match.accumulator = isKnownZero(init) ? Value() : init;
  return match;
}

static std::optional<MatmulContraction> matchTosaMatmul(tosa::MatMulOp op) {
  if (!isKnownZero(op.getAZp()) || !isKnownZero(op.getBZp()) ||
      !isa<RankedTensorType>(op.getType()))
    return std::nullopt;
  MatmulContraction match;
  match.op = op;
  match.lhs = op.getA();
  match.rhs = op.getB();
  match.rhsIsKN = true;
  match.elementType = getElementTypeOrNull(match.lhs);
  if (!match.elementType ||
      getElementTypeOrNull(match.rhs) != match.elementType ||
      op.getType().getElementType() != match.elementType)
    return std::nullopt;
  return match;
}

std::optional<MatmulContraction>
mlir::lowbit::matchMatmulContraction(Operation *op) {
  if (auto tosaMatmul = dyn_cast<tosa::MatMulOp>(op))
    return matchTosaMatmul(tosaMatmul);
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return matchLinalgContraction(linalgOp);
  return std::nullopt;
}
