import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = eˣ
 * dx = g ⊙ y
 * The gradient reuses y, so it overflows exactly where the value does: past x ≈ 709.78 in
 * float64 and x ≈ 88.72 in float32. The incoming g is part of the rule (the original dropped it).
 */
export const Exp: OpKind = {
  kind: 'Exp',
  arity: 1,
  math: ['y = exp(x)', 'dx = g ⊙ y'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = Math.exp(xd[i]);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const y = out.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * y[i];
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: 'exp(x)',
    special: [700, -700, -1000],
  },
};

export function exp(x: Node, name?: string): Node {
  return x.graph.apply(Exp, [x], {}, name);
}
