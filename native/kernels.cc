// A cache-blocked GEMM with OpenMP over tiles of C. Each tile packs its panels of op(A) and
// op(B) into contiguous buffers, so transposes cost one copy per panel and the innermost loop
// is a unit-stride axpy that the compiler vectorises without -ffast-math (no reassociation:
// each C element still sums its k products in order, which keeps the error bound of naive GEMM).
#include "kernels.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "clones.h"

namespace wiregrad {

namespace {

// Rows of C per tile, depth of one panel, columns of C per tile: a KC×NC panel of B
// (128×256 doubles = 256 KiB) stays in L2 while MC rows of C stream over it.
constexpr int64_t MC = 64;
constexpr int64_t KC = 128;
constexpr int64_t NC = 256;

template <typename T>
void scaleTile(int64_t rows, int64_t cols, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < rows; i++) {
    T* row = c + i * ldc;
    // beta = 0 overwrites, so NaN or Inf already in C does not leak through (BLAS semantics)
    if (beta == T(0)) std::fill(row, row + cols, T(0));
    else if (beta != T(1)) for (int64_t j = 0; j < cols; j++) row[j] *= beta;
  }
}

template <typename T>
void packA(bool transA, const T* a, int64_t lda, int64_t i0, int64_t rows, int64_t p0, int64_t depth, T alpha, T* out) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t p = 0; p < depth; p++)
      out[i * depth + p] = alpha * (transA ? a[(p0 + p) * lda + i0 + i] : a[(i0 + i) * lda + p0 + p]);
}

template <typename T>
void packB(bool transB, const T* b, int64_t ldb, int64_t p0, int64_t depth, int64_t j0, int64_t cols, T* out) {
  for (int64_t p = 0; p < depth; p++)
    for (int64_t j = 0; j < cols; j++)
      out[p * cols + j] = transB ? b[(j0 + j) * ldb + p0 + p] : b[(p0 + p) * ldb + j0 + j];
}

// One tile of C (rows×cols from row i0, column j0): scaled by beta, then every KC-deep panel of
// alpha·op(A)·op(B) added. Outside the OpenMP region so that its clones (clones.h) are the ones
// that run; every clone performs the same operations per element, so results do not depend on
// the CPU.
template <typename T>
WIREGRAD_VECTOR_CLONES void tile(bool transA, bool transB, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
                                 int64_t ldb, T beta, T* c, int64_t ldc, int64_t i0, int64_t rows, int64_t j0, int64_t cols,
                                 T* __restrict pa, T* __restrict pb) {
  T* ct = c + i0 * ldc + j0;
  scaleTile(rows, cols, beta, ct, ldc);
  if (alpha == T(0)) return;
  for (int64_t p0 = 0; p0 < k; p0 += KC) {
    const int64_t depth = std::min(KC, k - p0);
    packA(transA, a, lda, i0, rows, p0, depth, alpha, pa);
    packB(transB, b, ldb, p0, depth, j0, cols, pb);
    int64_t i = 0;
    // four rows of C per pass: each loaded row of B feeds four accumulating rows
    for (; i + 4 <= rows; i += 4) {
      T *c0 = ct + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
      const T* ar = pa + i * depth;
      for (int64_t p = 0; p < depth; p++) {
        const T a0 = ar[p], a1 = ar[depth + p], a2 = ar[2 * depth + p], a3 = ar[3 * depth + p];
        const T* brow = pb + p * cols;
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) {
          const T bj = brow[j];
          c0[j] += a0 * bj;
          c1[j] += a1 * bj;
          c2[j] += a2 * bj;
          c3[j] += a3 * bj;
        }
      }
    }
    for (; i < rows; i++) {
      T* crow = ct + i * ldc;
      const T* arow = pa + i * depth;
      for (int64_t p = 0; p < depth; p++) {
        const T av = arow[p];
        const T* brow = pb + p * cols;
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) crow[j] += av * brow[j];
      }
    }
  }
}

}  // namespace

template <typename T>
void ownGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
             const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const int64_t tilesI = (m + MC - 1) / MC;
  const int64_t tilesJ = (n + NC - 1) / NC;
  const int64_t tiles = tilesI * tilesJ;
  // One tile is not worth waking a team for.
#pragma omp parallel if (tiles > 1)
  {
    // sized to this product, so a small one allocates little
    std::vector<T> pa(static_cast<size_t>(std::min(MC, m) * std::min(KC, k)));
    std::vector<T> pb(static_cast<size_t>(std::min(KC, k) * std::min(NC, n)));
#pragma omp for schedule(dynamic)
    for (int64_t t = 0; t < tiles; t++) {
      const int64_t i0 = (t / tilesJ) * MC, j0 = (t % tilesJ) * NC;
      tile(transA, transB, k, alpha, a, lda, b, ldb, beta, c, ldc, i0, std::min(MC, m - i0), j0, std::min(NC, n - j0),
           pa.data(), pb.data());
    }
  }
}

template void ownGemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                             int64_t, float, float*, int64_t);
template void ownGemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t, const double*,
                              int64_t, double, double*, int64_t);

void ownSetThreads(int threads) { omp_set_num_threads(threads); }

int ownThreads() { return omp_get_max_threads(); }

}  // namespace wiregrad
