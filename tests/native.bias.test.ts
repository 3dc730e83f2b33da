// The bias of Add and Sub (a row broadcast over the rows): the addon's addRow and sumRows against
// their TypeScript twins bit for bit, the ops calling them above the size threshold, their argument
// checks, and an addon that predates them.
import { add, Graph, loadNative, Matrix, Rng, sub, sum } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { addRowTs, sumRowsTs } from '../src/ops/broadcast';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, expectNativeArgError, loadWithProductsOnlyAddon } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & Record<string, unknown>) | null;
const native = typeof addon?.addRow === 'function' && typeof addon?.sumRows === 'function' ? (addon as ElementwiseKernels) : null;
if (!native) console.warn(`the native row kernels are not in the addon, their tests skipped; addon load:\n${addonTried(load)}`);

type DType = 'float32' | 'float64';

function filled(rng: Rng, n: number, dtype: DType): FloatArray {
  const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-3, 3) * 10 ** rng.int(6);
  return x;
}

const alloc = (n: number, dtype: DType): FloatArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
const bits = (x: FloatArray): bigint[] => Array.from(new BigInt64Array(Float64Array.from(x).buffer));

/** Runs `f` with the addon's kernel `name` counting its calls. */
function counting<T>(name: 'addRow' | 'sumRows', f: () => T): { result: T; calls: number } {
  const original = addon![name] as (...a: unknown[]) => void;
  let calls = 0;
  addon![name] = (...a: unknown[]) => (calls++, original(...a));
  try {
    return { result: f(), calls };
  } finally {
    addon![name] = original;
  }
}

