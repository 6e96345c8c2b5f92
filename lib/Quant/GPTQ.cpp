//===- GPTQ.cpp - Hessian-aware weight quantization (GPTQ, AWQ) -----------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// GPTQ, with H = X^T X + lambda I and U the upper Cholesky factor of H^-1
// (H^-1 = U^T U), quantizes column c of each weight row w as
//
//   q_c = Q(w_c),   e_c = (w_c - q_c) / U_cc,   w_j -= e_c U_cj  (j > c),
//
// which is the optimal-brain-surgeon update of the remaining columns with
// the inverse Hessian restricted to them (its Cholesky rows are exactly
// those restrictions). The update of columns in later blocks is deferred
// and applied once per block (the "lazy batch" of the paper). The factor 2
// of the paper's H = 2 X^T X cancels (e scales with U_cc^-1, the update with
// U_cj) and so does any scaling of X, so H = X^T X is used as given.
//
// Rows of W are independent (every scale belongs to one row, or to the
// whole tensor and is fixed up front), so chunks of rows run on separate
// threads. The three O(k^3)-class steps (Cholesky, triangular inverse, the
// lazy updates) are cache-blocked products in one kernel, subtractProduct,
// which keeps every element's summation order: the result is bitwise that
// of the column-at-a-time loops, for any thread count.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/GPTQ.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <sstream>
#include <thread>

using namespace lowbit::quant;

//===----------------------------------------------------------------------===//
// Shared checks and helpers
//===----------------------------------------------------------------------===//

/// Checks that `scheme` is one GPTQ/AWQ can honour on an [N, K] weight.
static bool checkScheme(const std::vector<int64_t> &shape, const Scheme &scheme,
                        const char *method, std::string &error) {
  if (shape.size() != 2) {
    error = std::string(method) + ": the weight must be 2-D [N, K], got rank " +
            std::to_string(shape.size());
    return false;
  }
  std::string bad = validateScheme(shape, scheme);
  if (!bad.empty()) {
    error = std::string(method) + ": " + bad;
    return false;
  }
  if ((scheme.granularity == Granularity::Axis && scheme.axis != 0) ||
      (scheme.granularity == Granularity::Group && scheme.axis != 1)) {
    error = std::string(method) +
            ": scales must be per output row (axis 0) or groups along K "
            "(axis 1), got axis " +
            std::to_string(scheme.axis);
    return false;
  }
  return true;
}

/// The scheme quantize() uses on an [R, C] slice to get one scale per row.
static Scheme rowScheme(const Scheme &scheme) {
  Scheme row = scheme;
  row.granularity = Granularity::Axis;
  row.axis = 0;
  row.groupSize = 0;
  return row;
}

/// Columns that share a scale within a row: G, K (per row) or K (tensor).
static int64_t columnsPerScale(const Scheme &scheme, int64_t k) {
  return scheme.granularity == Granularity::Group ? scheme.groupSize : k;
}

static bool allFinite(const double *data, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(data[i]))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Threads and the blocked product kernel
//===----------------------------------------------------------------------===//

/// The thread count to use: `requested`, or the hardware's when 0.
static int threadCount(int requested) {
  if (requested > 0)
    return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Runs body(t) for t in [0, tasks) on up to `threads` threads (the calling
/// one included), handing tasks out in increasing order. Tasks must be
/// independent; results do not depend on the thread count.
template <typename Body>
static void parallelFor(int64_t tasks, int threads, Body &&body) {
  const int64_t workers = std::min<int64_t>(threads, tasks);
  if (workers <= 1) {
    for (int64_t t = 0; t < tasks; ++t)
      body(t);
    return;
  }
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t t = next.fetch_add(1); t < tasks; t = next.fetch_add(1))
      body(t);
  };
  std::vector<std::thread> pool;
  for (int64_t i = 1; i < workers; ++i)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
}

