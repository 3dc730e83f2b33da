import { BCE } from '../losses/bce';
import { BCEWithLogits } from '../losses/bce-with-logits';
import { GaussianKL } from '../losses/gaussian-kl';
import { MSE } from '../losses/mse';
import { SoftmaxCrossEntropy } from '../losses/softmax-cross-entropy';
import { Add } from './add';
import { Concat } from './concat';
import { Exp } from './exp';
import { GridStep } from './grid-step';
import { Inner } from './inner';
import { Log } from './log';
import { LstmCell } from './lstm-cell';
import { Mean } from './mean';
import { Mul } from './mul';
import { AnyOpKind } from './op';
import { Ref } from './ref';
import { ReLU } from './relu';
import { Scale } from './scale';
import { Sigmoid } from './sigmoid';
import { Sin } from './sin';
import { Slice } from './slice';
import { Square } from './square';
import { Sub } from './sub';
import { Sum } from './sum';
import { Tanh } from './tanh';
import { Tensor } from './tensor';

/**
 * The single table of node kinds. Tests, DOT export and checkpoints iterate it; adding a kind
 * is its own file plus one line here.
 */
export const registry: readonly AnyOpKind[] = [
  Tensor, Ref,
  Add, Sub, Mul, Scale, Inner, Concat, Slice,
  Tanh, Sigmoid, ReLU, Exp, Log, Sin, Square,
  Sum, Mean,
  GridStep, LstmCell,
  MSE, BCE, BCEWithLogits, SoftmaxCrossEntropy, GaussianKL,
];

export function kindNamed(kind: string): AnyOpKind | undefined {
  return registry.find((k) => k.kind === kind);
}
