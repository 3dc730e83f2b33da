import { BackendError, ShapeError } from '../errors';
import { Matrix, shapeText } from '../tensor/matrix';
import { Backend } from './backend';
import { tsBackend } from './ts';

/**
 * Which backend does large products. Small products always stay in TypeScript: below
 * `nativeThreshold` multiply-adds the call into the addon costs more than the work.
 */
let large: Backend;
let nativeThreshold = 0;

/**
 * Until the first product no backend is chosen, so that importing any part of wiregrad stays
 * cheap: a stand-in takes that product, calls `resolve` (which loads the addon and calls
 * setLargeBackend) and hands the product on.
 */
export function deferBackendChoice(resolve: () => void): void {
  const standIn: Backend = {
    name: 'auto (not chosen yet)',
    gemm(...args) {
      resolve();
      if (large === standIn) throw new BackendError('the backend choice did not install a backend');
      const [, , m, n, k] = args;
      backendFor(m, n, k).gemm(...args);
    },
  };
  setLargeBackend(standIn, 0);
}

// required lazily: auto.ts depends on this module (it also installs its own stand-in on import)
deferBackendChoice(() => (require('./auto') as typeof import('./auto')).resolveBackend());

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
