//===- QuantizerTest.cpp - Scheme-level quantization ----------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Hand-computed cases for the integer formulas (rounding, clamping, zero
// points, degenerate blocks, scale types), and a reference quantizer written
// from the documented formulas with its own block indexing (multi-indices,
// not the library's outer/dim/inner walk) and brute-force element encoders,
// compared code for code on many shapes, axes and group sizes.
//
// The reference reuses roundToScaleType(), which HalfPrecisionTest checks
// exhaustively against the IEEE definition.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Quantizer.h"
#include "lowbit/Quant/HalfPrecision.h"

#include "Reference.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace lowbit::quant;
namespace ref = lowbit::quant::reference;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Scheme makeScheme(StorageFormat format, Granularity granularity,
                  int64_t axis = -1, int64_t groupSize = 0,
                  bool symmetric = true, ScaleType scaleType = ScaleType::F32) {
  Scheme scheme;
  scheme.format = format;
  scheme.granularity = granularity;
  scheme.axis = axis;
  scheme.groupSize = groupSize;
  scheme.symmetric = symmetric;
  scheme.scaleType = scaleType;
  return scheme;
}

Scheme perTensor(StorageFormat format, bool symmetric = true) {
  return makeScheme(format, Granularity::Tensor, -1, 0, symmetric);
}

/// Quantizes and expects success.
QuantizedTensor quantizeOk(const std::vector<float> &data,
                           const std::vector<int64_t> &shape,
                           const Scheme &scheme) {
  QuantizedTensor out;
  std::string error;
  EXPECT_TRUE(quantize(data.data(), shape, scheme, out, error)) << error;
  EXPECT_TRUE(error.empty());
  return out;
}

std::vector<float> dequantizeAll(const QuantizedTensor &tensor,
                                 const std::vector<int64_t> &shape,
                                 const Scheme &scheme) {
  std::vector<float> out(static_cast<size_t>(numElements(shape)));
  dequantize(tensor, shape, scheme, out.data());
  return out;
}

std::vector<float> randomData(size_t count, uint64_t seed,
                              double stddev = 1.0) {
  ref::Rng rng(seed);
  std::vector<float> data(count);
  for (float &x : data)
    x = static_cast<float>(rng.normal() * stddev);
  return data;
}

//===----------------------------------------------------------------------===//
// Reference quantizer
//===----------------------------------------------------------------------===//

struct ReferenceResult {
  std::vector<int64_t> scaleShape;
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  std::vector<int32_t> codes;
  std::vector<int64_t> blockOf; // per element
};

int64_t flatten(const std::vector<int64_t> &index,
                const std::vector<int64_t> &shape) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + index[d];
  return flat;
}

int32_t referenceEncode(float scaled, int32_t zeroPoint, StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
  case StorageFormat::U8:
  case StorageFormat::I4:
  case StorageFormat::U4: {
    const double qmin = codeMin(format), qmax = codeMax(format);
    return static_cast<int32_t>(std::min(
        qmax, std::max(qmin, double(std::nearbyint(scaled)) + zeroPoint)));
  }
  case StorageFormat::NF4:
    return static_cast<int32_t>(ref::nearestNF4Reference(scaled));
  case StorageFormat::FP4E2M1:
    return static_cast<int32_t>(ref::nearestCodeReference(scaled, ref::kE2M1));
  case StorageFormat::F8E4M3FN:
    return static_cast<int32_t>(
        ref::nearestCodeReference(scaled, ref::kE4M3FN));
  case StorageFormat::F8E5M2:
    return static_cast<int32_t>(ref::nearestCodeReference(scaled, ref::kE5M2));
  }
  return 0;
}

double referenceDecode(int32_t code, float scale, int32_t zeroPoint,
                       StorageFormat format) {
  switch (format) {
  case StorageFormat::NF4:
    return scale * static_cast<float>(ref::kNF4Published[code]);
  case StorageFormat::FP4E2M1:
    return scale * ref::decodeReference(code, ref::kE2M1);
  case StorageFormat::F8E4M3FN:
    return scale * ref::decodeReference(code, ref::kE4M3FN);
  case StorageFormat::F8E5M2:
    return scale * ref::decodeReference(code, ref::kE5M2);
  default:
    return double(scale) * (code - zeroPoint);
  }
}

