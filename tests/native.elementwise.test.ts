// The addon's elementwise kernels (optimizer updates, tanh, σ, BCE with logits) against their
// TypeScript twins, through the graph and the optimizers, their argument checks, and the
// fallback to the twins when the addon predates them.
import { Adam, bceWithLogits, Graph, init, loadNative, Rng, setThreads, sigmoid, tanh } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { adamUpdateTs } from '../src/optim/adam';
import { sgdUpdateTs } from '../src/optim/sgd';
import { tanhBackwardTs, tanhForwardTs } from '../src/ops/tanh';
import { sigmoidBackwardTs, sigmoidForwardTs } from '../src/ops/sigmoid';
import { bceWithLogitsBackwardTs, bceWithLogitsSumTs } from '../src/losses/bce-with-logits';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, filled, loadWithProductsOnlyAddon } from './helpers';

const names = ['adamUpdate', 'sgdUpdate', 'tanhForward', 'tanhBackward', 'sigmoidForward', 'sigmoidBackward', 'bceWithLogitsForward', 'bceWithLogitsBackward'] as const;
const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & Record<string, unknown>) | null;
const missing = names.filter((n) => typeof addon?.[n] !== 'function');
const native = missing.length === 0 ? (addon as ElementwiseKernels) : null;
if (!native) {
  console.warn(`the native elementwise kernels are not in the addon (${missing.join(', ')}), their tests skipped; addon load:\n${addonTried(load)}`);
}



const copy = (x: FloatArray): FloatArray => x.slice() as FloatArray;

const pair = new Float64Array(2);
const pairBits = new BigInt64Array(pair.buffer);

/** Distance in units in the last place between two float64 values of one sign. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  pair[0] = a;
  pair[1] = b;
  return Math.abs(Number(pairBits[0] - pairBits[1]));
}

function worstUlps(x: FloatArray, y: FloatArray): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, ulps(x[i], y[i]));
  return d;
}

/** Largest |x − y| / max(|y|, floor): relative error, measured against `floor` where y is tiny. */
function worstRelative(x: FloatArray, y: FloatArray, floor: number): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), floor));
  return d;
}

// 5 and 300 run on one thread, 40000 above every OpenMP threshold of the kernels (32768 at most).
const sizes = [5, 300, 40000];

