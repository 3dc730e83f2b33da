import { concat, Graph, Matrix, slice } from '../src';

// Slice and Concat move whole rows as one copy from ROW_COPY_FROM values on and element by element
// below; the op table samples only narrow matrices, so these cases cross that width both ways.

/** A matrix whose every element tells where it came from: 1000·tag + index. */
function tagged(rows: number, cols: number, tag: number, dtype: 'float32' | 'float64'): Matrix {
  const m = new Matrix(rows, cols, dtype);
  m.data.forEach((_, i) => (m.data[i] = 1000 * tag + i));
  return m;
}

describe.each(['float32', 'float64'] as const)('Slice and Concat on wide and narrow rows (%s)', (dtype) => {
  it.each([
    [3, 5, 2], // both narrow
    [4, 90, 7], // a wide input next to a narrow one, cut inside the wide one
    [2, 70, 300], // both wide
  ])('%i rows, inputs of %i and %i columns: values and gradients land in their own columns', (rows, wa, wb) => {
    const g = new Graph({ dtype });
    const a = g.param('a', tagged(rows, wa, 1, dtype));
    const b = g.param('b', tagged(rows, wb, 2, dtype));
    const width = wa + wb;
    const cut = Math.floor(width / 3);
    const ab = concat([a, b], 'ab');
    // swapping the two parts makes every column move; ab has two consumers, whose gradients the engine sums
    const swapped = concat([slice(ab, cut, width, 'right'), slice(ab, 0, cut, 'left')], 'swapped');
    const at = (r: number, c: number): number => (c < wa ? 1000 + r * wa + c : 2000 + r * wb + c - wa);
    const y = g.forward(swapped);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) expect(y.get(r, c)).toBe(at(r, (c + cut) % width));
    }
    const seed = tagged(rows, width, 3, dtype);
    g.backward(swapped, seed);
    // the gradient of ab's column c is the seed's column that c moved to
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        const expected = seed.get(r, (c - cut + width) % width);
        expect(c < wa ? a.grad?.get(r, c) : b.grad?.get(r, c - wa)).toBe(expected);
      }
    }
  });
});
