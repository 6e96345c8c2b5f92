//===- PrecisionSearch.h - choosing each layer's scheme ---------*- C++ -*-===//
//
// Sensitivity-driven mixed precision. Every layer has a few candidate
// schemes, each with a weight size and a measured error (the noise-to-signal
// ratio of the layer's output, isolated: 10^(-SQNR/10)). Starting with every
// layer at its smallest candidate, the search repeatedly takes the upgrade
// (one layer to a larger, more accurate candidate) that removes the most
// noise per added byte:
//
//   gain(l, c) = (nsr(l, current) - nsr(l, c)) / (bytes(l, c) - bytes(l,
//   current))
//
// Summed layer noise stands in for the output error (errors of independent
// layers add to first order). With a size budget, only upgrades that keep
// the model within it are taken; with an accuracy target, the caller walks
// the unconstrained sequence of configurations and measures them.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_REPORT_PRECISIONSEARCH_H
#define LOWBIT_REPORT_PRECISIONSEARCH_H

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::report {

/// One candidate scheme for one layer.
struct CandidateCost {
  int64_t bytes = 0;
  /// Noise-to-signal ratio of the layer's output (0 when exact).
  double noise = 0;
};

/// A layer's candidates (indexed like the caller's candidate list) and its
/// number of weights.
struct LayerCosts {
  std::vector<CandidateCost> candidates;
  int64_t elements = 0;
};

/// The chosen candidate index of every layer.
using Assignment = std::vector<size_t>;

/// Bits per weight of `assignment`: 8 * bytes / elements over all layers.
double bitsPerWeight(const std::vector<LayerCosts> &layers,
                     const Assignment &assignment);

/// Sum of the layers' noise under `assignment`.
double totalNoise(const std::vector<LayerCosts> &layers,
                  const Assignment &assignment);

/// The greedy sequence of assignments: first every layer at its smallest
/// candidate (fewest bytes, then least noise), then one upgrade per step
/// with the best gain, while an upgrade exists that keeps bits per weight
/// at most `maxBitsPerWeight` (pass infinity for no limit). An upgrade must
/// reduce the noise and add bytes. The first assignment is returned even
/// when it exceeds the limit (the caller reports that the budget cannot be
/// met).
std::vector<Assignment> upgradeSequence(const std::vector<LayerCosts> &layers,
                                        double maxBitsPerWeight);

} // namespace lowbit::report

#endif // LOWBIT_REPORT_PRECISIONSEARCH_H
