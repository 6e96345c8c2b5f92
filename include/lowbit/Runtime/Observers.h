//===- Observers.h - calibration runtime called by compiled models -*- C++
//-*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The runtime behind `lowbit.observe` in calibration mode. The compiled model
// calls
//
//   lowbit_observe_f32(index, rank, descriptor)
//
// with each observed activation (lowbit-lower-to-linalg{calibrate=true}
// emits the call; `index` numbers the module's observers as listed in its
// `lowbit.observers` attribute). The host registers one observer per index
// before running and reads the statistics afterwards. Statistics are the
// streaming classes of Calibration/Statistics.h: no activation is kept, so
// memory per observer does not grow with the number of samples.
//
// Thread safety: calls for different observers run in parallel, calls for
// one observer are serialised by its mutex. Registration and reset must not
// run concurrently with a model.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_RUNTIME_OBSERVERS_H
#define LOWBIT_RUNTIME_OBSERVERS_H

#include "lowbit/Calibration/Statistics.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

/// Adds the f32 memref described by the unranked-memref ABI pair (`rank`,
/// `descriptor` pointing at {float *allocated, float *aligned, int64_t
/// offset, int64_t sizes[rank], int64_t strides[rank]}) to observer `index`.
/// A call for an unregistered index is counted (see
/// ObserverRegistry::unknownCalls) and otherwise ignored.
extern "C" void lowbit_observe_f32(int64_t index, int64_t rank,
                                   void *descriptor);

namespace lowbit::runtime {

/// What one observer gathers (the dictionary of `lowbit.observers`).
struct ObserverConfig {
  /// The observer id, the key of the statistics file.
  std::string id;
  bool minMax = false;
  bool movingAverageMinMax = false;
  bool histogram = false;
  bool channelAbsMax = false;
  bool gram = false;
  /// Histogram bins.
  int64_t bins = 2048;
  /// The channel dimension of channel_abs_max and gram; negative counts
  /// from the end (-1: the last dimension).
  int64_t channelAxis = -1;
  /// Momentum of moving_average_min_max (one batch per call).
  double momentum = 0.01;

  /// Enables the statistic named `name` (min_max, moving_average_min_max,
  /// histogram, channel_abs_max, gram); false for an unknown name.
  bool enable(const std::string &name);
};

/// A copy of an observer's statistics, each present when configured.
struct ObserverStats {
  /// Calls that delivered data.
  uint64_t calls = 0;
  /// Calls whose activation had no channel axis of the configured index.
  uint64_t badRankCalls = 0;
  std::optional<calib::MinMax> minMax;
  std::optional<calib::MovingAverageMinMax> movingAverageMinMax;
  std::optional<calib::Histogram> histogram;
  std::optional<calib::ChannelAbsMax> channelAbsMax;
  std::optional<calib::Gram> gram;
};

/// One observer: its configuration and statistics behind a mutex.
class Observer {
public:
  explicit Observer(ObserverConfig config);

  /// The configuration it was registered with.
  const ObserverConfig &config() const { return cfg; }

  /// Adds a C-order (row-major, contiguous) activation of `shape`.
  void add(const float *data, const std::vector<int64_t> &shape);

  /// A consistent copy of the statistics gathered so far.
  ObserverStats snapshot() const;

private:
  ObserverConfig cfg;
  mutable std::mutex mutex;
  ObserverStats stats;
};

/// The observers the compiled model reports to, by index.
class ObserverRegistry {
public:
  /// The registry lowbit_observe_f32 uses.
  static ObserverRegistry &global();

  /// Removes every observer and clears the counters.
  void reset();

  /// Registers an observer; returns its index (0, 1, ... in call order).
  int64_t add(ObserverConfig config);

  /// The observer at `index`, or null.
  Observer *get(int64_t index);

  /// The number of registered observers.
  size_t size() const { return observers.size(); }

  /// Calls to lowbit_observe_f32 with an index nobody registered.
  uint64_t unknownCalls() const;

  /// Records such a call (used by lowbit_observe_f32).
  void countUnknownCall();

private:
  std::vector<std::unique_ptr<Observer>> observers;
  mutable std::mutex counterMutex;
  uint64_t unknown = 0;
};

} // namespace lowbit::runtime

#endif // LOWBIT_RUNTIME_OBSERVERS_H
