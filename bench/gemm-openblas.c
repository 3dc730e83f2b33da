/* W1 GEMM peer: OpenBLAS called directly from C, with the protocol of bench/gemm.ts.
 *   gemm-openblas N float32|float64 THREADS        one JSON line: GFLOPS of 7 timed batches
 *   gemm-openblas N float32|float64 THREADS call   one JSON line: seconds per call (for tiny n)
 *   gemm-openblas replay FILE THREADS              one JSON line: seconds per pass over the products
 *                                                  listed in FILE (bench/phases-record.ts's text form)
 * OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are set by the caller before this process starts. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static void (*work)(void) = product;

static double batch(long reps) {
  double t0 = now();
  for (long r = 0; r < reps; r++) work();
  return now() - t0;
}

/* 1 warm-up; reps calibrated so one batch lasts at least 0.2 s; 7 timed batches into secs[]. */
static long timeBatches(double secs[7]) {
  work();
  long reps = 1;
  double t = batch(reps);
  while (t < 0.2) {
    reps = (long)(reps * (t > 0 ? 0.25 / t : 10)) + 1;
    t = batch(reps);
  }
  for (int b = 0; b < 7; b++) secs[b] = batch(reps);
  return reps;
}

/* ---- replay: the products of one training step, in order, on buffers of the recorded sizes */

typedef struct {
  int f32;
  long length;
  void* data;
} Buffer;

typedef struct {
  int transA, transB, m, n, k, a, b, c, lda, ldb, ldc;
  long aOff, bOff, cOff;
  double alpha, beta;
} Product;

static Buffer* buffers;
static Product* products;
static int nBuffers, nProducts;

static void replayAll(void) {
  for (int i = 0; i < nProducts; i++) {
    const Product* p = &products[i];
    const Buffer *a = &buffers[p->a], *b = &buffers[p->b], *c = &buffers[p->c];
    const CBLAS_TRANSPOSE ta = p->transA ? CblasTrans : CblasNoTrans, tb = p->transB ? CblasTrans : CblasNoTrans;
    if (a->f32) {
      cblas_sgemm(CblasRowMajor, ta, tb, p->m, p->n, p->k, (float)p->alpha, (float*)a->data + p->aOff, p->lda,
                  (float*)b->data + p->bOff, p->ldb, (float)p->beta, (float*)c->data + p->cOff, p->ldc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, p->m, p->n, p->k, p->alpha, (double*)a->data + p->aOff, p->lda,
                  (double*)b->data + p->bOff, p->ldb, p->beta, (double*)c->data + p->cOff, p->ldc);
    }
  }
}

static void fail(const char* file, int line, const char* why) {
  fprintf(stderr, "gemm-openblas: %s, line %d: %s\n", file, line, why);
  exit(2);
}

/* Whether rows x cols with leading dimension ld from offset off lies inside the buffer. */
static int fits(const Buffer* x, long off, long ld, long rows, long cols) {
  return ld >= cols && off + (rows - 1) * ld + cols <= x->length;
}

