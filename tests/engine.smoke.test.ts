import { add, Graph, inner, Matrix, mul, Rng, sum, tanh, init } from '../src';

describe('engine smoke', () => {
  it('wires, runs forward and backward, and checks gradients', () => {
    const rng = new Rng(1);
    const g = new Graph();
    const x = g.input('x', 3, 4);
    const w = g.param('w', init.normal(rng, 4, 2));
    const b = g.param('b', init.normal(rng, 1, 2));
    const h = tanh(add(inner(x, w), b));
    const loss = sum(mul(h, h));
    x.feed(init.normal(rng, 3, 4));
    expect(g.forward(loss).rows).toBe(1);
    g.backward(loss);
    expect(w.grad).not.toBeNull();
    expect(loss).toHaveCorrectGradients();
  });
  it('Mul(x, x) sums both slots', () => {
    const g = new Graph();
    const x = g.param('x', Matrix.from([[3]]));
    const y = mul(x, x);
    g.backward(y);
    expect(x.grad?.data[0]).toBe(6);
  });
});
