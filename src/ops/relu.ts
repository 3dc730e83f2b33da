import type { Node } from '../graph/node';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { OpKind } from './op';

/**
 * y = max(x, 0)
 * dx = g ⊙ [x > 0]          (the subgradient 0 is taken at the kink x = 0)
 */
export const ReLU: OpKind = {
  kind: 'ReLU',
  arity: 1,
  math: ['y = max(x, 0)', 'dx = g ⊙ [x > 0]'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const y = out.data;
    const xd = x.data;
    for (let i = 0; i < y.length; i++) y[i] = xd[i] > 0 ? xd[i] : 0;
  },
  backward({ inputs: [x] }, g, [dx]) {
    if (!dx) return;
    const xd = x.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = xd[i] > 0 ? gd[i] : 0;
  },
  test: {
    sample: (rng) => {
      const shape: [number, number] = [1 + rng.int(3), 1 + rng.int(4)];
      // central differences are wrong within eps of the kink: keep |x| ≥ 0.1, both signs
      const values = (r: Rng): Matrix[] => {
        const m = new Matrix(shape[0], shape[1]);
        for (let i = 0; i < m.size; i++) m.data[i] = (r.int(2) === 0 ? -1 : 1) * r.uniform(0.1, 2);
        return [m];
      };
      return { shapes: [shape], attrs: {}, values };
    },
    mathjs: '(x + abs(x)) / 2',
  },
};

export function relu(x: Node, name?: string): Node {
  return x.graph.apply(ReLU, [x], {}, name);
}
