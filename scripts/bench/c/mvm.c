/*
 * C reference for the tessera MVM kernel benchmark: y = x · G with G row-major rows × cols, x batch × rows,
 * y batch × cols, float32. The loop is the plain one a C programmer writes (batch, row, column order so the
 * innermost loop walks contiguous memory); the bench compiles it with `cc -O3 -march=native` so the compiler
 * auto-vectorises it for the host (AVX2 + FMA here).
 *
 * Usage: mvm ROWS COLS BATCH MIN_SECONDS REPETITIONS
 * Prints one JSON object: {"gflops":<best GFLOP/s>,"checksum":<sum of outputs>}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void mvm (const float *restrict g, const float *restrict x, float *restrict out, int rows, int cols, int batch) {
  for (int b = 0; b < batch; b++) {
    float *restrict o = out + (size_t)b * cols;
    const float *restrict xb = x + (size_t)b * rows;
    for (int c = 0; c < cols; c++) o[c] = 0.0f;
    for (int r = 0; r < rows; r++) {
      const float xr = xb[r];
      const float *restrict gr = g + (size_t)r * cols;
      for (int c = 0; c < cols; c++) o[c] += xr * gr[c];
    }
  }
}

static double now_seconds (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Deterministic inputs in [-1, 1) from a 32-bit xorshift, so runs are comparable. */
static unsigned int state = 0x9e3779b9u;
static float next_value (void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return (float)((double)state / 4294967296.0 * 2.0 - 1.0);
}

int main (int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s ROWS COLS BATCH MIN_SECONDS REPETITIONS\n", argv[0]);
    return 2;
  }
  const int rows = atoi(argv[1]), cols = atoi(argv[2]), batch = atoi(argv[3]);
  const double min_seconds = atof(argv[4]);
  const int repetitions = atoi(argv[5]);
  if (rows <= 0 || cols <= 0 || batch <= 0 || min_seconds <= 0 || repetitions <= 0) {
    fprintf(stderr, "all arguments must be positive\n");
    return 2;
  }
  float *g = aligned_alloc(64, ((size_t)rows * cols * sizeof(float) + 63) / 64 * 64);
  float *x = aligned_alloc(64, ((size_t)batch * rows * sizeof(float) + 63) / 64 * 64);
  float *out = aligned_alloc(64, ((size_t)batch * cols * sizeof(float) + 63) / 64 * 64);
  if (!g || !x || !out) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < (size_t)rows * cols; i++) g[i] = next_value();
  for (size_t i = 0; i < (size_t)batch * rows; i++) x[i] = next_value();

  const double flops_per_call = 2.0 * rows * cols * batch;
  double best = 0.0, checksum = 0.0;
  mvm(g, x, out, rows, cols, batch); /* warm-up: page in and fill caches */
  for (int rep = 0; rep < repetitions; rep++) {
    long calls = 0;
    const double start = now_seconds();
    double elapsed;
    do {
      mvm(g, x, out, rows, cols, batch);
      calls++;
      elapsed = now_seconds() - start;
    } while (elapsed < min_seconds);
    const double gflops = flops_per_call * calls / elapsed / 1e9;
    if (gflops > best) best = gflops;
    checksum += out[(size_t)(calls % batch) * cols];
  }
  for (size_t i = 0; i < (size_t)batch * cols; i++) checksum += out[i];
  printf("{\"gflops\":%.6f,\"checksum\":%.6f}\n", best, checksum);
  free(g);
  free(x);
  free(out);
  return 0;
}
