import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { uniform } from '../tensor/init';
import { pairedLossShape, Reduction, reductionDivisor, reductions } from './reduction';

/**
 * How far probabilities are kept from 0 and 1. A sigmoid output rounds to exactly 1 once
 * x > 36.7 in float64 (x > 17.3 in float32), and ln 0 = −∞ would then poison the loss and its
 * gradient. Clamping to [ε, 1 − ε] bounds each term by −ln ε and the gradient by 1/(ε(1 − ε)).
 * The probabilities of float32 nearest 1 are 1 − 6e−8, 1 − 1.2e−7, …: ε = 1e−7 sits at that
 * resolution, so exactly 1 costs about what its representable neighbours cost (16.1 per term), not a
 * far larger bound. float64 affords ε = 1e−12 (27.6 per term), which only clamps probabilities
 * no model means.
 */
export function bceEpsilon(dtype: DType): number {
  return dtype === 'float32' ? 1e-7 : 1e-12;
}

/**
 * y = −Σ [t ln p̂ + (1 − t) ln(1 − p̂)] / N,  p̂ = clamp(p, ε, 1 − ε)
 * dp = g (p̂ − t) / (p̂ (1 − p̂)) / N;  the target takes no gradient
 * Where p was clamped the gradient is still taken at p̂ rather than 0, so a confidently wrong,
 * saturated prediction keeps being pushed back. For logits, BCEWithLogits needs no clamp.
 */
export const BCE: OpKind<{ reduction: Reduction }> = {
  kind: 'BCE',
  arity: 2,
  math: ['y = −Σ [t ln p̂ + (1 − t) ln(1 − p̂)] / N, p̂ = clamp(p, ε, 1 − ε)', 'dp = g (p̂ − t) / (p̂ (1 − p̂)) / N'],
  nonDifferentiable: [1],
  shape: ([p, t], { reduction }) => pairedLossShape(p, t, reduction, ['probabilities', 'target']),
  forward({ inputs: [p, t], out, attrs }) {
    const eps = bceEpsilon(out.dtype);
    const pd = p.data;
    const td = t.data;
    let s = 0;
    for (let i = 0; i < pd.length; i++) {
      const q = Math.min(Math.max(pd[i], eps), 1 - eps);
      s -= td[i] * Math.log(q) + (1 - td[i]) * Math.log1p(-q);
    }
    out.data[0] = s / reductionDivisor(attrs.reduction, p.size, p.rows);
  },
  backward({ inputs: [p, t], out, attrs }, g, [dp]) {
    if (!dp) return;
    const eps = bceEpsilon(out.dtype);
    const k = g.data[0] / reductionDivisor(attrs.reduction, p.size, p.rows);
    const d = dp.data;
    const pd = p.data;
    const td = t.data;
    for (let i = 0; i < d.length; i++) {
      const q = Math.min(Math.max(pd[i], eps), 1 - eps);
      d[i] = (k * (q - td[i])) / (q * (1 - q));
    }
  },
  test: {
    sample: (rng) => {
      const [r, c] = [1 + rng.int(4), 1 + rng.int(4)];
      // probabilities inside (0.05, 0.95), where the clamp is inactive; soft targets in [0, 1]
      const values = (v: Rng): Matrix[] => [uniform(v, r, c, 0.05, 0.95), uniform(v, r, c, 0, 1)];
      return { shapes: [[r, c], [r, c]], attrs: { reduction: reductions[rng.int(3)] }, values };
    },
    special: [0, 1, 1e-300],
    badShapes: [[2, 3], [3, 2]],
  },
};

export function bce(prob: Node, target: Node, reduction: Reduction = 'mean', name?: string): Node {
  return prob.graph.apply(BCE, [prob, target], { reduction }, name);
}
