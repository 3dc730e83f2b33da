import { add, Graph, init, Matrix, mse, mul, Rng, sum } from '../src';
import { Activation, FeedForward } from '../src/blocks/feedforward';

const act: Record<Activation, (v: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  relu: (v) => Math.max(v, 0),
  none: (v) => v,
};

describe('FeedForward', () => {
  it.each(['tanh', 'sigmoid', 'relu', 'none'] as const)('%s: y = act(x·W + b), and its gradients check', (activation) => {
    const rng = new Rng(3);
    const graph = new Graph();
    const layer = new FeedForward(graph, 'ff', 3, 2, rng, { activation });
    const x = graph.input('x', 4, 3).feed(init.normal(rng, 4, 3));
    const y = layer.apply(x);
    const out = graph.forward(y);
    const [X, W, b] = [x.value, layer.weight.value, layer.bias?.value as Matrix];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        let z = b.get(0, j);
        for (let k = 0; k < 3; k++) z += X.get(i, k) * W.get(k, j);
        expect(out.get(i, j)).toBeCloseTo(act[activation](z), 14);
      }
    }
    const target = graph.input('target', 4, 2).feed(init.normal(rng, 4, 2));
    expect(mse(y, target)).toHaveCorrectGradients({ atol: 1e-6, rtol: 1e-5 });
  });

  it('names its nodes under its scope and initialises like PyTorch, U(±1/√in)', () => {
    const graph = new Graph();
    const layer = new FeedForward(graph, 'enc', 16, 50, new Rng(0));
    layer.apply(graph.input('x', 1, 16));
    expect(graph.has('enc.W') && graph.has('enc.b') && graph.has('enc.xW') && graph.has('enc.z') && graph.has('enc.y')).toBe(true);
    const values = [...layer.weight.value.data, ...(layer.bias?.value.data ?? [])];
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
  });

  it('shares its parameters between applications: the weight gets the sum of both', () => {
    const rng = new Rng(5);
    const graph = new Graph();
    const layer = new FeedForward(graph, 'shared', 2, 2, rng);
    const a = layer.apply(graph.input('a', 1, 2).feed(init.normal(rng, 1, 2)), 'first');
    const b = layer.apply(graph.input('b', 3, 2).feed(init.normal(rng, 3, 2)), 'second');
    const loss = add(sum(mul(a, a)), sum(b));
    layer.weight.recordGradients();
    graph.backward(loss);
    expect([...layer.weight.received.keys()].sort()).toEqual(['first.xW#1', 'second.xW#1']);
    const total = layer.weight.received.get('first.xW#1')?.clone() as Matrix;
    const second = layer.weight.received.get('second.xW#1') as Matrix;
    for (let i = 0; i < total.size; i++) total.data[i] += second.data[i];
    expect(Array.from(layer.weight.grad?.data ?? [])).toEqual(Array.from(total.data));
    expect(loss).toHaveCorrectGradients({ atol: 1e-6, rtol: 1e-5 });
  });

  it('can go without a bias', () => {
    const graph = new Graph();
    const layer = new FeedForward(graph, 'nb', 2, 3, new Rng(1), { activation: 'sigmoid', bias: false });
    expect(layer.bias).toBeNull();
    expect(layer.parameters).toEqual([layer.weight]);
    layer.apply(graph.input('x', 1, 2));
    expect(graph.has('nb.z')).toBe(false);
  });

  it('refuses bad sizes and unknown activations with a usage error', () => {
    const graph = new Graph();
    expect(() => new FeedForward(graph, 'bad', 0, 3, new Rng(1))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => new FeedForward(graph, 'bad', 2, 3, new Rng(1), { activation: 'gelu' as Activation })).toThrow(/activation must be one of/);
  });
});
