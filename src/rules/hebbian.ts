import { matmul } from '../backend/select';
import { LearningRule } from './rule';

/** Supervised Hebb: the post side is clamped to a target. ΔW = lr · preᵀ · target. */
export function supervisedHebbian(lr: number): LearningRule {
  return {
    name: 'hebbian-supervised',
    reads: ['pre', 'target'],
    delta: ({ pre, target }, delta) => matmul(pre, target, delta, true, false, lr),
  };
}

/** Plain Hebb: units that fire together wire together. ΔW = lr · preᵀ · post. */
export function unsupervisedHebbian(lr: number): LearningRule {
  return {
    name: 'hebbian-unsupervised',
    reads: ['pre', 'post'],
    delta: ({ pre, post }, delta) => matmul(pre, post, delta, true, false, lr),
  };
}

/** Hebb gated by a global reward (three-factor rule). ΔW = lr · r · preᵀ · post. */
export function rewardHebbian(lr: number): LearningRule {
  return {
    name: 'hebbian-reward',
    reads: ['pre', 'post', 'reward'],
    delta: ({ pre, post, reward }, delta) => matmul(pre, post, delta, true, false, lr * reward.data[0]),
  };
}
