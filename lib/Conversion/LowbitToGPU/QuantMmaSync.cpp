//===- QuantMmaSync.cpp - mma.sync m16n8k32 on 8-bit codes ----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "QuantMmaSync.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::lowbit;

Value mlir::lowbit::buildQuantMmaSync(OpBuilder &b, Location loc,
                                      const QuantMatmulPlan &plan, Value a,
                                      Value bFrag, Value c) {
  // Inline PTX, an op without memory effects, which the kernels built before
  // buffer deallocation need (nvvm.mma.sync declares none; nvgpu.mma.sync
  // has neither u8 operands nor wrapping sums, nor FP8). The integer form
  // without .satfinite wraps like the i32 corrections after it.
  auto ptxType = [](StorageFormat f) -> StringRef {
    switch (f) {
    case StorageFormat::F8E4M3FN:
      return "e4m3";
    case StorageFormat::F8E5M2:
      return "e5m2";
    case StorageFormat::U8:
      return "u8";
    default:
      return "s8";
    }
  };
  StringRef acc = plan.fp8 ? "f32" : "s32";
  std::string ptx =
      ("mma.sync.aligned.m16n8k32.row.col." + acc + "." +
       ptxType(plan.lhsFormat) + "." + ptxType(plan.rhsFormat) + "." + acc +
       " {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9}, "
       "{$10, $11, $12, $13};")
          .str();
  StringRef constraints = plan.fp8 ? "=f,=f,=f,=f,r,r,r,r,r,r,f,f,f,f"
                                   : "=r,=r,=r,=r,r,r,r,r,r,r,r,r,r,r";
  // One b32 register per row of four codes (1-D bitcasts: the n-D form
  // does not lower to LLVM).
  auto word = [&](Value frag, int64_t r) -> Value {
    Value quad = vector::ExtractOp::create(b, loc, frag, r);
    Value bits = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), quad);
    return vector::ExtractOp::create(b, loc, bits, 0);
  };
  SmallVector<Value> operands;
  for (int64_t r = 0; r < 4; ++r)
    operands.push_back(word(a, r));
  for (int64_t r = 0; r < 2; ++r)
    operands.push_back(word(bFrag, r));
  for (int64_t i = 0; i < 4; ++i)
    operands.push_back(
        vector::ExtractOp::create(b, loc, c, ArrayRef<int64_t>{i / 2, i % 2}));
  Type element = cast<VectorType>(c.getType()).getElementType();
  auto resultType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(4, element));
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, resultType, operands, ptx, constraints,
      /*has_side_effects=*/false, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr::get(b.getContext(), LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  Value d = arith::ConstantOp::create(b, loc, b.getZeroAttr(c.getType()));
  for (int64_t i = 0; i < 4; ++i) {
    Value v = LLVM::ExtractValueOp::create(b, loc, asmOp.getRes(), i);
    d = vector::InsertOp::create(b, loc, v, d, ArrayRef<int64_t>{i / 2, i % 2});
  }
  return d;
}
