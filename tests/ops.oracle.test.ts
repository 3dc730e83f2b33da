import { derivative, evaluate, multiply, transpose } from 'mathjs';
import { Graph, init, inner, Matrix, Rng } from '../src';
import { buildCase, caseSeed, sampleCase, testedKinds } from './ops.cases';

/** |actual − expected| ≤ 1e-12·|expected| (with an absolute floor for expected values near 0). */
function agrees(actual: number, expected: number, floor = 1e-300): boolean {
  return Math.abs(actual - expected) <= 1e-12 * Math.max(Math.abs(expected), floor);
}

const unaryWithExpression = testedKinds.filter((k) => k.test?.mathjs !== undefined);

describe.each(unaryWithExpression.map((k) => [k.kind, k] as const))('%s against mathjs', (_name, kind) => {
  const expression = kind.test?.mathjs as string;
  const slope = derivative(expression, 'x').compile();

  it(`forward equals ${expression} and backward with g = 1 equals its mathjs derivative`, () => {
    const misses: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = buildCase(kind, sampleCase(kind, new Rng(caseSeed(kind, i))));
      const [x] = b.inputs;
      const y = b.graph.forward(b.node);
      b.graph.backward(b.node, new Matrix(b.node.rows, b.node.cols).fill(1));
      const dx = x.grad as Matrix;
      for (let j = 0; j < x.value.size; j++) {
        const v = x.value.data[j];
        const wantY = evaluate(expression, { x: v }) as number;
        const wantDx = slope.evaluate({ x: v }) as number;
        if (!agrees(y.data[j], wantY)) misses.push(`y(${v}) = ${y.data[j]}, mathjs ${wantY}`);
        if (!agrees(dx.data[j], wantDx)) misses.push(`dx(${v}) = ${dx.data[j]}, mathjs ${wantDx}`);
      }
    }
    expect(misses).toEqual([]);
  });
});

describe('Inner against mathjs.multiply', () => {
  it('forward x·W, dx = g·Wᵀ and dW = xᵀ·g on small random matrices', () => {
    for (let i = 0; i < 10; i++) {
      const rng = new Rng(7000 + i);
      const [m, k, n] = [1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(5)];
      const graph = new Graph();
      const x = graph.param('x', init.normal(rng, m, k));
      const w = graph.param('W', init.normal(rng, k, n));
      const g = init.normal(rng, m, n);
      const y = inner(x, w);
      graph.backward(y, g);
      const expectClose = (actual: Matrix, expected: number[][]): void => {
        const flat = expected.flat();
        const scale = Math.max(1, ...flat.map(Math.abs));
        actual.data.forEach((v, j) => expect(Math.abs(v - flat[j])).toBeLessThanOrEqual(1e-12 * scale));
      };
      const [xs, ws, gs] = [x.value.toArray(), w.value.toArray(), g.toArray()];
      expectClose(y.value, multiply(xs, ws));
      expectClose(x.grad as Matrix, multiply(gs, transpose(ws)));
      expectClose(w.grad as Matrix, multiply(transpose(xs), gs));
    }
  });
});
