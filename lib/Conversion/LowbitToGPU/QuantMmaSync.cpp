//===- QuantMmaSync.cpp - mma.sync m16n8k32 on 8-bit codes ----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "QuantMmaSync.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::lowbit;

Value mlir::lowbit::buildQuantMmaSync(OpBuilder &b, Location loc,
                                      const QuantMatmulPlan &plan, Value a,
                                      Value bFrag, Value c) {
  if (!plan.fp8)
    return nvgpu::MmaSyncOp::create(
        b, loc, a, bFrag, c, ArrayRef<int64_t>{kMmaM, kMmaN, kQuantMmaK});
  // nvgpu/nvvm have no dense FP8 mma.sync: inline PTX, registers as b32.
  auto ptxType = [](StorageFormat f) {
    return f == StorageFormat::F8E4M3FN ? "e4m3" : "e5m2";
  };
  std::string ptx = std::string("mma.sync.aligned.m16n8k32.row.col.f32.") +
                    ptxType(plan.lhsFormat) + "." + ptxType(plan.rhsFormat) +
                    ".f32 {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9}, "
                    "{$10, $11, $12, $13};";
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
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, resultType, operands, ptx, "=f,=f,=f,=f,r,r,r,r,r,r,f,f,f,f",
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
