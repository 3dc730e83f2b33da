import { Matrix } from '../src';
import { MlpAddition, trainMlpAddition } from '../src/models/mlp-addition';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** a·b for plain row-major arrays (a: n×k, b: k×m). */
function dot(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
const transpose = (a: number[][]): number[][] => a[0].map((_, j) => a.map((row) => row[j]));

describe('mlp-addition', () => {
  it('one SGD step is the notebook delta rule: W −= layerᵀ·delta·alpha', () => {
    const options = { bits: 3, examples: 4, batch: 4, hidden: [5, 4], lr: 0.1, maxEpochs: 1, loss: 'squared' as const, stopAtFullAccuracy: false };
    const before = new MlpAddition(options);
    const [w1, w2, w3] = before.layers.map((l) => l.weight.value.toArray());
    const x = before.data.x.toArray();
    const y = before.data.y.toArray();
    // the notebook, transcribed
    const l1 = dot(x, w1).map((r) => r.map(sigmoid));
    const l2 = dot(l1, w2).map((r) => r.map(sigmoid));
    const l3 = dot(l2, w3).map((r) => r.map(sigmoid));
    const d3 = l3.map((r, i) => r.map((o, j) => (o - y[i][j]) * o * (1 - o)));
    const d2 = dot(d3, transpose(w3)).map((r, i) => r.map((v, j) => v * l2[i][j] * (1 - l2[i][j])));
    const d1 = dot(d2, transpose(w2)).map((r, i) => r.map((v, j) => v * l1[i][j] * (1 - l1[i][j])));
    const update = (w: number[][], layer: number[][], d: number[][]): number[][] => {
      const g = dot(transpose(layer), d);
      return w.map((r, i) => r.map((v, j) => v - g[i][j] * 0.1));
    };
    const expected = [update(w1, x, d1), update(w2, l1, d2), update(w3, l2, d3)];

    const trained = trainMlpAddition(options);
    expect(trained.epochs).toBe(1);
    const notebookError = d3.flat().reduce((s, v) => s + Math.abs(v), 0);
    expect(trained.epochErrors[0]).toBeCloseTo(notebookError, 12);
    trained.model.layers.forEach((layer, k) => {
      const got = layer.weight.value;
      expected[k].forEach((row, i) => row.forEach((v, j) => expect(got.get(i, j)).toBeCloseTo(v, 13)));
    });
  });

  it('with the defaults (the notebook network, batch 10, SGD lr 0.1) gets every bit of its 1000 examples right', () => {
    const r = trainMlpAddition();
    expect(r.model.options).toMatchObject({ bits: 12, examples: 1000, hidden: [128, 64], batch: 10, lr: 0.1 });
    expect(r.bitAccuracy).toBe(1);
    expect(r.epochs).toBeLessThan(1000);
    expect(r.epochErrors[r.epochs - 1]).toBeLessThan(r.epochErrors[0] / 50);
    // the accuracy recomputed here from the trained network's outputs
    const out = r.model.graph.forward(r.model.evalOutput) as Matrix;
    const y = r.model.data.y;
    for (let i = 0; i < y.size; i++) expect(out.data[i] > 0.5).toBe(y.data[i] > 0.5);
  });

  it('refuses an unknown loss', () => {
    expect(() => new MlpAddition({ loss: 'hinge' as 'squared' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
