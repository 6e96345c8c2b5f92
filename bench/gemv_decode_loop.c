// gemv_decode_loop.c - the int4 g128 GEMV decode loop of lowbit's streaming
// kernel (AVX-512, 16 lanes) and two alternatives, timed on one core with
// the codes in L2, so that only the decode counts (no DRAM stream, no
// threads).
//
//   clang-22 -O2 -march=native bench/gemv_decode_loop.c -o /tmp/decode_loop
//   /tmp/decode_loop
//
// Layout as lowbit-cpu-kernels repacks it (lane words): per weight row, steps
// of 128 codes stored as 16 32-bit words, word l holding in nibble j the code
// of column k0 + 16 j + l; one group of 128 codes per step (g128), i4
// symmetric. Four weight rows at once, two partial sums per row, as the
// kernel does at M = 1.
//
//   lookup   (the kernel): per 16 codes a shift of the words by 4 j, a
//            vpermps in the row's table of values times the group's scale,
//            an FMA with 16 activations;
//   offsets: the same lookups, the even nibbles read by loads of the words
//            at byte offsets 0..3 (vpermps reads the low 4 bits of each
//            lane), the odd ones shifted by 4: 4 shifts per step instead
//            of 7;
//   convert: no table: (words << (28 - 4 j)) >> 28 arithmetic, converted to
//            f32, FMAs into per-group sums scaled at the end of the group;
//   channel: lookup with one table per row (per-channel scales, the first
//            group's; its results are not compared), what the per-group
//            tables cost.
//
// Prints the time of one pass over 1 MiB of codes (512 rows x 4096) per
// variant, three rounds, and checks that the variants' results agree.

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { K = 4096, ROWS = 512, GROUPS = K / 128, CALLS = 2000 };

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// The 16 values of i4 codes (two's complement) times `scale`.
static __m512 scaledTable(float scale) {
  __m512 values =
      _mm512_set_ps(-1, -2, -3, -4, -5, -6, -7, -8, 7, 6, 5, 4, 3, 2, 1, 0);
  return _mm512_mul_ps(values, _mm512_set1_ps(scale));
}

static const uint32_t *stepWords(const uint32_t *words, int row, int step) {
  return words + (size_t)row * (K / 8) + step * 16;
}

// The two partial sums of each of four rows, acc[c] and acc[c + 4].
static inline void zeroSums(__m512 acc[8]) {
  for (int i = 0; i < 8; ++i)
    acc[i] = _mm512_setzero_ps();
}

static inline void storeRowSums(float *y, const __m512 acc[8]) {
  for (int c = 0; c < 4; ++c)
    y[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc[c], acc[c + 4]));
}

// One step of 128 codes of a row: nibble j of the words looked up in
// `table` and multiplied with x[16 j ..], into `even` or `odd` by j.
static inline void lookupStep(const uint32_t *stepStart, __m512 table,
                              const float *x, __m512 *even, __m512 *odd) {
  __m512i w = _mm512_loadu_si512(stepStart);
  for (int j = 0; j < 8; ++j) {
    __m512i index = j ? _mm512_srli_epi32(w, 4 * j) : w;
    __m512 value = _mm512_permutexvar_ps(index, table);
    __m512 *sum = j & 1 ? odd : even;
    *sum = _mm512_fmadd_ps(_mm512_loadu_ps(x + j * 16), value, *sum);
  }
}

__attribute__((noinline)) static void
lookup(const uint32_t *words, const float *scales, const float *x, float *y) {
  for (int n = 0; n < ROWS; n += 4) {
    __m512 acc[8];
    zeroSums(acc);
    for (int s = 0; s < GROUPS; ++s)
      for (int c = 0; c < 4; ++c) {
        lookupStep(stepWords(words, n + c, s),
                   scaledTable(scales[(n + c) * GROUPS + s]), x + s * 128,
                   &acc[c], &acc[c + 4]);
      }
    storeRowSums(y + n, acc);
  }
}

// lookup with one table per row (per-channel scales): what the per-group
// tables cost.
__attribute__((noinline)) static void
channel(const uint32_t *words, const float *scales, const float *x, float *y) {
  for (int n = 0; n < ROWS; n += 4) {
    __m512 acc[8], tables[4];
    zeroSums(acc);
    for (int c = 0; c < 4; ++c)
      tables[c] = scaledTable(scales[(n + c) * GROUPS]);
    for (int s = 0; s < GROUPS; ++s)
      for (int c = 0; c < 4; ++c) {
        lookupStep(stepWords(words, n + c, s), tables[c], x + s * 128, &acc[c],
                   &acc[c + 4]);
      }
    storeRowSums(y + n, acc);
  }
}

