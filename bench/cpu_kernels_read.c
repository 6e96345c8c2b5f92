/*===- cpu_kernels_read.c - the memory roofline of bench/cpu_kernels.py ---===*
 *
 * A plain read of a buffer on `threads` threads (each sums its contiguous
 * share as 64-bit words, which vectorises without reassociating floats), and
 * the cache eviction that precedes every timed call: the same read over a
 * set of at least 512 MB. Built twice, with libomp (the read) and libgomp
 * (the eviction); loaded by the benchmark driver through ctypes.
 *
 *===----------------------------------------------------------------------===*/

#include <stddef.h>
#include <stdint.h>

/* Reads `bytes` bytes (a multiple of 8) at `data` on `threads` OpenMP
 * threads (the OpenMP runtime keeps them alive between calls, so a call
 * costs no thread creation); returns a value depending on every word so nothing is elided. */
uint64_t lowbit_bench_read(const void *data, size_t bytes, int threads) {
  const uint64_t *words = (const uint64_t *)data;
  size_t count = bytes / 8;
  uint64_t sum = 0;
#pragma omp parallel for num_threads(threads) schedule(static)                 \
    reduction(+ : sum)
  for (size_t i = 0; i < count; ++i)
    sum += words[i];
  return sum;
}
