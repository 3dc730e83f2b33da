import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { pairedLossShape, Reduction, reductionDivisor, reductions } from './reduction';

/**
 * y = KL(N(μ, e^λ) ‖ N(0, I)) = −½ Σ (1 + λ − μ² − e^λ) / N      (λ = log variance)
 * dμ = g μ / N;  dλ = ½ g (e^λ − 1) / N
 * Each term is computed as ½ (μ² + (e^λ − 1) − λ) with expm1: for small λ the naive sum
 * cancels 1 against e^λ, and in this form every term is visibly ≥ 0 (e^λ − 1 ≥ λ).
 * The original had the overall sign flipped, which made the KL a reward.
 */
export const GaussianKL: OpKind<{ reduction: Reduction }> = {
  kind: 'GaussianKL',
  arity: 2,
  math: ['y = −½ Σ (1 + λ − μ² − exp(λ)) / N', 'dμ = g μ / N; dλ = ½ g (exp(λ) − 1) / N'],
  shape: ([mu, logvar], { reduction }) => pairedLossShape(mu, logvar, reduction, ['mu', 'logvar']),
  forward({ inputs: [mu, logvar], out, attrs }) {
    const md = mu.data;
    const ld = logvar.data;
    let s = 0;
    for (let i = 0; i < md.length; i++) {
      const m = md[i];
      const lv = ld[i];
      s += m * m + Math.expm1(lv) - lv;
    }
    out.data[0] = (0.5 * s) / reductionDivisor(attrs.reduction, mu.size, mu.rows);
  },
  backward({ inputs: [mu, logvar], attrs }, g, [dmu, dlogvar]) {
    const k = g.data[0] / reductionDivisor(attrs.reduction, mu.size, mu.rows);
    const md = mu.data;
    const ld = logvar.data;
    if (dmu) {
      const d = dmu.data;
      for (let i = 0; i < d.length; i++) d[i] = k * md[i];
    }
    if (dlogvar) {
      const d = dlogvar.data;
      for (let i = 0; i < d.length; i++) d[i] = 0.5 * k * Math.expm1(ld[i]);
    }
  },
  test: {
    sample: (rng) => {
      const s: [number, number] = [1 + rng.int(4), 1 + rng.int(4)];
      return { shapes: [s, s], attrs: { reduction: reductions[rng.int(3)] } };
    },
    special: [700, -700],
    badShapes: [[2, 3], [2, 4]],
  },
};

export function gaussianKL(mu: Node, logvar: Node, reduction: Reduction = 'batch', name?: string): Node {
  return mu.graph.apply(GaussianKL, [mu, logvar], { reduction }, name);
}