(native ? describe : describe.skip)('native elementwise kernels', () => {
  afterAll(() => setThreads(1));

  it('Adam and SGD: float64 bit for bit the twins, float32 within 1e-6 relative, on one thread and two', () => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const n of sizes) {
        for (const dtype of ['float64', 'float32'] as const) {
          const rng = new Rng(n);
          const [value, grad, m] = [filled(rng, n, dtype, -1, 1), filled(rng, n, dtype, -2, 2), filled(rng, n, dtype, -0.1, 0.1)];
          const v = filled(rng, n, dtype, 0, 0.05);
          const sets = [0, 1].map(() => [copy(value), copy(grad), copy(m), copy(v)]);
          // the scalars of Adam's 7th step with lr 1e-2 and the default β and ε
          const scalars = [1e-2 / (1 - 0.9 ** 7), 1 / Math.sqrt(1 - 0.999 ** 7), 0.9, 0.999, 1e-8] as const;
          adamUpdateTs(sets[0][0], sets[0][1], sets[0][2], sets[0][3], ...scalars);
          native!.adamUpdate(sets[1][0], sets[1][1], sets[1][2], sets[1][3], ...scalars);
          const [want, got] = [copy(value), copy(value)];
          sgdUpdateTs(want, grad, 0.03);
          native!.sgdUpdate(got, grad, 0.03);
          const where = `${dtype} n=${n} threads ${threads}`;
          // m = β1·m + (1−β1)·g cancels near zero: its error is measured against its terms' scale, 0.1
          for (const [k, floor] of [[0, 1e-2], [2, 0.1], [3, 1e-2]]) {
            if (dtype === 'float64') expect([where, k, worstUlps(sets[1][k], sets[0][k])]).toEqual([where, k, 0]);
            else expect([where, k, worstRelative(sets[1][k], sets[0][k], floor) <= 1e-6]).toEqual([where, k, true]);
          }
          if (dtype === 'float64') expect([where, worstUlps(got, want)]).toEqual([where, 0]);
          else expect([where, worstRelative(got, want, 1e-2) <= 1e-6]).toEqual([where, true]);
          expect(Array.from(sets[1][1])).toEqual(Array.from(grad)); // the gradient is only read
        }
      }
    }
  });

  it('tanh and the BCE sum: float64 within 3 ulps of the twins (glibc against V8), σ and the BCE gradient bit for bit; float32 within 1e-6', () => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const n of sizes) {
        for (const dtype of ['float64', 'float32'] as const) {
          const rng = new Rng(100 + n);
          const x = filled(rng, n, dtype, -30, 30);
          const t = filled(rng, n, dtype, 0, 1);
          const out = (): FloatArray[] => [0, 1].map(() => filled(rng, n, dtype, NaN, NaN)); // NaN: every element is written
          const where = `${dtype} n=${n} threads ${threads}`;
          const [tw, tn] = out();
          tanhForwardTs(x, tw);
          native!.tanhForward(x, tn);
          const [sw, sn] = out();
          sigmoidForwardTs(x, sw);
          native!.sigmoidForward(x, sn);
          const [bw, bn] = out();
          bceWithLogitsBackwardTs(x, t, bw, 0.25);
          native!.bceWithLogitsBackward(x, t, bn, 0.25);
          const [sumTs, sumNative] = [bceWithLogitsSumTs(x, t), native!.bceWithLogitsForward(x, t)];
          if (dtype === 'float64') {
            // σ's exp is exp64 on both sides (src/tensor/fastmath.ts, native/fastmath.h)
            expect([where, worstUlps(tn, tw) <= 3, worstUlps(sn, sw), worstUlps(bn, bw)]).toEqual([where, true, 0, 0]);
            // the blocks sum in another order: n rounding errors of terms of one sign at most
            expect([where, Math.abs(sumNative - sumTs) / sumTs <= n * 2 ** -52]).toEqual([where, true]);
          } else {
            expect([where, worstRelative(tn, tw, 1e-30) <= 1e-6, worstRelative(sn, sw, 1e-30) <= 1e-6]).toEqual([where, true, true]);
            expect([where, worstRelative(bn, bw, 0.25) <= 1e-6]).toEqual([where, true]);
            expect([where, Math.abs(sumNative - sumTs) / sumTs <= 1e-6]).toEqual([where, true]);
          }
        }
      }
    }
  });

  it("σ and tanh backward: the twins' bits in float64 and float32 (both compute in double), on one thread and two", () => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const n of sizes) {
        for (const dtype of ['float64', 'float32'] as const) {
          const rng = new Rng(200 + n);
          const [y, g] = [filled(rng, n, dtype, 0, 1), filled(rng, n, dtype, -3, 3)];
          const [want, got] = [filled(rng, n, dtype, NaN, NaN), filled(rng, n, dtype, NaN, NaN)];
          sigmoidBackwardTs(y, g, want);
          native!.sigmoidBackward(y, g, got);
          expect(['σ', dtype, n, threads, worstUlps(got, want)]).toEqual(['σ', dtype, n, threads, 0]);
          tanhBackwardTs(y, g, want);
          native!.tanhBackward(y, g, got);
          expect(['tanh', dtype, n, threads, worstUlps(got, want)]).toEqual(['tanh', dtype, n, threads, 0]);
        }
      }
    }
  });

  it('the BCE sum has the same bits on one thread and two', () => {
    const rng = new Rng(9);
    const [x, t] = [filled(rng, 50000, 'float32', -8, 8), filled(rng, 50000, 'float32', 0, 1)];
    setThreads(1);
    const one = native!.bceWithLogitsForward(x, t);
    setThreads(2);
    expect(native!.bceWithLogitsForward(x, t)).toBe(one);
  });

  it('tanh, σ and BCE nodes and Adam run the addon above the threshold, except float64 tanh, which runs the twin', () => {
    const rng = new Rng(3);
    const [m, n] = [16, 64];
    for (const dtype of ['float32', 'float64'] as const) {
      const g = new Graph({ dtype });
      const x = g.input('x', m, n).feed(init.uniform(rng, m, n, -6, 6, dtype));
      const [ty, sy] = [g.forward(tanh(x)).data, g.forward(sigmoid(x)).data];
      const [tn, sn, tw, sw] = [0, 1, 2, 3].map(() => (dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n)));
      native!.tanhForward(x.value.data, tn);
      native!.sigmoidForward(x.value.data, sn);
      tanhForwardTs(x.value.data, tw);
      sigmoidForwardTs(x.value.data, sw);
      if (dtype === 'float32') {
        // float arithmetic against the twin's double arithmetic: they round differently somewhere
        expect(Array.from(sn).some((v, i) => v !== sw[i])).toBe(true);
        expect([Array.from(ty), Array.from(sy)]).toEqual([Array.from(tn), Array.from(sn)]);
      } else {
        // σ has the same bits either way; tanh is the twin's (glibc's and V8's may differ)
        expect(Array.from(sn)).toEqual(Array.from(sw));
        expect([Array.from(ty), Array.from(sy)]).toEqual([Array.from(tw), Array.from(sn)]);
      }
    }
    const g = new Graph({ dtype: 'float32' });
    const w = g.param('w', init.uniform(rng, m, n, -3, 3, 'float32'));
    const target = g.constant('t', init.uniform(rng, m, n, 0, 1, 'float32'));
    const loss = bceWithLogits(w, target, 'sum');
    const y = g.forward(loss).data[0];
    expect(y).toBe(Math.fround(native!.bceWithLogitsForward(w.value.data, target.value.data)));
    g.backward(loss);
    const dn = new Float32Array(m * n);
    native!.bceWithLogitsBackward(w.value.data, target.value.data, dn, 1);
    expect(Array.from(w.grad!.data)).toEqual(Array.from(dn));
    const before = w.value.data.slice();
    new Adam([w], { lr: 0.01 }).step();
    const [value, zm, zv] = [before, new Float32Array(m * n), new Float32Array(m * n)];
    native!.adamUpdate(value, dn, zm, zv, 0.01 / (1 - 0.9), 1 / Math.sqrt(1 - 0.999), 0.9, 0.999, 1e-8);
    expect(Array.from(w.value.data)).toEqual(Array.from(value));
  });

  describe('argument checks: TypeError or RangeError, code E_NATIVE_ARG, naming the argument, nothing written', () => {
    const f64 = (n: number): Float64Array => new Float64Array(n).fill(0.5);
    const cases: [string, () => unknown, 'TypeError' | 'RangeError', RegExp][] = [
      ['too few arguments', () => (native!.sgdUpdate as (...a: unknown[]) => void)(f64(3), f64(3)), 'TypeError', /sgdUpdate: expected 3 arguments \(value, grad, lr\), got 2/],
      ['too many arguments', () => (native!.tanhForward as (...a: unknown[]) => void)(f64(3), f64(3), f64(3)), 'TypeError', /tanhForward: expected 2 arguments/],
      ['a plain array', () => native!.tanhForward([1, 2] as unknown as Float64Array, f64(2)), 'TypeError', /tanhForward: x must be a Float32Array or Float64Array/],
      ['an Int32Array', () => native!.sigmoidForward(f64(2), new Int32Array(2) as unknown as Float64Array), 'TypeError', /sigmoidForward: y must be a Float32Array or Float64Array/],
      ['mixed element types', () => native!.bceWithLogitsForward(f64(2), new Float32Array(2)), 'TypeError', /bceWithLogitsForward: t must have the element type of x/],
      ['a string for a number', () => native!.sgdUpdate(f64(2), f64(2), '0.1' as unknown as number), 'TypeError', /sgdUpdate: lr must be a number/],
      ['eps missing its type', () => native!.adamUpdate(f64(2), f64(2), f64(2), f64(2), 1, 1, 0.9, 0.999, null as unknown as number), 'TypeError', /adamUpdate: eps must be a number/],
      ['a short array', () => native!.adamUpdate(f64(4), f64(4), f64(3), f64(4), 1, 1, 0.9, 0.999, 1e-8), 'RangeError', /adamUpdate: m must hold as many values as value \(4\), it holds 3/],
      ['an output over an input', () => {
        const buf = f64(8);
        native!.bceWithLogitsBackward(buf.subarray(0, 4), f64(4), buf.subarray(2, 6), 1);
      }, 'RangeError', /bceWithLogitsBackward: dx overlaps x/],
      ['an update in place of its gradient', () => {
        const buf = f64(4);
        native!.sgdUpdate(buf, buf, 0.1);
      }, 'RangeError', /sgdUpdate: value overlaps grad/],
    ];
    it.each(cases)('%s', (_what, call, kind, message) => {
      let caught: unknown = null;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      // the addon's errors come from the main realm, not jest's: the name, not instanceof
      expect((caught as Error).name).toBe(kind);
      expect((caught as Error & { code?: string }).code).toBe('E_NATIVE_ARG');
      expect((caught as Error).message).toMatch(message);
    });

    it('a rejected call leaves its arrays as they were', () => {
      const [value, grad, m, v] = [f64(4), f64(4), f64(3), f64(4)];
      expect(() => native!.adamUpdate(value, grad, m, v, 1, 1, 0.9, 0.999, 1e-8)).toThrow(/m must hold/);
      expect(() => native!.adamUpdate(value, grad, f64(4), v, 1, 1, 0.9, 0.999, 'x' as unknown as number)).toThrow(/eps must be a number/);
      for (const a of [value, grad, m, v]) expect(Array.from(a).every((e) => e === 0.5)).toBe(true);
    });
  });
});

