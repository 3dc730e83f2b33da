import { ShapeError } from '../errors';
import { Matrix, shapeText } from '../tensor/matrix';
import { Backend } from './backend';
import { tsBackend } from './ts';

/**
 * Which backend does large products. Small products always stay in TypeScript: below
 * `nativeThreshold` multiply-adds the call into the addon costs more than the work.
 */
let large: Backend = tsBackend;
let nativeThreshold = 4096;

export function setLargeBackend(backend: Backend, threshold: number): void {
  large = backend;
  nativeThreshold = threshold;
}

export function activeBackend(): Backend {
  return large;
}

export function backendFor(m: number, n: number, k: number): Backend {
  return m * n * k >= nativeThreshold ? large : tsBackend;
}

/** C = alpha·op(A)·op(B) + beta·C on whole matrices; the shapes are checked. */
export function matmul(a: Matrix, b: Matrix, c: Matrix, transA = false, transB = false, alpha = 1, beta = 0): void {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb || c.rows !== m || c.cols !== n) {
    throw new ShapeError(
      `matmul: op(A) ${m}×${k} · op(B) ${kb}×${n} into C ${shapeText(c.shape)} (A ${shapeText(a.shape)}, B ${shapeText(b.shape)})`,
    );
  }
  backendFor(m, n, k).gemm(transA, transB, m, n, k, alpha, a.data, 0, a.cols, b.data, 0, b.cols, beta, c.data, 0, c.cols);
}
