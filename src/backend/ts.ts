import { FloatArray } from '../tensor/matrix';
import { Backend } from './backend';

/**
 * The pure-TypeScript reference backend. Always available; also the path for tiny products,
 * where crossing into the addon costs more than the arithmetic.
 */
export const tsBackend: Backend & Required<Pick<Backend, 'axpy'>> = {
  name: 'ts',
  gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) {
    scaleC(m, n, beta, c, cOff, ldc);
    if (alpha === 0) return;
    if (!transB) gemmBRows(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    else gemmBCols(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  },
  axpy(alpha, x, y) {
    // the multiply skipped when alpha = 1 (the engine's sums): 1·x is x anyway
    if (alpha === 1) for (let i = 0; i < y.length; i++) y[i] += x[i];
    else for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  },
};

const TILE = 64;

function scaleC(m: number, n: number, beta: number, c: FloatArray, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    // beta = 0 overwrites, so NaN/Inf already in C do not leak through (BLAS semantics);
    // a plain loop, not fill(): the products here are tiny and a builtin call costs more than the row
    if (beta === 0) for (let j = row; j < row + n; j++) c[j] = 0;
    else for (let j = row; j < row + n; j++) c[j] *= beta;
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
  // a(i, p) is a[aOff + i·ai + p·ap]: strides instead of a branch on transA in the inner loops
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  for (let p0 = 0; p0 < k; p0 += TILE) {
    const p1 = Math.min(k, p0 + TILE);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = 0; i < m; i++) {
        const cRow = cOff + i * ldc;
        const aRow = aOff + i * ai;
        for (let p = p0; p < p1; p++) {
          const av = alpha * a[aRow + p * ap];
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
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  for (let i = 0; i < m; i++) {
    const cRow = cOff + i * ldc;
    const aRow = aOff + i * ai;
    for (let j = 0; j < n; j++) {
      const bRow = bOff + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p * ap] * b[bRow + p];
      c[cRow + j] += alpha * s;
    }
  }
}