/// The documented algorithm, written from docs/Numerics.md.
ReferenceResult referenceQuantize(const std::vector<float> &data,
                                  const std::vector<int64_t> &shape,
                                  const Scheme &scheme, double ratio) {
  ReferenceResult result;
  if (scheme.granularity == Granularity::Axis) {
    result.scaleShape = {shape[scheme.axis]};
  } else if (scheme.granularity == Granularity::Group) {
    result.scaleShape = shape;
    result.scaleShape[scheme.axis] = shape[scheme.axis] / scheme.groupSize;
  }
  int64_t numBlocks = 1;
  for (int64_t size : result.scaleShape)
    numBlocks *= size;

  result.blockOf.resize(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    std::vector<int64_t> index = ref::unflatten(int64_t(i), shape);
    if (scheme.granularity == Granularity::Tensor) {
      result.blockOf[i] = 0;
    } else if (scheme.granularity == Granularity::Axis) {
      result.blockOf[i] = index[scheme.axis];
    } else {
      index[scheme.axis] /= scheme.groupSize;
      result.blockOf[i] = flatten(index, result.scaleShape);
    }
  }

  std::vector<double> lo(numBlocks, 0.0), hi(numBlocks, 0.0);
  for (size_t i = 0; i < data.size(); ++i) {
    lo[result.blockOf[i]] = std::min(lo[result.blockOf[i]], double(data[i]));
    hi[result.blockOf[i]] = std::max(hi[result.blockOf[i]], double(data[i]));
  }
  const bool affine = !scheme.symmetric;
  result.scales.resize(numBlocks);
  result.zeroPoints.assign(numBlocks, 0);
  for (int64_t b = 0; b < numBlocks; ++b) {
    const double l = lo[b] * ratio, h = hi[b] * ratio;
    double exact;
    if (affine)
      exact = (h - l) / (codeMax(scheme.format) - codeMin(scheme.format));
    else if (scheme.format == StorageFormat::NF4)
      exact = std::max(-l, h);
    else if (scheme.format == StorageFormat::FP4E2M1)
      exact = std::max(-l, h) / 6.0;
    else if (scheme.format == StorageFormat::F8E4M3FN)
      exact = std::max(-l, h) / 448.0;
    else if (scheme.format == StorageFormat::F8E5M2)
      exact = std::max(-l, h) / 57344.0;
    else
      exact = std::max(-l, h) / codeMax(scheme.format);
    float scale = 1.0f;
    if (exact != 0.0) {
      scale = roundToScaleType(static_cast<float>(exact), scheme.scaleType);
      if (scale == 0.0f)
        scale = scheme.scaleType == ScaleType::F16 ? 0x1.0p-14f : FLT_MIN;
    }
    result.scales[b] = scale;
    if (affine) {
      const double z = std::nearbyint(codeMin(scheme.format) - l / scale);
      result.zeroPoints[b] = static_cast<int32_t>(std::min<double>(
          codeMax(scheme.format), std::max<double>(codeMin(scheme.format), z)));
    }
  }
  result.codes.resize(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const int64_t b = result.blockOf[i];
    result.codes[i] = referenceEncode(data[i] / result.scales[b],
                                      result.zeroPoints[b], scheme.format);
  }
  if (!affine)
    result.zeroPoints.clear();
  return result;
}

void expectMatchesReference(const std::vector<float> &data,
                            const std::vector<int64_t> &shape,
                            const Scheme &scheme) {
  ReferenceResult expected =
      referenceQuantize(data, shape, scheme, scheme.clipRatio);
  QuantizedTensor actual = quantizeOk(data, shape, scheme);
  EXPECT_EQ(actual.scaleShape, expected.scaleShape);
  EXPECT_EQ(scaleShape(shape, scheme), expected.scaleShape);
  EXPECT_EQ(actual.scales, expected.scales);
  EXPECT_EQ(actual.zeroPoints, expected.zeroPoints);
  ASSERT_EQ(actual.codes.size(), expected.codes.size());
  int mismatches = 0;
  for (size_t i = 0; i < data.size() && mismatches < 5; ++i) {
    if (actual.codes[i] != expected.codes[i]) {
      ++mismatches;
      ADD_FAILURE() << "element " << i << " x=" << data[i] << " code "
                    << actual.codes[i] << " expected " << expected.codes[i];
    }
  }
  for (size_t i = 0; i < data.size(); i += 7)
    EXPECT_EQ(scaleIndexOf(shape, scheme, int64_t(i)), expected.blockOf[i]);

  std::vector<float> values = dequantizeAll(actual, shape, scheme);
  for (size_t i = 0; i < data.size(); ++i) {
    const int64_t b = expected.blockOf[i];
    const int32_t z = scheme.symmetric ? 0 : expected.zeroPoints[b];
    ASSERT_EQ(double(values[i]),
              double(float(referenceDecode(
                  expected.codes[i], expected.scales[b], z, scheme.format))))
        << "element " << i;
  }
}

//===----------------------------------------------------------------------===//
// Validation and shapes
//===----------------------------------------------------------------------===//

TEST(QuantizerTest, ScaleShape) {
  const std::vector<int64_t> shape = {4, 6, 8};
  EXPECT_EQ(scaleShape(shape, perTensor(StorageFormat::I8)),
            (std::vector<int64_t>{}));
  EXPECT_EQ(
      scaleShape(shape, makeScheme(StorageFormat::I8, Granularity::Axis, 1)),
      (std::vector<int64_t>{6}));
  EXPECT_EQ(scaleShape(shape,
                       makeScheme(StorageFormat::I4, Granularity::Group, 2, 4)),
            (std::vector<int64_t>{4, 6, 2}));
  EXPECT_EQ(scaleShape(shape,
                       makeScheme(StorageFormat::I4, Granularity::Group, 0, 2)),
            (std::vector<int64_t>{2, 6, 8}));
}

/// Expects validateScheme to fail with a message containing every fragment.
void expectInvalid(const std::vector<int64_t> &shape, const Scheme &scheme,
                   std::initializer_list<const char *> fragments) {
  const std::string message = validateScheme(shape, scheme);
  ASSERT_FALSE(message.empty());
  for (const char *fragment : fragments)
    EXPECT_NE(message.find(fragment), std::string::npos)
        << "'" << fragment << "' not in: " << message;
  // quantize reports the same message.
  std::vector<float> data(
      static_cast<size_t>(std::max<int64_t>(0, numElements(shape))), 1.0f);
  QuantizedTensor out;
  out.codes = {1, 2, 3};
  std::string error;
  EXPECT_FALSE(quantize(data.data(), shape, scheme, out, error));
  EXPECT_EQ(error, message);
  EXPECT_TRUE(out.codes.empty());
}

