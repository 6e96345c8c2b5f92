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
// whole tensor and is fixed up front), so rows are processed in chunks that
// share each row of U while it is in cache.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/GPTQ.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

using namespace lowbit::quant;

//===----------------------------------------------------------------------===//
// Element codec with a given scale (as quantize() encodes)
//===----------------------------------------------------------------------===//

static int32_t encodeWith(float value, float scale, int32_t zeroPoint,
                          StorageFormat format) {
  const float scaled = value / scale;
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4: {
    const double code = static_cast<double>(std::nearbyint(scaled)) + zeroPoint;
    return static_cast<int32_t>(
        std::clamp(code, double(codeMin(format)), double(codeMax(format))));
  }
  case StorageFormat::NF4:
    return encodeNF4(scaled);
  case StorageFormat::FP4E2M1:
    return encodeFP4E2M1(scaled);
  case StorageFormat::F8E4M3FN:
    return encodeFP8E4M3FN(scaled);
  case StorageFormat::F8E5M2:
    return encodeFP8E5M2(scaled);
  }
  return 0;
}

static float decodeWith(int32_t code, float scale, int32_t zeroPoint,
                        StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4:
    return static_cast<float>(code - zeroPoint) * scale;
  case StorageFormat::NF4:
    return scale * decodeNF4(static_cast<uint8_t>(code));
  case StorageFormat::FP4E2M1:
    return scale * decodeFP4E2M1(static_cast<uint8_t>(code));
  case StorageFormat::F8E4M3FN:
    return scale * decodeFP8E4M3FN(static_cast<uint8_t>(code));
  case StorageFormat::F8E5M2:
    return scale * decodeFP8E5M2(static_cast<uint8_t>(code));
  }
  return 0.0f;
}

//===----------------------------------------------------------------------===//
// Shared checks and helpers
//===----------------------------------------------------------------------===//

