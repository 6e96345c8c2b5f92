//===- Observers.cpp - calibration runtime called by compiled models ------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// lowbit_observe_f32 turns the memref it is given into a C-order array
// (copying only when the memref is strided) and feeds it to the observer's
// statistics. Per-channel statistics see the activation as [rows, channels]
// with the channel axis moved last:
//
//   shape [d0, .., da = C, .., dn]  ->  rows = prod(d_i, i != a), channels = C
//
// (a copy for a channel axis other than the last). All copies live for one
// call only.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Runtime/Observers.h"

#include <cstring>

using namespace lowbit::runtime;

bool ObserverConfig::enable(const std::string &name) {
  if (name == "min_max")
    minMax = true;
  else if (name == "moving_average_min_max")
    movingAverageMinMax = true;
  else if (name == "histogram")
    histogram = true;
  else if (name == "channel_abs_max")
    channelAbsMax = true;
  else if (name == "gram")
    gram = true;
  else
    return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Observer
//===----------------------------------------------------------------------===//

Observer::Observer(ObserverConfig config) : cfg(std::move(config)) {
  if (cfg.minMax)
    stats.minMax.emplace();
  if (cfg.movingAverageMinMax)
    stats.movingAverageMinMax.emplace(cfg.momentum);
  if (cfg.histogram)
    stats.histogram.emplace(cfg.bins);
  if (cfg.channelAbsMax)
    stats.channelAbsMax.emplace();
  if (cfg.gram)
    stats.gram.emplace();
}

void Observer::add(const float *data, const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= size_t(d);

  // The [rows, channels] view, prepared outside the lock.
  bool perChannel = cfg.channelAbsMax || cfg.gram;
  bool badRank = false;
  size_t rows = 0, channels = 0;
  const float *channelData = data;
  std::vector<float> moved;
  if (perChannel && n > 0) {
    int64_t rank = int64_t(shape.size());
    int64_t axis =
        cfg.channelAxis < 0 ? rank + cfg.channelAxis : cfg.channelAxis;
    if (axis < 0 || axis >= rank) {
      badRank = true;
    } else {
      channels = size_t(shape[size_t(axis)]);
      rows = n / channels;
      size_t inner = 1;
      for (int64_t d = axis + 1; d < rank; ++d)
        inner *= size_t(shape[size_t(d)]);
      if (inner != 1) {
        size_t outer = rows / inner;
        moved.resize(n);
        for (size_t o = 0; o < outer; ++o)
          for (size_t c = 0; c < channels; ++c)
            for (size_t i = 0; i < inner; ++i)
              moved[(o * inner + i) * channels + c] =
                  data[(o * channels + c) * inner + i];
        channelData = moved.data();
      }
    }
  }

  std::lock_guard<std::mutex> lock(mutex);
  ++stats.calls;
  if (n == 0)
    return;
  if (stats.minMax)
    stats.minMax->add(data, n);
  if (stats.movingAverageMinMax)
    stats.movingAverageMinMax->addBatch(data, n);
  if (stats.histogram)
    stats.histogram->add(data, n);
  if (badRank) {
    ++stats.badRankCalls;
    return;
  }
  if (stats.channelAbsMax)
    stats.channelAbsMax->add(channelData, rows, channels);
  if (stats.gram)
    stats.gram->add(channelData, rows, channels);
}

ObserverStats Observer::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex);
  return stats;
}

//===----------------------------------------------------------------------===//
// ObserverRegistry
//===----------------------------------------------------------------------===//

ObserverRegistry &ObserverRegistry::global() {
  static ObserverRegistry registry;
  return registry;
}

void ObserverRegistry::reset() {
  observers.clear();
  std::lock_guard<std::mutex> lock(counterMutex);
  unknown = 0;
}

int64_t ObserverRegistry::add(ObserverConfig config) {
  observers.push_back(std::make_unique<Observer>(std::move(config)));
  return int64_t(observers.size()) - 1;
}

Observer *ObserverRegistry::get(int64_t index) {
  if (index < 0 || size_t(index) >= observers.size())
    return nullptr;
  return observers[size_t(index)].get();
}

uint64_t ObserverRegistry::unknownCalls() const {
  std::lock_guard<std::mutex> lock(counterMutex);
  return unknown;
}

void ObserverRegistry::countUnknownCall() {
  std::lock_guard<std::mutex> lock(counterMutex);
  ++unknown;
}

//===----------------------------------------------------------------------===//
// C ABI
//===----------------------------------------------------------------------===//

extern "C" void lowbit_observe_f32(int64_t index, int64_t rank,
                                   void *descriptor) {
  ObserverRegistry &registry = ObserverRegistry::global();
  Observer *observer = registry.get(index);
  if (!observer || rank < 0 || !descriptor) {
    registry.countUnknownCall();
    return;
  }
  // {float *allocated, float *aligned, int64_t offset, sizes[rank],
  //  strides[rank]}: two pointers, then int64_t fields.
  auto *bytes = static_cast<const char *>(descriptor);
  const float *aligned;
  std::memcpy(&aligned, bytes + sizeof(float *), sizeof(aligned));
  const auto *fields =
      reinterpret_cast<const int64_t *>(bytes + 2 * sizeof(float *));
  int64_t offset = fields[0];
  std::vector<int64_t> shape(fields + 1, fields + 1 + rank);
  const int64_t *strides = fields + 1 + rank;

  size_t n = 1;
  for (int64_t d : shape)
    n *= size_t(d);
  const float *base = aligned + offset;

  // Contiguous in C order? Dimensions of size 1 may carry any stride.
  bool contiguous = true;
  int64_t expected = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (shape[size_t(d)] != 1 && strides[d] != expected)
      contiguous = false;
    expected *= shape[size_t(d)];
  }
  if (contiguous || n == 0) {
    observer->add(base, shape);
    return;
  }
  std::vector<float> copy(n);
  std::vector<int64_t> position(size_t(rank), 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d)
      at += position[size_t(d)] * strides[d];
    copy[i] = base[at];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++position[size_t(d)] < shape[size_t(d)])
        break;
      position[size_t(d)] = 0;
    }
  }
  observer->add(copy.data(), shape);
}
