//===- SQNRRegressionTest.cpp - Accuracy floors of the schemes ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Quantizes seeded 512 x 1024 weight matrices ([N, K], K contiguous: per-
// channel scales run along axis 0, groups along axis 1) drawn from N(0, 0.02^2)
// and from a Student-t with 5 degrees of freedom (heavier tails, like real
// LLM weights), and asserts that each scheme's SQNR stays above a floor set
// about 0.3 dB under the value measured when the floors were written. A
// numerics change that loses accuracy fails here; one that gains should
// raise the floors (and the table in docs/Numerics.md).
//
// The generator is std::mt19937_64 with hand-written Box-Muller and Student-t
// transforms (Reference.h), so the data do not depend on the standard
// library's distribution implementations.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/ErrorMetrics.h"
#include "lowbit/Quant/Quantizer.h"

#include "Reference.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace lowbit::quant;
namespace ref = lowbit::quant::reference;

namespace {

constexpr int64_t kRows = 512;
constexpr int64_t kCols = 1024;

struct Row {
  const char *name;
  Scheme scheme;
  bool clipSearch;
  double gaussianFloorDb;
  double studentFloorDb;
};

Scheme scheme(StorageFormat format, Granularity granularity, int64_t axis,
              int64_t groupSize, bool symmetric = true,
              ScaleType scaleType = ScaleType::F32) {
  Scheme result;
  result.format = format;
  result.granularity = granularity;
  result.axis = axis;
  result.groupSize = groupSize;
  result.symmetric = symmetric;
  result.scaleType = scaleType;
  return result;
}

std::vector<float> gaussianWeights() {
  ref::Rng rng(0x10b17001);
  std::vector<float> data(kRows * kCols);
  for (float &x : data)
    x = static_cast<float>(0.02 * rng.normal());
  return data;
}

std::vector<float> studentWeights() {
  ref::Rng rng(0x10b17002);
  std::vector<float> data(kRows * kCols);
  for (float &x : data)
    x = static_cast<float>(0.02 * rng.studentT(5));
  return data;
}

double measureSqnr(const std::vector<float> &data, const Row &row) {
  const std::vector<int64_t> shape = {kRows, kCols};
  QuantizedTensor q;
  std::string error;
  bool ok = row.clipSearch ? quantizeWithClipSearch(data.data(), shape,
                                                    row.scheme, q, error)
                           : quantize(data.data(), shape, row.scheme, q, error);
  EXPECT_TRUE(ok) << row.name << ": " << error;
  if (!ok)
    return 0.0;
  std::vector<float> back(data.size());
  dequantize(q, shape, row.scheme, back.data());
  return computeErrorMetrics(data.data(), back.data(), data.size()).sqnrDb;
}

TEST(SQNRRegressionTest, SchemesStayAboveFloors) {
  using F = StorageFormat;
  using G = Granularity;
  // Floors: measured value minus 0.3 dB, rounded down to 0.1 dB.
  const Row rows[] = {
      {"i8 per-channel", scheme(F::I8, G::Axis, 0, 0), false, 41.8, 36.2},
      {"i8 per-tensor", scheme(F::I8, G::Tensor, -1, 0), false, 39.0, 23.8},
      {"i4 g128 sym", scheme(F::I4, G::Group, 1, 128), false, 18.3, 15.0},
      {"u4 g128 affine", scheme(F::U4, G::Group, 1, 128, false), false, 19.6,
       17.2},
      {"i4 g128 sym clip-search", scheme(F::I4, G::Group, 1, 128), true, 19.6,
       16.3},
      {"i4 g128 sym f16 scales",
       scheme(F::I4, G::Group, 1, 128, true, ScaleType::F16), false, 18.3,
       15.0},
      {"i4 g32 sym", scheme(F::I4, G::Group, 1, 32), false, 19.9, 17.9},
      {"nf4 g64", scheme(F::NF4, G::Group, 1, 64), false, 20.4, 19.3},
      {"nf4 g64 bf16 scales",
       scheme(F::NF4, G::Group, 1, 64, true, ScaleType::BF16), false, 20.4,
       19.3},
      {"f8E4M3FN per-channel", scheme(F::F8E4M3FN, G::Axis, 0, 0), false, 31.2,
       31.4},
      {"f8E5M2 per-channel", scheme(F::F8E5M2, G::Axis, 0, 0), false, 25.2,
       25.4},
      {"fp4 g32", scheme(F::FP4E2M1, G::Group, 1, 32), false, 19.6, 19.5},
  };
  const std::vector<float> gaussian = gaussianWeights();
  const std::vector<float> student = studentWeights();
  std::printf("%-26s %12s %8s %12s %8s\n", "scheme", "gauss dB", "floor",
              "student5 dB", "floor");
  for (const Row &row : rows) {
    const double g = measureSqnr(gaussian, row);
    const double t = measureSqnr(student, row);
    std::printf("%-26s %12.5f %8.1f %12.5f %8.1f\n", row.name, g,
                row.gaussianFloorDb, t, row.studentFloorDb);
    EXPECT_GE(g, row.gaussianFloorDb) << row.name << " (Gaussian)";
    EXPECT_GE(t, row.studentFloorDb) << row.name << " (Student-t 5)";
  }
}

} // namespace
