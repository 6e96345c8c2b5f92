//===- PanelKernels.h - Outer-product CPU kernels --------------*- C++ -*-===//
//
// The register-tiled (outer-product) matmul kernels of lowbit-cpu-kernels,
// for weights repacked at compile time into column panels. See
// PanelKernels.cpp for the loop structure and the maths.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_PANELKERNELS_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_PANELKERNELS_H

#include "KernelSupport.h"

#include "mlir/IR/Builders.h"

namespace mlir::lowbit {

/// The register tile of a panel kernel: `rows` activation rows times a
/// panel of `vectors` x `lanes` output columns, one accumulator vector
/// each.
struct PanelShape {
  int64_t lanes;
  int64_t vectors;
  int64_t rows;
  bool fma;

  int64_t width() const { return lanes * vectors; }
};

/// The register tile for `lanes` f32 lanes and a weight of `n` columns:
/// panels of two vectors when n allows, else one; `rows` rows (0: as many as
/// the vector registers hold beside the panel: 12 with 16 lanes, AVX-512's 32
/// registers; 6 with fewer lanes, 16 registers). Fails (returns nullopt)
/// when n is not a multiple of `lanes`.
std::optional<PanelShape> choosePanelShape(int64_t lanes, int64_t n,
                                           int64_t rows, bool fma);

/// y = x @ W for f32 activations x [M, K] (M dynamic; bf16 with `bf16Pairs`)
/// and a constant weight W [K, N] given row-major as `weight` (f32 values):
/// packs W into column panels of `panelType` elements (a new dense_resource
/// constant; f32, or bf16 / f16 for a weight of that type, whose values it
/// holds exactly and which the kernel widens to f32 after each load) and emits
/// the kernel on tensors; returns y [M, N]. With `bf16Pairs` (a bf16 weight, x
/// in bf16, K even, 16 lanes: AVX512-BF16) the panels hold pairs of k that
/// lowbit.dot_bf16 multiplies by pairs of x.
Value buildFloatPanelKernel(OpBuilder &b, Location loc, Value x,
                            ArrayRef<float> weight, int64_t k, int64_t n,
                            const PanelShape &shape, FloatType panelType,
                            bool bf16Pairs = false);

/// y = f32(sum_k x[m, k] w[n, k]) * sx[m] * sw[n] (+ bias[n]) for a W8A8
/// lowbit.matmul with a constant weight (`in.weightCodes`, N a multiple
/// of `shape.lanes`, K of 4 * `shape.lanes`): packs the codes into panels
/// of 4-code groups for vpdpbusd (`vnni`, targets with VNNI), else of
/// 2-code groups for pmaddwd on codes sign-extended to i16
/// (lowbit.dot_i16; 4, 8 or 16 lanes), as a new dense_resource constant,
/// and emits the kernel; returns y [M, N].
Value buildIntPanelKernel(OpBuilder &b, Location loc, const IntKernelInputs &in,
                          const PanelShape &shape, bool vnni);

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_PANELKERNELS_H
