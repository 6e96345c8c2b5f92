//===- GPTQBench.cpp - GPTQ / AWQ time on one large layer -----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Times quantizeGPTQ() on an N x K weight (default 4096 x 4096, int4 g128)
// with a synthetic Gram matrix H = X^T X from 2K random rows of X, and RTN
// for comparison (and AWQ on layers up to 1024 x 1024). Usage:
// lowbit-bench-gptq [N K [THREADS]]; THREADS 0 (the default) is
// std::thread::hardware_concurrency(). Prints a checksum of the codes so that
// runs with different thread counts can be compared.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quant/GPTQ.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  // H = X^T X over 2K rows, accumulated 8 rows at a time (X is never
  // stored whole; 8 rows per pass over H keep this under a minute).
  const int64_t rows = 2 * k;
  std::vector<double> h(k * k, 0.0), x(8 * k);
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < rows; r += 8) {
    for (double &v : x)
      v = normal(rng);
    for (int64_t i = 0; i < k; ++i) {
      double a[8];
      for (int t = 0; t < 8; ++t)
        a[t] = x[t * k + i];
      double *hi = &h[i * k];
      for (int64_t j = i; j < k; ++j) {
        double s = 0.0;
        for (int t = 0; t < 8; ++t)
          s += a[t] * x[t * k + j];
        hi[j] += s;
      }
    }
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
  GPTQOptions options;
  options.threads = argc > 3 ? std::atoi(argv[3]) : 0;
  if (!quantizeGPTQ(w.data(), {n, k}, s, h.data(), options, q, error, &report))
    return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  auto t4 = std::chrono::steady_clock::now();
  auto sec = [](auto a, auto b) {
    return std::chrono::duration<double>(b - a).count();
  };
  std::printf("layer %lld x %lld, int4 g128, H from %lld rows (%.1f s)\n",
              (long long)n, (long long)k, (long long)rows, sec(t0, t1));
  std::printf("  rtn  %8.3f s\n", sec(t2, t3));
  uint64_t sum = 1469598103934665603ull; // FNV-1a over codes and scales
  for (int32_t c : q.codes)
    sum = (sum ^ uint32_t(c)) * 1099511628211ull;
  for (float v : q.scales) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    sum = (sum ^ bits) * 1099511628211ull;
  }
  std::printf("  gptq %8.3f s (threads %d, damping %.3g, retries %d, "
              "checksum %016llx)\n",
              sec(t3, t4), options.threads, report.damping,
              report.dampingRetries, (unsigned long long)sum);
  // AWQ's grid costs 20 products E H ([N, K] x [K, K]): timed on smaller
  // layers only.
  if (n * k <= 1024 * 1024) {
    AWQOptions awqOptions;
    awqOptions.rows = rows;
    std::vector<float> inputScales;
    AWQReport awqReport;
    auto t5 = std::chrono::steady_clock::now();
    if (!quantizeAWQ(w.data(), {n, k}, s, h.data(), awqOptions, q, inputScales,
                     error, &awqReport))
      return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    auto t6 = std::chrono::steady_clock::now();
    std::printf("  awq  %8.3f s (alpha %.2f, error %.6g)\n", sec(t5, t6),
                awqReport.alpha, awqReport.error);
  }
  return 0;
}
