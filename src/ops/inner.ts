import { matmul } from '../backend/select';
import type { Node } from '../graph/node';
import { shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/**
 * y = x · W                  (x is m×k, W is k×n)
 * dx = g · Wᵀ;  dW = xᵀ · g
 */
export const Inner: OpKind = {
  kind: 'Inner',
  arity: 2,
  math: ['y = x · W', 'dx = g · Wᵀ; dW = xᵀ · g'],
  shape: ([x, w]) =>
    x[1] === w[0] ? [x[0], w[1]] : `the columns of x (${shapeText(x)}) must equal the rows of W (${shapeText(w)})`,
  forward: ({ inputs: [x, w], out }) => matmul(x, w, out),
  backward({ inputs: [x, w] }, g, [dx, dw]) {
    if (dx) matmul(g, w, dx, false, true);
    if (dw) matmul(x, g, dw, true, false);
  },
  test: {
    sample: (rng) => {
      const [m, k, n] = [1 + rng.int(4), 1 + rng.int(5), 1 + rng.int(4)];
      return { shapes: [[m, k], [k, n]], attrs: {} };
    },
    badShapes: [[2, 3], [2, 3]],
  },
};

export function inner(x: Node, w: Node, name?: string): Node {
  return x.graph.apply(Inner, [x, w], {}, name);
}
