import { Graph, Matrix, Rng } from '../src';
import { LstmMetaRule, UnrolledUnit } from '../src/rules/meta-rule';
import { metaRule } from '../src/experiments/meta-rule';
import { silentProgress } from '../src/experiments/experiment';

const X = Matrix.from([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
const AND = Matrix.from([[-1, -1, -1, 1]]);
const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

describe('meta-learned LSTM rule', () => {
  it('the first step gives each synapse the readout of one LSTM step from zero on its own signals', () => {
    const g = new Graph();
    const rule = new LstmMetaRule(g, 2, new Rng(3), 0.5);
    const unit = new UnrolledUnit(g, 2, 4, 1, rule.sequence());
    const w0 = Matrix.from([[0.2, -0.4, 0.1]]);
    unit.feed(X, AND, [2], w0); // the step sees x = (1, −1), target −1
    g.forward(unit.loss);
    const W = rule.lstm.weight.value;
    const b = rule.lstm.bias.value;
    const v = rule.readout.weight.value;
    const d = (rule.readout.bias as NonNullable<typeof rule.readout.bias>).value.data[0];
    const pre = [1, -1, 1];
    const post = Math.tanh(0.2 + 0.4 + 0.1);
    const H = 2;
    pre.forEach((p, j) => {
      const f = [p, post, w0.data[j], -1];
      // from h = c = 0 only x reaches the gates, and the forget gate has nothing to keep
      const gate = (col: number): number => f.reduce((s, x, k) => s + x * W.get(k, col), b.get(0, col));
      let out = d;
      for (let u = 0; u < H; u++) {
        const c = sigma(gate(u)) * Math.tanh(gate(2 * H + u));
        out += sigma(gate(3 * H + u)) * Math.tanh(c) * v.get(u, 0);
      }
      expect(unit.ws[0].value.data[j]).toBeCloseTo(w0.data[j] + 0.5 * out, 12);
    });
  });

  it('meta-gradients through three unrolled steps and the LSTM recurrence agree with central differences', () => {
    const g = new Graph();
    const rule = new LstmMetaRule(g, 3, new Rng(2), 0.3);
    const unit = new UnrolledUnit(g, 2, 4, 3, rule.sequence());
    unit.feed(X, AND, [0, 3, 1], Matrix.from([[0.1, 0.2, -0.3]]));
    expect(unit.loss).toHaveCorrectGradients({ wrt: rule.parameters });
  });

  it('--rule picks the learned rule, and a wrong value is refused', async () => {
    const r = await metaRule.run({ seed: 1, replications: 2, out: null, quick: true, options: { rule: 'lstm' }, progress: silentProgress });
    const data = r.data as { variants: string[]; scores: { learner: string }[] };
    expect(data.variants).toEqual(['lstm']);
    expect(data.scores.filter((s) => s.learner.startsWith('learned'))).toHaveLength(8);
    expect(data.scores.some((s) => s.learner.startsWith('learned mlp'))).toBe(false);
    await expect(metaRule.run({ seed: 1, replications: 2, out: null, quick: true, options: { rule: 'gru' }, progress: silentProgress })).rejects.toThrow(/--rule must be one of mlp, lstm, both; got 'gru'/);
  });
});