static void readProducts(const char* file) {
  FILE* in = fopen(file, "r");
  if (!in) {
    perror(file);
    exit(2);
  }
  char text[512];
  int line = 0;
  while (fgets(text, sizeof text, in)) {
    line++;
    char kind[16] = "", dtype[16] = "", ta[4] = "", tb[4] = "", backend[32] = "";
    if (sscanf(text, "%15s", kind) != 1 || kind[0] == '#') continue;
    if (strcmp(kind, "buffer") == 0) {
      Buffer x = {0, 0, NULL};
      if (sscanf(text, "buffer %15s %ld", dtype, &x.length) != 2 || x.length < 1) fail(file, line, "expected: buffer float32|float64 LENGTH");
      if (strcmp(dtype, "float32") != 0 && strcmp(dtype, "float64") != 0) fail(file, line, "the dtype must be float32 or float64");
      x.f32 = strcmp(dtype, "float32") == 0;
      size_t size = x.f32 ? sizeof(float) : sizeof(double);
      x.data = malloc((size_t)x.length * size);
      if (!x.data) fail(file, line, "out of memory");
      for (long i = 0; i < x.length; i++) {
        if (x.f32) ((float*)x.data)[i] = (float)uniform();
        else ((double*)x.data)[i] = uniform();
      }
      buffers = realloc(buffers, (size_t)(nBuffers + 1) * sizeof *buffers);
      buffers[nBuffers++] = x;
    } else if (strcmp(kind, "gemm") == 0) {
      Product p;
      if (sscanf(text, "gemm %3s %3s %d %d %d %lf %lf %d %ld %d %d %ld %d %d %ld %d %31s", ta, tb, &p.m, &p.n, &p.k, &p.alpha,
                 &p.beta, &p.a, &p.aOff, &p.lda, &p.b, &p.bOff, &p.ldb, &p.c, &p.cOff, &p.ldc, backend) != 17) {
        fail(file, line, "expected: gemm N|T N|T m n k alpha beta a aOffset lda b bOffset ldb c cOffset ldc backend");
      }
      if ((strcmp(ta, "N") != 0 && strcmp(ta, "T") != 0) || (strcmp(tb, "N") != 0 && strcmp(tb, "T") != 0)) fail(file, line, "transA and transB must be N or T");
      p.transA = ta[0] == 'T', p.transB = tb[0] == 'T';
      if (p.m < 1 || p.n < 1 || p.k < 1) fail(file, line, "m, n and k must be at least 1");
      if (p.a < 0 || p.a >= nBuffers || p.b < 0 || p.b >= nBuffers || p.c < 0 || p.c >= nBuffers) fail(file, line, "a buffer is not declared above");
      if (p.aOff < 0 || p.bOff < 0 || p.cOff < 0) fail(file, line, "offsets must not be negative");
      const Buffer *a = &buffers[p.a], *b = &buffers[p.b], *c = &buffers[p.c];
      if (a->f32 != b->f32 || a->f32 != c->f32) fail(file, line, "a, b and c must share one dtype");
      if (!fits(a, p.aOff, p.lda, p.transA ? p.k : p.m, p.transA ? p.m : p.k)) fail(file, line, "a does not fit its buffer");
      if (!fits(b, p.bOff, p.ldb, p.transB ? p.n : p.k, p.transB ? p.k : p.n)) fail(file, line, "b does not fit its buffer");
      if (!fits(c, p.cOff, p.ldc, p.m, p.n)) fail(file, line, "c does not fit its buffer");
      products = realloc(products, (size_t)(nProducts + 1) * sizeof *products);
      products[nProducts++] = p;
    } else {
      fail(file, line, "a line starts with buffer, gemm or #");
    }
  }
  fclose(in);
  if (nProducts == 0) fail(file, line, "no gemm lines");
}

static double cpuSeconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_sec + 1e-6 * (double)u.ru_stime.tv_usec;
}

static int replayMain(const char* file, int threads) {
  openblas_set_num_threads(threads);
  readProducts(file);
  work = replayAll;
  double secs[7];
  long reps = timeBatches(secs);
  printf("{\"system\":\"C OpenBLAS\",\"reps\":%ld,\"products\":%d,\"seconds\":[", reps, nProducts);
  for (int b = 0; b < 7; b++) printf(b ? ",%.6g" : "%.6g", secs[b] / reps);
  printf("],\"cpu\":%.4f,\"config\":\"%s\",\"corename\":\"%s\"}\n", cpuSeconds(), openblas_get_config(), openblas_get_corename());
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s N float32|float64 THREADS [call]\n       %s replay FILE THREADS\n", argv[0], argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "replay") == 0) return replayMain(argv[2], atoi(argv[3]));
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
  double secs[7];
  long reps = timeBatches(secs);
  double flop = 2.0 * n * (double)n * n;
  printf("{\"system\":\"C OpenBLAS\",\"reps\":%ld,\"%s\":[", reps, callMode ? "secondsPerCall" : "gflops");
  for (int b = 0; b < 7; b++) {
    double s = secs[b];
    printf(b ? ",%.6g" : "%.6g", callMode ? s / reps : flop * reps / s / 1e9);
  }
  printf("],\"config\":\"%s\",\"corename\":\"%s\"}\n", openblas_get_config(), openblas_get_corename());
  return 0;
}