/// c[i, j] -= sum_m a[i, m] b[m, j] for i < rows, j in [j0, j1), m < depth,
/// one element at a time, m ascending.
static inline void subtractProductEdge(int64_t rows, int64_t depth, int64_t j0,
                                       int64_t j1, const double *__restrict a,
                                       int64_t lda, const double *__restrict b,
                                       int64_t ldb, double *__restrict c,
                                       int64_t ldc) {
  for (int64_t i = 0; i < rows; ++i) {
    double *__restrict ci = c + i * ldc;
    for (int64_t m = 0; m < depth; ++m) {
      const double am = a[i * lda + m];
      const double *__restrict bm = b + m * ldb;
      for (int64_t j = j0; j < j1; ++j)
        ci[j] -= am * bm[j];
    }
  }
}

/// A 4 x 8 tile of c kept in registers over the whole depth: eight
/// accumulators per b row loaded, so the loop is bound by arithmetic, not
/// by loads and stores. Same operation order per element as the edge loop.
__attribute__((always_inline)) static inline void
subtractProduct4x8(int64_t depth, const double *__restrict a, int64_t lda,
                   const double *__restrict b, int64_t ldb,
                   double *__restrict c, int64_t ldc) {
  double acc[4][8];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j)
      acc[i][j] = c[i * ldc + j];
  for (int64_t m = 0; m < depth; ++m) {
    const double *__restrict bm = b + m * ldb;
    for (int i = 0; i < 4; ++i) {
      const double am = a[i * lda + m];
      for (int j = 0; j < 8; ++j)
        acc[i][j] -= am * bm[j];
    }
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j)
      c[i * ldc + j] = acc[i][j];
}

/// c[i, j] -= sum_{m < depth} a[i, m] b[m, j] for i < rows and j in [j0, j1)
/// (row-major, leading dimensions lda/ldb/ldc; c and b indexed by the
/// absolute j). Every element is updated in the order m = 0, 1, ..., with a
/// separate multiply and subtract, so the result is bitwise that of the
/// naive loop whatever the tiling and whichever clone runs (the AVX2 clone
/// has no FMA). Columns and depth are tiled so that a 256 x 256 slab of b
/// (512 KiB) stays in L2 while every row of c passes over it.
__attribute__((target_clones("avx2", "default"))) static void
subtractProduct(int64_t rows, int64_t depth, int64_t j0, int64_t j1,
                const double *a, int64_t lda, const double *b, int64_t ldb,
                double *c, int64_t ldc) {
  constexpr int64_t tileN = 256, tileM = 256;
  for (int64_t jt = j0; jt < j1; jt += tileN) {
    const int64_t je = std::min(jt + tileN, j1);
    // Depth slabs in ascending order keep each element's order m = 0, 1, ...
    for (int64_t mt = 0; mt < depth; mt += tileM) {
      const int64_t dm = std::min(tileM, depth - mt);
      const double *am = a + mt;
      const double *bm = b + mt * ldb;
      int64_t i = 0;
      for (; i + 4 <= rows; i += 4) {
        int64_t j = jt;
        for (; j + 8 <= je; j += 8)
          subtractProduct4x8(dm, am + i * lda, lda, bm + j, ldb,
                             c + i * ldc + j, ldc);
        subtractProductEdge(4, dm, j, je, am + i * lda, lda, bm, ldb,
                            c + i * ldc, ldc);
      }
      subtractProductEdge(rows - i, dm, jt, je, am + i * lda, lda, bm, ldb,
                          c + i * ldc, ldc);
    }
  }
}

//===----------------------------------------------------------------------===//
// Blocked Cholesky and triangular inverse
//===----------------------------------------------------------------------===//

/// Rows (and columns) per block of the factorizations.
static constexpr int64_t kFactorBlock = 64;

