// The engine's gradient sums: the addon's axpy against the TypeScript one (bit for bit where the
// sums need it), its argument checks, and an engine whose backend lacks axpy.
import { activeBackend, add, Graph, loadNative, Matrix, mul, Rng, setLargeBackend, sum, tsBackend, type DType } from '../src';
import { Backend } from '../src/backend/backend';
import { ElementwiseKernels, nativeBackendOf } from '../src/backend/native';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, expectNativeArgError, filled } from './helpers';

const load = loadNative();
const axpy = (load.addon as Partial<ElementwiseKernels> | null)?.axpy ?? null;
if (!axpy) console.warn(`the native axpy is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`);



const bits = (x: FloatArray): bigint[] => Array.from(new BigInt64Array(Float64Array.from(x).buffer));

/** The gradient of a 40×40 weight that reaches it from five consumers, under `backend`. */
function sharedWeightGradient(backend: Backend, dtype: DType): FloatArray {
  const saved = activeBackend();
  setLargeBackend(backend, 0);
  try {
    const rng = new Rng(3);
    const g = new Graph({ dtype });
    const w = g.param('w', new Matrix(40, 40, dtype, filled(rng, 1600, dtype, -3, 3)));
    const terms = Array.from({ length: 5 }, (_, k) => sum(mul(w, g.constant(`c${k}`, new Matrix(40, 40, dtype, filled(rng, 1600, dtype, -3, 3)))), 'all'));
    const loss = terms.reduce((a, b) => add(a, b));
    g.forward(loss);
    g.backward(loss);
    return (w.grad as { data: FloatArray }).data.slice() as FloatArray;
  } finally {
    setLargeBackend(saved, 0);
  }
}

(axpy ? describe : describe.skip)('native axpy', () => {
  const native = axpy as ElementwiseKernels['axpy'];

  it('y + x has the bits of the TypeScript sum in float32 and float64; other alphas in float64 too', () => {
    for (const n of [1, 300, 40000]) {
      for (const dtype of ['float32', 'float64'] as const) {
        const rng = new Rng(n);
        const [x, y] = [filled(rng, n, dtype, -3, 3), filled(rng, n, dtype, -3, 3)];
        const alphas = dtype === 'float64' ? [1, -2.5, 0.3] : [1];
        for (const alpha of alphas) {
          const [a, b] = [y.slice() as FloatArray, y.slice() as FloatArray];
          native(x, a, alpha);
          tsBackend.axpy(alpha, x, b);
          expect(bits(a)).toEqual(bits(b));
        }
      }
    }
  });

  it('the engine sums a shared weight\'s gradients in the addon, to the bits of the TypeScript sums', () => {
    let calls = 0;
    const nativeBackend = nativeBackendOf(load.addon!);
    const counting: Backend = { ...nativeBackend, axpy: (a, x, y) => (calls++, nativeBackend.axpy!(a, x, y)) };
    for (const dtype of ['float64', 'float32'] as const) {
      const before = calls;
      const viaAddon = sharedWeightGradient(counting, dtype);
      expect(calls - before).toBe(4); // five gradients: the first is copied, four are added
      expect(bits(viaAddon)).toEqual(bits(sharedWeightGradient(tsBackend, dtype)));
    }
  });

  it('a backend from an addon without axpy has none, and the engine sums in TypeScript', () => {
    const { sgemm, dgemm, gemmScalars, setThreads, info } = load.addon!;
    const old = nativeBackendOf({ sgemm, dgemm, gemmScalars, setThreads, info });
    expect(old.axpy).toBeUndefined();
    expect(bits(sharedWeightGradient(old, 'float64'))).toEqual(bits(sharedWeightGradient(tsBackend, 'float64')));
  });

  describe('argument checks (E_NATIVE_ARG, nothing written)', () => {
    const call = (...args: unknown[]) => (native as unknown as (...a: unknown[]) => void)(...args);

    it.each([
      ['too few arguments', () => call(new Float64Array(2), new Float64Array(2)), /axpy: expected 3 arguments \(x, y, alpha\), got 2/],
      ['x not a float array', () => call([1, 2], new Float64Array(2), 1), /axpy: x must be a Float32Array or Float64Array/],
      ['mixed element types', () => call(new Float32Array(2), new Float64Array(2), 1), /axpy: y must have the element type of x/],
      ['lengths differ', () => call(new Float64Array(3), new Float64Array(2), 1), /axpy: y must hold as many values as x \(3\), it holds 2/],
      ['alpha not a number', () => call(new Float64Array(2), new Float64Array(2), '1'), /axpy: alpha must be a number/],
    ])('%s', (_, f, message) => expectNativeArgError(f, message));

    it('y overlapping x is refused before anything is written', () => {
      const buf = new Float64Array(6).fill(1);
      expectNativeArgError(() => call(buf.subarray(0, 4), buf.subarray(2, 6), 1), /axpy: y overlaps x/);
      expect(Array.from(buf)).toEqual([1, 1, 1, 1, 1, 1]);
    });
  });
});
