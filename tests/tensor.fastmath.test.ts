// exp64 and tanh64 (src/tensor/fastmath.ts) against Math.exp and Math.tanh: a bound in ulps over
// millions of inputs across the whole range where e^x is neither 0 nor ∞ (subnormal results
// included) and where tanh bends, and exact values at the ends. Their bits against the addon's
// twins are held in tests/native.fastmath64.test.ts.
import { Rng } from '../src';
import { filled } from './helpers';
import { sigmoidOf } from '../src/ops/sigmoid';
import { exp64, tanh64 } from '../src/tensor/fastmath';

// The documented bounds (src/tensor/fastmath.ts).
const EXP_ULPS = 1;
const TANH_ULPS = 3;

const pair = new Float64Array(2);
const words = new Uint32Array(pair.buffer);

/** Distance in ulps between two finite non-negative float64 values (exact below 2^53 ulps). */
function ulps(a: number, b: number): number {
  pair[0] = a;
  pair[1] = b;
  // little-endian: word 1 is the high half
  return Math.abs((words[1] - words[3]) * 2 ** 32 + (words[0] - words[2]));
}

/** The largest ulp distance of exp64 from Math.exp over xs, with where it occurs. */
function worst(xs: ArrayLike<number>): { ulps: number; at: number } {
  let w = { ulps: 0, at: NaN };
  for (let i = 0; i < xs.length; i++) {
    const d = ulps(exp64(xs[i]), Math.exp(xs[i]));
    if (d > w.ulps) w = { ulps: d, at: xs[i] };
  }
  return w;
}

describe('exp64', () => {
  it(`within ${EXP_ULPS} ulp of Math.exp over 2 million inputs, and not exact everywhere`, () => {
    const rng = new Rng(64);
    const ranges: [number, number, number][] = [
      [1_000_000, -745.2, 709.8], // every result binade, the subnormals at the bottom
      [500_000, -2, 2], // where networks evaluate it most
      [250_000, -745.2, -708], // the subnormal results, rounded once
      [250_000, -1e-6, 1e-6], // r = x, k = 0
    ];
    let total = 0;
    for (const [n, lo, hi] of ranges) {
      const w = worst(filled(rng, n, 'float64', lo, hi));
      total = Math.max(total, w.ulps);
      expect([lo, hi, w.ulps <= EXP_ULPS, w.at]).toEqual([lo, hi, true, w.at]);
    }
    expect(total).toBe(EXP_ULPS);
  });

  it('within the bound at every multiple of ln 2 / 2 (the reduction boundaries) and their neighbours', () => {
    const xs: number[] = [];
    for (let k = -2150; k <= 2048; k++) {
      const x = (k * Math.LN2) / 2;
      xs.push(x, x * (1 + 2 ** -52), x * (1 - 2 ** -52));
    }
    expect(worst(xs).ulps).toBeLessThanOrEqual(EXP_ULPS);
  });

  it('exact at the ends: ±0, ±∞, NaN, overflow and underflow', () => {
    expect([exp64(0), exp64(-0), exp64(-Infinity), exp64(Infinity), exp64(NaN)]).toEqual([1, 1, 0, Infinity, NaN]);
    // ln(DBL_MAX) ≈ 709.782712893384: the largest finite result just below, ∞ just above
    expect(exp64(709.78271289338397)).toBe(Math.exp(709.78271289338397));
    expect([exp64(709.7827128933841), exp64(710), exp64(746), exp64(1e300)]).toEqual([Infinity, Infinity, Infinity, Infinity]);
    // the least subnormal 2^−1074 = e^−744.44; e^x rounds to it down to −745.13, to 0 below
    expect([exp64(-744.44), exp64(-745.13), exp64(-745.14), exp64(-746), exp64(-1e300)]).toEqual([5e-324, 5e-324, 0, 0, 0]);
    expect([exp64(1e-300), exp64(-1e-300), exp64(5e-324)]).toEqual([1, 1, 1]);
    expect([exp64(Math.LN2), exp64(-Math.LN2), exp64(10 * Math.LN2)]).toEqual([2, 0.5, 1024]);
  });

  it('σ through exp64 within 2 ulps of σ through Math.exp, exact at its ends', () => {
    const viaMath = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    const rng = new Rng(65);
    let w = 0;
    for (let i = 0; i < 500_000; i++) {
      const x = rng.uniform(-750, 750) / (i % 2 === 0 ? 1 : 100);
      w = Math.max(w, ulps(sigmoidOf(x), viaMath(x)));
    }
    expect(w).toBeLessThanOrEqual(2);
    expect([sigmoidOf(0), sigmoidOf(-0), sigmoidOf(800), sigmoidOf(-800), sigmoidOf(Infinity), sigmoidOf(-Infinity), sigmoidOf(NaN)]).toEqual([
      0.5, 0.5, 1, 0, 1, 0, NaN,
    ]);
    expect(sigmoidOf(-745)).toBe(5e-324);
  });

  it(`tanh64 within ${TANH_ULPS} ulps of Math.tanh over a million inputs, exact at the ends`, () => {
    const rng = new Rng(66);
    let w = 0;
    for (const [n, lo, hi] of [[400_000, -25, 25], [400_000, -1, 1], [200_000, -1e-4, 1e-4]] as const) {
      const x = filled(rng, n, 'float64', lo, hi);
      for (let i = 0; i < n; i++) w = Math.max(w, ulps(Math.abs(tanh64(x[i])), Math.abs(Math.tanh(x[i]))));
    }
    expect(w).toBeLessThanOrEqual(TANH_ULPS);
    expect(w).toBeGreaterThan(0);
    const ends = [0, -0, 1e-300, -1e-300, 5e-324, 19.1, -19.1, 30, -1e300, Infinity, -Infinity, NaN];
    expect(ends.map(tanh64)).toEqual([0, -0, 1e-300, -1e-300, 5e-324, 1, -1, 1, -1, 1, -1, NaN]);
    expect([Object.is(tanh64(0), 0), Object.is(tanh64(-0), -0)]).toEqual([true, true]);
  });
});
