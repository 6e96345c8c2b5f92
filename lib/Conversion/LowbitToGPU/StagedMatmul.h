//===- StagedMatmul.h - the staged kernels of lowbit.staged_matmul -*- C++
//-*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The two kernels lowbit-gpu-staged-matmul builds for a
// lowbit.staged_matmul: the sm_90a TMA + wgmma one (WarpgroupMma.cpp) when
// the op is marked `warpgroup`, else the cp.async + ldmatrix + mma.sync one
// (StagedQuantMma.cpp). Both take the plan and the kernel parameters of
// QuantMatmulEpilogue.h and write y.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMATMUL_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMATMUL_H

#include "QuantMatmulEpilogue.h"

#include <string>

namespace mlir::lowbit {

/// Why the wgmma kernel cannot take an [M, K] x [N, K] product, or "".
std::string warpgroupMatmulRejection(int64_t m, int64_t n, int64_t k);

/// The TMA + wgmma kernel (or, `emulate`, its computation in host loops).
void buildWarpgroupMatmul(OpBuilder &b, Location loc,
                          const QuantMatmulPlan &plan,
                          const QuantMatmulHost &host, Value y, bool emulate);

/// Why the staged mma.sync kernel cannot take an [M, K] x [N, K] product,
/// or "".
std::string stagedQuantMatmulRejection(int64_t m, int64_t n, int64_t k);

/// The staged mma.sync kernel (or, `emulate`, its computation in host
/// loops).
void buildStagedQuantMatmul(OpBuilder &b, Location loc,
                            const QuantMatmulPlan &plan,
                            const QuantMatmulHost &host, Value y, bool emulate);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_STAGEDMATMUL_H
