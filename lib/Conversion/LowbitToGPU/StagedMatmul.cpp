//===- StagedMatmul.cpp - lowbit-gpu-staged-matmul ------------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Replaces each lowbit.staged_matmul (left by lowbit-gpu-quant-matmul, on
// device buffers after lowbit-gpu-device-buffers) by its staged kernel:
//
//   lowbit.staged_matmul %a, %w into %y lhs(...) rhs(...) {warpgroup}
//   -> tensor maps + gpu.launch of the TMA + wgmma kernel (WarpgroupMma.cpp)
//   lowbit.staged_matmul %a, %w into %y lhs(...) rhs(...)
//   -> gpu.launch of the cp.async + ldmatrix + mma.sync kernel
//      (StagedQuantMma.cpp)
//
// The plan of the computation comes from the op; both kernels multiply u8
// and s8 codes as they are.
//
//===----------------------------------------------------------------------===//

#include "StagedMatmul.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUSTAGEDMATMULPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// The plan of `op` for its kernel, or why the kernel cannot run it.
std::string planStagedMatmul(StagedMatmulOp op, QuantMatmulPlan &plan) {
  MemRefType lhs = op.getLhs().getType(), y = op.getResult().getType();
  plan.m = lhs.getDimSize(0);
  plan.k = lhs.getDimSize(1);
  plan.n = y.getDimSize(1);
  bool warpgroup = op.getWarpgroup();
  std::string shape = warpgroup
                          ? warpgroupMatmulRejection(plan.m, plan.n, plan.k)
                          : stagedQuantMatmulRejection(plan.m, plan.n, plan.k);
  if (!shape.empty())
    return shape;
  plan.blockK = plan.k;
  plan.blocks = 1;
  plan.lhsFormat = op.getLhsScheme().getFormat();
  plan.rhsFormat = op.getRhsScheme().getFormat();
  plan.fp8 = isFp8StorageFormat(plan.lhsFormat);
  if (plan.fp8 != isFp8StorageFormat(plan.rhsFormat))
    return "needs FP8 x FP8 or integer x integer codes";
  plan.needColSums = bool(op.getLhsZeroPoints());
  plan.result = y.getElementType();
  if (SchemeAttr result = op.getResultSchemeAttr()) {
    plan.requantize = true;
    plan.resultAffine = !result.getSymmetric();
    plan.resultMin = result.getCodeMin();
    plan.resultMax = result.getCodeMax();
    if (plan.resultAffine != bool(op.getResultZeroPoints()))
      return "requantize zero_points do not match the result scheme";
  }
  return "";
}

struct GPUStagedMatmulPass
    : public mlir::lowbit::impl::GPUStagedMatmulPassBase<GPUStagedMatmulPass> {
  using GPUStagedMatmulPassBase::GPUStagedMatmulPassBase;

  void runOnOperation() override {
    SmallVector<StagedMatmulOp> ops;
    getOperation().walk([&](StagedMatmulOp op) { ops.push_back(op); });
    for (StagedMatmulOp op : ops) {
      QuantMatmulPlan plan;
      std::string reason = planStagedMatmul(op, plan);
      if (!reason.empty()) {
        op.emitError("lowbit-gpu-staged-matmul: ") << reason;
        return signalPassFailure();
      }
      QuantMatmulHost host;
      host.lhs = op.getLhs();
      host.rhs = op.getRhs();
      host.bias = op.getBias();
      host.lhsScale = makeQuantMatmulParam(op.getLhsScales(), plan.m);
      host.lhsZeroPoint = makeQuantMatmulParam(op.getLhsZeroPoints(), plan.m);
      host.rhsScale = makeQuantMatmulParam(op.getRhsScales(), plan.n);
      host.colSums = makeQuantMatmulParam(op.getColSums(), plan.n);
      host.resultScale = makeQuantMatmulParam(op.getResultScales(), plan.n);
      host.resultZeroPoint =
          makeQuantMatmulParam(op.getResultZeroPoints(), plan.n);
      OpBuilder b(op);
      if (op.getWarpgroup())
        buildWarpgroupMatmul(b, op.getLoc(), plan, host, op.getResult(),
                             hostEmulation);
      else
        buildStagedQuantMatmul(b, op.getLoc(), plan, host, op.getResult(),
                               hostEmulation);
      op.erase();
    }
  }
};

} // namespace
