import { Matrix, Rng } from '../src';
import { rewardHebbian, supervisedHebbian, unsupervisedHebbian } from '../src/rules/hebbian';
import { signalsFor, SignalSource } from '../src/rules/rule';
import { ToyNetwork } from '../src/rules/toy-network';
import { hebbian } from '../src/experiments/hebbian';
import { silentProgress } from '../src/experiments/experiment';

function deltaOf(rule: ReturnType<typeof supervisedHebbian>, source: SignalSource, rows: number, cols: number): number[][] {
  const d = new Matrix(rows, cols);
  rule.delta(signalsFor(rule, 'W', source), d);
  return d.toArray();
}

/** A 2 → 2 → 2 → 1 network with known weights. */
function knownNetwork(): ToyNetwork {
  const net = new ToyNetwork(2, [2, 2], 1, new Rng(0));
  net.weights[0].assign(Matrix.from([[0.5, -0.5], [0.25, 0.5]]));
  net.weights[1].assign(Matrix.from([[1, 0], [0.5, -1]]));
  net.weights[2].assign(Matrix.from([[0.5], [-0.5]]));
  return net;
}

describe('Hebbian rules, hand-checked', () => {
  const pre = () => Matrix.from([[1, 2]]);
  it('supervised: ΔW = lr · preᵀ · target', () => {
    const d = deltaOf(supervisedHebbian(0.1), { pre, target: () => Matrix.from([[-1]]) }, 2, 1);
    expect(d[0][0]).toBeCloseTo(-0.1, 15);
    expect(d[1][0]).toBeCloseTo(-0.2, 15);
  });
  it('unsupervised: ΔW = lr · preᵀ · post', () => {
    const d = deltaOf(unsupervisedHebbian(0.1), { pre, post: () => Matrix.from([[3, -1]]) }, 2, 2);
    expect(d.flat().map((v) => +v.toFixed(12))).toEqual([0.3, -0.1, 0.6, -0.2]);
  });
  it('reward-gated: ΔW = lr · r · preᵀ · post', () => {
    const d = deltaOf(rewardHebbian(0.1), { pre, post: () => Matrix.from([[3, -1]]), reward: () => Matrix.scalar(-1) }, 2, 2);
    expect(d.flat().map((v) => +v.toFixed(12))).toEqual([-0.3, 0.1, -0.6, 0.2]);
  });
});

describe('ToyNetwork steps, hand-checked on a 2-2-2-1 net', () => {
  const x = Matrix.from([[1, 1]]);
  const t = Matrix.from([[1]]);
  // h1 = relu(x·W0) = relu([0.75, 0]) = [0.75, 0];  h2 = relu(h1·W1) = relu([0.75, 0]) = [0.75, 0]
  it('supervised walk: top takes the target, the middle its own ReLU output, W0 never changes', () => {
    const net = knownNetwork();
    net.supervisedStep(x, t, 0.1);
    expect(net.weights[0].value.toArray()).toEqual([[0.5, -0.5], [0.25, 0.5]]);
    // W1 += 0.1 · h1ᵀ · h2 = 0.1 · [[0.5625, 0], [0, 0]]
    expect(net.weights[1].value.get(0, 0)).toBeCloseTo(1, 12); // clipped from 1.05625
    expect(net.weights[1].value.toArray().flat().slice(1)).toEqual([0, 0.5, -1]);
    // W2 += 0.1 · h2ᵀ · t = [[0.075], [0]]
    expect(net.weights[2].value.get(0, 0)).toBeCloseTo(0.575, 12);
    expect(net.weights[2].value.get(1, 0)).toBeCloseTo(-0.5, 12);
  });
  it('unsupervised: linear chain, layer by layer, the next layer sees the changed weights', () => {
    const net = knownNetwork();
    net.unsupervisedStep(x, 0.1);
    // l1 = x·W0 = [0.75, 0]; W0 += 0.1 · xᵀ · l1 = [[0.075, 0], [0.075, 0]]
    expect(net.weights[0].value.toArray().flat().map((v) => +v.toFixed(12))).toEqual([0.575, -0.5, 0.325, 0.5]);
    // l1 with the new W0 = [0.9, 0]; l2 = l1·W1 = [0.9, 0]; W1 += 0.1 · l1ᵀ · l2 = [[0.081, 0], [0, 0]]
    expect(net.weights[1].value.get(0, 0)).toBeCloseTo(1, 12); // 1.081 clipped
    // l2 with the new W1 = [0.9, 0]; l3 = l2·W2 = [0.45]; W2 += 0.1 · l2ᵀ · l3 = [[0.0405], [0]]
    expect(net.weights[2].value.get(0, 0)).toBeCloseTo(0.5405, 12);
  });
  it('semi-supervised: a right positive prediction gives reward −1 (anti-Hebbian), all layers from the old activity', () => {
    const net = knownNetwork();
    // output = tanh(h2·W2) = tanh(0.375) > 0, target 1: right, so c = 1 and reward = −(2·1 − 1)·1 = −1
    net.semiSupervisedStep(x, t, 0.1);
    // old linear chain: l1 = [0.75, 0], l2 = [0.75, 0], l3 = [0.375]
    expect(net.weights[0].value.toArray().flat().map((v) => +v.toFixed(12))).toEqual([0.425, -0.5, 0.175, 0.5]);
    expect(net.weights[1].value.get(0, 0)).toBeCloseTo(1 - 0.05625, 12);
    expect(net.weights[2].value.get(0, 0)).toBeCloseTo(0.5 - 0.028125, 12);
  });
  it('a wrong positive prediction gives reward +1', () => {
    const net = knownNetwork();
    net.semiSupervisedStep(x, Matrix.from([[-1]]), 0.1);
    expect(net.weights[2].value.get(0, 0)).toBeCloseTo(0.5 + 0.028125, 12);
  });
});

describe('hebbian experiment (quick)', () => {
  it('runs every row and reports rates inside [0, 1] with their intervals', async () => {
    const r = await hebbian.run({ seed: 3, replications: 3, out: null, quick: true, progress: silentProgress });
    const rows = (r.data as { rows: { rate: number; ci: [number, number] }[] }).rows;
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.ci[0] <= row.rate && row.rate <= row.ci[1]).toBe(true);
    expect(r.markdown).toMatch(/\| AND \| supervised \| \[100\] \| 50 \|/);
  });
});
