import { Matrix } from '../tensor/matrix';
import { Optimizer } from './optimizer';

/** Plain gradient descent: θ ← θ − lr·g. */
export class Sgd extends Optimizer {
  readonly kind = 'sgd';

  protected update(_index: number, value: Matrix['data'], grad: Matrix['data'], lr: number): void {
    for (let i = 0; i < value.length; i++) value[i] -= lr * grad[i];
  }

  protected buffers(): Record<string, readonly Matrix[]> {
    return {};
  }

  protected settings(): Record<string, number | boolean> {
    return {};
  }
}
