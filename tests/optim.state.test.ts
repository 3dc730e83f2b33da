import { Graph, Matrix, mul, sum } from '../src';
import { Adam } from '../src/optim/adam';
import { Momentum } from '../src/optim/momentum';

function problem() {
  const graph = new Graph();
  const p = graph.param('layer.W', Matrix.from([[1, -2]]));
  const c = graph.constant('c', Matrix.from([[0.5, 3]]));
  const loss = sum(mul(mul(p, p), c));
  return { graph, p, loss };
}

function steps(prob: ReturnType<typeof problem>, opt: { step(): void }, n: number): void {
  for (let i = 0; i < n; i++) {
    prob.graph.backward(prob.loss);
    opt.step();
  }
}

describe('optimizer state', () => {
  it('Adam resumes from its state exactly as if never interrupted', () => {
    const straight = problem();
    const adamA = new Adam([straight.p], { lr: 0.05 });
    steps(straight, adamA, 5);

    const first = problem();
    const adamB = new Adam([first.p], { lr: 0.05 });
    steps(first, adamB, 3);
    const saved = adamB.state();
    expect(Object.keys(saved.tensors).sort()).toEqual(['m/layer.W', 'v/layer.W']);
    expect(saved.meta).toMatchObject({ optimizer: 'adam', steps: '3', 't/layer.W': '3', beta1: '0.9', beta2: '0.999' });

    const resumed = problem();
    resumed.p.assign(first.p.value);
    const adamC = new Adam([resumed.p], { lr: 0.05 });
    adamC.restore(saved);
    expect(adamC.steps).toBe(3);
    steps(resumed, adamC, 2);
    expect(Array.from(resumed.p.value.data)).toEqual(Array.from(straight.p.value.data));
  });

  it('the state is a copy: later steps do not change a saved state', () => {
    const prob = problem();
    const opt = new Momentum([prob.p], { lr: 0.1 });
    steps(prob, opt, 1);
    const saved = opt.state();
    const before = Array.from(saved.tensors['velocity/layer.W'].data);
    steps(prob, opt, 1);
    expect(Array.from(saved.tensors['velocity/layer.W'].data)).toEqual(before);
  });

  it('refuses a state of another kind, a missing tensor or a wrong shape, and keeps its own', () => {
    const prob = problem();
    const adam = new Adam([prob.p], { lr: 0.05 });
    steps(prob, adam, 2);
    const good = adam.state();
    const momentum = new Momentum([prob.p], { lr: 0.1 });
    expect(() => momentum.restore(good)).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT' }));

    const missing = { tensors: { 'm/layer.W': good.tensors['m/layer.W'] }, meta: good.meta };
    expect(() => adam.restore(missing)).toThrow(/'v\/layer.W' is missing/);
    const wrong = { tensors: { ...good.tensors, 'v/layer.W': Matrix.zeros(2, 1) }, meta: { ...good.meta, steps: '7' } };
    expect(() => adam.restore(wrong)).toThrow(/2×1/);
    expect(() => adam.restore({ tensors: good.tensors, meta: { ...good.meta, 't/layer.W': 'x' } })).toThrow(/t\/layer.W/);
    expect(adam.steps).toBe(2);
    expect(adam.state().tensors['v/layer.W'].data).toEqual(good.tensors['v/layer.W'].data);
  });
});
