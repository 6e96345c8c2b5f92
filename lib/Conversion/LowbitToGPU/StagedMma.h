//===- StagedMma.h - the staged tensor-core kernel --------------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The entry points of the staged tensor-core kernels: the mma.sync one
// (StagedMma.cpp) and its sm_90a wgmma variant (WarpgroupDequantMma.cpp).
// lowbit-gpu-gemv uses the shape check and the host-emulation build that
// runs on tensors; the gpu.launch itself is built by lowbit-gpu-staged-mma,
// after bufferization.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMMA_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMMA_H

#include "KernelBuilding.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

#include <string>

namespace mlir::lowbit {

/// The staged kernel's operands, as buffers (and scalar parameters).
struct StagedMmaOperands {
  /// x [M, K] (f16), the weight bytes flat, y [M, N], bias [N] or null.
  Value x, codes, y, bias;
  KernelParam scale, zeroPoint;
  SchemeAttr scheme;
};

/// Why the staged kernel does not take an [M, K] x [N, K] product with
/// `activation` inputs and weights of `scheme`, or "" when it does.
std::string stagedMmaRejection(int64_t m, int64_t n, int64_t k, Type activation,
                               SchemeAttr scheme);

/// Builds the staged kernel's gpu.launch at the insertion point.
void buildStagedMmaLaunch(OpBuilder &b, Location loc,
                          const StagedMmaOperands &operands);

/// Test only: the staged kernel's phases as host loops (see StagedMma.cpp).
void buildStagedMmaHostEmulation(OpBuilder &b, Location loc,
                                 const StagedMmaOperands &operands);

/// Why the sm_90a wgmma variant cannot take a product (the staged kernel's
/// reasons, and M % 64, N % 128, K % 64), or "".
std::string warpgroupDequantRejection(int64_t m, int64_t n, int64_t k,
                                      Type activation, SchemeAttr scheme);

/// The wgmma variant's gpu.launch (129 KiB at most of dynamic shared
/// memory; see WarpgroupDequantMma.cpp).
void buildWarpgroupDequantLaunch(OpBuilder &b, Location loc,
                                 const StagedMmaOperands &operands);

/// Test only: the wgmma variant's computation as host loops.
void buildWarpgroupDequantHostEmulation(OpBuilder &b, Location loc,
                                        const StagedMmaOperands &operands);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMMA_H
