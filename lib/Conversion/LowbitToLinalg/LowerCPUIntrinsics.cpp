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

struct LowerCPUIntrinsicsPass
    : public mlir::lowbit::impl::LowerCPUIntrinsicsPassBase<
          LowerCPUIntrinsicsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<DotBF16Op> bf16Ops;
    getOperation()->walk([&](DotBF16Op op) { bf16Ops.push_back(op); });
    for (DotBF16Op op : bf16Ops) {
      rewriter.setInsertionPoint(op);
      int64_t bits = 32 * op.getAcc().getType().getNumElements();
      std::string name = "llvm.x86.avx512bf16.dpbf16ps." + std::to_string(bits);
      auto call = LLVM::CallIntrinsicOp::create(
          rewriter, op.getLoc(), op.getType(), rewriter.getStringAttr(name),
          ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
      rewriter.replaceOp(op, call.getResults());
    }
    SmallVector<Permute16Op> permutes;
    getOperation()->walk([&](Permute16Op op) { permutes.push_back(op); });
    for (Permute16Op op : permutes) {
      rewriter.setInsertionPoint(op);
      auto call = LLVM::CallIntrinsicOp::create(
          rewriter, op.getLoc(), op.getType(),
          rewriter.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
          ValueRange{op.getTable(), op.getIndices()});
      rewriter.replaceOp(op, call.getResults());
    }
    SmallVector<DotU8S8Op> ops;
    getOperation()->walk([&](DotU8S8Op op) { ops.push_back(op); });
    for (DotU8S8Op op : ops) {
      rewriter.setInsertionPoint(op);
      int64_t bits = 32 * op.getAcc().getType().getNumElements();
      std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(bits);
      auto call = LLVM::CallIntrinsicOp::create(
          rewriter, op.getLoc(), op.getType(), rewriter.getStringAttr(name),
          ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
      rewriter.replaceOp(op, call.getResults());
    }
  }
};

} // namespace