TEST(QuantizerTest, ValidateScheme) {
  const std::vector<int64_t> shape = {4, 100};
  EXPECT_EQ(validateScheme(shape, perTensor(StorageFormat::I8)), "");
  EXPECT_EQ(validateScheme(shape, makeScheme(StorageFormat::I4,
                                             Granularity::Group, 1, 25)),
            "");
  EXPECT_EQ(validateScheme({}, perTensor(StorageFormat::I8)), "");

  expectInvalid(
      shape, makeScheme(StorageFormat::I4, Granularity::Group, 1, 32),
      {"groupSize = 32", "does not divide shape[1] = 100", "divisor of 100"});
  expectInvalid(shape, makeScheme(StorageFormat::I4, Granularity::Group, 1, 0),
                {"groupSize = 0", "positive"});
  expectInvalid(shape, makeScheme(StorageFormat::I4, Granularity::Group, 1, -4),
                {"groupSize = -4"});
  expectInvalid(shape, makeScheme(StorageFormat::I8, Granularity::Axis, 2),
                {"axis = 2", "rank-2", "0 <= axis < 2"});
  expectInvalid(shape, makeScheme(StorageFormat::I8, Granularity::Axis, -1),
                {"axis = -1", "0 <= axis < 2"});
  expectInvalid({}, makeScheme(StorageFormat::I8, Granularity::Axis, 0),
                {"axis = 0", "rank >= 1"});
  expectInvalid(shape, makeScheme(StorageFormat::I8, Granularity::Axis, 0, 4),
                {"groupSize = 4", "axis granularity", "expected 0"});
  expectInvalid(shape, makeScheme(StorageFormat::I8, Granularity::Tensor, 1),
                {"axis = 1", "tensor granularity", "expected -1"});
  expectInvalid(shape, perTensor(StorageFormat::NF4, /*symmetric=*/false),
                {"symmetric = false", "nf4", "symmetric = true"});
  expectInvalid(shape, perTensor(StorageFormat::F8E4M3FN, false), {"f8E4M3FN"});
  expectInvalid({4, -1}, perTensor(StorageFormat::I8),
                {"shape[1] = -1", "non-negative"});
  Scheme clipped = perTensor(StorageFormat::I8);
  clipped.clipRatio = 1.5f;
  expectInvalid(shape, clipped, {"clipRatio = 1.5", "0 < clipRatio <= 1"});
  clipped.clipRatio = 0.0f;
  expectInvalid(shape, clipped, {"clipRatio = 0"});
  clipped.clipRatio = std::numeric_limits<float>::quiet_NaN();
  expectInvalid(shape, clipped, {"clipRatio = nan"});
  Scheme badEnum = perTensor(StorageFormat::I8);
  badEnum.format = static_cast<StorageFormat>(42);
  expectInvalid(shape, badEnum, {"format", "42"});
}

TEST(QuantizerTest, RejectsNonFiniteInputWithIndex) {
  const std::vector<int64_t> shape = {2, 3};
  std::vector<float> data = {0, 1, 2, 3, 4, 5};
  data[4] = std::numeric_limits<float>::quiet_NaN();
  data[5] = std::numeric_limits<float>::infinity();
  QuantizedTensor out;
  std::string error;
  EXPECT_FALSE(
      quantize(data.data(), shape, perTensor(StorageFormat::I8), out, error));
  EXPECT_NE(error.find("element 4"), std::string::npos) << error;
  EXPECT_NE(error.find("[1, 1]"), std::string::npos) << error;
  EXPECT_NE(error.find("nan"), std::string::npos) << error;

  data[4] = 1.0f;
  EXPECT_FALSE(quantizeWithClipSearch(
      data.data(), shape, makeScheme(StorageFormat::I4, Granularity::Axis, 0),
      out, error));
  EXPECT_NE(error.find("element 5"), std::string::npos) << error;
  EXPECT_NE(error.find("[1, 2]"), std::string::npos) << error;
  EXPECT_NE(error.find("inf"), std::string::npos) << error;

  data[5] = -std::numeric_limits<float>::infinity();
  EXPECT_FALSE(quantize(data.data(), shape,
                        makeScheme(StorageFormat::NF4, Granularity::Tensor),
                        out, error));
  EXPECT_NE(error.find("-inf"), std::string::npos) << error;
}

//===----------------------------------------------------------------------===//
// Hand-computed integer cases
//===----------------------------------------------------------------------===//

TEST(QuantizerTest, Int8SymmetricRoundHalfToEven) {
  // absmax 127 -> s = 1 exactly, so the codes are round-half-even(x).
  const std::vector<float> data = {127,  2.5f,  3.5f, -2.5f, -3.5f, 0.5f,
                                   1.5f, -0.5f, -127, 0.49f, -1.51f};
  QuantizedTensor q = quantizeOk(data, {11}, perTensor(StorageFormat::I8));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_TRUE(q.zeroPoints.empty());
  EXPECT_TRUE(q.scaleShape.empty());
  EXPECT_EQ(q.codes,
            (std::vector<int32_t>{127, 2, 4, -2, -4, 0, 2, 0, -127, 0, -2}));
  std::vector<float> back =
      dequantizeAll(q, {11}, perTensor(StorageFormat::I8));
  EXPECT_EQ(back[1], 2.0f);
  EXPECT_EQ(back[4], -4.0f);
}

TEST(QuantizerTest, Int8ClampEdgesWithClipping) {
  // absmax 127 clipped by 0.5 -> s = 63.5 / 127 = 0.5.
  Scheme scheme = perTensor(StorageFormat::I8);
  scheme.clipRatio = 0.5f;
  const std::vector<float> data = {127, -127, 1.25f, 63.75f, 64.0f, -64.25f};
  QuantizedTensor q = quantizeOk(data, {6}, scheme);
  EXPECT_EQ(q.scales, (std::vector<float>{0.5f}));
  // 254 -> 127, -254 -> -128 (the full code range), 2.5 -> 2, 127.5 -> 127
  // (clamped, it would round to 128), 128 -> 127, -128.5 -> -128.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{127, -128, 2, 127, 127, -128}));
}

