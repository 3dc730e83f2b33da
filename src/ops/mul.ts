import type { Node } from '../graph/node';
import { shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/**
 * y = a ⊙ b           (elementwise; Mul(x, x) gets two gradients, one per slot)
 * da = g ⊙ b;  db = g ⊙ a
 */
export const Mul: OpKind = {
  kind: 'Mul',
  arity: 2,
  math: ['y = a ⊙ b', 'da = g ⊙ b; db = g ⊙ a'],
  shape: ([a, b]) => (a[0] === b[0] && a[1] === b[1] ? a : `a and b must have one shape, got ${shapeText(a)} and ${shapeText(b)}`),
  forward({ inputs: [a, b], out }) {
    const y = out.data;
    const ad = a.data;
    const bd = b.data;
    for (let i = 0; i < y.length; i++) y[i] = ad[i] * bd[i];
  },
  backward({ inputs: [a, b] }, g, [da, db]) {
    const gd = g.data;
    // typed arrays read once into locals: a property load per element costs as much as the product
    if (da) {
      const d = da.data;
      const bd = b.data;
      for (let i = 0; i < d.length; i++) d[i] = gd[i] * bd[i];
    }
    if (db) {
      const d = db.data;
      const ad = a.data;
      for (let i = 0; i < d.length; i++) d[i] = gd[i] * ad[i];
    }
  },
  test: {
    sample: (rng) => {
      const s: [number, number] = [1 + rng.int(4), 1 + rng.int(4)];
      return { shapes: [s, s], attrs: {} };
    },
    badShapes: [[2, 3], [3, 2]],
  },
};

export function mul(a: Node, b: Node, name?: string): Node {
  return a.graph.apply(Mul, [a, b], {}, name);
}