__attribute__((noinline)) static void
offsets(const uint32_t *words, const float *scales, const float *x, float *y) {
  for (int n = 0; n < ROWS; n += 4) {
    __m512 acc[8];
    zeroSums(acc);
    for (int s = 0; s < GROUPS; ++s)
      for (int c = 0; c < 4; ++c) {
        __m512 table = scaledTable(scales[(n + c) * GROUPS + s]);
        const char *bytes = (const char *)stepWords(words, n + c, s);
        for (int b = 0; b < 4; ++b) {
          // Lane l's low 4 bits: the low nibble of byte 4 l + b, i.e.
          // nibble 2 b of word l; shifted by 4, nibble 2 b + 1.
          __m512i w = _mm512_loadu_si512(bytes + b);
          __m512 even = _mm512_permutexvar_ps(w, table);
          acc[c] = _mm512_fmadd_ps(_mm512_loadu_ps(x + s * 128 + 2 * b * 16),
                                   even, acc[c]);
          __m512 odd = _mm512_permutexvar_ps(_mm512_srli_epi32(w, 4), table);
          acc[c + 4] = _mm512_fmadd_ps(
              _mm512_loadu_ps(x + s * 128 + (2 * b + 1) * 16), odd, acc[c + 4]);
        }
      }
    storeRowSums(y + n, acc);
  }
}

__attribute__((noinline)) static void
convert(const uint32_t *words, const float *scales, const float *x, float *y) {
  for (int n = 0; n < ROWS; n += 4) {
    __m512 acc[4];
    for (int i = 0; i < 4; ++i)
      acc[i] = _mm512_setzero_ps();
    for (int s = 0; s < GROUPS; ++s)
      for (int c = 0; c < 4; ++c) {
        __m512i w = _mm512_loadu_si512(stepWords(words, n + c, s));
        __m512 part[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
        for (int j = 0; j < 8; ++j) {
          __m512i high = j == 7 ? w : _mm512_slli_epi32(w, 28 - 4 * j);
          __m512 value = _mm512_cvtepi32_ps(_mm512_srai_epi32(high, 28));
          part[j & 1] = _mm512_fmadd_ps(_mm512_loadu_ps(x + s * 128 + j * 16),
                                        value, part[j & 1]);
        }
        acc[c] = _mm512_fmadd_ps(_mm512_add_ps(part[0], part[1]),
                                 _mm512_set1_ps(scales[(n + c) * GROUPS + s]),
                                 acc[c]);
      }
    for (int c = 0; c < 4; ++c)
      y[n + c] = _mm512_reduce_add_ps(acc[c]);
  }
}

typedef void (*Kernel)(const uint32_t *, const float *, const float *, float *);

int main(void) {
  // One word of padding: the offset loads read up to 3 bytes past a step.
  size_t numWords = (size_t)ROWS * (K / 8) + 16;
  uint32_t *words = aligned_alloc(64, numWords * 4);
  float *scales = malloc(sizeof(float) * ROWS * GROUPS);
  float *x = aligned_alloc(64, sizeof(float) * K);
  static float y[3][ROWS];
  uint32_t state = 1;
  for (size_t i = 0; i < numWords; ++i)
    words[i] = state = state * 1664525u + 1013904223u;
  for (int i = 0; i < ROWS * GROUPS; ++i)
    scales[i] = 0.01f * (1 + i % 7);
  for (int i = 0; i < K; ++i)
    x[i] = (i % 13) * 0.1f - 0.6f;

  const char *names[4] = {"lookup", "offsets", "convert", "channel"};
  Kernel kernels[4] = {lookup, offsets, convert, channel};
  static float channelY[ROWS];
  for (int round = 0; round < 3; ++round) {
    for (int v = 0; v < 4; ++v) {
      float *out = v < 3 ? y[v] : channelY;
      kernels[v](words, scales, x, out);
      double start = seconds();
      for (int i = 0; i < CALLS; ++i)
        kernels[v](words, scales, x, out);
      printf("%-8s %6.2f us", names[v], (seconds() - start) / CALLS * 1e6);
      printf(v == 3 ? "\n" : "   ");
    }
  }
  // lookup and offsets add the same products in the same order; convert
  // scales per group, so it differs by rounding.
  for (int n = 0; n < ROWS; ++n) {
    if (y[1][n] != y[0][n] ||
        fabsf(y[2][n] - y[0][n]) > 1e-4f * (1 + fabsf(y[0][n]))) {
      printf("row %d: lookup %g, offsets %g, convert %g\n", n, y[0][n], y[1][n],
             y[2][n]);
      return 1;
    }
  }
  printf("results agree (1 MiB of codes per pass, one core)\n");
  return 0;
}
