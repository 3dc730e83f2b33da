import { ShapeError } from '../errors';
import { Matrix, shapeText } from '../tensor/matrix';

/** How one rule update of one weight compares with the true backprop gradient at the same state. */
export interface Alignment {
  step: number;
  rule: string;
  layer: string;
  /** cos(ΔW, −∇W): 1 means the rule descends the loss exactly as backprop would; null when either is zero. */
  cosine: number | null;
  /** ‖ΔW‖ / ‖∇W‖ (null when the gradient is zero). */
  normRatio: number | null;
}

/** Compares a rule's weight change with the descent direction −∇W of the task loss. */
export function alignment(step: number, rule: string, layer: string, delta: Matrix, gradient: Matrix): Alignment {
  if (delta.rows !== gradient.rows || delta.cols !== gradient.cols) {
    throw new ShapeError(`alignment '${layer}': ΔW is ${shapeText(delta.shape)}, the gradient ${shapeText(gradient.shape)}`);
  }
  let dot = 0;
  for (let i = 0; i < delta.size; i++) dot -= delta.data[i] * gradient.data[i];
  const nd = delta.norm();
  const ng = gradient.norm();
  return {
    step,
    rule,
    layer,
    cosine: nd > 0 && ng > 0 ? dot / (nd * ng) : null,
    normRatio: ng > 0 ? nd / ng : null,
  };
}

/** One JSON object per line. */
export function toJsonl(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}
