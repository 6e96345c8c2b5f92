//===- PrecisionSearch.cpp - choosing each layer's scheme -----------------===//

#include "lowbit/Report/PrecisionSearch.h"

#include <cmath>
#include <limits>

using namespace lowbit::report;

double lowbit::report::bitsPerWeight(const std::vector<LayerCosts> &layers,
                                     const Assignment &assignment) {
  int64_t bytes = 0, elements = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    bytes += layers[l].candidates[assignment[l]].bytes;
    elements += layers[l].elements;
  }
  return elements ? 8.0 * double(bytes) / double(elements) : 0.0;
}

double lowbit::report::totalNoise(const std::vector<LayerCosts> &layers,
                                  const Assignment &assignment) {
  double noise = 0;
  for (size_t l = 0; l < layers.size(); ++l)
    noise += layers[l].candidates[assignment[l]].noise;
  return noise;
}

std::vector<Assignment>
lowbit::report::upgradeSequence(const std::vector<LayerCosts> &layers,
                                double maxBitsPerWeight) {
  Assignment current(layers.size(), 0);
  int64_t elements = 0, bytes = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    const std::vector<CandidateCost> &candidates = layers[l].candidates;
    for (size_t c = 1; c < candidates.size(); ++c) {
      const CandidateCost &best = candidates[current[l]];
      if (candidates[c].bytes < best.bytes ||
          (candidates[c].bytes == best.bytes &&
           candidates[c].noise < best.noise))
        current[l] = c;
    }
    elements += layers[l].elements;
    bytes += candidates[current[l]].bytes;
  }
  // Bytes the budget allows in all.
  double maxBytes = maxBitsPerWeight * double(elements) / 8.0;
  std::vector<Assignment> sequence = {current};
  while (true) {
    double bestGain = 0;
    size_t bestLayer = 0, bestCandidate = 0;
    bool found = false;
    for (size_t l = 0; l < layers.size(); ++l) {
      const CandidateCost &now = layers[l].candidates[current[l]];
      for (size_t c = 0; c < layers[l].candidates.size(); ++c) {
        const CandidateCost &next = layers[l].candidates[c];
        int64_t addedBytes = next.bytes - now.bytes;
        // Infinite noise (a broken candidate) is never an improvement and
        // any finite noise improves on it, before every finite gain.
        if (std::isnan(next.noise) || std::isinf(next.noise) ||
            !(next.noise < now.noise) || addedBytes <= 0 ||
            double(bytes + addedBytes) > maxBytes)
          continue;
        double gain = std::isinf(now.noise)
                          ? std::numeric_limits<double>::infinity()
                          : (now.noise - next.noise) / double(addedBytes);
        if (!found || gain > bestGain) {
          found = true;
          bestGain = gain;
          bestLayer = l;
          bestCandidate = c;
        }
      }
    }
    if (!found)
      return sequence;
    bytes += layers[bestLayer].candidates[bestCandidate].bytes -
             layers[bestLayer].candidates[current[bestLayer]].bytes;
    current[bestLayer] = bestCandidate;
    sequence.push_back(current);
  }
}
