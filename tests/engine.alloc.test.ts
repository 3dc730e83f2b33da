import { add, concat, Graph, init, inner, Matrix, mse, mul, Node, Rng, sigmoid, slice, sub, tanh } from '../src';

interface Model {
  graph: Graph;
  loss: Node;
  feeds: [Node, Matrix[]][];
}

/** x → tanh(x·W1 + b1) → ·W2 + b2 → MSE against a target. */
function mlp(rng: Rng): Model {
  const g = new Graph();
  const x = g.input('x', 8, 4);
  const t = g.input('t', 8, 3);
  const h = tanh(add(inner(x, g.param('W1', init.xavier(rng, 4, 16))), g.param('b1', init.zeros(1, 16))));
  const y = add(inner(h, g.param('W2', init.xavier(rng, 16, 3))), g.param('b2', init.zeros(1, 3)));
  const batches = [0, 1].map(() => init.normal(rng, 8, 4));
  const targets = batches.map((b) => {
    const m = new Matrix(8, 3);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 3; j++) m.set(i, j, Math.sin(b.get(i, j) + b.get(i, j + 1)));
    return m;
  });
  return { graph: g, loss: mse(y, t), feeds: [[x, batches], [t, targets]] };
}

/** Three unrolled steps of an LSTM-like cell: shared weights, gates cut from one product by Slice. */
function lstmish(rng: Rng): Model {
  const g = new Graph();
  const n = 3;
  const W = g.param('W', init.xavier(rng, 2 + n, 4 * n));
  const b = g.param('b', init.zeros(1, 4 * n));
  let h = g.constant('h0', init.zeros(2, n));
  let c = g.constant('c0', init.zeros(2, n));
  const xs: Node[] = [];
  for (let s = 0; s < 3; s++) {
    const x = g.input(`x${s}`, 2, 2);
    xs.push(x);
    const z = add(inner(concat([x, h]), W), b);
    const gate = (k: number): Node => slice(z, k * n, (k + 1) * n);
    c = add(mul(sigmoid(gate(0)), c), mul(sigmoid(gate(1)), tanh(gate(2))));
    h = mul(sigmoid(gate(3)), tanh(c));
  }
  const t = g.input('t', 2, n);
  const loss = mse(h, t);
  const feeds: [Node, Matrix[]][] = xs.map((x) => [x, [0, 1].map(() => init.normal(rng, 2, 2))]);
  feeds.push([t, [0, 1].map(() => init.uniform(rng, 2, n, -0.5, 0.5))]);
  // an auxiliary path that exercises Sub and a dangling consumer in the same static graph
  sub(h, t, 'dangling');
  return { graph: g, loss, feeds };
}

function train(model: Model, steps: number, onStep: (step: number, loss: number) => void): void {
  const params = model.graph.parameters();
  for (let s = 0; s < steps; s++) {
    model.graph.reset();
    for (const [node, batches] of model.feeds) node.feed(batches[s % batches.length]);
    const loss = model.graph.forward(model.loss).data[0];
    model.graph.backward(model.loss);
    for (const p of params) {
      const gr = p.grad as Matrix;
      for (let i = 0; i < p.value.size; i++) p.value.data[i] -= 0.05 * gr.data[i];
    }
    onStep(s, loss);
  }
}

describe.each([
  ['a 2-layer MLP with an MSE loss', mlp],
  ['an unrolled LSTM-like cell with shared weights', lstmish],
])('%s', (_name, build) => {
  it('trains 100 steps without allocating a matrix after the first', () => {
    const model = build(new Rng(5));
    let afterFirst = -1;
    const losses: number[] = [];
    train(model, 100, (s, loss) => {
      if (s === 0) afterFirst = Matrix.allocations;
      losses.push(loss);
    });
    expect(Matrix.allocations - afterFirst).toBe(0);
    // the steps did real work: the loss of each batch went down
    expect(losses[98]).toBeLessThan(losses[0]);
    expect(losses[99]).toBeLessThan(losses[1]);
  });
});
