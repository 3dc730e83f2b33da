import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { sigmoidOf } from '../ops/sigmoid';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { normal, uniform } from '../tensor/init';
import { pairedLossShape, Reduction, reductionDivisor, reductions } from './reduction';

/**
 * y = Σ [max(x, 0) − x t + ln(1 + e^−|x|)] / N      (= BCE of σ(x), never forming σ(x) or its log)
 * dx = g (σ(x) − t) / N;  the target takes no gradient
 * e^−|x| ≤ 1, so nothing overflows and log1p keeps the tail term exact when it is tiny; the
 * naive −t ln σ(x) − (1 − t) ln(1 − σ(x)) is ln 0 = −∞ once σ(x) rounds to 0 or 1.
 */
export const BCEWithLogits: OpKind<{ reduction: Reduction }> = {
  kind: 'BCEWithLogits',
  arity: 2,
  math: ['y = Σ [max(x, 0) − x t + ln(1 + exp(−|x|))] / N', 'dx = g (σ(x) − t) / N'],
  nonDifferentiable: [1],
  shape: ([x, t], { reduction }) => pairedLossShape(x, t, reduction, ['logits', 'target']),
  forward({ inputs: [x, t], out, attrs }) {
    const xd = x.data;
    const td = t.data;
    let s = 0;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i];
      s += Math.max(v, 0) - v * td[i] + Math.log1p(Math.exp(-Math.abs(v)));
    }
    out.data[0] = s / reductionDivisor(attrs.reduction, x.size, x.rows);
  },
  backward({ inputs: [x, t], attrs }, g, [dx]) {
    if (!dx) return;
    const k = g.data[0] / reductionDivisor(attrs.reduction, x.size, x.rows);
    const d = dx.data;
    const xd = x.data;
    const td = t.data;
    for (let i = 0; i < d.length; i++) d[i] = k * (sigmoidOf(xd[i]) - td[i]);
  },
  test: {
    sample: (rng) => {
      const [r, c] = [1 + rng.int(4), 1 + rng.int(4)];
      const values = (v: Rng): Matrix[] => [normal(v, r, c, 0, 2), uniform(v, r, c, 0, 1)];
      return { shapes: [[r, c], [r, c]], attrs: { reduction: reductions[rng.int(3)] }, values };
    },
    special: [40, -40, 800, -800, 1000, -1000],
    badShapes: [[2, 3], [3, 2]],
  },
};

export function bceWithLogits(logits: Node, target: Node, reduction: Reduction = 'mean', name?: string): Node {
  return logits.graph.apply(BCEWithLogits, [logits, target], { reduction }, name);
}
