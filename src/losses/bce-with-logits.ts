import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { sigmoidOf } from '../ops/sigmoid';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { normal, uniform } from '../tensor/init';
import { pairedLossShape, Reduction, reductionDivisor, reductions } from './reduction';

/** Below this many values the twins below beat the call into the addon (measured, 1 thread). */
const NATIVE_BCE_FROM = 128;

/**
 * Σ max(x, 0) − x t + ln(1 + e^−|x|): the twin of the addon's kernel, which computes the terms in
 * float and sums them in double by blocks (the same bits on any thread count, not this order).
 * Only float32 goes to the addon: glibc's float64 exp and log1p differ from V8's in the last
 * places, and float64 results stay the same with and without the addon.
 */
export const bceWithLogitsSumTs: ElementwiseKernels['bceWithLogitsForward'] = (x, t) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    s += Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return s;
};

/** dx = k (σ(x) − t): the twin of the addon's kernel. */
export const bceWithLogitsBackwardTs: ElementwiseKernels['bceWithLogitsBackward'] = (x, t, dx, k) => {
  for (let i = 0; i < dx.length; i++) dx[i] = k * (sigmoidOf(x[i]) - t[i]);
};

/**
 * y = Σ [max(x, 0) − x t + ln(1 + e^−|x|)] / N      (= BCE of σ(x), never forming σ(x) or its log)
 * dx = g (σ(x) − t) / N;  the target takes no gradient
 * e^−|x| ≤ 1, so nothing overflows and log1p keeps the tail term exact when it is tiny; the
 * naive −t ln σ(x) − (1 − t) ln(1 − σ(x)) is ln 0 = −∞ once σ(x) rounds to 0 or 1.
 * Both passes run in the addon from NATIVE_BCE_FROM float32 values up.
 */
export const BCEWithLogits: OpKind<{ reduction: Reduction }> = {
  kind: 'BCEWithLogits',
  arity: 2,
  math: ['y = Σ [max(x, 0) − x t + ln(1 + exp(−|x|))] / N', 'dx = g (σ(x) − t) / N'],
  nonDifferentiable: [1],
  shape: ([x, t], { reduction }) => pairedLossShape(x, t, reduction, ['logits', 'target']),
  forward({ inputs: [x, t], out, attrs }) {
    const native = x.dtype === 'float32' && x.size >= NATIVE_BCE_FROM ? elementwiseKernel('bceWithLogitsForward') : null;
    out.data[0] = (native ?? bceWithLogitsSumTs)(x.data, t.data) / reductionDivisor(attrs.reduction, x.size, x.rows);
  },
  backward({ inputs: [x, t], attrs }, g, [dx]) {
    if (!dx) return;
    const k = g.data[0] / reductionDivisor(attrs.reduction, x.size, x.rows);
    const native = x.dtype === 'float32' && x.size >= NATIVE_BCE_FROM ? elementwiseKernel('bceWithLogitsBackward') : null;
    (native ?? bceWithLogitsBackwardTs)(x.data, t.data, dx.data, k);
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
