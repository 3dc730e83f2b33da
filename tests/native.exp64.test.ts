// The addon's float64 σ, whose exp is fastmath::exp(double) in native/fastmath.h, against the
// TypeScript σ through exp64 (src/tensor/fastmath.ts): the same bits for every input, through
// the elementwise kernel (on one thread and two) and the LSTM cell's gates.
import { loadNative, Rng, setThreads } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { LstmCellKernel, lstmCellTs } from '../src/ops/lstm-cell';
import { sigmoidForwardTs } from '../src/ops/sigmoid';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & { lstmCellForward?: LstmCellKernel['forward'] }) | null;
const sigmoidForward = addon?.sigmoidForward;
const lstmCellForward = addon?.lstmCellForward;
if (!sigmoidForward || !lstmCellForward) console.warn(`the native σ or LSTM cell kernel is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`);

/**
 * 1.5 million inputs: random bit patterns (every binade, subnormals, NaNs with payloads, ±∞),
 * uniform over [−750, 750] (σ's exp runs from 1 down to 0 through the subnormals), dense over
 * [−40, 40], and the special points.
 */
function inputs(): Float64Array {
  const rng = new Rng(640);
  const n = 1_500_000;
  const x = new Float64Array(n);
  const words = new Uint32Array(x.buffer, 0, n / 3 * 2);
  for (let i = 0; i < words.length; i++) words[i] = rng.nextU32();
  for (let i = n / 3; i < (2 * n) / 3; i++) x[i] = rng.uniform(-750, 750);
  for (let i = (2 * n) / 3; i < n; i++) x[i] = rng.uniform(-40, 40);
  x.set([0, -0, Infinity, -Infinity, NaN, 745.13, -745.13, 745.14, -745.14, 708.4, -708.4, 5e-324, -5e-324, 1e-300, 37, -37]);
  return x;
}

/** The indices where a and b differ (NaN equal to NaN), at most 5. */
function differences(a: Float64Array, b: Float64Array): number[] {
  const at: number[] = [];
  for (let i = 0; i < a.length && at.length < 5; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) at.push(i);
  return at;
}

(sigmoidForward && lstmCellForward ? describe : describe.skip)('native float64 σ: the bits of the TypeScript twin', () => {
  const x = inputs();
  const want = new Float64Array(x.length);
  sigmoidForwardTs(x, want);
  afterAll(() => setThreads(1));

  it('the elementwise kernel, on one thread and two', () => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      const got = new Float64Array(x.length).fill(0.25);
      sigmoidForward!(x, got);
      expect([threads, differences(got, want).map((i) => [x[i], got[i], want[i]])]).toEqual([threads, []]);
    }
  });

  it("the LSTM cell's σ gates", () => {
    const h = 100_000;
    const z = x.subarray(0, 4 * h);
    const c = x.subarray(4 * h, 5 * h);
    const [actTs, actNative] = [0, 1].map(() => new Float64Array(4 * h));
    const [tc, y] = [new Float64Array(h), new Float64Array(2 * h)];
    lstmCellTs.forward(z, c, actTs, tc, y, 1, h);
    lstmCellForward!(z, c, actNative, tc, y, 1, h);
    for (const gate of [0, 1, 3]) {
      const [a, b] = [actNative.subarray(gate * h, (gate + 1) * h), actTs.subarray(gate * h, (gate + 1) * h)];
      expect([gate, differences(a, b)]).toEqual([gate, []]);
    }
  });
});