/// Lower Cholesky factor of the SPD `a` ([k, k]) in place; the strict upper
/// triangle is zeroed. False when a pivot is not positive relative to its
/// original diagonal entry (or not finite).
///
/// Right-looking and blocked: factor a 64-column diagonal block, solve the
/// panel below it against that block, then subtract panel x panel^T from the
/// trailing lower triangle with subtractProduct (the O(k^3) part, rows in
/// parallel). The panel is packed transposed so that the product's inner
/// loop runs along contiguous memory.
static bool choleskyLower(std::vector<double> &a, int64_t k, int threads) {
  const int64_t nb = kFactorBlock;
  std::vector<double> diag(k);
  for (int64_t i = 0; i < k; ++i)
    diag[i] = a[i * k + i];
  std::vector<double> panel(nb * k); // panel[m, j] = L[j, kb + m]
  for (int64_t kb = 0; kb < k; kb += nb) {
    const int64_t e = std::min(kb + nb, k);
    for (int64_t i = kb; i < e; ++i) {
      double *ri = &a[i * k];
      for (int64_t j = kb; j <= i; ++j) {
        const double *rj = &a[j * k];
        double s = ri[j];
        for (int64_t m = kb; m < j; ++m)
          s -= ri[m] * rj[m];
        if (i == j) {
          // A pivot that lost all but rounding noise of the diagonal means
          // H is numerically singular: fail so that the caller damps more.
          if (!(s > 1e-10 * diag[i]) || !std::isfinite(s))
            return false;
          ri[i] = std::sqrt(s);
        } else {
          ri[j] = s / rj[j];
        }
      }
    }
    if (e == k)
      break;
    const int64_t tasks = (k - e + nb - 1) / nb;
    parallelFor(tasks, threads, [&](int64_t t) {
      for (int64_t i = e + t * nb, ie = std::min(i + nb, k); i < ie; ++i) {
        double *ri = &a[i * k];
        for (int64_t j = kb; j < e; ++j) {
          const double *rj = &a[j * k];
          double s = ri[j];
          for (int64_t m = kb; m < j; ++m)
            s -= ri[m] * rj[m];
          ri[j] = s / rj[j];
          panel[(j - kb) * k + i] = ri[j];
        }
      }
    });
    // Trailing rows [i0, i1): columns [e, i1) (the few above the diagonal
    // are scratch, zeroed at the end). Longest rows first.
    parallelFor(tasks, threads, [&](int64_t t) {
      const int64_t i0 = e + (tasks - 1 - t) * nb, i1 = std::min(i0 + nb, k);
      subtractProduct(i1 - i0, e - kb, e, i1, &a[i0 * k + kb], k, panel.data(),
                      k, &a[i0 * k], k);
    });
  }
  for (int64_t i = 0; i < k; ++i)
    std::fill(&a[i * k + i + 1], &a[i * k] + k, 0.0);
  return true;
}

/// X = L^-1 for the lower `l` ([k, k]), zero above the diagonal. Row i is
/// (e_i - sum_{m<i} L_im row_m(X)) / L_ii. Columns of X are independent, so
/// each task computes a 128-column strip (only rows >= its first column are
/// non-zero); within a strip, rows come in 64-row blocks whose dependence on
/// all earlier blocks is one subtractProduct, and on their own block a short
/// forward substitution. Per element the terms are subtracted in the order
/// m = 0, 1, ..., as in the row-by-row recurrence.
static void invertLower(const std::vector<double> &l, int64_t k,
                        std::vector<double> &x, int threads) {
  const int64_t nb = kFactorBlock, strip = 2 * kFactorBlock;
  x.assign(k * k, 0.0);
  parallelFor((k + strip - 1) / strip, threads, [&](int64_t t) {
    const int64_t c0 = t * strip, c1 = std::min(c0 + strip, k);
    for (int64_t ib = c0; ib < k; ib += nb) {
      const int64_t ie = std::min(ib + nb, k);
      for (int64_t mb = c0; mb < ib; mb += nb) {
        const int64_t me = std::min(mb + nb, ib);
        subtractProduct(ie - ib, me - mb, c0, std::min(me, c1), &l[ib * k + mb],
                        k, &x[mb * k], k, &x[ib * k], k);
      }
      for (int64_t i = ib; i < ie; ++i) {
        double *__restrict xi = &x[i * k];
        if (i >= c0 && i < c1)
          xi[i] += 1.0;
        for (int64_t m = ib; m < i; ++m) {
          const double lim = l[i * k + m];
          const double *__restrict xm = &x[m * k];
          for (int64_t j = c0, je = std::min(m + 1, c1); j < je; ++j)
            xi[j] -= lim * xm[j];
        }
        const double inv = 1.0 / l[i * k + i];
        for (int64_t j = c0, je = std::min(i + 1, c1); j < je; ++j)
          xi[j] *= inv;
      }
    }
  });
}

