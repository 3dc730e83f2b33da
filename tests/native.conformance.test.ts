// The native backend against the TypeScript reference: GEMM within the rounding bound, then the
// registry-driven gradient suite re-run with every product in the addon (threshold 0).
import { Backend, loadNative, Matrix, Rng, setLargeBackend, tsBackend } from '../src';
import { GEMM_TEST_SIZES, gemmErrorRatio } from '../src/backend/doctor';
import { nativeBackendOf } from '../src/backend/native';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon;
const absent = `native addon not loaded, native conformance skipped; tried:\n${addonTried(load)}`;

const PAIRS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

function uniform(rng: Rng, n: number, dtype: 'float32' | 'float64'): FloatArray {
  const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

(addon ? describe : describe.skip)('native GEMM against the float64 TS reference', () => {
  // the body runs to collect the tests even when they are skipped: no addon call here
  const native: Backend = addon ? nativeBackendOf(addon) : tsBackend;
  it.each(['float64', 'float32'] as const)('%s: 100 random shapes × 4 transpose pairs within 2·k·u·|A||B|', (dtype) => {
    const rng = new Rng(7);
    const failures: string[] = [];
    for (let t = 0; t < 100; t++) {
      const [m, n, k] = [0, 1, 2].map(() => GEMM_TEST_SIZES[rng.int(GEMM_TEST_SIZES.length)]);
      for (const [transA, transB] of PAIRS) {
        const a = uniform(rng, m * k, dtype), b = uniform(rng, k * n, dtype);
        const c = dtype === 'float32' ? new Float32Array(m * n).fill(NaN) : new Float64Array(m * n).fill(NaN);
        native.gemm(transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
        const ratio = gemmErrorRatio(transA, transB, m, n, k, a, b, c);
        if (!(ratio <= 1)) failures.push(`${m}×${n}×${k} transA=${transA} transB=${transB}: error ${ratio.toFixed(2)}× the bound`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(['float32', 'float64'] as const)('%s: alpha, beta, leading dimensions and views at an offset match TS exactly on small integers', (dtype) => {
    const rng = new Rng(11);
    for (const [transA, transB] of PAIRS) {
      const [m, n, k] = [5, 6, 7];
      const lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 4;
      const ints = (len: number): FloatArray => {
        const x = dtype === 'float32' ? new Float32Array(len) : new Float64Array(len);
        for (let i = 0; i < len; i++) x[i] = rng.int(9) - 4;
        return x;
      };
      // operands live inside larger buffers: a typed-array view at a byte offset, plus an element offset
      const a = ints(200).subarray(9), b = ints(200).subarray(5), c0 = ints(200);
      const cNative = c0.slice().subarray(3), cTs = c0.slice().subarray(3);
      native.gemm(transA, transB, m, n, k, 2, a, 4, lda, b, 6, ldb, -3, cNative, 8, ldc);
      tsBackend.gemm(transA, transB, m, n, k, 2, a, 4, lda, b, 6, ldb, -3, cTs, 8, ldc);
      expect(Array.from(cNative)).toEqual(Array.from(cTs)); // also: nothing outside C's rows was written
    }
  });

  it('beta = 0 overwrites NaN in C, as BLAS does', () => {
    const a = Matrix.from([[1, 2]]), b = Matrix.from([[3], [4]]);
    const c = new Float64Array([NaN]);
    native.gemm(false, false, 1, 1, 2, 1, a.data, 0, 2, b.data, 0, 1, 0, c, 0, 1);
    expect(c[0]).toBe(11);
  });
});

if (addon) {
  describe('the registry gradient suite with every product in the addon', () => {
    const native = nativeBackendOf(addon);
    let products = 0;
    const counting: Backend = { name: 'native', gemm: (...args) => (products++, native.gemm(...args)) };
    beforeAll(() => setLargeBackend(counting, 0));
    afterAll(() => setLargeBackend(tsBackend, Infinity));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./ops.gradients.test');
    it('ran the products of the suite above in the addon', () => expect(products).toBeGreaterThan(100));
  });
} else {
  describe.skip(absent, () => {
    it('needs the addon', () => undefined);
  });
  process.stderr.write(`${absent}\n`); // jest prints no console output of a suite whose tests all skip
}
