// The addon's float64 σ and tanh, built on fastmath::exp(double) and fastmath::tanh(double) in
// native/fastmath.h, against their TypeScript twins through exp64 and tanh64
// (src/tensor/fastmath.ts): the same bits for every input, through the elementwise kernels (on
// one thread and two) and the LSTM cell, forward and backward.
import { loadNative, Rng, setThreads } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { LstmCellKernel, lstmCellTs } from '../src/ops/lstm-cell';
import { sigmoidForwardTs } from '../src/ops/sigmoid';
import { tanhForwardTs } from '../src/ops/tanh';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & { lstmCellForward?: LstmCellKernel['forward']; lstmCellBackward?: LstmCellKernel['backward'] }) | null;
const { sigmoidForward, tanhForward, lstmCellForward, lstmCellBackward } = addon ?? {};
const present = !!(sigmoidForward && tanhForward && lstmCellForward && lstmCellBackward);
if (!present) console.warn(`the native σ, tanh or LSTM cell kernel is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`);

/**
 * 1.5 million inputs: random bit patterns (every binade, subnormals, NaNs with payloads, ±∞),
 * uniform over [−750, 750] (σ's exp runs from 1 down to 0 through the subnormals), dense over
 * [−40, 40] (where tanh bends and saturates), and the special points.
 */
function inputs(): Float64Array {
  const rng = new Rng(640);
  const n = 1_500_000;
  const x = new Float64Array(n);
  const words = new Uint32Array(x.buffer, 0, (n / 3) * 2);
  for (let i = 0; i < words.length; i++) words[i] = rng.nextU32();
  for (let i = n / 3; i < (2 * n) / 3; i++) x[i] = rng.uniform(-750, 750);
  for (let i = (2 * n) / 3; i < n; i++) x[i] = rng.uniform(-40, 40);
  x.set([0, -0, Infinity, -Infinity, NaN, 745.13, -745.13, 745.14, -745.14, 708.4, -708.4, 5e-324, -5e-324, 1e-300, 37, -37, 19.06, -19.5]);
  return x;
}

/** The first few inputs where a and b differ (NaN equal to NaN), with both values. */
function differences(x: Float64Array, a: Float64Array, b: Float64Array): number[][] {
  const at: number[][] = [];
  for (let i = 0; i < a.length && at.length < 5; i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) at.push([x[i % x.length], a[i], b[i]]);
  }
  return at;
}

(present ? describe : describe.skip)('native float64 σ and tanh: the bits of the TypeScript twins', () => {
  const x = inputs();
  afterAll(() => setThreads(1));

  it.each([
    ['σ', () => sigmoidForward!, sigmoidForwardTs],
    ['tanh', () => tanhForward!, tanhForwardTs],
  ] as const)('%s, the elementwise kernel, on one thread and two', (_name, native, twin) => {
    const want = new Float64Array(x.length);
    twin(x, want);
    for (const threads of [1, 2]) {
      setThreads(threads);
      const got = new Float64Array(x.length).fill(0.25);
      native()(x, got);
      expect([threads, differences(x, got, want)]).toEqual([threads, []]);
    }
  });

  it('the LSTM cell, forward and backward', () => {
    // 3 rows of 100000: z, c and g are slices of the inputs, some of them NaN or infinite
    const [m, h] = [3, 100_000];
    const z = x.subarray(0, 4 * m * h);
    const c = x.subarray(x.length - m * h);
    const gy = Float64Array.from(x.subarray(4 * m * h - 2 * m * h, 4 * m * h), (v) => (Number.isFinite(v) ? Math.sin(v) : v));
    const run = (kernel: LstmCellKernel): Float64Array[] => {
      const [act, tc, y, dz, dc] = [4, 1, 2, 4, 1].map((w) => new Float64Array(w * m * h).fill(0.25));
      kernel.forward(z, c, act, tc, y, m, h);
      kernel.backward(gy, c, act, tc, dz, dc, m, h);
      return [act, tc, y, dz, dc];
    };
    const want = run(lstmCellTs);
    const got = run({ forward: lstmCellForward!, backward: lstmCellBackward! });
    ['act', 'tc', 'y', 'dz', 'dc'].forEach((name, k) => expect([name, differences(x, got[k], want[k])]).toEqual([name, []]));
  });
});