TEST(QuantizerTest, Int4Symmetric) {
  // absmax 7 -> s = 1.
  QuantizedTensor q = quantizeOk({7, -7, 2.5f, -2.5f, 3.5f, 0.5f, 6.5f, -6.5f},
                                 {8}, perTensor(StorageFormat::I4));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{7, -7, 2, -2, 4, 0, 6, -6}));

  // absmax 14, clip 0.5 -> s = 1; 14 -> 7, -14 -> -8, -8.4 -> -8.
  Scheme clipped = perTensor(StorageFormat::I4);
  clipped.clipRatio = 0.5f;
  q = quantizeOk({14, -14, -8.4f, -7.5f, 7.5f}, {5}, clipped);
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{7, -8, -8, -8, 7}));
}

TEST(QuantizerTest, UnsignedSymmetricClampsNegativesToZero) {
  // U8 symmetric: s = absmax / 255, zero point 0; negatives clamp to 0.
  QuantizedTensor q =
      quantizeOk({255, 1.5f, 2.5f, -3}, {4}, perTensor(StorageFormat::U8));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{255, 2, 2, 0}));
  q = quantizeOk({15, 7.5f, -1}, {3}, perTensor(StorageFormat::U4));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{15, 8, 0}));
}

TEST(QuantizerTest, AffineAsymmetricRanges) {
  // U8 on [-1, 3]: s = 4/255, z = round(0 + 1/s) = round(63.75) = 64.
  QuantizedTensor q =
      quantizeOk({-1, 0, 3, 1}, {4}, perTensor(StorageFormat::U8, false));
  EXPECT_EQ(q.scales, (std::vector<float>{float(4.0 / 255.0)}));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{64}));
  // -63.75 -> -64 (+64 = 0), 0 -> 64, 191.25 -> 191 (+64 = 255), 63.75 -> 128.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 64, 255, 128}));
  std::vector<float> back =
      dequantizeAll(q, {4}, perTensor(StorageFormat::U8, false));
  EXPECT_EQ(back[1], 0.0f); // zero is exact

  // I4 on [-2, 6]: s = 8/15, z = round(-8 + 2/s) = round(-4.25) = -4.
  q = quantizeOk({-2, 6, 0, 1}, {4}, perTensor(StorageFormat::I4, false));
  EXPECT_EQ(q.scales, (std::vector<float>{float(8.0 / 15.0)}));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{-4}));
  // -3.75 -> -4 (-8), 11.25 -> 11 (7), 0 -> -4, 1.875 -> 2 (-2).
  EXPECT_EQ(q.codes, (std::vector<int32_t>{-8, 7, -4, -2}));

  // I4 on [0, 4.5] (all non-negative): lo = 0, s = 0.3, z = -8.
  q = quantizeOk({0, 1, 2, 3, 4.5f}, {5}, perTensor(StorageFormat::I4, false));
  EXPECT_EQ(q.scales, (std::vector<float>{float(4.5 / 15.0)}));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{-8}));
  // 0, 3.33, 6.67, 10, 15 -> 0, 3, 7, 10, 15 then -8.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{-8, -5, -1, 2, 7}));

  // All non-positive U4 on [-15, 0]: s = 1, z = 15.
  q = quantizeOk({-15, -7.5f, 0}, {3}, perTensor(StorageFormat::U4, false));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{15}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 7, 15})); // -7.5 -> -8
}

TEST(QuantizerTest, AffineZeroPointRoundsHalfToEven) {
  // U4 on [-2.5, 12.5]: s = 15/15 = 1, z = round(2.5) = 2.
  QuantizedTensor q =
      quantizeOk({-2.5f, 12.5f}, {2}, perTensor(StorageFormat::U4, false));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{2}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 14})); // -2 + 2, 12 + 2
  // U4 on [-3.5, 11.5]: z = round(3.5) = 4.
  q = quantizeOk({-3.5f, 11.5f}, {2}, perTensor(StorageFormat::U4, false));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{4}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 15})); // -4 + 4, 12 + 4 -> 15
}

TEST(QuantizerTest, AllZeroBlocksGetUnitScale) {
  const std::vector<float> zeros(6, 0.0f);
  for (StorageFormat format :
       {StorageFormat::I8, StorageFormat::U8, StorageFormat::I4,
        StorageFormat::U4, StorageFormat::NF4, StorageFormat::FP4E2M1,
        StorageFormat::F8E4M3FN, StorageFormat::F8E5M2}) {
    SCOPED_TRACE(formatName(format));
    Scheme scheme = makeScheme(format, Granularity::Axis, 0);
    QuantizedTensor q = quantizeOk(zeros, {2, 3}, scheme);
    EXPECT_EQ(q.scales, (std::vector<float>{1.0f, 1.0f}));
    const int32_t zeroCode = format == StorageFormat::NF4 ? 7 : 0;
    EXPECT_EQ(q.codes, std::vector<int32_t>(6, zeroCode));
    EXPECT_EQ(dequantizeAll(q, {2, 3}, scheme), zeros);
    if (isIntegerFormat(format)) {
      scheme.symmetric = false;
      q = quantizeOk(zeros, {2, 3}, scheme);
      EXPECT_EQ(q.scales, (std::vector<float>{1.0f, 1.0f}));
      // lo = 0 -> z = codeMin, and every code equals z.
      EXPECT_EQ(q.zeroPoints, std::vector<int32_t>(2, codeMin(format)));
      EXPECT_EQ(q.codes, std::vector<int32_t>(6, codeMin(format)));
      EXPECT_EQ(dequantizeAll(q, {2, 3}, scheme), zeros);
    }
  }
  // A zero group next to a non-zero one keeps its own unit scale.
  QuantizedTensor q =
      quantizeOk({0, 0, 0, 0, 7, -7, 1, 2}, {8},
                 makeScheme(StorageFormat::I4, Granularity::Group, 0, 4));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f, 1.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 0, 0, 0, 7, -7, 1, 2}));
}

