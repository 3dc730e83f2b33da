import { UsageError } from '../errors';
import type { Node } from '../graph/node';
import { Matrix } from '../tensor/matrix';
import { Optimizer, OptimizerOptions } from './optimizer';

export interface MomentumOptions extends OptimizerOptions {
  /** μ in v ← μ·v + g (default 0.9). */
  momentum?: number;
  /** Step along g + μ·v (the look-ahead form) instead of v (default false). */
  nesterov?: boolean;
}

/**
 * Heavy-ball momentum in PyTorch's form: v ← μ·v + g, then θ ← θ − lr·v, or with Nesterov
 * θ ← θ − lr·(g + μ·v). The velocity starts at zero, so the first step is plain SGD.
 */
export class Momentum extends Optimizer {
  readonly kind = 'momentum';
  readonly momentum: number;
  readonly nesterov: boolean;
  private readonly velocity: Matrix[];

  constructor(params: readonly Node[], options: MomentumOptions) {
    super(params, options);
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new UsageError(`Momentum: momentum must be in [0, 1), got ${this.momentum}`);
    this.velocity = this.zerosLike();
  }

  protected update(index: number, value: Matrix['data'], grad: Matrix['data'], lr: number): void {
    const v = this.velocity[index].data;
    const mu = this.momentum;
    if (this.nesterov) {
      for (let i = 0; i < value.length; i++) {
        v[i] = mu * v[i] + grad[i];
        value[i] -= lr * (grad[i] + mu * v[i]);
      }
    } else {
      for (let i = 0; i < value.length; i++) {
        v[i] = mu * v[i] + grad[i];
        value[i] -= lr * v[i];
      }
    }
  }

  protected buffers(): Record<string, readonly Matrix[]> {
    return { velocity: this.velocity };
  }

  protected settings(): Record<string, number | boolean> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
