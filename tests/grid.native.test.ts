// The addon's fused grid kernel against its TypeScript twin, and its argument checks.
import { Graph, init, loadNative, mul, Rng, setThreads, sum, type DType } from '../src';
import { fusedGrid } from '../src/grid/fused';
import { gridActivations, gridStepTs, GridStepKernel } from '../src/ops/grid-step';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, expectNativeArgError, filled } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as ({ gridStepForward?: GridStepKernel['forward']; gridStepBackward?: GridStepKernel['backward'] } | null);
const native: GridStepKernel | null =
  addon?.gridStepForward && addon.gridStepBackward ? { forward: addon.gridStepForward, backward: addon.gridStepBackward } : null;
const absent = `the native grid kernel is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`;
if (!native) console.warn(absent);



interface Step {
  z: FloatArray;
  y: FloatArray;
  da: FloatArray;
  dw: FloatArray;
  db: FloatArray;
}

/** Forward and backward of one kernel on one random case (dw and db start from 0.25, to show they are added to). */
function step(kernel: GridStepKernel, seed: number, m: number, h: number, act: number, dtype: DType): Step {
  const rng = new Rng(seed);
  const [a, w, b, g] = [filled(rng, m * h, dtype, -2, 2), filled(rng, h, dtype, -1.2, 1.2), filled(rng, h, dtype, -0.5, 0.5), filled(rng, m * h, dtype, -1, 1)];
  const [z, y, da] = [0, 0, 0].map(() => filled(rng, m * h, dtype, 0, 0));
  const [dw, db] = [filled(rng, h, dtype, 0.25, 0.25), filled(rng, h, dtype, 0.25, 0.25)];
  kernel.forward(a, w, b, z, y, m, h, act);
  kernel.backward(g, a, w, z, y, da, dw, db, m, h, act);
  return { z, y, da, dw, db };
}

function worst(x: FloatArray, y: FloatArray): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
  return d;
}

(native ? describe : describe.skip)('native grid kernel', () => {
  afterAll(() => setThreads(1));
  const sizes: [number, number][] = [[1, 1], [1, 2], [3, 5], [7, 16], [64, 128], [33, 300]]; // the last two run in parallel
  it.each(gridActivations.map((a, code) => [a, code]))('%s: matches the TS twin within 1e-12 in float64, 1e-5 in float32', (_name, act) => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      sizes.forEach(([m, h], k) => {
        for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
          const want = step(gridStepTs, k, m, h, act, dtype);
          const got = step(native!, k, m, h, act, dtype);
          for (const key of ['z', 'y', 'da', 'dw', 'db'] as const) {
            const d = worst(got[key], want[key]);
            if (!(d <= tol)) throw new Error(`${dtype} ${m}×${h} threads ${threads}: ${key} differs by ${d}`);
          }
        }
      });
    }
  });

  it('a repeated backward on two threads is bitwise identical', () => {
    setThreads(2);
    const first = step(native!, 5, 96, 200, 0, 'float64');
    const second = step(native!, 5, 96, 200, 0, 'float64');
    expect(Buffer.from(second.dw.buffer).equals(Buffer.from(first.dw.buffer))).toBe(true);
    expect(Buffer.from(second.db.buffer).equals(Buffer.from(first.db.buffer))).toBe(true);
  });

  it('a grid whose steps run in the addon (in parallel) passes gradcheck on W and B', () => {
    // the kernel serves GridStep nodes once the addon is loaded, which loadNative() above did
    setThreads(2);
    const rng = new Rng(9);
    const g = new Graph();
    const a0 = g.param('a0', init.uniform(rng, 64, 64, -2, 2));
    const [w, b] = [g.param('W', init.uniform(rng, 2, 64, -1.2, 1.2)), g.param('B', init.uniform(rng, 2, 64, -0.5, 0.5))];
    const out = fusedGrid(a0, w, b, 'sin');
    expect(sum(mul(out, g.constant('R', init.normal(rng, 64, 64))))).toHaveCorrectGradients({ wrt: [w, b] });
  });

  describe('argument checks', () => {
    const f64 = (n: number): Float64Array => new Float64Array(n);
    const call = (args: unknown[]): unknown => (native!.forward as unknown as (...a: unknown[]) => void)(...args);
    const cases: [string, unknown[], RegExp][] = [
      ['too few arguments', [f64(6), f64(3), f64(3), f64(6), f64(6), 2, 3], /gridStepForward: expected 8 arguments \(a, w, b, z, y, m, h, act\), got 7/],
      ['a plain array', [[1, 2], f64(3), f64(3), f64(6), f64(6), 2, 3, 0], /gridStepForward: a must be a Float32Array or Float64Array/],
      ['mixed element types', [f64(6), new Float32Array(3), f64(3), f64(6), f64(6), 2, 3, 0], /w must have the element type of a/],
      ['a short array', [f64(6), f64(3), f64(3), f64(5), f64(6), 2, 3, 0], /z must hold 6 values \(m·h\), it holds 5/],
      ['a bad activation', [f64(6), f64(3), f64(3), f64(6), f64(6), 2, 3, 3], /act must be an integer in \[0, 2\], got 3/],
      ['a fractional height', [f64(6), f64(3), f64(3), f64(6), f64(6), 2, 2.5, 0], /h must be an integer/],
    ];
    it.each(cases)('%s is refused with E_NATIVE_ARG', (_what, args, message) => expectNativeArgError(() => call(args), message));

    it('an output that overlaps an input is refused before anything is written', () => {
      const buffer = new Float64Array(12).fill(7);
      expect(() => call([buffer.subarray(0, 6), f64(3), f64(3), buffer.subarray(3, 9), f64(6), 2, 3, 0])).toThrow(/z overlaps a/);
      expect(Array.from(buffer)).toEqual(new Array(12).fill(7));
    });
  });
});