TEST(QuantizerTest, ConstantBlocks) {
  // A constant block maps to the extreme code; dequantization gives the
  // constant back up to the f32 rounding of s = c / qmax and of s * qmax.
  for (float c : {0.3f, -0.3f, 5.0f, -1e-3f, 123456.0f}) {
    for (StorageFormat format :
         {StorageFormat::I8, StorageFormat::I4, StorageFormat::NF4,
          StorageFormat::FP4E2M1, StorageFormat::F8E4M3FN,
          StorageFormat::F8E5M2}) {
      for (bool symmetric : {true, false}) {
        if (!symmetric && !isIntegerFormat(format))
          continue;
        SCOPED_TRACE(std::string(formatName(format)) + " c=" +
                     std::to_string(c) + (symmetric ? " sym" : " affine"));
        Scheme scheme = perTensor(format, symmetric);
        const std::vector<float> data(5, c);
        QuantizedTensor q = quantizeOk(data, {5}, scheme);
        for (float x : dequantizeAll(q, {5}, scheme))
          EXPECT_NEAR(x, c, std::fabs(c) * 2.5e-7f);
      }
    }
  }
  // The affine codes sit at the end of the range that holds the constant.
  QuantizedTensor q =
      quantizeOk({-5, -5}, {2}, perTensor(StorageFormat::U8, false));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{255}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 0}));
  q = quantizeOk({5, 5}, {2}, perTensor(StorageFormat::U8, false));
  EXPECT_EQ(q.zeroPoints, (std::vector<int32_t>{0}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{255, 255}));
}

TEST(QuantizerTest, SymmetricErrorIsAtMostHalfAStep) {
  // With f32 scales and no clipping, |x - dequant(x)| <= s / 2 (plus the
  // f32 rounding of the division and the product).
  const std::vector<int64_t> shape = {8, 64};
  const std::vector<float> data = randomData(512, 11);
  for (StorageFormat format : {StorageFormat::I8, StorageFormat::I4}) {
    Scheme scheme = makeScheme(format, Granularity::Group, 1, 16);
    QuantizedTensor q = quantizeOk(data, shape, scheme);
    std::vector<float> back = dequantizeAll(q, shape, scheme);
    for (size_t i = 0; i < data.size(); ++i) {
      const float s = q.scales[scaleIndexOf(shape, scheme, int64_t(i))];
      EXPECT_LE(std::fabs(back[i] - data[i]), s * 0.5001f);
    }
  }
}

//===----------------------------------------------------------------------===//
// Scale types
//===----------------------------------------------------------------------===//

TEST(QuantizerTest, ScalesAreRoundedBeforeCoding) {
  // I4, absmax 1: s = 1/7 = 0.142857...; bf16 gives 0.142578125 and f16
  // 0.142822265625 (worked out by hand from the bit layouts).
  const float x = 2.5f / 7.0f; // 2.5 steps at the exact scale
  Scheme scheme = perTensor(StorageFormat::I4);
  scheme.scaleType = ScaleType::BF16;
  QuantizedTensor q = quantizeOk({1.0f, x, -1.0f}, {3}, scheme);
  EXPECT_EQ(q.scales, (std::vector<float>{0.142578125f}));
  // x / 0.142578125 = 2.505 -> 3; 1 / s = 7.014 -> 7.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{7, 3, -7}));
  EXPECT_EQ(dequantizeAll(q, {3}, scheme)[1], 3 * 0.142578125f);

  scheme.scaleType = ScaleType::F16;
  q = quantizeOk({1.0f, x, -1.0f}, {3}, scheme);
  EXPECT_EQ(q.scales, (std::vector<float>{0.142822265625f}));
  EXPECT_EQ(q.codes[0], 7);

  // Every stored scale is exactly representable in its type.
  const std::vector<float> data = randomData(4 * 128, 21, 0.02);
  for (ScaleType type : {ScaleType::F16, ScaleType::BF16}) {
    scheme =
        makeScheme(StorageFormat::I4, Granularity::Group, 1, 32, true, type);
    expectMatchesReference(data, {4, 128}, scheme);
    q = quantizeOk(data, {4, 128}, scheme);
    for (float s : q.scales)
      EXPECT_EQ(roundToScaleType(s, type), s);
  }
}

TEST(QuantizerTest, ScaleUnderflowAndOverflow) {
  // I8 absmax 1e-6: s = 7.9e-9 rounds to 0 in f16 -> smallest normal 2^-14.
  Scheme scheme = perTensor(StorageFormat::I8);
  scheme.scaleType = ScaleType::F16;
  QuantizedTensor q = quantizeOk({1e-6f, -5e-7f}, {2}, scheme);
  EXPECT_EQ(q.scales, (std::vector<float>{0x1.0p-14f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 0}));

  // f32: absmax at the bottom of the subnormals / 127 rounds to 0 -> FLT_MIN.
  scheme.scaleType = ScaleType::F32;
  const float tiny = std::numeric_limits<float>::denorm_min();
  q = quantizeOk({tiny, 0}, {2}, scheme);
  EXPECT_EQ(q.scales, (std::vector<float>{FLT_MIN}));

  // f16: absmax 1e7 / 127 = 78740 > 65504 -> error naming the type and max.
  scheme.scaleType = ScaleType::F16;
  std::string error;
  const std::vector<float> big = {1e7f, 1.0f};
  EXPECT_FALSE(quantize(big.data(), {2}, scheme, q, error));
  EXPECT_NE(error.find("overflows f16"), std::string::npos) << error;
  EXPECT_NE(error.find("65504"), std::string::npos) << error;
  EXPECT_TRUE(q.codes.empty());
  // Clipping the range brings it back under the f16 maximum.
  scheme.clipRatio = 0.5f;
  EXPECT_TRUE(quantize(big.data(), {2}, scheme, q, error)) << error;
}