describe('an addon built before the elementwise kernels', () => {
  (load.addon ? it : it.skip)('leaves tanh, σ, BCE and Adam to their TypeScript twins, bit for bit', () => {
    const { lib, nativeModule, file } = loadWithProductsOnlyAddon(load.path!);
    expect(nativeModule.loadNative().path).toBe(file);
    for (const name of names) expect(nativeModule.elementwiseKernel(name)).toBeNull();
    const rng = new lib.Rng(11);
    const [m, n] = [16, 64];
    const g = new lib.Graph({ dtype: 'float32' });
    const w = g.param('w', lib.init.uniform(rng, m, n, -3, 3, 'float32'));
    const target = g.constant('t', lib.init.uniform(rng, m, n, 0, 1, 'float32'));
    const [ty, sy] = [g.forward(lib.tanh(w)).data, g.forward(lib.sigmoid(w)).data];
    const [tw, sw] = [new Float32Array(m * n), new Float32Array(m * n)];
    tanhForwardTs(w.value.data, tw);
    sigmoidForwardTs(w.value.data, sw);
    expect([Array.from(ty), Array.from(sy)]).toEqual([Array.from(tw), Array.from(sw)]);
    const loss = lib.bceWithLogits(w, target, 'sum');
    expect(g.forward(loss).data[0]).toBe(Math.fround(bceWithLogitsSumTs(w.value.data, target.value.data)));
    g.backward(loss);
    const dw = new Float32Array(m * n);
    bceWithLogitsBackwardTs(w.value.data, target.value.data, dw, 1);
    expect(Array.from(w.grad!.data)).toEqual(Array.from(dw));
    const value = w.value.data.slice();
    new lib.Adam([w], { lr: 0.01 }).step();
    adamUpdateTs(value, dw, new Float32Array(m * n), new Float32Array(m * n), 0.01 / (1 - 0.9), 1 / Math.sqrt(1 - 0.999), 0.9, 0.999, 1e-8);
    expect(Array.from(w.value.data)).toEqual(Array.from(value));
  });
});
