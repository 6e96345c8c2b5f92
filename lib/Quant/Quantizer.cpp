//===- Quantizer.cpp - Scheme-level quantization of a tensor --------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// A tensor of shape [outer..., dim, inner...] split at the scheme's axis is
// walked in row-major order as (o, d, n). Its blocks are
//   Tensor: everything                      scale index 0
//   Axis:   all elements with the same d    scale index d
//   Group:  same o and n, d / groupSize     scale index
//           ((o * (dim / groupSize)) + d / groupSize) * inner + n
// which is row-major over the scale shape (shape with dim -> dim / groupSize).
//
// Quantization is three passes: block ranges, block parameters (scale rounded
// to the scale type first, then the zero point from the rounded scale), then
// the codes. The clip search repeats the middle pass and an encode/decode
// pass per candidate ratio.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/Quantizer.h"
#include "lowbit/Quant/HalfPrecision.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace lowbit::quant;

//===----------------------------------------------------------------------===//
// Block layout
//===----------------------------------------------------------------------===//

namespace {
/// The shape split at the scheme's axis, and how elements map to blocks.
struct BlockLayout {
  Granularity granularity = Granularity::Tensor;
  int64_t outer = 1;
  int64_t dim = 1;
  int64_t inner = 1;
  int64_t groupSize = 1;
  int64_t numBlocks = 1;
  int64_t numElements = 0;

  /// Calls fn(flatIndex, blockIndex) for every element in row-major order.
  template <typename Fn> void forEach(Fn fn) const {
    switch (granularity) {
    case Granularity::Tensor:
      for (int64_t i = 0; i < numElements; ++i)
        fn(i, int64_t(0));
      return;
    case Granularity::Axis: {
      int64_t flat = 0;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t d = 0; d < dim; ++d)
          for (int64_t n = 0; n < inner; ++n)
            fn(flat++, d);
      return;
    }
    case Granularity::Group: {
      const int64_t groups = dim / groupSize;
      int64_t flat = 0;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t d = 0; d < dim; ++d) {
          const int64_t base = (o * groups + d / groupSize) * inner;
          for (int64_t n = 0; n < inner; ++n)
            fn(flat++, base + n);
        }
      return;
    }
    }
  }
};

/// Scale and zero point of one block.
struct BlockParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
};

/// Observed range of one block, always containing 0.
struct BlockRange {
  float lo = 0.0f;
  float hi = 0.0f;
};
} // namespace

static BlockLayout makeLayout(const std::vector<int64_t> &shape,
                              const Scheme &scheme) {
  BlockLayout layout;
  layout.granularity = scheme.granularity;
  layout.numElements = numElements(shape);
  if (scheme.granularity == Granularity::Tensor)
    return layout;
  const auto axis = static_cast<size_t>(scheme.axis);
  for (size_t i = 0; i < axis; ++i)
    layout.outer *= shape[i];
  layout.dim = shape[axis];
  for (size_t i = axis + 1; i < shape.size(); ++i)
    layout.inner *= shape[i];
  if (scheme.granularity == Granularity::Axis) {
    layout.numBlocks = layout.dim;
  } else {
    layout.groupSize = scheme.groupSize;
    layout.numBlocks =
        layout.outer * (layout.dim / scheme.groupSize) * layout.inner;
  }
  return layout;
}