//===----------------------------------------------------------------------===//
// Granularities against the reference quantizer
//===----------------------------------------------------------------------===//

TEST(QuantizerTest, PerAxisMatchesReference) {
  const std::vector<float> data2 = randomData(6 * 40, 31);
  const std::vector<float> data3 = randomData(3 * 4 * 10, 32);
  for (StorageFormat format :
       {StorageFormat::I8, StorageFormat::U8, StorageFormat::I4,
        StorageFormat::F8E4M3FN, StorageFormat::F8E5M2}) {
    for (bool symmetric : {true, false}) {
      if (!symmetric && !isIntegerFormat(format))
        continue;
      SCOPED_TRACE(std::string(formatName(format)) +
                   (symmetric ? " sym" : " affine"));
      for (int64_t axis : {0, 1})
        expectMatchesReference(
            data2, {6, 40},
            makeScheme(format, Granularity::Axis, axis, 0, symmetric));
      for (int64_t axis : {0, 1, 2})
        expectMatchesReference(
            data3, {3, 4, 10},
            makeScheme(format, Granularity::Axis, axis, 0, symmetric));
      expectMatchesReference(data3, {3, 4, 10}, perTensor(format, symmetric));
    }
  }
}

TEST(QuantizerTest, PerAxisScalesByHand) {
  // Rows (axis 0) and columns (axis 1) of [[127, -254], [381, 63.5]] with
  // I8; the absmaxes are multiples of 127 so the scales are exact.
  const std::vector<float> data = {127, -254, 381, 63.5f};
  QuantizedTensor q = quantizeOk(
      data, {2, 2}, makeScheme(StorageFormat::I8, Granularity::Axis, 0));
  EXPECT_EQ(q.scaleShape, (std::vector<int64_t>{2}));
  EXPECT_EQ(q.scales, (std::vector<float>{2.0f, 3.0f}));
  // 63.5 -> 64 (even), -127, 127, 21.17 -> 21.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{64, -127, 127, 21}));
  q = quantizeOk(data, {2, 2},
                 makeScheme(StorageFormat::I8, Granularity::Axis, 1));
  EXPECT_EQ(q.scales, (std::vector<float>{3.0f, 2.0f}));
  // 42.33 -> 42, -127, 127, 31.75 -> 32.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{42, -127, 127, 32}));
}

TEST(QuantizerTest, GroupsMatchReference) {
  const std::vector<float> data = randomData(4 * 384, 41);
  for (int64_t groupSize : {32, 64, 128, 96, 48, 24}) {
    SCOPED_TRACE("groupSize " + std::to_string(groupSize));
    expectMatchesReference(
        data, {4, 384},
        makeScheme(StorageFormat::I4, Granularity::Group, 1, groupSize));
    expectMatchesReference(data, {4, 384},
                           makeScheme(StorageFormat::U4, Granularity::Group, 1,
                                      groupSize, /*symmetric=*/false));
    expectMatchesReference(
        data, {4, 384},
        makeScheme(StorageFormat::NF4, Granularity::Group, 1, groupSize));
    expectMatchesReference(
        data, {4, 384},
        makeScheme(StorageFormat::FP4E2M1, Granularity::Group, 1, groupSize));
  }
  // Groups along axis 0 and along the middle axis of a 3-D tensor, and a
  // group size of 3 (not a power of two).
  const std::vector<float> data3 = randomData(6 * 4 * 5, 42);
  for (StorageFormat format : {StorageFormat::I8, StorageFormat::I4,
                               StorageFormat::NF4, StorageFormat::F8E4M3FN}) {
    SCOPED_TRACE(formatName(format));
    expectMatchesReference(data3, {6, 4, 5},
                           makeScheme(format, Granularity::Group, 0, 3));
    expectMatchesReference(data3, {6, 4, 5},
                           makeScheme(format, Granularity::Group, 1, 2));
    expectMatchesReference(data3, {6, 4, 5},
                           makeScheme(format, Granularity::Group, 2, 5));
  }
  // A group spanning the whole axis leaves a size-1 dimension.
  EXPECT_EQ(scaleShape({6, 4, 5},
                       makeScheme(StorageFormat::I4, Granularity::Group, 1, 4)),
            (std::vector<int64_t>{6, 1, 5}));
}

