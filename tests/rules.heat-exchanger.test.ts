import { Matrix, Rng } from '../src';
import { HeatExchanger, sigmoidDeltaRule } from '../src/rules/heat-exchanger';
import { signalsFor } from '../src/rules/rule';
import { heatExchanger } from '../src/experiments/heat-exchanger';
import { silentProgress } from '../src/experiments/experiment';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

describe('sigmoid delta rule', () => {
  it('ΔW = lr · preᵀ · ((target − post) ⊙ post ⊙ (1 − post)), hand-checked', () => {
    const d = new Matrix(2, 1);
    const rule = sigmoidDeltaRule(0.5);
    rule.delta(signalsFor(rule, 'W', { pre: () => Matrix.from([[1, -2]]), post: () => Matrix.from([[0.5]]), target: () => Matrix.from([[1]]) }), d);
    // error = 0.5 · 0.5 · 0.5 = 0.125
    expect(d.get(0, 0)).toBeCloseTo(0.0625, 15);
    expect(d.get(1, 0)).toBeCloseTo(-0.125, 15);
  });
});

describe('HeatExchanger', () => {
  it('each section moves toward the mean of its own input and its facing section, nothing else', () => {
    const net = new HeatExchanger(1, 2, new Rng(2));
    const weights = [0.5, -1, 2, 0.25]; // F0, F1, B0, B1
    net.synapses.forEach((s, i) => s.weight.assign(Matrix.scalar(weights[i])));
    const x = 1;
    const y = 0.2;
    const f0 = sig(x * 0.5);
    const f1 = sig(f0 * -1);
    const b1 = sig(y * 0.25);
    const b0 = sig(b1 * 2);
    const lr = 0.3;
    const expected = [
      [x, f0, (x + b0) / 2], // F0: input x, faces B0
      [f0, f1, (f0 + b1) / 2], // F1: input F0, faces B1
      [b1, b0, (b1 + f0) / 2], // B0: input B1, faces F0
      [y, b1, (y + f1) / 2], // B1: input y, faces F1
    ].map(([pre, post, target], i) => weights[i] + lr * pre * (target - post) * post * (1 - post));
    net.step(Matrix.scalar(x), Matrix.scalar(y), sigmoidDeltaRule(lr));
    net.synapses.forEach((s, i) => expect(s.weight.value.data[0]).toBeCloseTo(expected[i], 12));
    expect(net.predict(Matrix.scalar(x)).data[0]).toBeCloseTo(sig(sig(x * expected[0]) * expected[1]), 12);
  });

  it('backprop on the same F pipe follows the engine gradient and leaves B alone', () => {
    const net = new HeatExchanger(3, 2, new Rng(5));
    const x = Matrix.from([[0.1, -0.4, 0.9]]);
    const y = Matrix.from([[1, 1, 1]]);
    const before = net.synapses.map((s) => s.weight.value.clone());
    const grads = net.trueGradients(x, y).map((g) => g.clone());
    net.backpropStep(x, y, 0.2);
    net.pipeF.forEach((s, i) => s.weight.value.data.forEach((v, k) => expect(v).toBeCloseTo(before[i].data[k] - 0.2 * grads[i].data[k], 12)));
    net.pipeB.forEach((s, i) => expect(s.weight.value.toArray()).toEqual(before[2 + i].toArray()));
  });
});

describe('heat-exchanger experiment (quick)', () => {
  it('reports accuracies of both rules for both pipes', async () => {
    const r = await heatExchanger.run({ seed: 1, replications: 1, out: null, quick: true, progress: silentProgress });
    const runs = (r.data as { runs: { exchange: { testCode: number }[]; backprop: { test: number } }[] }).runs;
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.exchange.map((e) => e.testCode)).toHaveLength(2);
      for (const e of run.exchange) expect(e.testCode).toBeGreaterThanOrEqual(0);
      expect(run.backprop.test).toBeLessThanOrEqual(1);
    }
  });
});