int64_t lowbit::quant::numElements(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

std::vector<int64_t>
lowbit::quant::scaleShape(const std::vector<int64_t> &shape,
                          const Scheme &scheme) {
  assert(validateScheme(shape, scheme).empty() && "invalid scheme");
  switch (scheme.granularity) {
  case Granularity::Tensor:
    return {};
  case Granularity::Axis:
    return {shape[static_cast<size_t>(scheme.axis)]};
  case Granularity::Group: {
    std::vector<int64_t> result = shape;
    result[static_cast<size_t>(scheme.axis)] /= scheme.groupSize;
    return result;
  }
  }
  return {};
}

int64_t lowbit::quant::scaleIndexOf(const std::vector<int64_t> &shape,
                                    const Scheme &scheme, int64_t flatIndex) {
  assert(validateScheme(shape, scheme).empty() && "invalid scheme");
  if (scheme.granularity == Granularity::Tensor)
    return 0;
  BlockLayout layout = makeLayout(shape, scheme);
  const int64_t d = (flatIndex / layout.inner) % layout.dim;
  if (scheme.granularity == Granularity::Axis)
    return d;
  const int64_t o = flatIndex / (layout.dim * layout.inner);
  const int64_t n = flatIndex % layout.inner;
  return (o * (layout.dim / layout.groupSize) + d / layout.groupSize) *
             layout.inner +
         n;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

static std::string formatFloat(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return buffer;
}

std::string lowbit::quant::validateScheme(const std::vector<int64_t> &shape,
                                          const Scheme &scheme) {
  const int format = static_cast<int>(scheme.format);
  if (format < static_cast<int>(StorageFormat::I8) ||
      format > static_cast<int>(StorageFormat::F8E5M2))
    return "format has invalid enumerator value " + std::to_string(format) +
           "; expected a StorageFormat";
  const int granularity = static_cast<int>(scheme.granularity);
  if (granularity < static_cast<int>(Granularity::Tensor) ||
      granularity > static_cast<int>(Granularity::Group))
    return "granularity has invalid enumerator value " +
           std::to_string(granularity) + "; expected a Granularity";
  const int scaleType = static_cast<int>(scheme.scaleType);
  if (scaleType < static_cast<int>(ScaleType::F32) ||
      scaleType > static_cast<int>(ScaleType::BF16))
    return "scaleType has invalid enumerator value " +
           std::to_string(scaleType) + "; expected a ScaleType";

  const int64_t rank = static_cast<int64_t>(shape.size());
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t size = shape[static_cast<size_t>(i)];
    if (size < 0)
      return "shape[" + std::to_string(i) + "] = " + std::to_string(size) +
             " is negative; expected a non-negative size";
    if (size != 0 && count > std::numeric_limits<int64_t>::max() / size)
      return "shape has more than 2^63 - 1 elements";
    count *= size;
  }

  const std::string granularityStr = granularityName(scheme.granularity);
  if (scheme.granularity == Granularity::Tensor) {
    if (scheme.axis != -1)
      return "axis = " + std::to_string(scheme.axis) +
             " is set for tensor granularity; expected -1";
  } else if (scheme.axis < 0 || scheme.axis >= rank) {
    return "axis = " + std::to_string(scheme.axis) +
           " is out of range for a rank-" + std::to_string(rank) +
           " tensor with " + granularityStr + " granularity; expected " +
           (rank == 0 ? std::string("a tensor of rank >= 1")
                      : "0 <= axis < " + std::to_string(rank));
  }

  if (scheme.granularity == Granularity::Group) {
    const int64_t dim = shape[static_cast<size_t>(scheme.axis)];
    const std::string dimStr =
        "shape[" + std::to_string(scheme.axis) + "] = " + std::to_string(dim);
    if (scheme.groupSize <= 0)
      return "groupSize = " + std::to_string(scheme.groupSize) +
             " is not positive; expected a positive divisor of " + dimStr;
    if (dim % scheme.groupSize != 0)
      return "groupSize = " + std::to_string(scheme.groupSize) +
             " does not divide " + dimStr + "; expected a divisor of " +
             std::to_string(dim);
  } else if (scheme.groupSize != 0) {
    return "groupSize = " + std::to_string(scheme.groupSize) + " is set for " +
           granularityStr +
           " granularity; expected 0 (only group "
           "granularity has groups)";
  }

  if (!scheme.symmetric && !isIntegerFormat(scheme.format))
    return std::string("symmetric = false (affine) needs an integer format; "
                       "format ") +
           formatName(scheme.format) + " expects symmetric = true";

  if (!(scheme.clipRatio > 0.0f && scheme.clipRatio <= 1.0f))
    return "clipRatio = " + formatFloat(scheme.clipRatio) +
           " is out of range; expected 0 < clipRatio <= 1";
  return {};
}

//===----------------------------------------------------------------------===//
// Scales, zero points and element codes
//===----------------------------------------------------------------------===//

/// Chooses the scale and zero point of a block whose observed range is
/// [lo, hi] (lo <= 0 <= hi), shrunk by `ratio`. Returns false when the scale
/// overflows the scale type, leaving the unrounded f32 scale in `overflowed`.
static bool chooseBlockParams(const BlockRange &range, const Scheme &scheme,
                              double ratio, BlockParams &params,
                              float &overflowed) {
  const StorageFormat format = scheme.format;
  const bool affine = isIntegerFormat(format) && !scheme.symmetric;
  const double lo = static_cast<double>(range.lo) * ratio;
  const double hi = static_cast<double>(range.hi) * ratio;

  double exact;
  if (affine)
    exact = (hi - lo) / (codeMax(format) - codeMin(format));
  else
    exact = std::max(-lo, hi) / static_cast<double>(maxRepresentable(format));

  float scale;
  if (exact == 0.0) {
    // All-zero block: any scale is exact; 1 avoids dividing by zero.
    scale = 1.0f;
  } else {
    scale = roundToScaleType(static_cast<float>(exact), scheme.scaleType);
    if (scale == 0.0f)
      scale = smallestNormal(scheme.scaleType);
    if (!std::isfinite(scale)) {
      overflowed = static_cast<float>(exact);
      return false;
    }
  }

  params.scale = scale;
  params.zeroPoint = 0;
  if (affine) {
    const double zero = std::nearbyint(codeMin(format) - lo / scale);
    params.zeroPoint = static_cast<int32_t>(
        std::clamp(zero, double(codeMin(format)), double(codeMax(format))));
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// Checks the scheme and that every input is finite.
static bool checkInputs(const float *data, const std::vector<int64_t> &shape,
                        const Scheme &scheme, std::string &error) {
  error = validateScheme(shape, scheme);
  if (!error.empty())
    return false;
  const int64_t count = numElements(shape);
  for (int64_t i = 0; i < count; ++i) {
    if (std::isfinite(data[i]))
      continue;
    // Row-major multi-index of element i.
    std::vector<int64_t> index(shape.size());
    int64_t rest = i;
    for (size_t d = shape.size(); d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    error = "input element " + std::to_string(i) + " (index [";
    for (size_t d = 0; d < index.size(); ++d) {
      if (d != 0)
        error += ", ";
      error += std::to_string(index[d]);
    }
    error +=
        "]) is " + formatFloat(data[i]) + "; quantization needs finite values";
    return false;
  }
  return true;
}

static std::vector<BlockRange> computeRanges(const float *data,
                                             const BlockLayout &layout) {
  std::vector<BlockRange> ranges(static_cast<size_t>(layout.numBlocks));
  layout.forEach([&](int64_t i, int64_t block) {
    BlockRange &range = ranges[static_cast<size_t>(block)];
    range.lo = std::min(range.lo, data[i]);
    range.hi = std::max(range.hi, data[i]);
  });
  return ranges;
}

static std::string scaleOverflowMessage(float scale, int64_t block,
                                        const Scheme &scheme) {
  return "scale " + formatFloat(scale) + " of block " + std::to_string(block) +
         " overflows " + scaleTypeName(scheme.scaleType) + " (largest finite " +
         formatFloat(largestFinite(scheme.scaleType)) +
         "); use a wider scale type (f32)";
}

/// Fills `out` from chosen block parameters.
static void emitTensor(const float *data, const std::vector<int64_t> &shape,
                       const Scheme &scheme, const BlockLayout &layout,
                       const std::vector<BlockParams> &params,
                       QuantizedTensor &out) {
  out.codes.assign(static_cast<size_t>(layout.numElements), 0);
  layout.forEach([&](int64_t i, int64_t block) {
    const BlockParams &p = params[static_cast<size_t>(block)];
    out.codes[static_cast<size_t>(i)] =
        encodeElement(data[i], p.scale, p.zeroPoint, scheme.format);
  });
  out.scales.resize(params.size());
  for (size_t b = 0; b < params.size(); ++b)
    out.scales[b] = params[b].scale;
  out.zeroPoints.clear();
  if (!scheme.symmetric) {
    out.zeroPoints.resize(params.size());
    for (size_t b = 0; b < params.size(); ++b)
      out.zeroPoints[b] = params[b].zeroPoint;
  }
  out.scaleShape = scaleShape(shape, scheme);
}

static void clearTensor(QuantizedTensor &out) {
  out.codes.clear();
  out.scales.clear();
  out.zeroPoints.clear();
  out.scaleShape.clear();
}

bool lowbit::quant::quantize(const float *data,
                             const std::vector<int64_t> &shape,
                             const Scheme &scheme, QuantizedTensor &out,
                             std::string &error) {
  clearTensor(out);
  if (!checkInputs(data, shape, scheme, error))
    return false;
  const BlockLayout layout = makeLayout(shape, scheme);
  const std::vector<BlockRange> ranges = computeRanges(data, layout);
  std::vector<BlockParams> params(ranges.size());
  for (size_t b = 0; b < ranges.size(); ++b) {
    float overflowed;
    if (!chooseBlockParams(ranges[b], scheme, scheme.clipRatio, params[b],
                           overflowed)) {
      error = scaleOverflowMessage(overflowed, static_cast<int64_t>(b), scheme);
      return false;
    }
  }
  emitTensor(data, shape, scheme, layout, params, out);
  error.clear();
  return true;
}

bool lowbit::quant::quantizeWithClipSearch(
    const float *data, const std::vector<int64_t> &shape, const Scheme &scheme,
    QuantizedTensor &out, std::string &error, float minRatio, int steps) {
  clearTensor(out);
  if (!(minRatio > 0.0f && minRatio <= 1.0f)) {
    error = "minRatio = " + formatFloat(minRatio) +
            " is out of range; expected 0 < minRatio <= 1";
    return false;
  }
  if (steps < 0) {
    error = "steps = " + std::to_string(steps) +
            " is negative; expected steps >= 0";
    return false;
  }
  if (!checkInputs(data, shape, scheme, error))
    return false;

  const BlockLayout layout = makeLayout(shape, scheme);
  const std::vector<BlockRange> ranges = computeRanges(data, layout);
  const size_t numBlocks = ranges.size();
  std::vector<BlockParams> best(numBlocks), candidate(numBlocks);
  std::vector<double> bestError(numBlocks,
                                std::numeric_limits<double>::infinity());
  std::vector<double> candidateError(numBlocks);
  std::vector<bool> valid(numBlocks), found(numBlocks, false);
  std::vector<float> firstOverflow(numBlocks, 0.0f);

  for (int k = 0; k <= steps; ++k) {
    const double ratio =
        steps == 0 ? 1.0 : 1.0 - (1.0 - double(minRatio)) * k / steps;
    for (size_t b = 0; b < numBlocks; ++b) {
      float overflowed = 0.0f;
      valid[b] =
          chooseBlockParams(ranges[b], scheme, ratio, candidate[b], overflowed);
      if (!valid[b] && firstOverflow[b] == 0.0f)
        firstOverflow[b] = overflowed;
    }
    std::fill(candidateError.begin(), candidateError.end(), 0.0);
    layout.forEach([&](int64_t i, int64_t block) {
      const auto b = static_cast<size_t>(block);
      if (!valid[b])
        return;
      const BlockParams &p = candidate[b];
      const float approx = decodeElement(
          encodeElement(data[i], p.scale, p.zeroPoint, scheme.format), p.scale,
          p.zeroPoint, scheme.format);
      const double diff = static_cast<double>(approx) - data[i];
      candidateError[b] += diff * diff;
    });
    for (size_t b = 0; b < numBlocks; ++b) {
      if (valid[b] && candidateError[b] < bestError[b]) {
        bestError[b] = candidateError[b];
        best[b] = candidate[b];
        found[b] = true;
      }
    }
  }

  for (size_t b = 0; b < numBlocks; ++b) {
    if (!found[b]) {
      error = scaleOverflowMessage(firstOverflow[b], static_cast<int64_t>(b),
                                   scheme);
      return false;
    }
  }
  emitTensor(data, shape, scheme, layout, best, out);
  error.clear();
  return true;
}

void lowbit::quant::dequantize(const QuantizedTensor &tensor,
                               const std::vector<int64_t> &shape,
                               const Scheme &scheme, float *out) {
  const int64_t count = numElements(shape);
  const bool validScheme = validateScheme(shape, scheme).empty();
  assert(validScheme && "dequantize with an invalid scheme");
  BlockLayout layout;
  if (validScheme)
    layout = makeLayout(shape, scheme);
  const bool consistent =
      validScheme && static_cast<int64_t>(tensor.codes.size()) == count &&
      static_cast<int64_t>(tensor.scales.size()) == layout.numBlocks &&
      (scheme.symmetric || tensor.zeroPoints.size() == tensor.scales.size());
  assert(consistent && "quantized tensor does not match shape and scheme");
  if (!consistent) {
    std::fill(out, out + count, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  layout.forEach([&](int64_t i, int64_t block) {
    const auto b = static_cast<size_t>(block);
    const int32_t zeroPoint = scheme.symmetric ? 0 : tensor.zeroPoints[b];
    out[i] = decodeElement(tensor.codes[static_cast<size_t>(i)],
                           tensor.scales[b], zeroPoint, scheme.format);
  });
}
