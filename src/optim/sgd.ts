import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import { Matrix } from '../tensor/matrix';
import { Optimizer } from './optimizer';

/** Below this many values sgdUpdateTs beats the call into the addon (measured, 1 thread). */
const NATIVE_SGD_FROM = 384;

/** θ ← θ − lr·g: the twin of the addon's kernel (the same bits). */
export const sgdUpdateTs: ElementwiseKernels['sgdUpdate'] = (value, grad, lr) => {
  for (let i = 0; i < value.length; i++) value[i] -= lr * grad[i];
};

/** Plain gradient descent: θ ← θ − lr·g, in the addon from NATIVE_SGD_FROM values up. */
export class Sgd extends Optimizer {
  readonly kind = 'sgd';

  protected update(_index: number, value: Matrix['data'], grad: Matrix['data'], lr: number): void {
    const native = value.length >= NATIVE_SGD_FROM ? elementwiseKernel('sgdUpdate') : null;
    (native ?? sgdUpdateTs)(value, grad, lr);
  }

  protected buffers(): Record<string, readonly Matrix[]> {
    return {};
  }

  protected settings(): Record<string, number | boolean> {
    return {};
  }
}
