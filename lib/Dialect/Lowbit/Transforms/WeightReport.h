//===- WeightReport.h - what weight quantization cost -----------*- C++ -*-===//
//
// Collects, per quantized weight, its size before and after and the error of
// the dequantized weight against the float one, and writes them as JSON.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTREPORT_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTREPORT_H

#include "lowbit/Quant/ErrorMetrics.h"

#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::lowbit {

/// One quantized weight.
struct WeightReportEntry {
  std::string name;
  /// Where the (first) matmul reading the weight is, as `file:line:col`.
  std::string location;
  std::vector<int64_t> shape;
  std::string scheme;
  int64_t floatBytes = 0;
  /// Codes plus scales plus zero-points.
  int64_t quantizedBytes = 0;
  ::lowbit::quant::ErrorMetrics error;
};

/// Writes `entries` to `path` as JSON (format documented in
/// docs/UserGuide.md, "The JSON report"). The file is written to a temporary
/// name and renamed, so a failure never leaves a half-written report. Returns
/// an error message on failure, an empty string on success.
std::string writeWeightReport(StringRef path, StringRef passName,
                              ArrayRef<WeightReportEntry> entries);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTREPORT_H
