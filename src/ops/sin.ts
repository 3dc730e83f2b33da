import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = sin x
 * dx = g ⊙ cos x
 */
export const Sin: OpKind = {
  kind: 'Sin',
  arity: 1,
  math: ['y = sin(x)', 'dx = g ⊙ cos(x)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = Math.sin(xd[i]);
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (!dx) return;
    const xd = x.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * Math.cos(xd[i]);
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: 'sin(x)',
  },
};

export function sin(x: Node, name?: string): Node {
  return x.graph.apply(Sin, [x], {}, name);
}
