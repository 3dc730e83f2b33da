import { ShapeError } from '../errors';
import type { Node } from '../graph/node';
import { OpKind } from '../ops/op';
import { Matrix, shapeText } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { normal } from '../tensor/init';
import { lossShape, Reduction, reductionDivisor, reductions } from './reduction';

/**
 * y = Σᵢ [logsumexp(zᵢ) − zᵢ,ℓᵢ] / N     (zᵢ a row of logits, ℓᵢ its class id; one term per row)
 * dz = g (softmax(z) − onehot(ℓ)) / N;  the labels take no gradient
 * logsumexp is taken as max + ln Σ e^(z − max): every exponent is ≤ 0, so logits of any size
 * neither overflow nor lose the largest term. The softmax is kept from forward for backward.
 */
export const SoftmaxCrossEntropy: OpKind<{ reduction: Reduction }> = {
  kind: 'SoftmaxCrossEntropy',
  arity: 2,
  math: ['y = Σᵢ [logsumexp(zᵢ) − zᵢ,ℓᵢ] / N', 'dz = g (softmax(z) − onehot(ℓ)) / N'],
  nonDifferentiable: [1],
  shape: ([z, labels], { reduction }) =>
    lossShape(
      reduction,
      labels[0] === z[0] && labels[1] === 1 ? null : `labels must be one class id per row of the logits (${z[0]}×1), got logits ${shapeText(z)} and labels ${shapeText(labels)}`,
    ),
  forward({ node, inputs: [z, labels], out, attrs, scratch }) {
    const k = z.cols;
    const p = scratch(0, z.rows, k).data;
    let s = 0;
    for (let i = 0; i < z.rows; i++) {
      const label = labels.data[i];
      if (!Number.isInteger(label) || label < 0 || label >= k) {
        throw new ShapeError(`${node.describe()}: the label of row ${i} is ${label}; labels must be integer class ids in [0, ${k}) for logits ${shapeText(z.shape)}`);
      }
      const row = i * k;
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, z.data[row + j]);
      let total = 0;
      for (let j = 0; j < k; j++) {
        p[row + j] = Math.exp(z.data[row + j] - max);
        total += p[row + j];
      }
      for (let j = 0; j < k; j++) p[row + j] /= total;
      s += max + Math.log(total) - z.data[row + label];
    }
    out.data[0] = s / reductionDivisor(attrs.reduction, z.rows, z.rows);
  },
  backward({ inputs: [z, labels], attrs, scratch }, g, [dz]) {
    if (!dz) return;
    const p = scratch(0, z.rows, z.cols).data;
    const c = g.data[0] / reductionDivisor(attrs.reduction, z.rows, z.rows);
    for (let i = 0; i < p.length; i++) dz.data[i] = c * p[i];
    for (let i = 0; i < z.rows; i++) dz.data[i * z.cols + labels.data[i]] -= c;
  },
  test: {
    sample: (rng) => {
      const [m, k] = [1 + rng.int(4), 1 + rng.int(4)];
      const values = (v: Rng): Matrix[] => {
        const labels = new Matrix(m, 1);
        for (let i = 0; i < m; i++) labels.data[i] = v.int(k);
        return [normal(v, m, k, 0, 2), labels];
      };
      return { shapes: [[m, k], [m, 1]], attrs: { reduction: reductions[rng.int(3)] }, values };
    },
    special: [1000, -1000, 800],
    badShapes: [[2, 3], [2, 2]],
  },
};

export function softmaxCrossEntropy(logits: Node, labels: Node, reduction: Reduction = 'batch', name?: string): Node {
  return logits.graph.apply(SoftmaxCrossEntropy, [logits, labels], { reduction }, name);
}