/// The upper U with H^-1 = U^T U. With P the reversal permutation and
/// P H P = L L^T, H^-1 = P L^-T L^-1 P = U^T U for U = P L^-1 P (upper, as
/// L^-1 is lower): one Cholesky and one triangular inverse.
static bool upperCholeskyOfInverse(const std::vector<double> &h, int64_t k,
                                   std::vector<double> &u, int threads) {
  std::vector<double> l(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      l[i * k + j] = h[(k - 1 - i) * k + (k - 1 - j)];
  if (!choleskyLower(l, k, threads))
    return false;
  std::vector<double> x;
  invertLower(l, k, x, threads);
  l = std::vector<double>();
  u.assign(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j)
      u[i * k + j] = x[(k - 1 - i) * k + (k - 1 - j)];
  for (int64_t i = 0; i < k; ++i)
    if (!(u[i * k + i] > 0.0) || !std::isfinite(u[i * k + i]))
      return false;
  return allFinite(u.data(), k * k);
}

//===----------------------------------------------------------------------===//
// GPTQ
//===----------------------------------------------------------------------===//

bool lowbit::quant::quantizeGPTQ(const float *weight,
                                 const std::vector<int64_t> &shape,
                                 const Scheme &scheme, const double *hessian,
                                 const GPTQOptions &options,
                                 QuantizedTensor &out, std::string &error,
                                 GPTQReport *report) {
  out = QuantizedTensor();
  if (!checkScheme(shape, scheme, "gptq", error))
    return false;
  if (!(options.dampPercent >= 0.0) || !std::isfinite(options.dampPercent) ||
      options.blockSize <= 0 || options.maxDampingRetries < 0 ||
      options.threads < 0) {
    error = "gptq: invalid options: damp-percent must be finite and >= 0, "
            "block-size positive and threads >= 0";
    return false;
  }
  const int64_t n = shape[0], k = shape[1];
  for (int64_t i = 0; i < n * k; ++i)
    if (!std::isfinite(weight[i])) {
      error = "gptq: weight element " + std::to_string(i) + " is not finite";
      return false;
    }
  if (!allFinite(hessian, k * k)) {
    error = "gptq: the Gram matrix has a non-finite entry";
    return false;
  }
  GPTQReport local;
  GPTQReport &rep = report ? *report : local;
  rep = GPTQReport();
  const bool grouped = scheme.granularity == Granularity::Group;
  const int64_t groupSize = columnsPerScale(scheme, k);
  const int64_t numGroups = k / groupSize;
  const bool staticGroups =
      options.staticGroups || (options.actOrder && grouped);
  rep.staticGroupsImplied = staticGroups && !options.staticGroups;
  const int threads = threadCount(options.threads);
  const bool affine = isIntegerFormat(scheme.format) && !scheme.symmetric;

  // Dead input channels: nothing to preserve, so their weight is dropped
  // and H_kk = 1 keeps H invertible.
  std::vector<double> h(hessian, hessian + k * k);
  std::vector<float> w0(weight, weight + n * k);
  for (int64_t c = 0; c < k; ++c) {
    if (h[c * k + c] < 0.0) {
      error = "gptq: the Gram matrix has a negative diagonal entry at " +
              std::to_string(c);
      return false;
    }
    if (h[c * k + c] != 0.0)
      continue;
    ++rep.deadColumns;
    h[c * k + c] = 1.0;
    for (int64_t r = 0; r < n; ++r)
      w0[r * k + c] = 0.0f;
  }

  // Scales fixed up front: the whole tensor, one per row, or static groups,
  // all from the original weight. `scales`/`zeros` are [n, numGroups] for
  // groups, [n] per row, [1] per tensor.
  std::vector<float> scales;
  std::vector<int32_t> zeros;
  if (!grouped || staticGroups) {
    QuantizedTensor rtn;
    if (!quantize(w0.data(), shape, scheme, rtn, error)) {
      error = "gptq: " + error;
      return false;
    }
    scales = rtn.scales;
    zeros = affine ? rtn.zeroPoints : std::vector<int32_t>(scales.size(), 0);
  } else {
    scales.assign(n * numGroups, 0.0f);
    zeros.assign(n * numGroups, 0);
  }
  auto paramIndex = [&](int64_t row, int64_t column) -> int64_t {
    switch (scheme.granularity) {
    case Granularity::Tensor:
      return 0;
    case Granularity::Axis:
      return row;
    case Granularity::Group:
      return row * numGroups + column / groupSize;
    }
    return 0;
  };

  // Act-order: the most active input channels first, while the most
  // columns remain to absorb their error.
  std::vector<int64_t> perm(k);
  std::iota(perm.begin(), perm.end(), 0);
  if (options.actOrder)
    std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
      // Ties keep index order (std::stable_sort warns in libstdc++ 12).
      return h[a * k + a] > h[b * k + b] ||
             (h[a * k + a] == h[b * k + b] && a < b);
    });
  std::vector<double> hp(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      hp[i * k + j] = h[perm[i] * k + perm[j]];

  double meanDiag = 0.0;
  for (int64_t i = 0; i < k; ++i)
    meanDiag += hp[i * k + i];
  meanDiag /= double(k);
  double damp = options.dampPercent * meanDiag;
  std::vector<double> u;
  for (int attempt = 0;; ++attempt) {
    std::vector<double> damped = hp;
    for (int64_t i = 0; i < k; ++i)
      damped[i * k + i] += damp;
    if (upperCholeskyOfInverse(damped, k, u, threads))
      break;
    if (attempt == options.maxDampingRetries) {
      std::ostringstream os;
      os << "gptq: Cholesky of the damped Gram matrix failed " << attempt + 1
         << " times (last damping " << damp
         << "); the calibration data may be degenerate";
      error = os.str();
      return false;
    }
    damp = damp > 0.0 ? damp * 10.0 : 1e-4 * meanDiag;
    ++rep.dampingRetries;
  }
  rep.damping = damp;

  // A block holds whole groups so that a group's scale is taken from
  // weights that have received every earlier column's update.
  int64_t block = options.blockSize;
  if (grouped)
    block = (block + groupSize - 1) / groupSize * groupSize;

  // Rows are independent given U: chunks of 128 rows go to the threads.
  // Per chunk, every block's error e ([rows, block]) reaches the later
  // columns as one product w[:, i2:] -= e U[i1:i2, i2:] (subtractProduct),
  // which reuses each slab of U across the chunk's rows while it is in
  // cache. Per element the updates are applied in column order, as in the
  // column-at-a-time form, so the chunking and thread count do not change
  // a single bit of the result.
  out.codes.assign(n * k, 0);
  const int64_t chunk = 128;
  const int64_t numChunks = (n + chunk - 1) / chunk;
  std::vector<double> chunkLoss(numChunks, 0.0);
  std::vector<std::string> chunkError(numChunks);
  std::atomic<bool> failed{false};
  parallelFor(numChunks, threads, [&](int64_t t) {
    if (failed.load())
      return;
    const int64_t r0 = t * chunk;
    const int64_t rows = std::min(chunk, n - r0);
    std::vector<double> w(rows * k);
    std::vector<double> err(rows * block);
    std::vector<float> slice(rows * groupSize);
    double loss = 0.0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < k; ++c)
        w[r * k + c] = w0[(r0 + r) * k + perm[c]];
    for (int64_t i1 = 0; i1 < k; i1 += block) {
      const int64_t i2 = std::min(i1 + block, k);
      for (int64_t col = i1; col < i2; ++col) {
        if (grouped && !staticGroups && col % groupSize == 0) {
          // Dynamic group (identity permutation): scale from the updated
          // weights of this group, as quantize() would choose it.
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t g = 0; g < groupSize; ++g)
              slice[r * groupSize + g] = static_cast<float>(w[r * k + col + g]);
          QuantizedTensor part;
          if (!quantize(slice.data(), {rows, groupSize}, rowScheme(scheme),
                        part, chunkError[t])) {
            failed = true;
            return;
          }
          for (int64_t r = 0; r < rows; ++r) {
            scales[paramIndex(r0 + r, col)] = part.scales[r];
            zeros[paramIndex(r0 + r, col)] = affine ? part.zeroPoints[r] : 0;
          }
        }
        const int64_t orig = perm[col];
        const double *__restrict urow = &u[col * k];
        const double d = urow[col];
        for (int64_t r = 0; r < rows; ++r) {
          double *__restrict wr = &w[r * k];
          const int64_t p = paramIndex(r0 + r, orig);
          const int32_t q = encodeElement(static_cast<float>(wr[col]),
                                          scales[p], zeros[p], scheme.format);
          out.codes[(r0 + r) * k + orig] = q;
          const double dq =
              decodeElement(q, scales[p], zeros[p], scheme.format);
          const double e = (wr[col] - dq) / d;
          loss += e * e;
          err[r * block + (col - i1)] = e;
          for (int64_t j = col + 1; j < i2; ++j)
            wr[j] -= e * urow[j];
        }
      }
      // Lazy batch update of the columns after this block.
      if (i2 < k)
        subtractProduct(rows, i2 - i1, i2, k, err.data(), block, &u[i1 * k], k,
                        w.data(), k);
    }
    chunkLoss[t] = loss;
  });
  if (failed) {
    for (const std::string &e : chunkError)
      if (!e.empty()) {
        error = "gptq: " + e;
        break;
      }
    out = QuantizedTensor();
    return false;
  }
  for (double loss : chunkLoss)
    rep.proxyLoss += loss;
  out.scales = std::move(scales);
  if (affine)
    out.zeroPoints = std::move(zeros);
  out.scaleShape = scaleShape(shape, scheme);
  return true;
}

