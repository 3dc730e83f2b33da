import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = c · x            (c is a constant number, an attribute of the node)
 * dx = c · g
 */
export const Scale: OpKind<{ c: number }> = {
  kind: 'Scale',
  arity: 1,
  math: ['y = c · x', 'dx = c · g'],
  shape: ([x], { c }) => (typeof c === 'number' && Number.isFinite(c) ? x : `the constant c must be a finite number, got ${String(c)}`),
  forward({ inputs: [x], out, attrs: { c } }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = c * xd[i];
  },
  backward({ attrs: { c } }, g, [dx]) {
    if (!dx) return;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = c * gd[i];
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: { c: rng.uniform(-3, 3) } }),
  },
};

export function scale(x: Node, c: number, name?: string): Node {
  return x.graph.apply(Scale, [x], { c }, name);
}
