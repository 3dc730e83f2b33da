import { UsageError } from '../errors';
import type { Node } from '../graph/node';
import { add } from '../ops/add';
import { concat } from '../ops/concat';
import { GridActivation } from '../ops/grid-step';
import { inner } from '../ops/inner';
import { mul } from '../ops/mul';
import { slice } from '../ops/slice';
import { Matrix } from '../tensor/matrix';
import { applyGridActivation } from './activation';

/**
 * The grid from existing kinds, one column transition at a time, with no backward code of its own:
 *   p = a ⊙ W[j, :]              each source neuron's output times its one weight
 *   z = p↓ + p + p↑ + B[j, :]    p↓[:, i] = p[:, i−1] and p↑[:, i] = p[:, i+1], zero past the borders
 *   a ← act(z)
 * Row j of W is picked and broadcast over the batch by a product with a constant selector
 * (m×width, ones in column j), so the gradient of every row reaches the one W parameter;
 * the shifts are a Slice beside a zero column. a0 is m×height; W and B are width×height.
 */
export function composedGrid(a0: Node, weights: Node, biases: Node, act: GridActivation, name = 'grid'): Node {
  const g = a0.graph;
  const [m, h] = a0.shape;
  const width = weights.rows;
  if (weights.cols !== h || biases.rows !== width || biases.cols !== h) {
    throw new UsageError(`composedGrid '${name}': W and B must be width×${h}, got W ${weights.rows}×${weights.cols}, B ${biases.rows}×${biases.cols}`);
  }
  return g.scope(name, () => {
    const zero = g.constant('zero', new Matrix(m, 1, g.dtype));
    let a = a0;
    for (let j = 0; j < width; j++) {
      a = g.scope(`c${j}`, () => {
        const pick = g.constant('pick', selector(m, width, j, g.dtype));
        const w = inner(pick, weights, 'w');
        const b = inner(g.constant('pickRow', selector(1, width, j, g.dtype)), biases, 'b');
        const p = mul(a, w, 'p');
        let z = p;
        if (h > 1) {
          const down = concat([zero, slice(p, 0, h - 1, 'p[:-1]')], 'p↓');
          const up = concat([slice(p, 1, h, 'p[1:]'), zero], 'p↑');
          z = add(add(down, p, 'p↓+p'), up, 'p↓+p+p↑');
        }
        return applyGridActivation(add(z, b, 'z'), act, 'a');
      });
    }
    return a;
  });
}

/** rows×width, ones in column j: its product with a width×h matrix repeats that matrix's row j on every row. */
export function selector(rows: number, width: number, j: number, dtype: Matrix['dtype']): Matrix {
  const s = new Matrix(rows, width, dtype);
  for (let r = 0; r < rows; r++) s.data[r * width + j] = 1;
  return s;
}
