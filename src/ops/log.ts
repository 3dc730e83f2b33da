import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * y = ln x               (domain x > 0)
 * dx = g ⊘ x
 * Outside the domain the values follow IEEE: ln 0 = −∞ (gradient ±∞), ln of a negative is NaN.
 * Nothing is clamped here, so a wrong input shows up instead of being hidden; turn on the
 * graph's checkNumerics to stop at the first one. Losses that take logs of probabilities
 * (BCE) clamp for themselves.
 */
export const Log: OpKind = {
  kind: 'Log',
  arity: 1,
  math: ['y = ln(x), x > 0', 'dx = g ⊘ x'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = Math.log(xd[i]);
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (!dx) return;
    const xd = x.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] / xd[i];
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    domain: [0.5, 3],
    mathjs: 'log(x)',
    special: [1e-300, 1e300],
  },
};

export function log(x: Node, name?: string): Node {
  return x.graph.apply(Log, [x], {}, name);
}
