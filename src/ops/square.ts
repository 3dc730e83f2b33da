import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = x²
 * dx = 2 g ⊙ x
 */
export const Square: OpKind = {
  kind: 'Square',
  arity: 1,
  math: ['y = x²', 'dx = 2 g ⊙ x'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = xd[i] * xd[i];
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (!dx) return;
    const xd = x.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = 2 * gd[i] * xd[i];
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: 'x^2',
  },
};

export function square(x: Node, name?: string): Node {
  return x.graph.apply(Square, [x], {}, name);
}
