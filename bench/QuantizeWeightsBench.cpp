//===- QuantizeWeightsBench.cpp - speed of weight quantization ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Times lowbit::quant::quantize (what lowbit-quantize-weights runs on every
// weight) on one seeded [N, K] = 4096 x 4096 f32 matrix drawn from
// N(0, 0.02^2), for the schemes the named pipelines use, and prints
//
//   scheme | ms | input GB/s | SQNR dB
//
// where ms is the median of 5 timed runs after one warm-up run, input GB/s is
// the f32 bytes read (N * K * 4) divided by that time, and SQNR is that of
// the dequantized weight against the float one (not timed). Everything runs
// on the calling thread; the numerics library is single-threaded.
//
// Because the build machines are small shared VMs whose timings drift, the
// benchmark also times a plain read (a sum) of the same bytes, alternating
// with the schemes, and prints each scheme's time as a multiple of it: that
// ratio moves much less from run to run than the milliseconds do.
//
// A second table times the other steps the pass performs on a weight
// (packing the codes into bytes, and dequantizing for the JSON report), so
// the cost of one weight in lowbit-quantize-weights can be read off.
//
// Usage: lowbit-bench-quantize [N K]   (defaults 4096 4096)
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/ErrorMetrics.h"
#include "lowbit/Quant/Packing.h"
#include "lowbit/Quant/Quantizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace lowbit::quant;