TEST(QuantizerTest, GroupScalesByHand) {
  // [2, 4] with I4 groups of 2 along axis 1: blocks {7, 14}, {-28, 3.5},
  // {49, 49}, {0, -1.75}, so s = {2, 4, 7, 0.25}.
  const std::vector<float> data = {7, 14, -28, 3.5f, 49, 49, 0, -1.75f};
  Scheme scheme = makeScheme(StorageFormat::I4, Granularity::Group, 1, 2);
  QuantizedTensor q = quantizeOk(data, {2, 4}, scheme);
  EXPECT_EQ(q.scaleShape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(q.scales, (std::vector<float>{2, 4, 7, 0.25f}));
  // 3.5 -> 4, 7, -7, 0.875 -> 1, 7, 7, 0, -7.
  EXPECT_EQ(q.codes, (std::vector<int32_t>{4, 7, -7, 1, 7, 7, 0, -7}));
  // The transpose [4, 2] with groups of 2 along axis 0 has the same blocks;
  // its scale tensor [2, 2] is indexed (group, column).
  const std::vector<float> transposed = {7, 49, 14, 49, -28, 0, 3.5f, -1.75f};
  scheme = makeScheme(StorageFormat::I4, Granularity::Group, 0, 2);
  q = quantizeOk(transposed, {4, 2}, scheme);
  EXPECT_EQ(q.scaleShape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(q.scales, (std::vector<float>{2, 7, 4, 0.25f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{4, 7, 7, 7, -7, 0, 1, -7}));
}

TEST(QuantizerTest, FloatFormatsMatchReference) {
  // Heavy-tailed data so that blocks exercise saturation after clipping and
  // the subnormal range of the small formats.
  ref::Rng rng(51);
  std::vector<float> data(8 * 64);
  for (float &x : data)
    x = static_cast<float>(rng.studentT(3));
  data[5] = 0.0f;
  data[6] = -0.0f;
  for (float clip : {1.0f, 0.7f}) {
    for (StorageFormat format :
         {StorageFormat::NF4, StorageFormat::FP4E2M1, StorageFormat::F8E4M3FN,
          StorageFormat::F8E5M2}) {
      for (ScaleType type : {ScaleType::F32, ScaleType::F16, ScaleType::BF16}) {
        SCOPED_TRACE(std::string(formatName(format)) + " " +
                     scaleTypeName(type) + " clip " + std::to_string(clip));
        Scheme scheme =
            makeScheme(format, Granularity::Group, 1, 32, true, type);
        scheme.clipRatio = clip;
        expectMatchesReference(data, {8, 64}, scheme);
      }
    }
  }
}

TEST(QuantizerTest, NF4AndFP4ByHand) {
  // absmax 2: NF4 s = 2, x / s = {-1, 0.5, 0.25, 1}.
  QuantizedTensor q =
      quantizeOk({-2, 1, 0.5f, 2}, {4}, perTensor(StorageFormat::NF4));
  EXPECT_EQ(q.scales, (std::vector<float>{2.0f}));
  // 0.5 is nearest 0.4407 (index 12); 0.25 nearest 0.2461 (index 10).
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0, 12, 10, 15}));
  // FP4: absmax 12 -> s = 2; x / s = {6, -1.25, 2.5, 0.5}.
  q = quantizeOk({12, -2.5f, 5, 1}, {4}, perTensor(StorageFormat::FP4E2M1));
  EXPECT_EQ(q.scales, (std::vector<float>{2.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0x7, 0xA, 0x4, 0x1}));
  EXPECT_EQ(dequantizeAll(q, {4}, perTensor(StorageFormat::FP4E2M1)),
            (std::vector<float>{12, -2, 4, 1}));
  // FP8 E4M3: absmax 448 -> s = 1, codes are the plain encodings.
  q = quantizeOk({448, 1, -0.5f}, {3}, perTensor(StorageFormat::F8E4M3FN));
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{0x7E, 0x38, 0xB0}));
}

TEST(QuantizerTest, EmptyAndRankZeroTensors) {
  QuantizedTensor q = quantizeOk({}, {0, 4}, perTensor(StorageFormat::I8));
  EXPECT_TRUE(q.codes.empty());
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f}));
  q = quantizeOk({}, {0, 4},
                 makeScheme(StorageFormat::I8, Granularity::Axis, 1));
  EXPECT_EQ(q.scales, std::vector<float>(4, 1.0f));
  q = quantizeOk({-3.0f}, {}, perTensor(StorageFormat::I8));
  EXPECT_EQ(q.codes, (std::vector<int32_t>{-127}));
}

TEST(QuantizerTest, DequantizeRejectsMismatchedTensor) {
  QuantizedTensor q =
      quantizeOk({1, 2, 3, 4}, {4}, perTensor(StorageFormat::I8));
  q.codes.pop_back();
  std::vector<float> out(4, 0.0f);
  // Debug builds assert; release builds write NaN instead of reading past
  // the codes.
  EXPECT_DEBUG_DEATH(
      dequantize(q, {4}, perTensor(StorageFormat::I8), out.data()),
      "does not match");
#ifdef NDEBUG
  for (float x : out)
    EXPECT_TRUE(std::isnan(x));
#endif
}

//===----------------------------------------------------------------------===//
// Clip search
//===----------------------------------------------------------------------===//

/// Squared error of one candidate ratio per block, from the reference.
std::vector<double> referenceBlockErrors(const std::vector<float> &data,
                                         const std::vector<int64_t> &shape,
                                         const Scheme &scheme, double ratio,
                                         ReferenceResult &result) {
  result = referenceQuantize(data, shape, scheme, ratio);
  std::vector<double> errors(result.scales.size(), 0.0);
  for (size_t i = 0; i < data.size(); ++i) {
    const int64_t b = result.blockOf[i];
    const int32_t z = scheme.symmetric ? 0 : result.zeroPoints[b];
    const double diff = float(referenceDecode(result.codes[i], result.scales[b],
                                              z, scheme.format)) -
                        double(data[i]);
    errors[b] += diff * diff;
  }
  return errors;
}

