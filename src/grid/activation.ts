import type { Node } from '../graph/node';
import { add } from '../ops/add';
import { GRID_GELU_C, GRID_GELU_K, GridActivation } from '../ops/grid-step';
import { mul } from '../ops/mul';
import { scale } from '../ops/scale';
import { sin } from '../ops/sin';
import { tanh } from '../ops/tanh';
import { Matrix } from '../tensor/matrix';

/**
 * act(z) wired from existing kinds, the output named `name` (GELU's inner nodes under `name.`). GELU is the tanh form
 * ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), in the same order of operations as GridStep's kernel.
 */
export function applyGridActivation(z: Node, act: GridActivation, name: string): Node {
  if (act === 'sin') return sin(z, name);
  if (act === 'tanh') return tanh(z, name);
  const g = z.graph;
  const product = g.scope(name, () => {
    const cube = mul(mul(z, z, 'z²'), z, 'z³');
    const t = tanh(scale(add(z, scale(cube, GRID_GELU_K, 'k·z³'), 'u'), GRID_GELU_C, 'c·u'), 't');
    const one = g.constant('one', new Matrix(1, z.cols, g.dtype).fill(1));
    return mul(z, add(t, one, '1+t'), 'z·(1+t)');
  });
  return scale(product, 0.5, name);
}
