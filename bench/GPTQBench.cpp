//===- GPTQBench.cpp - GPTQ / AWQ time on one large layer -----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Times quantizeGPTQ() on an N x K weight (default 4096 x 4096, int4 g128)
// with a synthetic Gram matrix H = X^T X from 2K random rows of X, and RTN
// for comparison. Usage: lowbit-bench-gptq [N K]. Single-threaded.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/GPTQ.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace lowbit::quant;

int main(int argc, char **argv) {
  const int64_t n = argc > 2 ? std::atoll(argv[1]) : 4096;
  const int64_t k = argc > 2 ? std::atoll(argv[2]) : 4096;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(n * k);
  for (float &v : w)
    v = 0.02f * normal(rng);
  // H = X^T X over 2K rows, accumulated row by row (X is never stored).
  const int64_t rows = 2 * k;
  std::vector<double> h(k * k, 0.0), x(k);
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < rows; ++r) {
    for (double &v : x)
      v = normal(rng);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = i; j < k; ++j)
        h[i * k + j] += x[i] * x[j];
  }
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < i; ++j)
      h[i * k + j] = h[j * k + i];
  auto t1 = std::chrono::steady_clock::now();

  Scheme s;
  s.format = StorageFormat::I4;
  s.granularity = Granularity::Group;
  s.axis = 1;
  s.groupSize = 128;
  QuantizedTensor q;
  std::string error;
  auto t2 = std::chrono::steady_clock::now();
  if (!quantize(w.data(), {n, k}, s, q, error))
    return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  auto t3 = std::chrono::steady_clock::now();
  GPTQReport report;
  if (!quantizeGPTQ(w.data(), {n, k}, s, h.data(), {}, q, error, &report))
    return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  auto t4 = std::chrono::steady_clock::now();
  auto sec = [](auto a, auto b) {
    return std::chrono::duration<double>(b - a).count();
  };
  std::printf("layer %lld x %lld, int4 g128, H from %lld rows (%.1f s)\n",
              (long long)n, (long long)k, (long long)rows, sec(t0, t1));
  std::printf("  rtn  %8.3f s\n", sec(t2, t3));
  std::printf("  gptq %8.3f s (damping %.3g, retries %d)\n", sec(t3, t4),
              report.damping, report.dampingRetries);
  return 0;
}
