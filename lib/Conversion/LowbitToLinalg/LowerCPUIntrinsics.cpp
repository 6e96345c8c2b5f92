//===- LowerCPUIntrinsics.cpp - lowbit's x86 ops to LLVM intrinsics -------===//
//
// lowbit-lower-cpu-intrinsics replaces the pure stand-ins that the CPU
// kernels use for x86 instructions by the LLVM intrinsic calls, once
// bufferization (which rejects ops with unknown memory effects) and the
// inlining of memref.alloca_scope bodies (which stops at them) are done:
//
//   %r = lowbit.dot_u8s8 %acc, %a, %w : vector<64xi8> -> vector<16xi32>
// ->
//   %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %a, %w)
//       : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
//
// (.256 for 8 lanes, .128 for 4; the backend encodes them as AVX-VNNI where
// the target has that rather than AVX512-VNNI with AVX512VL), and
//
//   %r = lowbit.dot_bf16 %acc, %x, %w : vector<32xbf16> -> vector<16xf32>
// ->
//   %r = llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"(%acc, %x, %w)
//       : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
//
//   %r = lowbit.permute16 %table, %i : vector<16xi32> -> vector<16xf32>
// ->
//   %r = llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%table, %i)
//       : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
//
//   %r = lowbit.permute_words32 %table, %i : vector<32xi16>
// ->
//   %r = llvm.call_intrinsic "llvm.x86.avx512.permvar.hi.512"(%table, %i)
//       : (vector<32xi16>, vector<32xi16>) -> vector<32xi16>
//
//   %r = lowbit.dot_i16 %acc, %a, %w : vector<16xi16> -> vector<8xi32>
// ->
//   %p = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%a, %w)
//       : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
//   %r = llvm.add %acc, %p : vector<8xi32>
//
// (llvm.x86.sse2.pmadd.wd for 4 lanes; 16 lanes as two 256-bit halves
// joined by llvm.shufflevector, so that only AVX2 is needed, not
// AVX512BW).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mlir::lowbit {
#define GEN_PASS_DEF_LOWERCPUINTRINSICSPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The LLVM intrinsic that implements `op`, or "" for other ops. The
/// intrinsics take the op's operands in order.
std::string intrinsicName(Operation *op) {
  auto bits = [](Value acc) {
    return std::to_string(32 *
                          cast<VectorType>(acc.getType()).getNumElements());
  };
  if (auto dot = dyn_cast<DotU8S8Op>(op))
    return "llvm.x86.avx512.vpdpbusd." + bits(dot.getAcc());
  if (auto dot = dyn_cast<DotBF16Op>(op))
    return "llvm.x86.avx512bf16.dpbf16ps." + bits(dot.getAcc());
  if (isa<Permute16Op>(op))
    return "llvm.x86.avx512.permvar.sf.512";
  if (isa<PermuteWords32Op>(op))
    return "llvm.x86.avx512.permvar.hi.512";
  return "";
}

/// lowbit.dot_i16 as pmaddwd intrinsic calls and an add.
Value lowerDotI16(RewriterBase &rewriter, DotI16Op op) {
  Location loc = op.getLoc();
  auto accType = cast<VectorType>(op.getAcc().getType());
  int64_t lanes = accType.getNumElements();
  auto pmadd = [&](Value lhs, Value rhs, int64_t resultLanes) -> Value {
    auto type = VectorType::get({resultLanes}, rewriter.getI32Type());
    StringRef name =
        resultLanes == 4 ? "llvm.x86.sse2.pmadd.wd" : "llvm.x86.avx2.pmadd.wd";
    return LLVM::CallIntrinsicOp::create(rewriter, loc, type,
                                         rewriter.getStringAttr(name),
                                         ValueRange{lhs, rhs})
        .getResult(0);
  };
  Value products;
  if (lanes <= 8) {
    products = pmadd(op.getLhs(), op.getRhs(), lanes);
  } else {
    // Two 256-bit halves of 16 i16 values each.
    auto half = [&](Value v, int32_t first) -> Value {
      SmallVector<int32_t> mask;
      for (int32_t i = 0; i < int32_t(lanes); ++i)
        mask.push_back(first + i);
      return LLVM::ShuffleVectorOp::create(rewriter, loc, v, v, mask);
    };
    Value low = pmadd(half(op.getLhs(), 0), half(op.getRhs(), 0), lanes / 2);
    Value high = pmadd(half(op.getLhs(), int32_t(lanes)),
                       half(op.getRhs(), int32_t(lanes)), lanes / 2);
    SmallVector<int32_t> both;
    for (int32_t i = 0; i < int32_t(lanes); ++i)
      both.push_back(i);
    products = LLVM::ShuffleVectorOp::create(rewriter, loc, low, high, both);
  }
  return LLVM::AddOp::create(rewriter, loc, op.getAcc(), products);
}

struct LowerCPUIntrinsicsPass
    : public mlir::lowbit::impl::LowerCPUIntrinsicsPassBase<
          LowerCPUIntrinsicsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<Operation *, std::string>> ops;
    getOperation()->walk([&](Operation *op) {
      std::string name = intrinsicName(op);
      if (!name.empty())
        ops.push_back({op, name});
    });
    IRRewriter rewriter(&getContext());
    SmallVector<DotI16Op> pairDots;
    getOperation()->walk([&](DotI16Op op) { pairDots.push_back(op); });
    for (DotI16Op op : pairDots) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lowerDotI16(rewriter, op));
    }
    for (auto &[op, name] : ops) {
      rewriter.setInsertionPoint(op);
      auto call = LLVM::CallIntrinsicOp::create(
          rewriter, op->getLoc(), op->getResultTypes().front(),
          rewriter.getStringAttr(name), op->getOperands());
      rewriter.replaceOp(op, call.getResults());
    }
  }
};

} // namespace
