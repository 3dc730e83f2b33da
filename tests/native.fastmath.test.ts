// The addon's float32 tanh, σ and BCE tail log1p(e^−|x|) (native/fastmath.h, in the elementwise
// kernels and the LSTM cell) against Math.tanh, the float64 σ and Math.log1p rounded to float32:
// a bound in float32 ulps over a sweep of the whole float range, and exact values at ±0,
// saturation, ±∞ and NaN.
import { loadNative } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { LstmCellKernel } from '../src/ops/lstm-cell';
import { sigmoidOf } from '../src/ops/sigmoid';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & { lstmCellForward?: LstmCellKernel['forward'] }) | null;
const tanhForward = addon?.tanhForward;
const sigmoidForward = addon?.sigmoidForward;
const lstmCellForward = addon?.lstmCellForward;
const bceWithLogitsForward = addon?.bceWithLogitsForward;
const present = !!(tanhForward && sigmoidForward && lstmCellForward && bceWithLogitsForward);
if (!present) console.warn(`the native float32 tanh, σ, BCE or LSTM cell kernel is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`);

// The documented bounds (native/fastmath.h).
const TANH_ULPS = 2;
const SIGMOID_ULPS = 2;
const BCE_TAIL_ULPS = 3;

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

/** Position of a float32 on the number line counted in ulps (−0 and +0 both at 0). */
function order(v: number): number {
  asFloat[0] = v;
  const b = bits[0];
  return b < 0 ? -(b & 0x7fffffff) : b;
}

/** Distance in float32 ulps between a float32 result and the exact value rounded to float32. */
const ulps = (got: number, exact: number): number => Math.abs(order(got) - order(Math.fround(exact)));

/**
 * Every 16381st positive float32 bit pattern up to +∞ and its negative (all binades, subnormals
 * included), a dense grid over [−20, 20] where both functions bend, and the special points.
 */
function sweep(): Float32Array {
  const values: number[] = [];
  for (let b = 0; b < 0x7f800000; b += 16381) {
    bits[0] = b;
    values.push(asFloat[0], -asFloat[0]);
  }
  for (let i = -100000; i <= 100000; i++) values.push(i / 5000);
  values.push(0, -0, 1e-30, -1e-30, 1e-45, -1e-45, 20, -20, 88, -88, 88.72, -88.72, 100, -100, 104, -104, 3.4e38, -3.4e38, Infinity, -Infinity);
  return Float32Array.from(values);
}

/** The largest ulp distance, with the input where it occurs. */
function worst(x: Float32Array, got: Float32Array, exact: (x: number) => number): { ulps: number; at: number } {
  let w = { ulps: 0, at: NaN };
  for (let i = 0; i < x.length; i++) {
    const d = ulps(got[i], exact(x[i]));
    if (d > w.ulps) w = { ulps: d, at: x[i] };
  }
  return w;
}

const run = (kernel: (x: Float32Array, y: Float32Array) => void, x: Float32Array): Float32Array => {
  const y = new Float32Array(x.length).fill(NaN);
  kernel(x, y);
  return y;
};

(present ? describe : describe.skip)('native float32 tanh and σ', () => {
  const x = sweep();

  it(`tanh within ${TANH_ULPS} ulps and σ within ${SIGMOID_ULPS} over the float range, elementwise kernels`, () => {
    const t = worst(x, run(tanhForward!, x), Math.tanh);
    const s = worst(x, run(sigmoidForward!, x), sigmoidOf);
    expect([t.ulps <= TANH_ULPS, s.ulps <= SIGMOID_ULPS]).toEqual([true, true]);
    // not exact everywhere: the bound is not loose by construction
    expect(t.ulps + s.ulps).toBeGreaterThan(0);
  });

  it('the LSTM cell: its gates and tanh(c′) within the same bounds', () => {
    // z = [zi zf zg zo] each the sweep, c the sweep reversed: c′ = σ(zf)·c + σ(zi)·tanh(zg) spans [−2, 2] ∪ ±∞ ∪ NaN
    const h = x.length;
    const z = new Float32Array(4 * h);
    for (let k = 0; k < 4; k++) z.set(x, k * h);
    const c = x.slice().reverse();
    const act = new Float32Array(4 * h).fill(NaN);
    const tc = new Float32Array(h).fill(NaN);
    const y = new Float32Array(2 * h).fill(NaN);
    lstmCellForward!(z, c, act, tc, y, 1, h);
    for (const [k, exact, bound] of [[0, sigmoidOf, SIGMOID_ULPS], [1, sigmoidOf, SIGMOID_ULPS], [2, Math.tanh, TANH_ULPS], [3, sigmoidOf, SIGMOID_ULPS]] as const) {
      expect([k, worst(x, act.subarray(k * h, (k + 1) * h), exact).ulps <= bound]).toEqual([k, true]);
    }
    const cNew = y.subarray(h);
    expect(worst(cNew, tc, Math.tanh).ulps <= TANH_ULPS).toBe(true);
  });

  it(`the BCE tail log1p(e^−|x|) within ${BCE_TAIL_ULPS} ulps over the float range`, () => {
    // one value a call, t = 1 for x > 0 and 0 else: the sum is the one term x⁺ − x·t + log1p(e^−|x|) = log1p(e^−|x|)
    const [x1, t1] = [new Float32Array(1), new Float32Array(1)];
    const tail = (v: number): number => {
      x1[0] = v;
      t1[0] = v > 0 ? 1 : 0;
      return bceWithLogitsForward!(x1, t1);
    };
    const finite = x.filter((v) => Number.isFinite(v));
    let w = { ulps: 0, at: NaN };
    for (const v of finite) {
      const d = ulps(tail(v), Math.log1p(Math.exp(-Math.abs(v))));
      if (d > w.ulps) w = { ulps: d, at: v };
    }
    expect([w.ulps <= BCE_TAIL_ULPS, w.at]).toEqual([true, w.at]);
    expect(w.ulps).toBeGreaterThan(0);
    // log1p(1) = ln 2; a tiny tail keeps its bits, the subnormal e^−100 included; NaN stays NaN
    expect([tail(0), tail(-0), tail(-20), tail(-100), tail(NaN)]).toEqual([Math.fround(Math.LN2), Math.fround(Math.LN2), Math.fround(Math.exp(-20)), Math.fround(Math.exp(-100)), NaN]);
  });

  it('exact at the ends: ±0, saturation, ±∞, NaN', () => {
    const special = Float32Array.from([0, -0, 9.1, -9.1, 50, -50, 1e30, -1e30, Infinity, -Infinity, NaN, -100, -104, -1e30]);
    const t = Array.from(run(tanhForward!, special));
    expect(t.slice(0, 11)).toEqual([0, -0, 1, -1, 1, -1, 1, -1, 1, -1, NaN]);
    expect([Object.is(t[0], 0), Object.is(t[1], -0)]).toEqual([true, true]);
    const s = Array.from(run(sigmoidForward!, special));
    expect([s[0], s[1], s[4], s[5], s[8], s[9], s[10]]).toEqual([0.5, 0.5, 1, Math.fround(sigmoidOf(-50)), 1, 0, NaN]);
    // e^−100 is a float32 subnormal, e^−104 below half the least one
    expect([s[11], s[12], s[13]]).toEqual([Math.fround(Math.exp(-100)), 0, 0]);
  });
});
