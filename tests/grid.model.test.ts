import { FASHION_MNIST_FIXTURE_DIR, loadFashionMnist } from '../src';
import { GridFmnist, trainGridFmnist } from '../src/models/grid-fmnist';

describe('grid-fmnist on the shipped Fashion-MNIST subset', () => {
  const options = { data: FASHION_MNIST_FIXTURE_DIR, height: 12, width: 3, batch: 50, lr: 3e-3, dtype: 'float64' as const };

  it('two epochs with Adam lower the training loss and beat chance on the test subset', () => {
    const r = trainGridFmnist({ ...options, epochs: 2 });
    expect(r.source).toBe('given');
    expect(r.history).toHaveLength(40); // 1000 images / 50 per step, twice
    const mean = (from: number, to: number): number => r.history.slice(from, to).reduce((s, h) => s + h.loss, 0) / (to - from);
    expect(mean(35, 40)).toBeLessThan(mean(0, 5) - 0.3);
    expect(r.evals.map((e) => e.epoch)).toEqual([1, 2]);
    expect(r.evals[1].accuracy).toBeGreaterThan(0.3);
    expect(r.epochSeconds).toHaveLength(2);
  });

  it('evaluates a split whose size is not a multiple of the chunk exactly as one pass over every image', () => {
    const model = new GridFmnist({ ...options, epochs: 1 });
    const test = loadFashionMnist({ dir: FASHION_MNIST_FIXTURE_DIR }).test; // 200 images: one padded chunk
    const { accuracy, loss } = model.evaluate(test);
    let right = 0;
    let total = 0;
    model.forEachChunk(test, (start, rows) => {
      const p = model.graph.forward(model.evalLogits).data;
      for (let r = 0; r < rows; r++) {
        const row = Array.from(p.subarray(r * 10, r * 10 + 10));
        const label = test.labels[start + r];
        if (row.indexOf(Math.max(...row)) === label) right++;
        total += Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[label];
      }
    });
    expect(accuracy).toBe(right / 200);
    expect(Math.abs(loss - total / 200)).toBeLessThan(1e-12);
  });

  it('class means of the grid columns have one height×(width+1) map per class', () => {
    const model = new GridFmnist({ ...options, epochs: 1 });
    const means = model.classMeanActivations(loadFashionMnist({ dir: FASHION_MNIST_FIXTURE_DIR }).test);
    expect(means).toHaveLength(10);
    for (const m of means) expect(m.length).toBe(12 * 4);
    // sin keeps every activation in [−1, 1], so its means are there too
    for (const m of means) expect(Array.from(m).every((v) => Math.abs(v) <= 1)).toBe(true);
  });
});
