//===- GPTQ.h - Hessian-aware weight quantization (GPTQ, AWQ) ---*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Two post-training weight quantizers that use calibration statistics of the
// matmul's input X ([rows, K]) through its Gram matrix H = X^T X ([K, K]):
//
//  - GPTQ (Frantar et al., 2022): quantizes W ([N, K]) column by column and
//    moves each column's rounding error onto the columns not yet quantized,
//    weighted by the Cholesky factor of H^-1, so that the output error
//    ||X W^T - X Q^T||^2 rather than ||W - Q||^2 is minimised.
//  - AWQ (Lin et al., 2023): scales input channel k of W by s_k =
//    mean|X_k|^alpha before round-to-nearest, choosing alpha on a grid by the
//    same H-weighted output error; the activation must then be divided by s.
//
// Both produce the codes and scales of the Scheme exactly as quantize()
// would store them (same scale rounding, same zero points), so dequantize()
// and every kernel read them unchanged. Plain C++17, no MLIR.
// docs/passes/gptq-awq.md gives the maths and the measured accuracy.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANT_GPTQ_H
#define LOWBIT_QUANT_GPTQ_H

#include "lowbit/Quant/Quantizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::quant {

//===----------------------------------------------------------------------===//
// GPTQ
//===----------------------------------------------------------------------===//

/// Options of quantizeGPTQ().
struct GPTQOptions {
  /// Damping added to the diagonal of H, as a fraction of mean(diag(H)).
  /// Must be >= 0; 0 still falls back to more damping if Cholesky fails.
  double dampPercent = 0.01;
  /// Columns per lazy batch update. Rounded up to a multiple of the group
  /// size so that no group straddles two blocks. Must be positive.
  int64_t blockSize = 128;
  /// Quantize columns in order of decreasing diag(H).
  bool actOrder = false;
  /// Compute every group's scale from the original weight before any error
  /// is propagated (instead of from the error-updated weight when the group
  /// starts). Implied by actOrder with group granularity: lowbit's groups
  /// are contiguous in K, so groups formed in the permuted order (the
  /// reference implementation's g_idx) cannot be stored.
  bool staticGroups = false;
  /// How many times Cholesky may fail (each time the damping is multiplied
  /// by 10) before quantizeGPTQ() gives up.
  int maxDampingRetries = 8;
  /// Threads for the factorization and for the rows of W (which are
  /// independent given H^-1); 0 means std::thread::hardware_concurrency().
  /// The result does not depend on it.
  int threads = 0;
};

/// What quantizeGPTQ() did, for reports and tests.
struct GPTQReport {
  /// The damping actually added to diag(H) (absolute, after retries).
  double damping = 0.0;
  /// Cholesky failures before one succeeded (0: the requested damping).
  int dampingRetries = 0;
  /// Input channels with H_kk = 0 (never active); their weights are zeroed.
  int64_t deadColumns = 0;
  /// True when static groups were used because actOrder asked for them.
  bool staticGroupsImplied = false;
  /// sum over rows of (w - q)^2 / U_kk^2, the GPTQ proxy loss.
  double proxyLoss = 0.0;
};

/// Quantizes `weight` ([N, K] row-major, `shape` = {N, K}) with GPTQ under
/// `scheme`, given `hessian` = X^T X ([K, K] row-major, symmetric, fp64) of
/// the calibration inputs. The scheme must be Tensor, Axis with axis 0 (one
/// scale per output row) or Group with axis 1; scales are chosen as
/// quantize() chooses them (range, clipRatio, scale-type rounding), per
/// group from the error-updated weight when the group starts (or from the
/// original weight with static groups).
///
/// Returns false and sets `error` for an invalid scheme or options,
/// non-finite inputs, or when Cholesky fails even after the damping
/// retries. On success `out` holds finite codes and scales.
bool quantizeGPTQ(const float *weight, const std::vector<int64_t> &shape,
                  const Scheme &scheme, const double *hessian,
                  const GPTQOptions &options, QuantizedTensor &out,
                  std::string &error, GPTQReport *report = nullptr);

//===----------------------------------------------------------------------===//
// AWQ
//===----------------------------------------------------------------------===//

/// Options of quantizeAWQ().
struct AWQOptions {
  /// Grid of alpha: 0, 1/gridSize, ..., (gridSize - 1)/gridSize (20 gives
  /// 0, 0.05, ..., 0.95). Must be positive.
  int gridSize = 20;
  /// Per group, also search a clipping ratio (1 down to 0.5 in 20 steps)
  /// minimising the H-weighted output error of that group.
  bool clipSearch = false;
  /// Rows of X behind `hessian`: mean|X_k| is estimated as sqrt(H_kk /
  /// rows) (the RMS, which bounds the mean). Must be positive.
  int64_t rows = 1;
};

/// What quantizeAWQ() chose.
struct AWQReport {
  /// The chosen alpha.
  double alpha = 0.0;
  /// The output error tr(E H E^T) of each alpha on the grid, in grid order.
  std::vector<double> errors;
  /// The error with the chosen alpha (after the clip search when enabled).
  double error = 0.0;
};

/// The H-weighted output error tr(E H E^T) = ||X E^T||^2 of E = W - Wq
/// ([N, K] row-major each, fp64 accumulation).
double outputError(const float *weight, const float *approx, int64_t n,
                   int64_t k, const double *hessian);

/// Quantizes `weight` ([N, K]) with AWQ: for each alpha on the grid, s_k =
/// (sqrt(H_kk / rows))^alpha normalised by sqrt(max(s) min(s)), quantizes
/// W diag(s) with quantize() and measures tr(E H E^T) for E = W -
/// dequant(Q(W diag(s))) diag(1/s); keeps the best alpha (the smallest on
/// ties). `out` receives the codes and scales of W diag(s) and
/// `inputScales` the K values s: the matmul's input must be multiplied by
/// 1/s. Dead channels (H_kk = 0) get s = 1. Same scheme rules as GPTQ.
bool quantizeAWQ(const float *weight, const std::vector<int64_t> &shape,
                 const Scheme &scheme, const double *hessian,
                 const AWQOptions &options, QuantizedTensor &out,
                 std::vector<float> &inputScales, std::string &error,
                 AWQReport *report = nullptr);

} // namespace lowbit::quant

#endif // LOWBIT_QUANT_GPTQ_H