//===----------------------------------------------------------------------===//
// AWQ
//===----------------------------------------------------------------------===//

double lowbit::quant::outputError(const float *weight, const float *approx,
                                  int64_t n, int64_t k, const double *hessian) {
  // tr(E H E^T) = sum_r e_r . (H e_r): per chunk of rows, T = -E H as one
  // blocked product (H is symmetric, so its rows serve as columns), then
  // the row-wise dot products. Chunks run in parallel; their partial sums
  // are added in chunk order, so the result does not depend on threads.
  const int64_t chunk = 64;
  const int64_t numChunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(numChunks, 0.0);
  parallelFor(numChunks, threadCount(0), [&](int64_t t) {
    const int64_t r0 = t * chunk, rows = std::min(chunk, n - r0);
    std::vector<double> e(rows * k), prod(rows * k, 0.0);
    for (int64_t i = 0; i < rows * k; ++i)
      e[i] = double(weight[r0 * k + i]) - double(approx[r0 * k + i]);
    subtractProduct(rows, k, 0, k, e.data(), k, hessian, k, prod.data(), k);
    double total = 0.0;
    for (int64_t i = 0; i < rows * k; ++i)
      total -= e[i] * prod[i];
    partial[t] = total;
  });
  double total = 0.0;
  for (double p : partial)
    total += p;
  return total;
}

