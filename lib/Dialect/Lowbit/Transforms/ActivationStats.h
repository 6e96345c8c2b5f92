//===- ActivationStats.h - activation ranges from a statistics file -*- C++
//-*-===//
//
// Reads the activation ranges that static activation quantization needs:
//
//   { "version": 1,
//     "activations": { "<op id>": { "min": -3.5, "max": 4.25,
//                                    "histogram": { "lo": .., "hi": ..,
//                                                   "counts": [..] } } } }
//
// keyed by the identifier of the matmul whose input the range describes
// (see OpIdentity.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_ACTIVATIONSTATS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_ACTIVATIONSTATS_H

#include "lowbit/Calibration/Statistics.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace mlir::lowbit {

/// The observed range of one activation.
struct ActivationRange {
  double min = 0.0;
  double max = 0.0;
  /// The entry's histogram when the file has one (the `histogram`
  /// statistic of lowbit-run --calibrate), for the histogram calibrators.
  std::optional<::lowbit::calib::Histogram> histogram;
};

/// Parses the statistics file at `path`. On failure returns failure and
/// sets `error` to a message naming the file and what is wrong in it.
FailureOr<llvm::StringMap<ActivationRange>>
readActivationStats(StringRef path, std::string &error);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_ACTIVATIONSTATS_H