(native ? describe : describe.skip)('native row broadcast kernels', () => {
  const kernels = native as ElementwiseKernels;

  it('addRow and sumRows have the bits of their twins, float32 and float64, both signs', () => {
    for (const [m, n] of [[1, 1], [3, 5], [64, 300], [300, 7]]) {
      for (const dtype of ['float32', 'float64'] as const) {
        const rng = new Rng(m * n);
        const [a, row] = [filled(rng, m * n, dtype), filled(rng, n, dtype)];
        for (const sign of [1, -1]) {
          const [yNative, yTs] = [alloc(m * n, dtype), alloc(m * n, dtype)];
          kernels.addRow(a, row, yNative, sign);
          addRowTs(a, row, yTs, sign);
          expect(bits(yNative)).toEqual(bits(yTs));
          const [sNative, sTs] = [alloc(n, dtype), alloc(n, dtype)];
          kernels.sumRows(a, sNative, sign);
          sumRowsTs(a, sTs, sign);
          expect(bits(sNative)).toEqual(bits(sTs));
        }
      }
    }
  });

  it('the twins are the broadcast sums themselves: a − b, and column sums in row order', () => {
    const a = Float64Array.from([1e16, 1, 2, 3]);
    const y = new Float64Array(4);
    addRowTs(a, Float64Array.from([1, -1]), y, -1);
    expect(Array.from(y)).toEqual([1e16 - 1, 2, 1, 4]);
    const s = new Float64Array(1);
    // in row order 1e16 + 1 + 2 + 3 rounds at each step; any other order gives another value
    sumRowsTs(a, s, 1);
    expect(s[0]).toBe(((1e16 + 1) + 2) + 3);
  });

  it('Add and Sub with a bias run the addon from the threshold up and the twins below, with the same results', () => {
    for (const [m, n, expected] of [[64, 32, 1], [2, 8, 0]] as const) {
      for (const op of [add, sub]) {
        const rng = new Rng(7);
        const g = new Graph({ dtype: 'float32' });
        const x = g.param('x', new Matrix(m, n, 'float32', filled(rng, m * n, 'float32')));
        const b = g.param('b', new Matrix(1, n, 'float32', filled(rng, n, 'float32')));
        const y = op(x, b);
        const loss = sum(y, 'all');
        const forward = counting('addRow', () => g.forward(loss));
        const backward = counting('sumRows', () => g.backward(loss));
        expect([forward.calls, backward.calls]).toEqual([expected, expected]);
        const yTs = alloc(m * n, 'float32');
        addRowTs(x.value.data, b.value.data, yTs, op === add ? 1 : -1);
        expect(bits(y.value.data)).toEqual(bits(yTs));
        expect(Array.from(b.grad!.data)).toEqual(new Array(n).fill(op === add ? m : -m));
      }
    }
  });

  describe('argument checks (E_NATIVE_ARG, nothing written)', () => {
    const call = (name: 'addRow' | 'sumRows', ...args: unknown[]) => (kernels[name] as unknown as (...a: unknown[]) => void)(...args);
    const f64 = (n: number) => new Float64Array(n);

    it.each([
      ['addRow: too few arguments', () => call('addRow', f64(4), f64(2), f64(4)), /addRow: expected 4 arguments \(a, row, y, sign\), got 3/],
      ['addRow: a not a float array', () => call('addRow', [1, 2], f64(2), f64(2), 1), /addRow: a must be a Float32Array or Float64Array/],
      ['addRow: mixed element types', () => call('addRow', f64(4), new Float32Array(2), f64(4), 1), /addRow: row must have the element type of a/],
      ['addRow: a not whole rows', () => call('addRow', f64(5), f64(2), f64(5), 1), /addRow: a must hold whole rows of row's 2 values, it holds 5/],
      ['addRow: empty row', () => call('addRow', f64(0), f64(0), f64(0), 1), /addRow: a must hold whole rows of row's 0 values/],
      ['addRow: y of another length', () => call('addRow', f64(4), f64(2), f64(6), 1), /addRow: y must hold as many values as a \(4\), it holds 6/],
      ['addRow: sign not ±1', () => call('addRow', f64(4), f64(2), f64(4), 2), /addRow: sign must be 1 or -1/],
      ['sumRows: sign not a number', () => call('sumRows', f64(4), f64(2), 'x'), /sumRows: sign must be a number/],
      ['sumRows: g not whole rows', () => call('sumRows', f64(5), f64(2), 1), /sumRows: g must hold whole rows of out's 2 values, it holds 5/],
    ])('%s', (_, f, message) => expectNativeArgError(f, message));

    it('outputs that overlap an input are refused before anything is written; y may be a itself', () => {
      const buf = new Float64Array(8).fill(1);
      expect(() => call('addRow', buf.subarray(0, 4), f64(2), buf.subarray(2, 6), 1)).toThrow(/addRow: y overlaps a/);
      expect(() => call('addRow', f64(4), buf.subarray(0, 2), buf.subarray(1, 5), 1)).toThrow(/addRow: y overlaps row/);
      expect(() => call('sumRows', buf.subarray(0, 4), buf.subarray(3, 5), 1)).toThrow(/sumRows: out overlaps g/);
      expect(Array.from(buf)).toEqual(new Array(8).fill(1));
      const a = Float64Array.from([1, 2, 3, 4]);
      call('addRow', a, Float64Array.from([10, 20]), a, 1);
      expect(Array.from(a)).toEqual([11, 22, 13, 24]);
    });
  });
});

describe('an addon built before the row kernels', () => {
  (load.addon ? it : it.skip)('leaves the bias of Add and Sub to the twins', () => {
    const { lib, nativeModule, file } = loadWithProductsOnlyAddon(load.path!);
    expect(nativeModule.loadNative().path).toBe(file);
    expect([nativeModule.elementwiseKernel('addRow'), nativeModule.elementwiseKernel('sumRows')]).toEqual([null, null]);
    const rng = new Rng(2);
    const [m, n] = [64, 32];
    const g = new lib.Graph({ dtype: 'float64' });
    const x = g.param('x', new lib.Matrix(m, n, 'float64', filled(rng, m * n, 'float64')));
    const b = g.param('b', new lib.Matrix(1, n, 'float64', filled(rng, n, 'float64')));
    const loss = lib.sum(lib.sub(x, b), 'all');
    const y = g.forward(lib.sub(x, b)).data;
    g.forward(loss);
    g.backward(loss);
    const yTs = new Float64Array(m * n);
    addRowTs(x.value.data, b.value.data, yTs, -1);
    expect(bits(y)).toEqual(bits(yTs));
    expect(Array.from(b.grad!.data)).toEqual(new Array(n).fill(-m));
  });
});