TEST(QuantizerTest, ClipSearchPicksTheBestRatioPerBlock) {
  ref::Rng rng(61);
  std::vector<float> data(4 * 64);
  for (float &x : data)
    x = static_cast<float>(rng.studentT(3));
  const std::vector<int64_t> shape = {4, 64};
  for (Scheme scheme :
       {makeScheme(StorageFormat::I4, Granularity::Group, 1, 32),
        makeScheme(StorageFormat::U4, Granularity::Group, 1, 16, false),
        makeScheme(StorageFormat::NF4, Granularity::Axis, 0),
        makeScheme(StorageFormat::FP4E2M1, Granularity::Group, 1, 32, true,
                   ScaleType::F16)}) {
    SCOPED_TRACE(formatName(scheme.format));
    const float minRatio = 0.6f;
    const int steps = 8;
    // Brute force over the documented grid; strict improvement keeps the
    // larger ratio on ties.
    ReferenceResult candidate, best;
    std::vector<double> bestError;
    std::vector<float> bestScale;
    std::vector<int32_t> bestZero;
    for (int k = 0; k <= steps; ++k) {
      const double ratio = 1.0 - (1.0 - double(minRatio)) * k / steps;
      std::vector<double> errors =
          referenceBlockErrors(data, shape, scheme, ratio, candidate);
      if (k == 0) {
        bestError = errors;
        bestScale = candidate.scales;
        bestZero = candidate.zeroPoints;
        continue;
      }
      for (size_t b = 0; b < errors.size(); ++b) {
        if (errors[b] < bestError[b]) {
          bestError[b] = errors[b];
          bestScale[b] = candidate.scales[b];
          if (!scheme.symmetric)
            bestZero[b] = candidate.zeroPoints[b];
        }
      }
    }
    QuantizedTensor q;
    std::string error;
    ASSERT_TRUE(quantizeWithClipSearch(data.data(), shape, scheme, q, error,
                                       minRatio, steps))
        << error;
    EXPECT_EQ(q.scales, bestScale);
    EXPECT_EQ(q.zeroPoints, bestZero);

    // Never worse than no clipping, block by block.
    QuantizedTensor plain = quantizeOk(data, shape, scheme);
    std::vector<float> searched = dequantizeAll(q, shape, scheme);
    std::vector<float> unclipped = dequantizeAll(plain, shape, scheme);
    std::vector<double> e1(q.scales.size(), 0.0), e0(q.scales.size(), 0.0);
    for (size_t i = 0; i < data.size(); ++i) {
      const int64_t b = scaleIndexOf(shape, scheme, int64_t(i));
      e1[b] += std::pow(double(searched[i]) - data[i], 2);
      e0[b] += std::pow(double(unclipped[i]) - data[i], 2);
    }
    for (size_t b = 0; b < e1.size(); ++b)
      EXPECT_LE(e1[b], e0[b]);
  }
}

TEST(QuantizerTest, ClipSearchOnOutlierAndGridBlocks) {
  // Block 0: 63 ones and one 14/3. Unclipped, s = 2/3 puts the ones half
  // way between codes 1 and 2 (error 1/9 each, 7 in all); ratios near 0.8
  // (s near 0.53) bring the ones close to code 2 for an outlier error of
  // about 1, so the search must shrink the scale well below 2/3.
  // Block 1: values on the I4 grid of s = 1, where any clipping hurts.
  std::vector<float> data(128, 1.0f);
  data[63] = 14.0f / 3.0f;
  for (int i = 0; i < 64; ++i)
    data[64 + i] = static_cast<float>((i % 15) - 7);
  const std::vector<int64_t> shape = {128};
  const Scheme scheme =
      makeScheme(StorageFormat::I4, Granularity::Group, 0, 64);
  QuantizedTensor q;
  std::string error;
  ASSERT_TRUE(quantizeWithClipSearch(data.data(), shape, scheme, q, error))
      << error;
  EXPECT_LT(q.scales[0], 0.6f);
  EXPECT_EQ(q.scales[1], 1.0f);

  // steps = 0 is plain quantization at ratio 1, ignoring scheme.clipRatio.
  Scheme clipped = scheme;
  clipped.clipRatio = 0.5f;
  QuantizedTensor plain = quantizeOk(data, shape, scheme);
  ASSERT_TRUE(
      quantizeWithClipSearch(data.data(), shape, clipped, q, error, 0.5f, 0));
  EXPECT_EQ(q.scales, plain.scales);
  EXPECT_EQ(q.codes, plain.codes);

  EXPECT_FALSE(
      quantizeWithClipSearch(data.data(), shape, scheme, q, error, 0.0f));
  EXPECT_NE(error.find("minRatio = 0"), std::string::npos) << error;
  EXPECT_FALSE(
      quantizeWithClipSearch(data.data(), shape, scheme, q, error, 0.5f, -1));
  EXPECT_NE(error.find("steps = -1"), std::string::npos) << error;
  Scheme bad = scheme;
  bad.groupSize = 5;
  EXPECT_FALSE(quantizeWithClipSearch(data.data(), shape, bad, q, error));
  EXPECT_NE(error.find("groupSize = 5"), std::string::npos) << error;
}

TEST(QuantizerTest, ClipSearchSkipsOverflowingRatios) {
  // 1e7 / 127 overflows f16 at ratio 1 but not at ratio 0.5.
  Scheme scheme = perTensor(StorageFormat::I8);
  scheme.scaleType = ScaleType::F16;
  const std::vector<float> data = {1e7f, -1e7f, 3e6f};
  QuantizedTensor q;
  std::string error;
  ASSERT_TRUE(
      quantizeWithClipSearch(data.data(), {3}, scheme, q, error, 0.5f, 4))
      << error;
  EXPECT_LE(q.scales[0], 65504.0f);
  // All candidates overflow -> the ratio-1 overflow is reported.
  EXPECT_FALSE(
      quantizeWithClipSearch(data.data(), {3}, scheme, q, error, 0.9f, 2));
  EXPECT_NE(error.find("overflows f16"), std::string::npos) << error;
}

} // namespace
