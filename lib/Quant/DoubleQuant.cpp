//===- DoubleQuant.cpp - 8-bit storage of group scales --------------------===//

#include "lowbit/Quant/DoubleQuant.h"

#include <algorithm>
#include <cmath>

using namespace lowbit::quant;

float DoubleQuantizedScales::scale(size_t i) const {
  float product = static_cast<float>(codes[i]) *
                  blockScales[i / static_cast<size_t>(kScaleBlockSize)];
  return product + offset;
}

DoubleQuantizedScales
lowbit::quant::doubleQuantizeScales(const std::vector<float> &scales) {
  DoubleQuantizedScales result;
  double sum = 0.0;
  for (float s : scales)
    sum += s;
  result.offset =
      scales.empty() ? 0.0f : static_cast<float>(sum / double(scales.size()));
  size_t numBlocks = (scales.size() + kScaleBlockSize - 1) / kScaleBlockSize;
  result.blockScales.assign(numBlocks, 1.0f);
  result.codes.assign(scales.size(), 0);
  for (size_t block = 0; block < numBlocks; ++block) {
    size_t begin = block * kScaleBlockSize;
    size_t end = std::min(scales.size(), begin + size_t(kScaleBlockSize));
    float absMax = 0.0f;
    for (size_t i = begin; i < end; ++i)
      absMax = std::max(absMax, std::fabs(scales[i] - result.offset));
    float blockScale = absMax > 0.0f ? absMax / 127.0f : 1.0f;
    result.blockScales[block] = blockScale;
    for (size_t i = begin; i < end; ++i) {
      float code = std::nearbyint((scales[i] - result.offset) / blockScale);
      code = std::clamp(code, -127.0f, 127.0f);
      result.codes[i] = static_cast<int8_t>(code);
      // A scale must stay positive after reconstruction.
      while (result.scale(i) <= 0.0f && result.codes[i] < 127)
        ++result.codes[i];
    }
  }
  return result;
}
