import type { Node } from '../graph/node';
import { GridActivation, gridStep } from '../ops/grid-step';

/** The grid as `width` fused GridStep nodes, each reading row j of the shared W and B. */
export function fusedGrid(a0: Node, weights: Node, biases: Node, act: GridActivation, name = 'grid'): Node {
  return a0.graph.scope(name, () => {
    let a = a0;
    for (let j = 0; j < weights.rows; j++) a = gridStep(a, weights, biases, j, act, `a[${j + 1}]`);
    return a;
  });
}
