import { FloatArray } from '../tensor/matrix';

/**
 * What the engine needs from a compute backend. All arrays of one call share one dtype;
 * matrices are row-major with leading dimensions, as in CBLAS.
 */
export interface Backend {
  readonly name: string;
  /** C = alpha·op(A)·op(B) + beta·C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n. */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: FloatArray,
    aOffset: number,
    lda: number,
    b: FloatArray,
    bOffset: number,
    ldb: number,
    beta: number,
    c: FloatArray,
    cOffset: number,
    ldc: number,
  ): void;
  /**
   * y ← alpha·x + y on whole arrays of one length: the engine's gradient sums. Optional: the
   * engine adds in TypeScript where a backend lacks it.
   */
  axpy?(alpha: number, x: FloatArray, y: FloatArray): void;
}
