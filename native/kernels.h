// wiregrad's own GEMM kernels: used when the addon was built without OpenBLAS.
#pragma once

#include <cstdint>

namespace wiregrad {

// C = alpha·op(A)·op(B) + beta·C, row-major, arguments already validated.
template <typename T>
void ownGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
             const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

void ownSetThreads(int threads);
int ownThreads();

}  // namespace wiregrad
