//===- ErrorMetrics.cpp - Accuracy of an approximation --------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/ErrorMetrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace lowbit::quant;

ErrorMetrics lowbit::quant::computeErrorMetrics(const float *reference,
                                                const float *approx, size_t n) {
  const double inf = std::numeric_limits<double>::infinity();
  double refSquares = 0.0, approxSquares = 0.0, dot = 0.0, errSquares = 0.0;
  double maxAbs = 0.0;
  bool sawNaN = false;
  for (size_t i = 0; i < n; ++i) {
    const double r = reference[i];
    const double a = approx[i];
    const double e = r - a;
    refSquares += r * r;
    approxSquares += a * a;
    dot += r * a;
    errSquares += e * e;
    const double absErr = std::fabs(e);
    if (std::isnan(absErr))
      sawNaN = true;
    else
      maxAbs = std::max(maxAbs, absErr);
  }

  ErrorMetrics metrics;
  // std::max would silently drop a NaN difference.
  metrics.maxAbs = sawNaN ? std::numeric_limits<double>::quiet_NaN() : maxAbs;
  if (errSquares == 0.0) {
    metrics.sqnrDb = inf;
    metrics.relativeL2 = 0.0;
  } else {
    // log10(0) = -inf and x / 0 = inf give the documented all-zero-reference
    // results; NaN sums stay NaN.
    metrics.sqnrDb = 10.0 * std::log10(refSquares / errSquares);
    metrics.relativeL2 =
        refSquares == 0.0 ? inf : std::sqrt(errSquares) / std::sqrt(refSquares);
  }
  if (refSquares == 0.0 && approxSquares == 0.0)
    metrics.cosine = 1.0;
  else if (refSquares == 0.0 || approxSquares == 0.0)
    metrics.cosine = 0.0;
  else
    metrics.cosine = std::clamp(
        dot / (std::sqrt(refSquares) * std::sqrt(approxSquares)), -1.0, 1.0);
  return metrics;
}