namespace {

constexpr int kWarmupRuns = 1;
constexpr int kTimedRuns = 5;

/// One benchmarked configuration.
struct Case {
  const char *name;
  Scheme scheme;
  bool clipSearch;
};

Scheme makeScheme(StorageFormat format, Granularity granularity, int64_t axis,
                  int64_t groupSize, bool symmetric = true) {
  Scheme scheme;
  scheme.format = format;
  scheme.granularity = granularity;
  scheme.axis = axis;
  scheme.groupSize = groupSize;
  scheme.symmetric = symmetric;
  return scheme;
}

/// N(0, sigma^2) samples from std::mt19937_64 through a hand-written
/// Box-Muller transform, so the data (and the SQNR column) are the same with
/// every standard library.
std::vector<float> gaussianMatrix(int64_t count, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&]() {
    // 53 random bits in (0, 1]: never 0, so log() is finite.
    return (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
  };
  std::vector<float> data(static_cast<size_t>(count));
  const double twoPi = 6.283185307179586476925286766559;
  for (int64_t i = 0; i < count; i += 2) {
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = twoPi * uniform();
    data[static_cast<size_t>(i)] =
        static_cast<float>(sigma * radius * std::cos(angle));
    if (i + 1 < count)
      data[static_cast<size_t>(i + 1)] =
          static_cast<float>(sigma * radius * std::sin(angle));
  }
  return data;
}

/// Wall-clock milliseconds of one call of `fn`.
double timeMs(const std::function<void()> &fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  const auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(end - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/// A plain read of `data`: the floor any pass over the weight pays. The sum
/// goes to a volatile so the compiler cannot drop the loop.
volatile double readSink;
void plainRead(const std::vector<float> &data) {
  // Four accumulators so the add latency does not bound the loop.
  float a = 0, b = 0, c = 0, d = 0;
  const size_t n = data.size() & ~size_t(3);
  for (size_t i = 0; i < n; i += 4) {
    a += data[i];
    b += data[i + 1];
    c += data[i + 2];
    d += data[i + 3];
  }
  readSink = double(a) + b + c + d;
}

bool quantizeCase(const std::vector<float> &data,
                  const std::vector<int64_t> &shape, const Case &c,
                  QuantizedTensor &out) {
  std::string error;
  const bool ok =
      c.clipSearch
          ? quantizeWithClipSearch(data.data(), shape, c.scheme, out, error)
          : quantize(data.data(), shape, c.scheme, out, error);
  if (!ok)
    std::fprintf(stderr, "lowbit-bench-quantize: %s: %s\n", c.name,
                 error.c_str());
  return ok;
}

int64_t parseSize(const char *text) {
  char *end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (!end || *end != '\0' || value <= 0)
    return -1;
  return value;
}

} // namespace

int main(int argc, char **argv) {
  int64_t rows = 4096, cols = 4096;
  if (argc == 3) {
    rows = parseSize(argv[1]);
    cols = parseSize(argv[2]);
  }
  if ((argc != 1 && argc != 3) || rows <= 0 || cols <= 0 || cols % 128 != 0) {
    std::fprintf(stderr,
                 "usage: %s [N K]\n  quantizes a seeded [N, K] f32 matrix "
                 "(default 4096 4096; K must be a multiple of 128)\n",
                 argv[0]);
    return 2;
  }

  const std::vector<int64_t> shape = {rows, cols};
  const std::vector<float> weight =
      gaussianMatrix(rows * cols, 0.02, 0x10b17be4c4ULL);
  const double inputBytes = double(rows) * double(cols) * sizeof(float);

  using F = StorageFormat;
  using G = Granularity;
  // [N, K] with K contiguous: per-channel scales along axis 0, groups along
  // axis 1 (what lowbit-quantize-weights produces).
  const Case cases[] = {
      {"i4 g128 symmetric", makeScheme(F::I4, G::Group, 1, 128), false},
      {"u4 g128 affine", makeScheme(F::U4, G::Group, 1, 128, false), false},
      {"i8 per-channel", makeScheme(F::I8, G::Axis, 0, 0), false},
      {"nf4 g64", makeScheme(F::NF4, G::Group, 1, 64), false},
      {"f8E4M3FN per-channel", makeScheme(F::F8E4M3FN, G::Axis, 0, 0), false},
      {"i4 g128 + clip search", makeScheme(F::I4, G::Group, 1, 128), true},
  };

  std::printf("lowbit-bench-quantize: [N, K] = [%lld, %lld] f32 "
              "(%.1f MiB), N(0, 0.02^2), 1 thread, median of %d runs after "
              "%d warm-up\n\n",
              static_cast<long long>(rows), static_cast<long long>(cols),
              inputBytes / (1 << 20), kTimedRuns, kWarmupRuns);
  std::printf("| scheme | ms | input GB/s | SQNR dB | x plain read |\n");
  std::printf("|---|---:|---:|---:|---:|\n");

  std::vector<double> readTimes;
  for (int i = 0; i < kWarmupRuns; ++i)
    plainRead(weight);

  QuantizedTensor quantized;
  std::vector<float> dequantized(weight.size());
  for (const Case &c : cases) {
    for (int i = 0; i < kWarmupRuns; ++i)
      if (!quantizeCase(weight, shape, c, quantized))
        return 1;
    std::vector<double> times, reads;
    for (int i = 0; i < kTimedRuns; ++i) {
      reads.push_back(timeMs([&] { plainRead(weight); }));
      times.push_back(
          timeMs([&] { quantizeCase(weight, shape, c, quantized); }));
    }
    readTimes.insert(readTimes.end(), reads.begin(), reads.end());
    dequantize(quantized, shape, c.scheme, dequantized.data());
    const ErrorMetrics metrics =
        computeErrorMetrics(weight.data(), dequantized.data(), weight.size());
    const double ms = median(times);
    std::printf("| %s | %.1f | %.3f | %.2f | %.0fx |\n", c.name, ms,
                inputBytes / (ms * 1e-3) / 1e9, metrics.sqnrDb,
                ms / median(reads));
  }
  const double readMs = median(readTimes);
  std::printf("\nplain read of the same bytes: %.1f ms (%.2f GB/s), timed "
              "in alternation with each scheme\n",
              readMs, inputBytes / (readMs * 1e-3) / 1e9);

  // The rest of what lowbit-quantize-weights does per weight, for i4 g128:
  // pack the codes into the blob, and (with report=) dequantize and measure.
  const Case &int4 = cases[0];
  if (!quantizeCase(weight, shape, int4, quantized))
    return 1;
  std::vector<double> packTimes, dequantTimes, metricTimes;
  size_t packedBytes = 0;
  for (int i = 0; i < kWarmupRuns + kTimedRuns; ++i) {
    const double pack = timeMs(
        [&] { packedBytes = packCodes(quantized, int4.scheme.format).size(); });
    const double dequant = timeMs(
        [&] { dequantize(quantized, shape, int4.scheme, dequantized.data()); });
    const double metric = timeMs([&] {
      computeErrorMetrics(weight.data(), dequantized.data(), weight.size());
    });
    if (i < kWarmupRuns)
      continue;
    packTimes.push_back(pack);
    dequantTimes.push_back(dequant);
    metricTimes.push_back(metric);
  }
  std::printf("\nOther steps of lowbit-quantize-weights on this weight "
              "(i4 g128):\n\n");
  std::printf("| step | ms |\n|---|---:|\n");
  std::printf("| packCodes (%zu bytes) | %.1f |\n", packedBytes,
              median(packTimes));
  std::printf("| dequantize (report only) | %.1f |\n", median(dequantTimes));
  std::printf("| computeErrorMetrics (report only) | %.1f |\n",
              median(metricTimes));
  return 0;
}
