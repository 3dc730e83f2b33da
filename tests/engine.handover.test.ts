import { add, Graph, Matrix, mul, sum, tanh } from '../src';

// The engine sums into the first consumer's own gradient buffer instead of copying it, and keeps
// each plan's pass state between passes. These tests pin what must not change because of that.

/** d/dx tanh(x) = 1 − tanh²(x), written out here so the expectations do not come from the engine. */
const dtanh = (x: number): number => 1 - Math.tanh(x) ** 2;

describe('gradient hand-over and reused pass state', () => {
  it('copies gradients from outside (seed, injection): changing them afterwards changes no sum', () => {
    const g = new Graph();
    const w = g.param('w', Matrix.from([[0.5, -1]]));
    const h = tanh(w, 'h');
    const aux = Matrix.from([[2, 3]]);
    h.inject('aux', aux);
    const seed = Matrix.from([[1, 1]]);
    const root = tanh(h, 'root');
    g.backward(root, seed);
    const rootGrad = Array.from(root.grad?.data ?? []);
    const hGrad = Array.from(h.grad?.data ?? []);
    seed.fill(100);
    aux.fill(100);
    expect(Array.from(root.grad?.data ?? [])).toEqual(rootGrad);
    expect(rootGrad).toEqual([1, 1]);
    expect(Array.from(h.grad?.data ?? [])).toEqual(hGrad);
    [0.5, -1].forEach((v, i) => expect(hGrad[i]).toBeCloseTo(dtanh(Math.tanh(v)) + [2, 3][i], 15));
  });

  it('keeps each consumer’s record apart from the sum that was added into the first one', () => {
    const g = new Graph();
    const x = g.param('x', Matrix.from([[0.2, -0.7]]));
    const a = tanh(x, 'a');
    const b = mul(x, x, 'b');
    x.recordGradients();
    g.backward(sum(mul(a, b, 'ab'), 'all', 'root'));
    const [x0, x1] = [0.2, -0.7];
    // root = Σ tanh(x)·x², so a receives x² and b receives tanh(x) per element
    const fromA = [x0 * x0 * dtanh(x0), x1 * x1 * dtanh(x1)];
    const fromB = [Math.tanh(x0) * x0, Math.tanh(x1) * x1];
    fromA.forEach((v, i) => expect(x.received.get('a#0')?.data[i]).toBeCloseTo(v, 15));
    fromB.forEach((v, i) => expect(x.received.get('b#0')?.data[i]).toBeCloseTo(v, 15));
    fromB.forEach((v, i) => expect(x.received.get('b#1')?.data[i]).toBeCloseTo(v, 15));
    [0, 1].forEach((i) => expect(x.grad?.data[i]).toBeCloseTo(fromA[i] + 2 * fromB[i], 14));
  });

  it('gives the right gradients when passes of two roots over shared nodes alternate', () => {
    const g = new Graph();
    const w = g.param('w', Matrix.scalar(0.4));
    const h = tanh(w, 'h');
    const first = sum(h, 'all', 'first');
    const second = sum(mul(h, h, 'hh'), 'all', 'second');
    for (let round = 0; round < 3; round++) {
      g.backward(first);
      expect(w.grad?.data[0]).toBeCloseTo(dtanh(0.4), 15);
      expect(h.grad?.data[0]).toBe(1);
      g.backward(second);
      expect(w.grad?.data[0]).toBeCloseTo(2 * Math.tanh(0.4) * dtanh(0.4), 15);
      expect(h.grad?.data[0]).toBeCloseTo(2 * Math.tanh(0.4), 15);
    }
  });
});

describe('consumers of one input sharing its gradient buffers', () => {
  it('sums many consumers, double edges among them, and keeps every node’s sum readable after the pass', () => {
    const g = new Graph();
    const x = g.param('x', Matrix.from([[0.3, -0.8]]));
    const xx = mul(x, x, 'xx'); // two edges from one consumer
    const xxx = mul(xx, x, 'xxx'); // xx has two consumers: xxx and the sum below
    const t = tanh(x, 't');
    const both = mul(x, t, 'both'); // x and t again, from a consumer of both
    x.recordGradients();
    const root = sum(add(add(xx, xxx, 'p'), add(t, both, 'q'), 'pq'), 'all', 'root');
    for (let pass = 0; pass < 3; pass++) {
      g.backward(root);
      [0.3, -0.8].forEach((v, i) => {
        const th = Math.tanh(v);
        // root = Σ x² + x³ + tanh x + x·tanh x
        expect(x.grad?.data[i]).toBeCloseTo(2 * v + 3 * v * v + dtanh(v) + th + v * dtanh(v), 14);
        expect(xx.grad?.data[i]).toBeCloseTo(1 + v, 15);
        expect(t.grad?.data[i]).toBeCloseTo(1 + v, 15);
        expect(x.received.get('xx#0')?.data[i]).toBeCloseTo((1 + v) * v, 15);
        expect(x.received.get('xx#1')?.data[i]).toBeCloseTo((1 + v) * v, 15);
        expect(x.received.get('xxx#1')?.data[i]).toBeCloseTo(v * v, 15);
        expect(x.received.get('both#0')?.data[i]).toBeCloseTo(th, 15);
      });
    }
  });
});
