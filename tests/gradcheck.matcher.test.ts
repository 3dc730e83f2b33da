import {
  add, DtypeError, gradcheck, gradcheckDirectional, Graph, init, inner, Matrix, mul, Node, OpKind, Rng, sigmoid, sum, tanh,
} from '../src';

/** y = x², with a backward that forgets the factor 2: the kind of slip gradcheck must pin down. */
const BadSquare: OpKind = {
  kind: 'BadSquare',
  arity: 1,
  math: ['y = x²', 'dx = g ⊙ x (wrong: should be 2 g ⊙ x)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    for (let i = 0; i < out.size; i++) out.data[i] = x.data[i] * x.data[i];
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (dx) for (let i = 0; i < g.size; i++) dx.data[i] = g.data[i] * x.data[i];
  },
};

/** y = a ⊙ b with the gradient of b wrong by a sign: only slot 1 is to blame. */
const BadMul: OpKind = {
  kind: 'BadMul',
  arity: 2,
  math: ['y = a ⊙ b', 'da = g ⊙ b; db = −g ⊙ a (wrong sign)'],
  shape: ([a]) => a,
  forward({ inputs: [a, b], out }) {
    for (let i = 0; i < out.size; i++) out.data[i] = a.data[i] * b.data[i];
  },
  backward({ inputs: [a, b] }, g, [da, db]) {
    if (da) for (let i = 0; i < g.size; i++) da.data[i] = g.data[i] * b.data[i];
    if (db) for (let i = 0; i < g.size; i++) db.data[i] = -g.data[i] * a.data[i];
  },
};

/** A scalar loss Σ x² computed by one broken node that is itself the root. */
const BadSumSquares: OpKind = {
  kind: 'BadSumSquares',
  arity: 1,
  math: ['y = Σ x²', 'dx = g ⊙ x (wrong: should be 2 g ⊙ x)'],
  shape: () => [1, 1],
  forward({ inputs: [x], out }) {
    let s = 0;
    for (let i = 0; i < x.size; i++) s += x.data[i] * x.data[i];
    out.data[0] = s;
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (dx) for (let i = 0; i < x.size; i++) dx.data[i] = g.data[0] * x.data[i];
  },
};

function layers(rng: Rng, middle: (g: Graph, h: Node) => Node): { g: Graph; root: Node; params: Node[] } {
  const g = new Graph();
  const x = g.input('x', 3, 4);
  x.feed(init.normal(rng, 3, 4));
  const W1 = g.param('W1', init.normal(rng, 4, 5, 0, 0.5));
  const W2 = g.param('W2', init.normal(rng, 5, 2, 0, 0.5));
  const h = tanh(inner(x, W1, 'first'), 'h');
  const m = middle(g, h);
  const root = sum(sigmoid(inner(m, W2, 'second'), 'out'), 'all', 'loss');
  return { g, root, params: [W1, W2] };
}

