//===- PrecisionSearchTest.cpp - the mixed-precision search ---------------===//

#include "lowbit/Report/PrecisionSearch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace lowbit::report;

namespace {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

/// A layer of `elements` weights with candidates int4 (4.25 bits), int8
/// (8.25 bits) and float (32 bits) at the given noise-to-signal ratios.
LayerCosts layer(int64_t elements, double int4Noise, double int8Noise) {
  auto bytes = [&](double bits) { return int64_t(bits * elements / 8); };
  return {{{bytes(4.25), int4Noise}, {bytes(8.25), int8Noise}, {bytes(32), 0}},
          elements};
}

TEST(PrecisionSearch, StartsAtTheSmallestCandidates) {
  std::vector<LayerCosts> layers = {layer(1024, 0.01, 1e-4),
                                    layer(1024, 0.02, 2e-4)};
  std::vector<Assignment> sequence = upgradeSequence(layers, 4.25);
  ASSERT_EQ(sequence.size(), 1u);
  EXPECT_EQ(sequence[0], (Assignment{0, 0}));
  EXPECT_DOUBLE_EQ(bitsPerWeight(layers, sequence[0]), 4.25);
  EXPECT_DOUBLE_EQ(totalNoise(layers, sequence[0]), 0.03);
}

TEST(PrecisionSearch, UpgradesTheMostSensitiveLayerFirst) {
  // The middle layer loses 20x more to int4 than the others.
  std::vector<LayerCosts> layers = {
      layer(1024, 0.01, 1e-4), layer(1024, 0.2, 1e-4), layer(1024, 0.01, 1e-4)};
  // One upgrade to int8 fits: (4.25 * 2 + 8.25) / 3 = 5.58 bits.
  std::vector<Assignment> sequence = upgradeSequence(layers, 6.0);
  ASSERT_EQ(sequence.size(), 2u);
  EXPECT_EQ(sequence.back(), (Assignment{0, 1, 0}));
  EXPECT_LE(bitsPerWeight(layers, sequence.back()), 6.0);
}

TEST(PrecisionSearch, GainIsPerByte) {
  // Same noise removed, but the second layer is 4x larger: the first goes
  // first.
  std::vector<LayerCosts> layers = {layer(1024, 0.05, 0.0),
                                    layer(4096, 0.05, 0.0)};
  std::vector<Assignment> sequence = upgradeSequence(layers, kUnlimited);
  ASSERT_GE(sequence.size(), 3u);
  EXPECT_EQ(sequence[1], (Assignment{1, 0}));
  EXPECT_EQ(sequence[2], (Assignment{1, 1}));
}

TEST(PrecisionSearch, NeverTakesAnUpgradeWithoutGain) {
  // int8 as noisy as int4 and float as exact as int8: only bytes added.
  LayerCosts same = {{{100, 0.01}, {200, 0.01}, {800, 0.0}}, 200};
  LayerCosts exact = {{{100, 0.0}, {200, 0.0}, {800, 0.0}}, 200};
  std::vector<Assignment> sequence = upgradeSequence({same, exact}, kUnlimited);
  ASSERT_EQ(sequence.size(), 2u);
  // The layer with no noise stays at its smallest candidate; the other goes
  // straight to the candidate that removes noise.
  EXPECT_EQ(sequence.back(), (Assignment{2, 0}));
}

TEST(PrecisionSearch, UnlimitedEndsWithEveryLayerExact) {
  std::vector<LayerCosts> layers = {layer(512, 0.03, 0.001),
                                    layer(2048, 0.01, 0.0005)};
  std::vector<Assignment> sequence = upgradeSequence(layers, kUnlimited);
  EXPECT_EQ(sequence.back(), (Assignment{2, 2}));
  EXPECT_DOUBLE_EQ(totalNoise(layers, sequence.back()), 0.0);
  // Noise falls and size grows monotonically along the sequence.
  for (size_t i = 1; i < sequence.size(); ++i) {
    EXPECT_LT(totalNoise(layers, sequence[i]),
              totalNoise(layers, sequence[i - 1]));
    EXPECT_GT(bitsPerWeight(layers, sequence[i]),
              bitsPerWeight(layers, sequence[i - 1]));
  }
}

TEST(PrecisionSearch, ImpossibleBudgetKeepsTheSmallestAssignment) {
  std::vector<LayerCosts> layers = {layer(1024, 0.01, 1e-4)};
  std::vector<Assignment> sequence = upgradeSequence(layers, 2.0);
  ASSERT_EQ(sequence.size(), 1u);
  EXPECT_GT(bitsPerWeight(layers, sequence[0]), 2.0);
}

TEST(PrecisionSearch, BrokenCandidatesAreLeftFirstAndNeverChosen) {
  // The first layer's int4 result is not finite (infinite noise): leaving it
  // goes before any finite gain; a broken candidate is never an upgrade.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  LayerCosts broken = {{{100, kInf}, {200, 0.01}, {800, 0.0}}, 200};
  LayerCosts fine = {{{100, 0.5}, {200, kInf}, {800, 0.0}}, 200};
  std::vector<Assignment> sequence = upgradeSequence({broken, fine}, 5.0 * 8);
  ASSERT_GE(sequence.size(), 2u);
  EXPECT_EQ(sequence[1][0], 1u);
  for (const Assignment &assignment : sequence)
    EXPECT_NE(assignment[1], 1u);
}

} // namespace
