import { activeBackend, Graph, init, inner, mse, resolveBackend, Rng, tsBackend } from '../src';
import { flopsOf, formatProducts, parseProducts, StepProducts, StepRecorder } from '../bench/phases-record';

/** x (8×16) · W (16×8) → MSE: one product forward, one for dW backward (x needs no gradient). */
function model(): { g: Graph; step: () => void } {
  const rng = new Rng(3);
  const g = new Graph();
  const x = g.input('x', 8, 16);
  const t = g.input('t', 8, 8);
  const w = g.param('W', init.xavier(rng, 16, 8));
  const loss = mse(inner(x, w), t);
  const xs = init.normal(rng, 8, 16), ts = init.normal(rng, 8, 8);
  return {
    g,
    step: () => {
      g.reset();
      x.feed(xs);
      t.feed(ts);
      g.forward(loss);
      g.backward(loss);
    },
  };
}

describe('StepRecorder', () => {
  const { threshold, backend } = resolveBackend();
  const expectedBackend = (m: number, n: number, k: number) => (m * n * k >= threshold ? backend.name : 'ts');

  it('records the products of one step in order, with their backend, and cuts steps at Graph.reset', () => {
    const { step } = model();
    const recorder = new StepRecorder(1, 2);
    recorder.install();
    for (let i = 0; i < 4; i++) step();
    recorder.stop();

    expect(recorder.timings).toHaveLength(4);
    expect(recorder.timings.every((s) => s.calls === 2 && s.gemmSeconds <= s.seconds)).toBe(true);
    expect(recorder.sameAsNext).toBe(true);
    const rec = recorder.recorded!;
    expect(rec.products.map((p) => [p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta, p.lda, p.ldb, p.ldc])).toEqual([
      [false, false, 8, 8, 16, 1, 0, 16, 8, 8], // x·W
      [true, false, 16, 8, 8, 1, 0, 16, 8, 8], // dW = xᵀ·g
    ]);
    expect(rec.products.map((p) => p.backend)).toEqual([expectedBackend(8, 8, 16), expectedBackend(16, 8, 8)]);
    // x is read by both products: one buffer; W, the output, the gradient and dW are their own
    const [fwd, dw] = rec.products;
    expect(dw.a).toBe(fwd.a);
    expect(new Set([fwd.a, fwd.b, fwd.c, dw.b, dw.c]).size).toBe(5);
    expect(rec.buffers[fwd.a]).toEqual({ dtype: 'float64', length: 8 * 16 });
    expect(flopsOf(rec)).toBe(2 * (8 * 8 * 16 + 16 * 8 * 8));
  });

  it('puts the backends and Graph.reset back on stop', () => {
    const before = { large: activeBackend(), ts: tsBackend.gemm, reset: Graph.prototype.reset };
    const recorder = new StepRecorder(0);
    recorder.install();
    expect(activeBackend()).not.toBe(before.large);
    recorder.stop();
    expect(activeBackend()).toBe(before.large);
    expect(tsBackend.gemm).toBe(before.ts);
    expect(Graph.prototype.reset).toBe(before.reset);
  });
});

describe('the products text form', () => {
  const step: StepProducts = {
    buffers: [{ dtype: 'float32', length: 12 }, { dtype: 'float32', length: 20 }, { dtype: 'float32', length: 15 }],
    products: [
      { transA: false, transB: true, m: 3, n: 5, k: 4, alpha: -0.01, beta: 1, a: 0, aOffset: 0, lda: 4, b: 1, bOffset: 0, ldb: 4, c: 2, cOffset: 0, ldc: 5, backend: 'native' },
      { transA: true, transB: false, m: 2, n: 2, k: 3, alpha: 1, beta: 0, a: 0, aOffset: 2, lda: 4, b: 2, bOffset: 1, ldb: 5, c: 1, cOffset: 3, ldc: 4, backend: 'ts' },
    ],
  };

  it('reads back what it writes, comments and all', () => {
    const text = formatProducts(step, 'two products\nof a made-up step');
    expect(text.split('\n')[0]).toBe('# two products');
    expect(parseProducts(text)).toEqual(step);
  });

  it.each([
    ['gemm N N 3 5 4 1 0 0 0 4 1 0 5 2 0 5', 'line 4: a gemm line has 18 fields'],
    ['gemm N X 3 5 4 1 0 0 0 4 1 0 5 2 0 5 ts', 'line 4: field 3 must be N or T'],
    ['gemm N N 3 5 4 1 0 0 0 4 7 0 5 2 0 5 ts', 'line 4: buffer 7 is not declared above'],
    ['gemm N N 3 5 4 1 0 0 0 4 1 0 5 2 1 5 ts', 'line 4: c does not fit its buffer'],
    ['gemm N N 3 5 4 1 0 0 0 3 1 0 5 2 0 5 ts', 'line 4: a does not fit its buffer'],
    ['gemm N N 3 5 4 x 0 0 0 4 1 0 5 2 0 5 ts', 'line 4: field 7 must be a finite number'],
    ['buffer float16 4', 'line 4: the dtype must be float32 or float64'],
    ['product 1 2 3', "line 4: a line starts with 'buffer', 'gemm' or '#'"],
  ])('names the line and what is wrong: %s', (line, message) => {
    const head = step.buffers.map((b) => `buffer ${b.dtype} ${b.length}`).join('\n');
    expect(() => parseProducts(`${head}\n${line}\n`)).toThrow(message);
  });
});
