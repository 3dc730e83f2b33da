import { Matrix, Rng } from '../src';
import { creditShareRule, HeatExchanger } from '../src/rules/heat-exchanger';
import { signalsFor } from '../src/rules/rule';
import { heatExchanger } from '../src/experiments/heat-exchanger';
import { silentProgress } from '../src/experiments/experiment';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

describe('credit share (the reference write-up update)', () => {
  it('ΔW[i, j] = lr · 2 · (target_j − post_j) · W[i, j] / Σₖ W[k, j], hand-checked', () => {
    const rule = creditShareRule(0.1);
    const W = Matrix.from([[1, -2], [3, 0.5]]); // column sums 4 and −1.5
    const d = new Matrix(2, 2);
    rule.delta(signalsFor(rule, 'W', { weight: () => W, post: () => Matrix.from([[0.5, 0.2]]), target: () => Matrix.from([[0.7, 0.1]]) }), d);
    expect(d.get(0, 0)).toBeCloseTo((0.1 * 2 * 0.2 * 1) / 4, 15);
    expect(d.get(1, 0)).toBeCloseTo((0.1 * 2 * 0.2 * 3) / 4, 15);
    expect(d.get(0, 1)).toBeCloseTo((0.1 * 2 * -0.1 * -2) / -1.5, 15);
    expect(d.get(1, 1)).toBeCloseTo((0.1 * 2 * -0.1 * 0.5) / -1.5, 15);
    // the shares of a column add up to the column's whole move
    expect(d.get(0, 0) + d.get(1, 0)).toBeCloseTo(0.1 * 2 * 0.2, 15);
  });

  it('on the pipes: each section moves by the sum of its two differences (input − post) + (facing − post)', () => {
    const net = new HeatExchanger(1, 2, new Rng(4));
    const weights = [0.5, -1, 2, 0.25]; // F0, F1, B0, B1
    net.synapses.forEach((s, i) => s.weight.assign(Matrix.scalar(weights[i])));
    const [x, y, lr] = [1, 0.2, 0.3];
    const f0 = sig(x * 0.5);
    const f1 = sig(f0 * -1);
    const b1 = sig(y * 0.25);
    const b0 = sig(b1 * 2);
    // one weight per column: its share is the whole move
    const expected = [
      [x, f0, b0],
      [f0, f1, b1],
      [b1, b0, f0],
      [y, b1, f1],
    ].map(([input, post, facing], i) => weights[i] + lr * (input - post + (facing - post)));
    net.step(Matrix.scalar(x), Matrix.scalar(y), creditShareRule(lr));
    net.synapses.forEach((s, i) => expect(s.weight.value.data[0]).toBeCloseTo(expected[i], 12));
  });

  it('the experiment runs the update chosen by --update and refuses an unknown one (quick)', async () => {
    const r = await heatExchanger.run({ seed: 1, replications: 1, out: null, quick: true, options: { update: 'seed000' }, progress: silentProgress });
    const runs = (r.data as { runs: { config: { label: string }; exchange: { update: string }[]; probeAtStart: number; majority: number }[] }).runs;
    for (const run of runs) expect(run.exchange.map((e) => e.update)).toEqual(['seed000']);
    // the probe is taken before any update: the random 3 × 8 pipe already separates the circle
    // well by a line, while ten sections of width 2 have washed the input out (seed 1)
    const [reference, wide] = runs;
    expect(wide.config.label).toBe('wide-short');
    expect(wide.probeAtStart).toBeGreaterThan(0.8);
    expect(reference.probeAtStart).toBeLessThan(0.6);
    await expect(heatExchanger.run({ seed: 1, replications: 1, out: null, quick: true, options: { update: 'hebb' }, progress: silentProgress })).rejects.toThrow(
      /--update must be one of delta, seed000, both; got 'hebb'/,
    );
  });
});
