import { Batches, Matrix, oneHot, Rng, ShapeError, UsageError } from '../src';

/** x row i is [i, 10·i], y row i is [−i]: every batch row says which example it is. */
function data(n: number): { x: Matrix; y: Matrix } {
  return { x: Matrix.from(Array.from({ length: n }, (_, i) => [i, 10 * i])), y: Matrix.from(Array.from({ length: n }, (_, i) => [-i])) };
}

describe('batches', () => {
  it('in order: full batches, then a smaller last one whose size is exposed', () => {
    const { x, y } = data(10);
    const batches = new Batches(x, y, 4);
    expect(batches.count).toBe(3);
    const sizes = [0, 1, 2].map((i) => batches.get(i).size);
    expect(sizes).toEqual([4, 4, 2]);
    const last = batches.get(2);
    expect(last.x.toArray()).toEqual([[8, 80], [9, 90]]);
    expect(last.y.toArray()).toEqual([[-8], [-9]]);
    expect(batches.get(1).x.get(0, 0)).toBe(4);
  });

  it('dropLast leaves the partial batch out', () => {
    const { x, y } = data(10);
    const batches = new Batches(x, y, 4, { dropLast: true });
    expect(batches.count).toBe(2);
    expect(batches.get(1).size).toBe(4);
    expect(() => batches.get(2)).toThrow(UsageError);
  });

  it('a shuffled epoch visits every example exactly once, rows of x and y together', () => {
    const { x, y } = data(23);
    const batches = new Batches(x, y, 5).shuffle(new Rng(4));
    const seen: number[] = [];
    for (let i = 0; i < batches.count; i++) {
      const b = batches.get(i);
      for (let r = 0; r < b.size; r++) {
        expect(b.x.get(r, 1)).toBe(10 * b.x.get(r, 0));
        expect(b.y.get(r, 0)).toBe(-b.x.get(r, 0));
        seen.push(b.x.get(r, 0));
      }
    }
    expect(seen).not.toEqual([...seen].sort((a, b) => a - b));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('the same seed gives the same order; another seed another', () => {
    const { x, y } = data(30);
    const first = (seed: number): number[] => Array.from(new Batches(x, y, 30).shuffle(new Rng(seed)).get(0).x.data);
    expect(first(7)).toEqual(first(7));
    expect(first(7)).not.toEqual(first(8));
  });

  it('reuses its matrices: no allocation per step', () => {
    const { x, y } = data(100);
    const batches = new Batches(x, y, 8);
    const rng = new Rng(1);
    const b0 = batches.get(0);
    const before = Matrix.allocations;
    for (let epoch = 0; epoch < 3; epoch++) {
      batches.shuffle(rng);
      for (let i = 0; i < batches.count - 1; i++) expect(batches.get(i).x).toBe(b0.x);
      batches.get(batches.count - 1);
    }
    expect(Matrix.allocations).toBe(before);
  });

  it('refuses mismatched rows and bad batch sizes', () => {
    const { x } = data(10);
    expect(() => new Batches(x, data(9).y, 2)).toThrow(ShapeError);
    for (const size of [0, 11, 2.5]) expect(() => new Batches(x, data(10).y, size)).toThrow(UsageError);
  });

  it('oneHot', () => {
    expect(oneHot(Int32Array.from([2, 0]), 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(() => oneHot(Int32Array.from([3]), 3)).toThrow(/label 3 at index 0/);
  });
});
