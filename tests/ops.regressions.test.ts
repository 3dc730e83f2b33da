import { bce, concat, exp, gaussianKL, Graph, init, Matrix, Rng, scale, ShapeError, softmaxCrossEntropy, sum, tanh } from '../src';

describe('named regressions', () => {
  it('Concat with more than one row', () => {
    const graph = new Graph();
    const a = graph.param('a', Matrix.from([[1, 2], [3, 4], [5, 6]]));
    const b = graph.param('b', Matrix.from([[7], [8], [9]]));
    const c = graph.param('c', Matrix.from([[10, 11, 12], [13, 14, 15], [16, 17, 18]]));
    const y = concat([a, b, c]);
    expect(graph.forward(y).toArray()).toEqual([
      [1, 2, 7, 10, 11, 12],
      [3, 4, 8, 13, 14, 15],
      [5, 6, 9, 16, 17, 18],
    ]);
    // a distinct gradient per output element shows which element went back to which input
    const g = new Matrix(3, 6);
    g.data.forEach((_, i) => (g.data[i] = 100 + i));
    graph.backward(y, g);
    expect(a.grad?.toArray()).toEqual([[100, 101], [106, 107], [112, 113]]);
    expect(b.grad?.toArray()).toEqual([[102], [108], [114]]);
    expect(c.grad?.toArray()).toEqual([[103, 104, 105], [109, 110, 111], [115, 116, 117]]);
  });

  it('Exp multiplies the incoming gradient', () => {
    const graph = new Graph();
    const x = graph.param('x', Matrix.from([[0, 1, -2]]));
    const loss = sum(scale(exp(x), 3));
    graph.backward(loss);
    // d/dx Σ 3eˣ = 3eˣ: the factor 3 arrives at Exp only as its incoming gradient
    expect(x.grad?.toArray()[0]).toEqual([3 * Math.exp(0), 3 * Math.exp(1), 3 * Math.exp(-2)]);
    expect(loss).toHaveCorrectGradients();
  });

  it('tanh stays finite past |x| ≈ 710', () => {
    const graph = new Graph();
    const x = graph.param('x', Matrix.from([[709, 710, 711, 1000, -710, -1000]]));
    const y = tanh(x);
    expect(graph.forward(y).toArray()[0]).toEqual([1, 1, 1, 1, -1, -1]);
    graph.backward(sum(y));
    expect(x.grad?.toArray()[0]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('Gaussian KL sign', () => {
    const rng = new Rng(5);
    const graph = new Graph();
    const mu = graph.param('mu', init.normal(rng, 4, 3));
    const logvar = graph.param('logvar', init.normal(rng, 4, 3));
    const kl = gaussianKL(mu, logvar, 'sum');
    // KL(N(μ, σ²) ‖ N(0, 1)) per element is ½(μ² + σ² − 1 − ln σ²) ≥ 0
    let expected = 0;
    for (let i = 0; i < 12; i++) expected += 0.5 * (mu.value.data[i] ** 2 + Math.exp(logvar.value.data[i]) - 1 - logvar.value.data[i]);
    expect(graph.forward(kl).data[0]).toBeGreaterThan(0);
    expect(graph.forward(kl).data[0]).toBeCloseTo(expected, 12);
    // a known value: μ = 1, σ² = 1 gives ½
    mu.assign(new Matrix(4, 3).fill(1));
    logvar.assign(new Matrix(4, 3));
    expect(graph.forward(kl).data[0]).toBeCloseTo(12 * 0.5, 12);
    // zero exactly at the prior, with zero gradient there
    mu.assign(new Matrix(4, 3));
    expect(graph.forward(kl).data[0]).toBe(0);
    graph.backward(kl);
    expect(Array.from(mu.grad!.data).every((v) => v === 0)).toBe(true);
    // the gradient pushes μ toward 0: one descent step shrinks every |μ|
    mu.assign(init.normal(rng, 4, 3));
    graph.backward(kl);
    const before = Array.from(mu.value.data);
    const after = before.map((m, i) => m - 0.1 * mu.grad!.data[i]);
    after.forEach((m, i) => expect(Math.abs(m)).toBeLessThan(Math.abs(before[i])));
    // and pushes log-variance toward 0 (variance toward 1)
    logvar.value.data.forEach((lv, i) => expect(Math.sign(logvar.grad!.data[i])).toBe(Math.sign(lv)));
  });
});

describe('SoftmaxCrossEntropy labels', () => {
  const build = (labels: number[]) => {
    const graph = new Graph();
    const z = graph.param('z', init.normal(new Rng(1), labels.length, 3));
    const y = graph.constant('labels', Matrix.from(labels.map((l) => [l])));
    return { graph, loss: softmaxCrossEntropy(z, y, 'batch', 'xent') };
  };

  it('a non-integer label throws at forward, naming the row', () => {
    const { graph, loss } = build([0, 1.5, 2]);
    expect(() => graph.forward(loss)).toThrow(ShapeError);
    expect(() => graph.forward(loss)).toThrow(/'xent'.*row 1 is 1\.5/);
  });

  it('an out-of-range label throws at forward, naming the row and the number of classes', () => {
    const tooLarge = build([0, 2, 3]);
    expect(() => tooLarge.graph.forward(tooLarge.loss)).toThrow(/row 2 is 3.*\[0, 3\)/);
    const negative = build([-1]);
    expect(() => negative.graph.forward(negative.loss)).toThrow(/row 0 is -1/);
  });

  it('equals −ln softmax of the labelled class, averaged over rows', () => {
    const { graph, loss } = build([2, 0]);
    const z = graph.node('z').value;
    let expected = 0;
    [2, 0].forEach((label, i) => {
      const row = z.toArray()[i];
      expected -= Math.log(Math.exp(row[label]) / row.reduce((s, v) => s + Math.exp(v), 0));
    });
    expect(graph.forward(loss).data[0]).toBeCloseTo(expected / 2, 12);
  });
});

describe('BCE clamping', () => {
  it.each([
    ['float64', 1e-12],
    ['float32', 1e-7],
  ] as const)('a saturated wrong prediction in %s costs −ln ε and still has a finite, corrective gradient', (dtype, eps) => {
    const graph = new Graph({ dtype });
    const p = graph.param('p', Matrix.from([[1, 0]], dtype));
    const t = graph.constant('t', Matrix.from([[0, 1]], dtype));
    const loss = bce(p, t, 'sum');
    expect(graph.forward(loss).data[0]).toBeCloseTo(-2 * Math.log(eps), 3);
    graph.backward(loss);
    const [dHigh, dLow] = Array.from(p.grad!.data);
    expect(Number.isFinite(dHigh) && dHigh > 0).toBe(true);
    expect(Number.isFinite(dLow) && dLow < 0).toBe(true);
  });
});
