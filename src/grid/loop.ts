import { UsageError } from '../errors';
import type { Node } from '../graph/node';
import { add } from '../ops/add';
import { concat } from '../ops/concat';
import { GridActivation } from '../ops/grid-step';
import { inner } from '../ops/inner';
import { slice } from '../ops/slice';
import { applyGridActivation } from './activation';
import { selector } from './composed';

/**
 * The grid as the literal per-neuron loop: one node per neuron, per weight and per product,
 *   a[i][j+1] = act(a[i−1][j]·w[i−1][j] + a[i][j]·w[i][j] + a[i+1][j]·w[i+1][j] + b[i][j])
 * with the terms past the borders left out. Each neuron is an m×1 column (1×1 at batch 1);
 * each weight a 1×1 slice of its row of W, read by the three neurons it feeds. For small grids:
 * height·width neurons make about 7·height·width nodes.
 */
export function loopGrid(a0: Node, weights: Node, biases: Node, act: GridActivation, name = 'grid'): Node {
  const g = a0.graph;
  const h = a0.cols;
  const width = weights.rows;
  if (weights.cols !== h || biases.rows !== width || biases.cols !== h) {
    throw new UsageError(`loopGrid '${name}': W and B must be width×${h}, got W ${weights.rows}×${weights.cols}, B ${biases.rows}×${biases.cols}`);
  }
  return g.scope(name, () => {
    let a = Array.from({ length: h }, (_, i) => slice(a0, i, i + 1, `a[${i}][0]`));
    for (let j = 0; j < width; j++) {
      const pick = g.constant(`pick${j}`, selector(1, width, j, g.dtype));
      const wRow = inner(pick, weights, `w[:][${j}]`);
      const bRow = inner(pick, biases, `b[:][${j}]`);
      const w = Array.from({ length: h }, (_, i) => slice(wRow, i, i + 1, `w[${i}][${j}]`));
      const next: Node[] = [];
      for (let i = 0; i < h; i++) {
        const at = `[${i}][${j + 1}]`;
        let z = inner(a[i], w[i], `a[${i}][${j}]·w[${i}][${j}]`);
        if (i > 0) z = add(inner(a[i - 1], w[i - 1], `a[${i - 1}][${j}]·w[${i - 1}][${j}]→${i}`), z, `z${at}+`);
        if (i + 1 < h) z = add(z, inner(a[i + 1], w[i + 1], `a[${i + 1}][${j}]·w[${i + 1}][${j}]→${i}`), `z${at}++`);
        next.push(applyGridActivation(add(z, slice(bRow, i, i + 1, `b[${i}][${j}]`), `z${at}`), act, `a${at}`));
      }
      a = next;
    }
    return concat(a, 'out');
  });
}
