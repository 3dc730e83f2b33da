import { EngineError, Matrix, Rng } from '../src';
import { applyRule, LearningRule, signalsFor } from '../src/rules/rule';
import { ToyNetwork } from '../src/rules/toy-network';
import { fisherExact, median, wilson } from '../src/experiments/experiment';
import { alignment } from '../src/rules/alignment';

const peeking: LearningRule = {
  name: 'peeking',
  reads: ['pre', 'post'],
  delta: (s, d) => d.fill(s.error.data[0]),
};

describe('LearningRule signals', () => {
  it('refuses a signal the rule did not declare, before anything computes it', () => {
    let computed = 0;
    const source = {
      pre: () => Matrix.from([[1]]),
      post: () => Matrix.from([[1]]),
      error: () => {
        computed++;
        return Matrix.from([[1]]);
      },
    };
    let caught: unknown;
    try {
      peeking.delta(signalsFor(peeking, 'W0', source), new Matrix(1, 1));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('E_WIRING');
    expect((caught as EngineError).message).toMatch(/'peeking' read the signal 'error' at 'W0' but declares only pre, post/);
    expect(computed).toBe(0);
  });

  it('computes a declared signal once, on first read, and names a missing one', () => {
    let calls = 0;
    const rule: LearningRule = { name: 'twice', reads: ['pre', 'reward'], delta: () => undefined };
    const s = signalsFor(rule, 'W1', {
      pre: () => {
        calls++;
        return Matrix.from([[2]]);
      },
    });
    expect(calls).toBe(0);
    expect(s.pre.data[0]).toBe(2);
    expect(s.pre.data[0]).toBe(2);
    expect(calls).toBe(1);
    expect(() => s.reward).toThrow(/'twice' needs the signal 'reward' but 'W1' does not provide it/);
    expect(Object.keys(s)).toEqual(['pre', 'reward']);
  });

  it('backprop as a rule moves each weight by −lr times the engine gradient, clipped', () => {
    const net = new ToyNetwork(2, [3], 1, new Rng(4));
    const x = Matrix.from([[1, -1]]);
    const t = Matrix.from([[1]]);
    const before = net.weights.map((w) => w.value.clone());
    const grads = net.trueGradients(x, t).map((g) => g.clone());
    const deltas = net.backpropStep(x, t, 0.1);
    net.weights.forEach((w, i) => {
      for (let k = 0; k < w.value.size; k++) {
        expect(deltas[i].data[k]).toBeCloseTo(-0.1 * grads[i].data[k], 12);
        expect(w.value.data[k]).toBeCloseTo(Math.max(-1, Math.min(1, before[i].data[k] + deltas[i].data[k])), 12);
      }
    });
    expect(grads.some((g) => g.norm() > 0)).toBe(true);
  });

  it('applies all changes from one state and clips into [−clip, clip]', () => {
    const net = new ToyNetwork(1, [1], 1, new Rng(1));
    net.weights[0].assign(Matrix.from([[0.9]]));
    const push: LearningRule = { name: 'push', reads: ['weight'], delta: ({ weight }, d) => d.fill(weight.data[0]) };
    applyRule(push, net.synapses.slice(0, 1), (s) => ({ weight: () => s.weight.value }), [], { clip: 1 });
    expect(net.weights[0].value.data[0]).toBe(1);
  });
});

describe('experiment statistics', () => {
  it('Wilson intervals and the Fisher exact test match hand-computed values', () => {
    const [lo, hi] = wilson(73, 100);
    expect(lo).toBeCloseTo(0.6358, 3);
    expect(hi).toBeCloseTo(0.8073, 3);
    expect(wilson(0, 100)[0]).toBe(0);
    expect(wilson(0, 100)[1]).toBeCloseTo(0.037, 3);
    // Fisher's tea tasting: 3 of 4 against 1 of 4, two-sided p = 34/70
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(34 / 70, 10);
    expect(fisherExact(1, 100, 0, 100)).toBeCloseTo(1, 10);
    expect(median([3, null, 1, 2, 10])).toBe(2.5);
  });

  it('alignment is the cosine with the descent direction and the norm ratio', () => {
    const a = alignment(0, 'r', 'W', Matrix.from([[1, 0]]), Matrix.from([[-2, 0]]));
    expect(a.cosine).toBeCloseTo(1, 12);
    expect(a.normRatio).toBeCloseTo(0.5, 12);
    expect(alignment(0, 'r', 'W', Matrix.from([[0, 0]]), Matrix.from([[1, 0]])).cosine).toBeNull();
  });
});
