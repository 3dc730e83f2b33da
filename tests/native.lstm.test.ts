// The addon's fused LSTM cell kernel against its TypeScript twin, through a graph, and its argument checks.
import { Graph, init, loadNative, lstmCell, mul, Rng, setThreads, sum, type DType } from '../src';
import { LstmCellKernel, lstmCellTs } from '../src/ops/lstm-cell';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, expectNativeArgError, filled } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as ({ lstmCellForward?: LstmCellKernel['forward']; lstmCellBackward?: LstmCellKernel['backward'] } | null);
const native: LstmCellKernel | null =
  addon?.lstmCellForward && addon.lstmCellBackward ? { forward: addon.lstmCellForward, backward: addon.lstmCellBackward } : null;
const absent = `the native LSTM cell kernel is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`;
if (!native) console.warn(absent);



interface Cell {
  act: FloatArray;
  tc: FloatArray;
  y: FloatArray;
  dz: FloatArray;
  dc: FloatArray;
}

/** Forward and backward of one kernel on one random case; the outputs start as NaN, to show every element is written. */
function cell(kernel: LstmCellKernel, seed: number, m: number, h: number, dtype: DType): Cell {
  const rng = new Rng(seed);
  const [z, c, g] = [filled(rng, m * 4 * h, dtype, -4, 4), filled(rng, m * h, dtype, -2, 2), filled(rng, m * 2 * h, dtype, -1, 1)];
  const [act, tc, y, dz, dc] = [4, 1, 2, 4, 1].map((w) => filled(rng, m * w * h, dtype, NaN, NaN));
  kernel.forward(z, c, act, tc, y, m, h);
  kernel.backward(g, c, act, tc, dz, dc, m, h);
  return { act, tc, y, dz, dc };
}

function worst(x: FloatArray, y: FloatArray): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
  return d;
}

(native ? describe : describe.skip)('native LSTM cell kernel', () => {
  afterAll(() => setThreads(1));

  it('matches the TS twin within 1e-12 in float64, 1e-5 in float32, on one thread and two', () => {
    const sizes: [number, number][] = [[1, 1], [1, 3], [3, 5], [7, 16], [64, 128]]; // the last runs in parallel
    for (const threads of [1, 2]) {
      setThreads(threads);
      sizes.forEach(([m, h], k) => {
        for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
          const want = cell(lstmCellTs, k, m, h, dtype);
          const got = cell(native!, k, m, h, dtype);
          for (const key of ['act', 'tc', 'y', 'dz', 'dc'] as const) {
            const d = worst(got[key], want[key]);
            if (!(d <= tol)) throw new Error(`${dtype} ${m}×${h} threads ${threads}: ${key} differs by ${d}`);
          }
        }
      });
    }
  });

  it('an LstmCell node runs the addon kernel once the addon is loaded (loadNative() above did)', () => {
    // float32, where the kernel's float arithmetic and the twin's double arithmetic round differently
    const [m, h] = [8, 32];
    const rng = new Rng(5);
    const g = new Graph({ dtype: 'float32' });
    const gates = g.input('gates', m, 4 * h).feed(init.uniform(rng, m, 4 * h, -4, 4, 'float32'));
    const c = g.input('c', m, h).feed(init.uniform(rng, m, h, -2, 2, 'float32'));
    const y = g.forward(lstmCell(gates, c)).data;
    const run = (kernel: LstmCellKernel): FloatArray => {
      const out = new Float32Array(m * 2 * h);
      kernel.forward(gates.value.data, c.value.data, new Float32Array(m * 4 * h), new Float32Array(m * h), out, m, h);
      return out;
    };
    const [fromNative, fromTs] = [run(native!), run(lstmCellTs)];
    expect(Array.from(fromNative).some((v, i) => v !== fromTs[i])).toBe(true); // else this test could not tell them apart
    expect(Array.from(y)).toEqual(Array.from(fromNative));
  });

  it('a cell that runs in the addon passes gradcheck on the gates and the previous cell', () => {
    setThreads(1);
    const rng = new Rng(3);
    const g = new Graph();
    const gates = g.param('gates', init.uniform(rng, 6, 4 * 16, -3, 3));
    const c = g.param('c', init.uniform(rng, 6, 16, -2, 2));
    const y = lstmCell(gates, c);
    expect(sum(mul(y, g.constant('R', init.normal(rng, 6, 2 * 16))))).toHaveCorrectGradients({ wrt: [gates, c] });
  });

  describe('argument checks', () => {
    const f64 = (n: number): Float64Array => new Float64Array(n);
    const forward = (args: unknown[]): unknown => (native!.forward as unknown as (...a: unknown[]) => void)(...args);
    const backward = (args: unknown[]): unknown => (native!.backward as unknown as (...a: unknown[]) => void)(...args);
    // m = 2, h = 3: z and act hold 24, c and tc 6, y 12
    const cases: [string, (a: unknown[]) => unknown, unknown[], RegExp][] = [
      ['too few arguments', forward, [f64(24), f64(6), f64(24), f64(6), f64(12), 2], /lstmCellForward: expected 7 arguments \(z, c, act, tc, y, m, h\), got 6/],
      ['a plain array', forward, [[1, 2], f64(6), f64(24), f64(6), f64(12), 2, 3], /lstmCellForward: z must be a Float32Array or Float64Array/],
      ['mixed element types', forward, [f64(24), new Float32Array(6), f64(24), f64(6), f64(12), 2, 3], /c must have the element type of z/],
      ['short gates', forward, [f64(18), f64(6), f64(24), f64(6), f64(12), 2, 3], /z must hold 24 values \(4·m·h\), it holds 18/],
      ['a short output', forward, [f64(24), f64(6), f64(24), f64(6), f64(6), 2, 3], /y must hold 12 values \(2·m·h\), it holds 6/],
      ['a fractional width', forward, [f64(24), f64(6), f64(24), f64(6), f64(12), 2, 2.5], /h must be an integer in \[1, 2147483647\], got 2.5/],
      ['a zero batch', forward, [f64(0), f64(0), f64(0), f64(0), f64(0), 0, 3], /m must be an integer in \[1, 2147483647\]/],
      ['a string for m', forward, [f64(24), f64(6), f64(24), f64(6), f64(12), '2', 3], /m must be a number/],
      ['a short cell gradient', backward, [f64(12), f64(6), f64(24), f64(6), f64(24), f64(5), 2, 3], /lstmCellBackward: dc must hold 6 values \(m·h\), it holds 5/],
    ];
    it.each(cases)('%s is refused with E_NATIVE_ARG', (_what, fn, args, message) => expectNativeArgError(() => fn(args), message));

    it('an output that overlaps an input is refused before anything is written', () => {
      const buffer = new Float64Array(30).fill(7);
      // dc (6 values) inside the gradient g (12 values)
      expect(() => backward([buffer.subarray(0, 12), f64(6), f64(24), f64(6), f64(24), buffer.subarray(4, 10), 2, 3])).toThrow(/dc overlaps g/);
      expect(Array.from(buffer)).toEqual(new Array(30).fill(7));
    });
  });
});
