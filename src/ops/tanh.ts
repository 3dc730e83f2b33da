import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = tanh(x)
 * dx = g ⊙ (1 − y²)
 * Math.tanh saturates to ±1 for large |x|; the Scala original computed (e^x − e^−x)/(e^x + e^−x),
 * which is Inf/Inf = NaN past |x| ≈ 710.
 */
export const Tanh: OpKind = {
  kind: 'Tanh',
  arity: 1,
  math: ['y = tanh(x)', 'dx = g ⊙ (1 − y²)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = Math.tanh(xd[i]);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const y = out.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * (1 - y[i] * y[i]);
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: 'tanh(x)',
    special: [20, -20, 710, -710, 1000, -1000],
  },
};

export function tanh(x: Node, name?: string): Node {
  return x.graph.apply(Tanh, [x], {}, name);
}
