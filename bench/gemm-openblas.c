/* W1 GEMM peer: OpenBLAS called directly from C, with the protocol of bench/gemm.ts.
 *   gemm-openblas N float32|float64 THREADS        one JSON line: GFLOPS of 7 timed batches
 *   gemm-openblas N float32|float64 THREADS call   one JSON line: seconds per call (for tiny n)
 * OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are set by the caller before this process starts. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* xorshift64: uniform in [-1, 1) */
static unsigned long long state = 88172645463325252ULL;
static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (double)(state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static int n, f32;
static float *sa, *sb, *sc;
static double *da, *db, *dc;

static void product(void) {
  if (f32) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, sa, n, sb, n, 0.0f, sc, n);
  else cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, da, n, db, n, 0.0, dc, n);
}

static double batch(long reps) {
  double t0 = now();
  for (long r = 0; r < reps; r++) product();
  return now() - t0;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s N float32|float64 THREADS [call]\n", argv[0]);
    return 2;
  }
  n = atoi(argv[1]);
  f32 = strcmp(argv[2], "float32") == 0;
  int threads = atoi(argv[3]);
  int callMode = argc > 4 && strcmp(argv[4], "call") == 0;
  openblas_set_num_threads(threads);
  size_t len = (size_t)n * (size_t)n;
  if (f32) {
    sa = malloc(len * sizeof *sa), sb = malloc(len * sizeof *sb), sc = calloc(len, sizeof *sc);
    for (size_t i = 0; i < len; i++) sa[i] = (float)uniform(), sb[i] = (float)uniform();
  } else {
    da = malloc(len * sizeof *da), db = malloc(len * sizeof *db), dc = calloc(len, sizeof *dc);
    for (size_t i = 0; i < len; i++) da[i] = uniform(), db[i] = uniform();
  }
  product(); /* 1 warm-up call */
  long reps = 1;
  double t = batch(reps);
  while (t < 0.2) { /* calibrate: one batch lasts at least 0.2 s */
    reps = (long)(reps * (t > 0 ? 0.25 / t : 10)) + 1;
    t = batch(reps);
  }
  double flop = 2.0 * n * (double)n * n;
  printf("{\"system\":\"C OpenBLAS\",\"reps\":%ld,\"%s\":[", reps, callMode ? "secondsPerCall" : "gflops");
  for (int b = 0; b < 7; b++) {
    double s = batch(reps);
    printf(b ? ",%.6g" : "%.6g", callMode ? s / reps : flop * reps / s / 1e9);
  }
  printf("],\"config\":\"%s\",\"corename\":\"%s\"}\n", openblas_get_config(), openblas_get_corename());
  return 0;
}
