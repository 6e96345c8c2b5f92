//===- ConstantWeightMatmul.cpp - matmuls with a constant weight ----------===//
//
// A matmul-shaped contraction (see ContractionMatch.h) whose right operand is
// a float constant.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "ContractionMatch.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::lowbit;

std::optional<ConstantWeightMatmul>
mlir::lowbit::matchConstantWeightMatmul(Operation *op) {
  std::optional<MatmulContraction> contraction = matchMatmulContraction(op);
  // lowbit.dequant_matmul computes in f32, f16 or bf16.
  if (!contraction ||
      !(contraction->elementType.isF32() || contraction->elementType.isF16() ||
        contraction->elementType.isBF16()))
    return std::nullopt;
  ElementsAttr weight;
  if (!matchPattern(contraction->rhs, m_Constant(&weight)))
    return std::nullopt;

  ConstantWeightMatmul match;
  match.op = op;
  match.input = contraction->lhs;
  match.weight = weight;
  match.weightValue = contraction->rhs;
  match.weightIsKN = contraction->rhsIsKN;
  match.accumulator = contraction->accumulator;
  return match;
}