/// Checks that `scheme` is one GPTQ/AWQ can honour on an [N, K] weight.
static bool checkScheme(const std::vector<int64_t> &shape,
                        const Scheme &scheme, const char *method,
                        std::string &error) {
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

/// Lower Cholesky factor of the SPD `a` ([k, k]) in place; the strict upper
/// triangle is zeroed. False when a pivot is not positive relative to its
/// diagonal entry (or not finite).
static bool choleskyLower(std::vector<double> &a, int64_t k) {
  for (int64_t i = 0; i < k; ++i) {
    double *ri = &a[i * k];
    for (int64_t j = 0; j <= i; ++j) {
      const double *rj = &a[j * k];
      // Four partial sums so the dot product vectorises.
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int64_t m = 0;
      for (; m + 4 <= j; m += 4) {
        s0 += ri[m] * rj[m];
        s1 += ri[m + 1] * rj[m + 1];
        s2 += ri[m + 2] * rj[m + 2];
        s3 += ri[m + 3] * rj[m + 3];
      }
      for (; m < j; ++m)
        s0 += ri[m] * rj[m];
      double s = ri[j] - ((s0 + s1) + (s2 + s3));
      if (i == j) {
        // A pivot that lost all but rounding noise of the diagonal means H
        // is numerically singular: fail so that the caller damps more.
        if (!(s > 1e-10 * ri[i]) || !std::isfinite(s))
          return false;
        ri[i] = std::sqrt(s);
      } else {
        ri[j] = s / rj[j];
      }
    }
    std::fill(ri + i + 1, ri + k, 0.0);
  }
  return true;
}

/// The upper U with H^-1 = U^T U. With P the reversal permutation and
/// P H P = L L^T, H^-1 = P L^-T L^-1 P = U^T U for U = P L^-1 P (upper, as
/// L^-1 is lower): one Cholesky and one triangular inverse.
static bool upperCholeskyOfInverse(const std::vector<double> &h, int64_t k,
                                   std::vector<double> &u) {
  std::vector<double> l(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      l[i * k + j] = h[(k - 1 - i) * k + (k - 1 - j)];
  if (!choleskyLower(l, k))
    return false;
  // X = L^-1 row by row: row_i(X) = (e_i - sum_{m<i} L_im row_m(X)) / L_ii.
  std::vector<double> x(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i) {
    double *xi = &x[i * k];
    xi[i] = 1.0;
    for (int64_t m = 0; m < i; ++m) {
      const double c = l[i * k + m];
      if (c == 0.0)
        continue;
      const double *xm = &x[m * k];
      for (int64_t j = 0; j <= m; ++j)
        xi[j] -= c * xm[j];
    }
    const double inv = 1.0 / l[i * k + i];
    for (int64_t j = 0; j <= i; ++j)
      xi[j] *= inv;
  }
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
      options.blockSize <= 0 || options.maxDampingRetries < 0) {
    error = "gptq: invalid options: damp-percent must be finite and >= 0 "
            "and block-size positive";
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
    if (upperCholeskyOfInverse(damped, k, u))
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

  out.codes.assign(n * k, 0);
  const int64_t chunk = 16;
  std::vector<double> w(chunk * k);
  std::vector<double> err(chunk * block);
  std::vector<float> slice(chunk * groupSize);
  for (int64_t r0 = 0; r0 < n; r0 += chunk) {
    const int64_t rows = std::min(chunk, n - r0);
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
              slice[r * groupSize + g] =
                  static_cast<float>(w[r * k + col + g]);
          QuantizedTensor part;
          if (!quantize(slice.data(), {rows, groupSize}, rowScheme(scheme),
                        part, error)) {
            error = "gptq: " + error;
            out = QuantizedTensor();
            return false;
          }
          for (int64_t r = 0; r < rows; ++r) {
            scales[paramIndex(r0 + r, col)] = part.scales[r];
            zeros[paramIndex(r0 + r, col)] = affine ? part.zeroPoints[r] : 0;
          }
        }
        const int64_t orig = perm[col];
        const double *urow = &u[col * k];
        const double d = urow[col];
        for (int64_t r = 0; r < rows; ++r) {
          double *wr = &w[r * k];
          const int64_t p = paramIndex(r0 + r, orig);
          const int32_t q = encodeWith(static_cast<float>(wr[col]), scales[p],
                                       zeros[p], scheme.format);
          out.codes[(r0 + r) * k + orig] = q;
          const double dq = decodeWith(q, scales[p], zeros[p], scheme.format);
          const double e = (wr[col] - dq) / d;
          rep.proxyLoss += e * e;
          err[r * block + (col - i1)] = e;
          for (int64_t j = col + 1; j < i2; ++j)
            wr[j] -= e * urow[j];
        }
      }
      // Lazy batch update of the columns after this block.
      for (int64_t c = i1; c < i2; ++c) {
        const double *urow = &u[c * k];
        for (int64_t r = 0; r < rows; ++r) {
          const double e = err[r * block + (c - i1)];
          double *wr = &w[r * k];
          for (int64_t j = i2; j < k; ++j)
            wr[j] -= e * urow[j];
        }
      }
    }
  }
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
                                  int64_t n, int64_t k,
                                  const double *hessian) {
  std::vector<double> e(k);
  double total = 0.0;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < k; ++c)
      e[c] = double(weight[r * k + c]) - double(approx[r * k + c]);
    for (int64_t i = 0; i < k; ++i) {
      if (e[i] == 0.0)
        continue;
      const double *hi = &hessian[i * k];
      double s = 0.0;
      for (int64_t j = 0; j < k; ++j)
        s += hi[j] * e[j];
      total += e[i] * s;
    }
  }
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
                                const AWQOptions &options,
                                QuantizedTensor &out,
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
    act[c] = std::sqrt(std::max(hessian[c * k + c], 0.0) / double(options.rows));

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
          const float dq = decodeWith(part.codes[r * g + c], part.scales[r],
                                      affine ? part.zeroPoints[r] : 0,
                                      scheme.format);
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
