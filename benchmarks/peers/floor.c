/*
 * The memory-bandwidth floor for a single-query exact scan: stream the whole gallery through a
 * dot product, in float32 and in int8, on every core (OpenMP), and nothing else. No top-k, no
 * bookkeeping: a search cannot be faster than this on the same machine.
 *
 *   gcc -O3 -march=native -fopenmp floor.c -o floor && ./floor gallery.f32 queries.f32 N D
 *
 * Prints "floor_f32_single_ms X", "floor_i8_single_ms Y" and the bandwidth they reach.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static float *load(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  float *data = malloc(count * sizeof(float));
  if (!data || fread(data, sizeof(float), count, f) != count) { fprintf(stderr, "%s: short read\n", path); exit(1); }
  fclose(f);
  return data;
}

/* Values only matter for keeping the sums honest; a unit vector's entries are well inside ±0.25. */
static int8_t to_int8(float v) {
  float scaled = v * (127.0f / 0.25f);
  return (int8_t)lrintf(scaled > 127 ? 127 : scaled < -127 ? -127 : scaled);
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: floor gallery.f32 queries.f32 N D\n"); return 2; }
  size_t n = strtoull(argv[3], 0, 10), d = strtoull(argv[4], 0, 10);
  float *x = load(argv[1], n * d), *q = load(argv[2], 64 * d);
  int8_t *x8 = malloc(n * d), *q8 = malloc(64 * d);
  for (size_t i = 0; i < n * d; i++) x8[i] = to_int8(x[i]);
  for (size_t i = 0; i < 64 * d; i++) q8[i] = to_int8(q[i]);
  enum { RUNS = 20 };
  double f32[RUNS], i8[RUNS];
  volatile float sink = 0;
  for (int run = -3; run < RUNS; run++) {
    const float *p = q + (size_t)((run + 3) % 64) * d;
    float best = -INFINITY;
    double t0 = now_ms();
#pragma omp parallel for reduction(max : best) schedule(static)
    for (size_t r = 0; r < n; r++) {
      const float *row = x + r * d;
      float s = 0;
#pragma omp simd reduction(+ : s)
      for (size_t i = 0; i < d; i++) s += p[i] * row[i];
      best = s > best ? s : best;
    }
    if (run >= 0) f32[run] = now_ms() - t0;
    sink += best;

    const int8_t *p8 = q8 + (size_t)((run + 3) % 64) * d;
    int32_t best8 = INT32_MIN;
    t0 = now_ms();
#pragma omp parallel for reduction(max : best8) schedule(static)
    for (size_t r = 0; r < n; r++) {
      const int8_t *row = x8 + r * d;
      int32_t s = 0;
      for (size_t i = 0; i < d; i++) s += (int32_t)p8[i] * row[i];
      best8 = s > best8 ? s : best8;
    }
    if (run >= 0) i8[run] = now_ms() - t0;
    sink += best8;
  }
  qsort(f32, RUNS, sizeof(double), compare);
  qsort(i8, RUNS, sizeof(double), compare);
  double mf = f32[RUNS / 2], mi = i8[RUNS / 2];
  printf("floor_threads %d\n", omp_get_max_threads());
  printf("floor_f32_single_ms %.3f\nfloor_f32_gb_per_s %.2f\n", mf, n * d * 4 / mf / 1e6);
  printf("floor_i8_single_ms %.3f\nfloor_i8_gb_per_s %.2f\n", mi, n * d / mi / 1e6);
  return sink == 12345.0f; /* keeps the sums alive */
}
