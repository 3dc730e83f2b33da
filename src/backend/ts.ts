import { FloatArray } from '../tensor/matrix';
import { Backend } from './backend';

/**
 * The pure-TypeScript reference backend. Always available; also the path for tiny products,
 * where crossing into the addon costs more than the arithmetic.
 */
export const tsBackend: Backend = {
  name: 'ts',
  gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) {
    scaleC(m, n, beta, c, cOff, ldc);
    if (alpha === 0) return;
    if (!transB) gemmBRows(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    else gemmBCols(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  },
};

const TILE = 64;

function scaleC(m: number, n: number, beta: number, c: FloatArray, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    // beta = 0 overwrites, so NaN/Inf already in C do not leak through (BLAS semantics)
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = 0; j < n; j++) c[row + j] *= beta;
  }
}

/**
 * op(B) = B: rows of B are contiguous, so C[i,:] += a(i,p)·B[p,:] in i-k-j order,
 * tiled over k and j so the touched part of B stays in cache.
 */
function gemmBRows(
  transA: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, aOff: number, lda: number, b: FloatArray, bOff: number, ldb: number,
  c: FloatArray, cOff: number, ldc: number,
): void {
  for (let p0 = 0; p0 < k; p0 += TILE) {
    const p1 = Math.min(k, p0 + TILE);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = 0; i < m; i++) {
        const cRow = cOff + i * ldc;
        for (let p = p0; p < p1; p++) {
          const av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
          if (av === 0) continue;
          const bRow = bOff + p * ldb;
          for (let j = j0; j < j1; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    }
  }
}

/** op(B) = Bᵀ: C[i,j] is a dot product of a row of op(A) with a contiguous row of B. */
function gemmBCols(
  transA: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, aOff: number, lda: number, b: FloatArray, bOff: number, ldb: number,
  c: FloatArray, cOff: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const cRow = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      const bRow = bOff + j * ldb;
      let s = 0;
      if (transA) for (let p = 0; p < k; p++) s += a[aOff + p * lda + i] * b[bRow + p];
      else {
        const aRow = aOff + i * lda;
        for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
      }
      c[cRow + j] += alpha * s;
    }
  }
}
