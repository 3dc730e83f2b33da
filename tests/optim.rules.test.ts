import { Graph, Matrix, mul, Node, sum } from '../src';
import { Adam } from '../src/optim/adam';
import { Momentum } from '../src/optim/momentum';
import { Optimizer } from '../src/optim/optimizer';
import { Sgd } from '../src/optim/sgd';

/** A parameter p whose gradient is exactly the row we choose: loss = Σ p ⊙ c, so ∂loss/∂p = c. */
function linearProblem(start: number[]): { graph: Graph; p: Node; c: Node; loss: Node } {
  const graph = new Graph();
  const p = graph.param('p', Matrix.from([start]));
  const c = graph.constant('c', Matrix.zeros(1, start.length));
  return { graph, p, c, loss: sum(mul(p, c)) };
}

/** Runs one step per gradient row and returns p after each step. */
function run(problem: ReturnType<typeof linearProblem>, opt: Optimizer, grads: number[][]): number[][] {
  return grads.map((g) => {
    problem.c.assign(Matrix.from([g]));
    problem.graph.backward(problem.loss);
    opt.step();
    return Array.from(problem.p.value.data);
  });
}

describe('SGD', () => {
  it('steps against the gradient by lr·g', () => {
    const prob = linearProblem([1, -2]);
    const after = run(prob, new Sgd([prob.p], { lr: 0.5 }), [[2, -4], [1, 1]]);
    expect(after[0]).toEqual([0, 0]);
    expect(after[1]).toEqual([-0.5, -0.5]);
  });

  it('invalidates memoised values so the next forward sees the new parameters', () => {
    const prob = linearProblem([1, 1]);
    prob.c.assign(Matrix.from([[1, 1]]));
    expect(prob.graph.forward(prob.loss).data[0]).toBe(2);
    prob.graph.backward(prob.loss);
    new Sgd([prob.p], { lr: 0.5 }).step();
    expect(prob.graph.forward(prob.loss).data[0]).toBe(1);
  });
});

describe('Momentum', () => {
  // μ = 0.9, lr = 0.1, g = 1 twice: v₁ = 1, v₂ = 0.9·1 + 1 = 1.9
  it('heavy ball: θ −= lr·v', () => {
    const prob = linearProblem([0]);
    const after = run(prob, new Momentum([prob.p], { lr: 0.1, momentum: 0.9 }), [[1], [1]]);
    expect(after[0][0]).toBeCloseTo(-0.1, 15); // -0.1·1
    expect(after[1][0]).toBeCloseTo(-0.29, 15); // -0.1 - 0.1·1.9
  });

  it('Nesterov: θ −= lr·(g + μ·v)', () => {
    const prob = linearProblem([0]);
    const after = run(prob, new Momentum([prob.p], { lr: 0.1, momentum: 0.9, nesterov: true }), [[1], [1]]);
    expect(after[0][0]).toBeCloseTo(-0.19, 15); // -0.1·(1 + 0.9·1)
    expect(after[1][0]).toBeCloseTo(-0.461, 15); // -0.19 - 0.1·(1 + 0.9·1.9)
  });
});

describe('Adam', () => {
  // β1 = 0.5 and β2 = 0.9 are far apart, so swapping them or dropping a bias correction changes
  // every step after the first. Worked step 2 for p[0] (g₁ = 2, g₂ = −1.5):
  //   m = 0.5·1 + 0.5·(−1.5) = −0.25,  m̂ = −0.25 / (1 − 0.5²) = −1/3
  //   v = 0.9·0.4 + 0.1·2.25 = 0.585,  v̂ = 0.585 / (1 − 0.9²) = 3.0789…
  //   p = 0.9 − 0.1·(−1/3) / (√3.0789… + 1e-8) = 0.91899667…
  const grads = [[2, 0.5], [-1.5, 3], [0.75, -4]];
  const expected = [
    [0.9000000005, -2.099999998],
    [0.9189966762642958, -2.1983299241555847],
    [0.8995127957746745, -2.1530104634318517],
  ];

  it('matches hand-computed steps with both decay rates and bias corrections', () => {
    const prob = linearProblem([1, -2]);
    const after = run(prob, new Adam([prob.p], { lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-8 }), grads);
    after.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(expected[t][i], 12)));
  });

  it('first step moves each coordinate by lr·|g|/(|g| + ε) ≈ lr·sign(g), whatever the gradient scale', () => {
    const prob = linearProblem([0, 0]);
    const [after] = run(prob, new Adam([prob.p], { lr: 0.01, eps: 1e-8 }), [[1e-3, -250]]);
    expect(after[0]).toBeCloseTo((-0.01 * 1e-3) / (1e-3 + 1e-8), 15);
    expect(after[1]).toBeCloseTo((0.01 * 250) / (250 + 1e-8), 15);
  });

  it('keeps float32 state for a float32 graph', () => {
    const graph = new Graph({ dtype: 'float32' });
    const p = graph.param('p', Matrix.from([[1, -2]], 'float32'));
    const c = graph.constant('c', Matrix.from([[2, 0.5]], 'float32'));
    const loss = sum(mul(p, c));
    const adam = new Adam([p], { lr: 0.1 });
    graph.backward(loss);
    adam.step();
    expect(adam.state().tensors['m/p'].dtype).toBe('float32');
    expect(p.value.data[0]).toBeCloseTo(0.9, 6);
  });
});

describe('every optimizer', () => {
  const makers: [string, (ps: Node[]) => Optimizer][] = [
    ['sgd', (ps) => new Sgd(ps, { lr: 0.1 })],
    ['momentum', (ps) => new Momentum(ps, { lr: 0.1 })],
    ['nesterov', (ps) => new Momentum(ps, { lr: 0.1, nesterov: true })],
    ['adam', (ps) => new Adam(ps, { lr: 0.1 })],
  ];

  it.each(makers)('%s leaves a parameter without a gradient untouched', (_name, make) => {
    const prob = linearProblem([1, 1]);
    const idle = prob.graph.param('idle', Matrix.from([[3]]));
    const opt = make([prob.p, idle]);
    run(prob, opt, [[1, 1], [1, 1]]);
    expect(idle.value.data[0]).toBe(3);
    expect(prob.p.value.data[0]).not.toBe(1);
  });

  it.each(makers)('%s allocates no matrix in a steady-state step', (_name, make) => {
    const prob = linearProblem([1, 1]);
    const opt = make([prob.p]);
    prob.c.assign(Matrix.from([[1, 2]]));
    prob.graph.backward(prob.loss);
    opt.step();
    const before = Matrix.allocations;
    for (let i = 0; i < 5; i++) {
      prob.graph.backward(prob.loss);
      opt.step();
    }
    expect(Matrix.allocations).toBe(before);
  });

  it('refuses non-parameters and bad settings with a usage error', () => {
    const prob = linearProblem([1]);
    expect(() => new Sgd([prob.c], { lr: 0.1 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => new Sgd([prob.p, prob.p], { lr: 0.1 })).toThrow(/listed twice/);
    expect(() => new Sgd([prob.p], { lr: -1 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => new Adam([prob.p], { lr: 0.1, beta2: 1 })).toThrow(/beta2/);
    expect(() => new Momentum([prob.p], { lr: 0.1, momentum: 1.5 })).toThrow(/momentum/);
  });
});
