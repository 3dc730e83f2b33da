import { matmul } from '../backend/select';
import { LearningRule } from './rule';

/**
 * Backprop as a learning rule: gradient descent on the task loss.
 * ΔW = −lr · preᵀ · error, where error = ∂L/∂z comes from the engine's backward pass.
 */
export function backpropRule(lr: number): LearningRule {
  return {
    name: 'backprop',
    reads: ['pre', 'error'],
    delta: ({ pre, error }, delta) => matmul(pre, error, delta, true, false, -lr),
  };
}
