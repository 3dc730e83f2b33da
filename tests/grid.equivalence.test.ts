import { gradcheck, Graph, init, Matrix, mul, Node, Rng, softmaxCrossEntropy, sum } from '../src';
import { NeuralGrid } from '../src/blocks/grid';
import { composedGrid } from '../src/grid/composed';
import { fusedGrid } from '../src/grid/fused';
import { loopGrid } from '../src/grid/loop';
import { GridActivation, gridActivations } from '../src/ops/grid-step';

type Wire = (a0: Node, w: Node, b: Node, act: GridActivation) => Node;
const wirings: [string, Wire][] = [['loop', loopGrid], ['composed', composedGrid], ['fused', fusedGrid]];

interface Run {
  out: Matrix;
  grads: Matrix[];
}

/** One grid on fixed values: its output and the gradients of Σ out ⊙ R for a₀, W and B. */
function run(wire: Wire, act: GridActivation, values: Matrix[], r: Matrix): Run {
  const g = new Graph();
  const [a0, w, b] = ['a0', 'W', 'B'].map((name, i) => g.param(name, values[i]));
  const out = wire(a0, w, b, act);
  const root = sum(mul(out, g.constant('R', r)));
  g.backward(root);
  return { out: out.value.clone(), grads: [a0, w, b].map((p) => (p.grad as Matrix).clone()) };
}

function maxDiff(x: Matrix, y: Matrix): number {
  let d = 0;
  for (let i = 0; i < x.size; i++) d = Math.max(d, Math.abs(x.data[i] - y.data[i]));
  return d;
}

const shapes: [m: number, h: number, width: number][] = [[1, 1, 1], [1, 2, 3], [3, 5, 4], [2, 7, 2], [1, 16, 6]];

describe.each(gridActivations.map((a) => [a]))('grid with %s', (act) => {
  it.each(shapes)('loop, composed and fused agree within 1e-12 (batch %i, height %i, width %i)', (m, h, width) => {
    const rng = new Rng(1000 * m + 10 * h + width);
    const values = [init.uniform(rng, m, h, -2, 2), init.uniform(rng, width, h, -1.2, 1.2), init.uniform(rng, width, h, -0.5, 0.5)];
    const r = init.normal(rng, m, h);
    const [loop, composed, fused] = wirings.map(([, wire]) => run(wire, act, values, r));
    for (const other of [composed, fused]) {
      expect(maxDiff(other.out, loop.out)).toBeLessThanOrEqual(1e-12);
      other.grads.forEach((d, i) => expect(maxDiff(d, loop.grads[i])).toBeLessThanOrEqual(1e-12));
    }
    // the gradients are not trivially zero: every row of W and B takes some
    for (let j = 0; j < width; j++) expect(fused.grads[1].data.subarray(j * h, (j + 1) * h).some((v) => v !== 0)).toBe(true);
  });

  it('the fused grid passes gradcheck on a₀, W and B', () => {
    const rng = new Rng(7);
    const g = new Graph();
    const a0 = g.param('a0', init.uniform(rng, 3, 6, -2, 2));
    const out = fusedGrid(a0, g.param('W', init.uniform(rng, 4, 6, -1.2, 1.2)), g.param('B', init.uniform(rng, 4, 6, -0.5, 0.5)), act);
    expect(sum(mul(out, g.constant('R', init.normal(rng, 3, 6))))).toHaveCorrectGradients();
  });
});

describe('a grid column by hand', () => {
  it('neuron i reads neurons i−1, i, i+1 through their own weights, with nothing past the borders', () => {
    const g = new Graph();
    const out = fusedGrid(g.param('a0', Matrix.from([[1, 2, 3]])), g.param('W', Matrix.from([[0.5, -1, 2]])), g.param('B', Matrix.from([[0.1, 0.2, 0.3]])), 'tanh');
    const z = [0.5 * 1 + -1 * 2 + 0.1, 0.5 * 1 + -1 * 2 + 2 * 3 + 0.2, -1 * 2 + 2 * 3 + 0.3];
    expect(Array.from(g.forward(out).data)).toEqual(z.map(Math.tanh));
  });
});

describe('NeuralGrid block', () => {
  it('the three implementations give one loss and one set of parameter gradients', () => {
    const results = (['loop', 'composed', 'fused'] as const).map((implementation) => {
      const g = new Graph();
      const grid = new NeuralGrid(g, 'ng', 6, 3, new Rng(11), { height: 5, width: 3, implementation });
      const x = g.input('x', 2, 6);
      x.feed(init.uniform(new Rng(12), 2, 6, 0, 1));
      const labels = g.input('labels', 2, 1);
      labels.feed(Matrix.from([[2], [0]]));
      const loss = softmaxCrossEntropy(grid.apply(x), labels);
      g.backward(loss);
      return { loss: loss.value.data[0], grads: grid.parameters.map((p) => (p.grad as Matrix).clone()) };
    });
    for (const other of results.slice(1)) {
      expect(Math.abs(other.loss - results[0].loss)).toBeLessThanOrEqual(1e-12);
      other.grads.forEach((d, i) => expect(maxDiff(d, results[0].grads[i])).toBeLessThanOrEqual(1e-12));
    }
  });

  it('with the fused grid, the whole network passes gradcheck', () => {
    const g = new Graph();
    const grid = new NeuralGrid(g, 'ng', 4, 3, new Rng(5), { height: 4, width: 2, activation: 'gelu' });
    const x = g.input('x', 3, 4);
    x.feed(init.uniform(new Rng(6), 3, 4, 0, 1));
    const labels = g.input('labels', 3, 1);
    labels.feed(Matrix.from([[0], [2], [1]]));
    const report = gradcheck(softmaxCrossEntropy(grid.apply(x), labels));
    expect(report.message).toBe(report.ok ? report.message : '');
    expect(report.ok).toBe(true);
  });

  it('rejects a bad height, width, activation or implementation, naming it', () => {
    const g = new Graph();
    expect(() => new NeuralGrid(g, 'a', 2, 2, new Rng(1), { height: 0 })).toThrow(/height must be a positive integer, got 0/);
    expect(() => new NeuralGrid(g, 'b', 2, 2, new Rng(1), { width: 1.5 })).toThrow(/width must be a positive integer/);
    expect(() => new NeuralGrid(g, 'c', 2, 2, new Rng(1), { activation: 'relu' as never })).toThrow(/activation must be one of sin, tanh, gelu/);
    expect(() => new NeuralGrid(g, 'd', 2, 2, new Rng(1), { implementation: 'gpu' as never })).toThrow(/implementation must be one of/);
  });
});