describe('gradcheck and the toHaveCorrectGradients matcher', () => {
  it('pass on a correct graph, for every parameter and every input with requiresGrad', () => {
    const rng = new Rng(11);
    const { g, root } = layers(rng, (_g, h) => mul(h, h, 'sq'));
    const extra = g.input('u', 1, 1, { requiresGrad: true });
    extra.feed([[0.3]]);
    const loss = add(root, mul(extra, extra));
    expect(loss).toHaveCorrectGradients();
    const report = gradcheck(loss);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.node.name).sort()).toEqual(['W1', 'W2', 'u']);
    expect(report.culprit).toBeNull();
  });

  it('leave parameters and inputs as they were, bit for bit', () => {
    const { g, root, params } = layers(new Rng(12), (_g, h) => h);
    const before = g.nodes.filter((n) => n.role !== 'op').map((n) => Array.from(n.value.data));
    const value = g.forward(root).data[0];
    gradcheck(root);
    expect(gradcheckDirectional(root, new Rng(1)).ok).toBe(true);
    expect(g.nodes.filter((n) => n.role !== 'op').map((n) => Array.from(n.value.data))).toEqual(before);
    expect(g.forward(root).data[0]).toBe(value);
    expect(params[0].grad).not.toBeNull();
  });

  it('name the broken node by kind and name, not its neighbours', () => {
    const { root } = layers(new Rng(13), (g, h) => g.apply(BadSquare, [h], {}, 'bad'));
    const report = gradcheck(root);
    expect(report.ok).toBe(false);
    expect(report.culprit?.node.kind).toBe('BadSquare');
    expect(report.culprit?.node.name).toBe('bad');
    expect(report.culprit?.input.name).toBe('h');
    expect(report.message).toMatch(/^first failing node: BadSquare 'bad' passes a wrong gradient to input 0 \(Tanh 'h' \[3×5\]\)/);
    expect(report.checks.find((c) => c.node.name === 'W1')?.ok).toBe(false);
    expect(() => expect(root).toHaveCorrectGradients()).toThrow(/first failing node: BadSquare 'bad'/);
    expect(root).not.toHaveCorrectGradients();
  });

  it('blame the broken node when it fans out and its input is shared', () => {
    const { root } = layers(new Rng(14), (g, h) => {
      const bad = g.apply(BadSquare, [h], {}, 'bad');
      return add(mul(bad, h, 'left'), tanh(bad, 'right'), 'join');
    });
    const report = gradcheck(root);
    expect(report.culprit?.node.name).toBe('bad');
  });

  it('name the slot whose gradient is wrong', () => {
    const { root } = layers(new Rng(15), (g, h) => g.apply(BadMul, [tanh(h, 'left'), h], {}, 'badmul'));
    const report = gradcheck(root);
    expect(report.culprit?.node.name).toBe('badmul');
    expect(report.culprit?.slot).toBe(1);
    expect(report.culprit?.input.name).toBe('h');
  });

  it('leave gradient recording as the user set it', () => {
    const { root, params } = layers(new Rng(18), (g, h) => g.apply(BadSquare, [h], {}, 'bad'));
    params[0].recordGradients();
    expect(gradcheck(root).culprit?.node.name).toBe('bad');
    expect(params[0].recording).toBe(true);
    expect(params[1].recording).toBe(false);
  });

  it('blame a broken root', () => {
    const g = new Graph();
    const w = g.param('w', init.normal(new Rng(16), 2, 3));
    const loss = g.apply(BadSumSquares, [tanh(w, 'h')], {}, 'loss');
    const report = gradcheck(loss);
    expect(report.ok).toBe(false);
    expect(report.culprit?.node.name).toBe('loss');
    expect(report.message).toContain("first failing node: BadSumSquares 'loss'");
  });

  it('gradcheckDirectional agrees on a 64×64 inner product and catches a broken op there', () => {
    const rng = new Rng(17);
    const g = new Graph();
    const x = g.param('x', init.normal(rng, 64, 64, 0, 0.2));
    const W = g.param('W', init.normal(rng, 64, 64, 0, 0.2));
    const h = tanh(inner(x, W), 'h');
    const good = gradcheckDirectional(sum(mul(h, h)), rng);
    expect(good.ok).toBe(true);
    expect(good.relError).toBeLessThan(1e-6);
    expect(Math.abs(good.analytic)).toBeGreaterThan(1e-3);
    const bad = gradcheckDirectional(sum(g.apply(BadSquare, [h], {}, 'bad')), rng);
    expect(bad.ok).toBe(false);
    expect(bad.relError).toBeGreaterThan(0.1);
  });

  it('runs only in float64', () => {
    const g = new Graph({ dtype: 'float32' });
    const loss = sum(tanh(g.param('w', new Matrix(2, 2, 'float32'))));
    expect(() => gradcheck(loss)).toThrow(DtypeError);
    expect(() => gradcheck(loss)).toThrow(expect.objectContaining({ code: 'E_DTYPE' }));
  });
});
