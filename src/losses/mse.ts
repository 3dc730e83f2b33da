import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { pairedLossShape, Reduction, reductionDivisor, reductions } from './reduction';

/**
 * y = Σ (p − t)² / N          (N from the reduction: all elements, 1, or rows)
 * dp = 2 g (p − t) / N;  the target takes no gradient
 */
export const MSE: OpKind<{ reduction: Reduction }> = {
  kind: 'MSE',
  arity: 2,
  math: ['y = Σ (p − t)² / N', 'dp = 2 g (p − t) / N'],
  nonDifferentiable: [1],
  shape: ([p, t], { reduction }) => pairedLossShape(p, t, reduction, ['prediction', 'target']),
  forward({ inputs: [p, t], out, attrs }) {
    const pd = p.data;
    const td = t.data;
    let s = 0;
    for (let i = 0; i < pd.length; i++) {
      const d = pd[i] - td[i];
      s += d * d;
    }
    out.data[0] = s / reductionDivisor(attrs.reduction, p.size, p.rows);
  },
  backward({ inputs: [p, t], attrs }, g, [dp]) {
    if (!dp) return;
    const k = (2 * g.data[0]) / reductionDivisor(attrs.reduction, p.size, p.rows);
    const d = dp.data;
    const pd = p.data;
    const td = t.data;
    for (let i = 0; i < d.length; i++) d[i] = k * (pd[i] - td[i]);
  },
  test: {
    sample: (rng) => {
      const s: [number, number] = [1 + rng.int(4), 1 + rng.int(4)];
      return { shapes: [s, s], attrs: { reduction: reductions[rng.int(3)] } };
    },
    badShapes: [[2, 3], [3, 2]],
  },
};

export function mse(pred: Node, target: Node, reduction: Reduction = 'mean', name?: string): Node {
  return pred.graph.apply(MSE, [pred, target], { reduction }, name);
}