/// Dequantizes `q` (codes of W diag(s)) and divides column c by s_c.
static std::vector<float> unscaledDequant(const QuantizedTensor &q,
                                          const std::vector<int64_t> &shape,
                                          const Scheme &scheme,
                                          const std::vector<float> &s) {
  std::vector<float> dq(q.codes.size());
  dequantize(q, shape, scheme, dq.data());
  const int64_t k = shape[1];
  for (size_t i = 0; i < dq.size(); ++i)
    dq[i] /= s[i % k];
  return dq;
}

bool lowbit::quant::quantizeAWQ(const float *weight,
                                const std::vector<int64_t> &shape,
                                const Scheme &scheme, const double *hessian,
                                const AWQOptions &options, QuantizedTensor &out,
                                std::vector<float> &inputScales,
                                std::string &error, AWQReport *report) {
  out = QuantizedTensor();
  inputScales.clear();
  if (!checkScheme(shape, scheme, "awq", error))
    return false;
  if (options.gridSize <= 0 || options.rows <= 0) {
    error = "awq: invalid options: grid size and rows must be positive";
    return false;
  }
  const int64_t n = shape[0], k = shape[1];
  if (!allFinite(hessian, k * k)) {
    error = "awq: the Gram matrix has a non-finite entry";
    return false;
  }
  AWQReport local;
  AWQReport &rep = report ? *report : local;
  rep = AWQReport();

  // mean|X_k| estimated by the RMS sqrt(H_kk / rows).
  std::vector<double> act(k);
  for (int64_t c = 0; c < k; ++c)
    act[c] =
        std::sqrt(std::max(hessian[c * k + c], 0.0) / double(options.rows));

  std::vector<float> scaled(n * k);
  auto makeScales = [&](double alpha) {
    std::vector<double> s(k, 1.0);
    double lo = INFINITY, hi = 0.0;
    for (int64_t c = 0; c < k; ++c) {
      if (act[c] == 0.0)
        continue;
      s[c] = std::max(std::pow(act[c], alpha), 1e-4);
      lo = std::min(lo, s[c]);
      hi = std::max(hi, s[c]);
    }
    const double norm = hi > 0.0 ? std::sqrt(lo * hi) : 1.0;
    std::vector<float> result(k);
    for (int64_t c = 0; c < k; ++c)
      result[c] = act[c] == 0.0 ? 1.0f : static_cast<float>(s[c] / norm);
    return result;
  };
  auto scaleWeight = [&](const std::vector<float> &s) {
    for (int64_t i = 0; i < n * k; ++i)
      scaled[i] = weight[i] * s[i % k];
  };

  double bestError = INFINITY;
  double bestAlpha = 0.0;
  for (int step = 0; step < options.gridSize; ++step) {
    const double alpha = double(step) / options.gridSize;
    std::vector<float> s = makeScales(alpha);
    scaleWeight(s);
    QuantizedTensor q;
    if (!quantize(scaled.data(), shape, scheme, q, error)) {
      error = "awq: " + error;
      return false;
    }
    std::vector<float> dq = unscaledDequant(q, shape, scheme, s);
    const double e = outputError(weight, dq.data(), n, k, hessian);
    rep.errors.push_back(e);
    if (e < bestError) {
      bestError = e;
      bestAlpha = alpha;
    }
  }
  rep.alpha = bestAlpha;
  inputScales = makeScales(bestAlpha);
  scaleWeight(inputScales);
  if (!quantize(scaled.data(), shape, scheme, out, error)) {
    error = "awq: " + error;
    return false;
  }
  rep.error = bestError;
  if (!options.clipSearch || scheme.granularity == Granularity::Tensor)
    return true;

  // Clip search: per (row, group) the ratio in {1, 0.975, ..., 0.5} with the
  // smallest e_g^T H_gg e_g (the group's own output error; cross-group
  // terms couple rows' groups and are left out, as in AWQ).
  const int64_t g = columnsPerScale(scheme, k);
  const int64_t numGroups = k / g;
  const bool affine = isIntegerFormat(scheme.format) && !scheme.symmetric;
  std::vector<double> best(n * numGroups, INFINITY);
  std::vector<float> slice(n * g);
  for (int64_t grp = 0; grp < numGroups; ++grp) {
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < g; ++c)
        slice[r * g + c] = scaled[r * k + grp * g + c];
    for (int step = 0; step <= 20; ++step) {
      Scheme clipped = rowScheme(scheme);
      clipped.clipRatio = static_cast<float>(1.0 - 0.5 * step / 20.0);
      QuantizedTensor part;
      if (!quantize(slice.data(), {n, g}, clipped, part, error))
        continue; // A scale overflowing the scale type: skip the ratio.
      std::vector<double> e(g);
      for (int64_t r = 0; r < n; ++r) {
        for (int64_t c = 0; c < g; ++c) {
          const int64_t col = grp * g + c;
          const float dq =
              decodeElement(part.codes[r * g + c], part.scales[r],
                            affine ? part.zeroPoints[r] : 0, scheme.format);
          e[c] = double(weight[r * k + col]) - double(dq / inputScales[col]);
        }
        double total = 0.0;
        for (int64_t i = 0; i < g; ++i)
          for (int64_t j = 0; j < g; ++j)
            total += e[i] * hessian[(grp * g + i) * k + grp * g + j] * e[j];
        const int64_t p = r * numGroups + grp;
        if (total < best[p]) {
          best[p] = total;
          out.scales[p] = part.scales[r];
          if (affine)
            out.zeroPoints[p] = part.zeroPoints[r];
          for (int64_t c = 0; c < g; ++c)
            out.codes[r * k + grp * g + c] = part.codes[r * g + c];
        }
      }
    }
  }
  std::vector<float> dq = unscaledDequant(out, shape, scheme, inputScales);
  rep.error = outputError(weight, dq.data(), n, k, hessian);
  return true;
}
