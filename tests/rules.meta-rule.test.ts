import { Graph, Matrix, Rng } from '../src';
import { deltaUpdate, hebbianUpdate, MetaRule, UnrolledUnit } from '../src/rules/meta-rule';
import { metaRule } from '../src/experiments/meta-rule';
import { silentProgress } from '../src/experiments/experiment';

const X = Matrix.from([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
const AND = Matrix.from([[-1, -1, -1, 1]]);

describe('meta-learned rule', () => {
  it('one unrolled step of the shared MLP matches a hand computation', () => {
    const g = new Graph();
    const rule = new MetaRule(g, 2, new Rng(1), 0.5);
    rule.A.assign(Matrix.from([[1, 0, 0, 1], [0, 1, -1, 0]]));
    rule.b.assign(Matrix.from([[0.1], [-0.2]]));
    rule.c.assign(Matrix.from([[2, -1]]));
    rule.d.assign(Matrix.from([[0.3]]));
    const unit = new UnrolledUnit(g, 2, 4, 1, rule.update);
    const w0 = Matrix.from([[0.2, -0.4, 0.1]]);
    unit.feed(X, AND, [3], w0); // the step sees x = (1, 1), target +1
    g.forward(unit.loss);
    const pre = [1, 1, 1];
    const post = Math.tanh(0.2 - 0.4 + 0.1);
    const w1 = pre.map((p, i) => {
      const f = [p, post, w0.data[i], 1];
      const h1 = Math.tanh(f[0] + f[3] + 0.1);
      const h2 = Math.tanh(f[1] - f[2] - 0.2);
      return w0.data[i] + 0.5 * (2 * h1 - h2 + 0.3);
    });
    const y = X.toArray().map(([a, b]) => Math.tanh(w1[0] * a + w1[1] * b + w1[2]));
    y.forEach((v, i) => expect(unit.taskY.value.data[i]).toBeCloseTo(v, 12));
    const loss = y.reduce((s, v, i) => s + (v - AND.data[i]) ** 2, 0) / 4;
    expect(unit.loss.value.data[0]).toBeCloseTo(loss, 12);
  });

  it('meta-gradients through three unrolled steps agree with central differences', () => {
    const g = new Graph();
    const rule = new MetaRule(g, 3, new Rng(2), 0.3);
    const unit = new UnrolledUnit(g, 2, 4, 3, rule.update);
    unit.feed(X, AND, [0, 3, 1], Matrix.from([[0.1, 0.2, -0.3]]));
    expect(unit.loss).toHaveCorrectGradients({ wrt: rule.parameters });
  });

  it('Hebb and the delta rule as in-graph updates, hand-checked', () => {
    for (const [update, expected] of [
      [hebbianUpdate(0.1), (w: number, x: number, y: number, t: number) => w + 0.1 * x * t],
      [deltaUpdate(0.1), (w: number, x: number, y: number, t: number) => w + 0.1 * x * (t - y) * (1 - y * y)],
    ] as const) {
      const g = new Graph();
      const unit = new UnrolledUnit(g, 2, 4, 1, update);
      const w0 = Matrix.from([[0.3, -0.2, 0.05]]);
      unit.feed(X, AND, [1], w0); // x = (−1, 1), target −1
      g.forward(unit.loss);
      const pre = [-1, 1, 1];
      const y = Math.tanh(-0.3 - 0.2 + 0.05);
      const w1 = pre.map((p, i) => expected(w0.data[i], p, y, -1));
      expect(unit.taskY.value.data[3]).toBeCloseTo(Math.tanh(w1[0] + w1[1] + w1[2]), 12);
    }
  });

  it('the experiment meta-trains and scores every rule (quick)', async () => {
    const r = await metaRule.run({ seed: 1, replications: 5, out: null, quick: true, progress: silentProgress });
    const data = r.data as { curves: Record<string, number[]>; scores: { successes: number; replications: number }[] };
    expect(Object.keys(data.curves)).toEqual(['mlp', 'lstm']);
    for (const curve of Object.values(data.curves)) expect(curve.length).toBeGreaterThan(0);
    expect(data.scores).toHaveLength(44); // 11 rules (two learned kinds × two lengths, 3 Hebb, 3 delta, none) × 4 tasks
    expect(r.markdown).toMatch(/AND \(held out\)/);
  });
});
